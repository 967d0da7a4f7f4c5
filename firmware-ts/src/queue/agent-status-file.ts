import { readFile } from 'node:fs/promises';
import type { Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { moveAside, writeFileAtomic } from '../storage/atomic-file.js';
import type { AgentStatus } from './acd-types.js';

export interface AgentStatusFileOptions {
  /** `<dataDir>/agent-status.json`. */
  file: string;
  clock: Clock;
  logger: Logger;
}

const STATUSES: readonly AgentStatus[] = ['available', 'logged-out', 'on-break'];

/**
 * The status each agent was last given (log in, log out, break: by the CLI or a feature code),
 * kept across restarts in `<dataDir>/agent-status.json`:
 *
 *     {"version": 1, "agents": {"1001": "on-break", "1002": "logged-out"}}
 *
 * An agent in the file starts with its saved status, overriding `queue.agentsStart`; one never
 * set starts with `agentsStart`. Each save replaces the file whole (temp file, fsync, rename,
 * folder fsync), so a power cut leaves the old file or the new one. Saves go out one at a time
 * in order; of those asked for while one is written only the latest is written next.
 */
export class AgentStatusFile {
  private writing: Promise<void> = Promise.resolve();
  private next: Record<string, AgentStatus> | null = null;

  constructor(private readonly o: AgentStatusFileOptions) {}

  /**
   * The saved statuses; none when there is no file. A file that is not one (a torn hand edit,
   * a disk fault) is logged, moved aside to `<file>.corrupt-<ms>` and treated as none: the
   * agents start with `agentsStart`, and the box runs.
   */
  async load(): Promise<Map<string, AgentStatus>> {
    let text: string;
    try {
      text = await readFile(this.o.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      this.o.logger.error({ file: this.o.file, err: (err as Error).message }, 'agent status file unreadable; agents start with queue.agentsStart');
      return new Map();
    }
    const saved = parseSaved(text);
    if (!saved) {
      const aside = await moveAside(this.o.file, this.o.clock.now()).catch(() => null);
      this.o.logger.error({ file: this.o.file, movedTo: aside }, 'agent status file is not a saved status list; ignored, agents start with queue.agentsStart');
      return new Map();
    }
    return saved;
  }

  /** Saves the statuses (replacing what the file had); resolves once they are on disk. A failed write is logged, and the next save tries again. */
  save(agents: Record<string, AgentStatus>): Promise<void> {
    const first = this.next === null;
    this.next = { ...agents };
    if (!first) return this.writing;
    this.writing = this.writing.then(async () => {
      const agents = this.next!;
      this.next = null;
      try {
        await writeFileAtomic(this.o.file, `${JSON.stringify({ version: 1, agents })}\n`);
      } catch (err) {
        this.o.logger.error({ file: this.o.file, err: (err as Error).message }, 'could not save the agent statuses; they hold until the next restart');
      }
    });
    return this.writing;
  }

  /** Resolves once every save asked for is done. */
  flush(): Promise<void> {
    return this.writing;
  }
}

function parseSaved(text: string): Map<string, AgentStatus> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || (value as { version?: unknown }).version !== 1) return null;
  const agents = (value as { agents?: unknown }).agents;
  if (typeof agents !== 'object' || agents === null || Array.isArray(agents)) return null;
  const out = new Map<string, AgentStatus>();
  for (const [user, status] of Object.entries(agents)) {
    if (!STATUSES.includes(status as AgentStatus)) return null;
    out.set(user, status as AgentStatus);
  }
  return out;
}
