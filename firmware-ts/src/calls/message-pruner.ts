import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';

const DAY_MS = 24 * 3_600_000;
/** `<request id>-<ms since 1970>.alaw`, as `saveMessage` names them. */
const MESSAGE_FILE = /^(.+)-(\d{10,})\.alaw$/;

export interface MessagePrunerDeps {
  /** `<dataDir>/messages`. */
  dir: string;
  /** A message older than this goes, unless its request is still pending (config `queue.voiceMessageKeepDays`). */
  keepMs: number;
  clock: Clock;
  logger: Logger;
  /** The ids of the callback requests still waiting to be called back. */
  pending: () => ReadonlySet<string>;
}

/**
 * Removes the voice messages a box no longer needs, so that they do not fill its disk: a
 * message older than `keepMs` whose request is done (called back, or closed by staff). A
 * message of a request still pending stays, whatever its age: somebody has yet to hear it.
 * Files that are not messages are left alone.
 */
export async function pruneMessages(d: MessagePrunerDeps): Promise<{ removed: number; kept: number }> {
  let names: string[];
  try {
    names = await readdir(d.dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { removed: 0, kept: 0 };
    throw err;
  }
  const pending = d.pending();
  const before = d.clock.now() - d.keepMs;
  let removed = 0;
  let kept = 0;
  for (const name of names) {
    const m = MESSAGE_FILE.exec(name);
    if (!m) continue;
    if (Number(m[2]) >= before || pending.has(m[1]!)) {
      kept++;
      continue;
    }
    try {
      await unlink(join(d.dir, name));
      removed++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') d.logger.error({ file: name, err: (err as Error).message }, 'old voice message not removed');
    }
  }
  if (removed > 0) d.logger.info({ removed, kept, keepDays: d.keepMs / DAY_MS }, 'old voice messages removed');
  return { removed, kept };
}

/** Runs `pruneMessages` at start and once a day after, until stop(). */
export class MessagePruner {
  private timer: TimerHandle | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: MessagePrunerDeps) {}

  start(): void {
    const run = () => {
      this.running = pruneMessages(this.d).catch((err: Error) => this.d.logger.error({ dir: this.d.dir, err: err.message }, 'voice messages could not be checked for removal'));
      this.timer = this.d.clock.setTimeout(run, DAY_MS);
    };
    run();
  }

  /** Stops the daily run; resolves once a run under way is over. */
  async stop(): Promise<void> {
    if (this.timer) this.d.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
