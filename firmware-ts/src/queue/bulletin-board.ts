import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { Clock, TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { CountylineError } from '../errors.js';
import { moveAside, writeFileAtomic } from '../storage/atomic-file.js';

/** A notice for callers (a water main burst, a power cut in a township), set by central. */
export interface Bulletin {
  text: string;
  /** When it ends, ms since the epoch; null: until it is cleared. */
  until: number | null;
  setAt: number;
}

export interface BulletinBoardOptions {
  /** Where the bulletin is kept, e.g. `<dataDir>/bulletin.json`. */
  file: string;
  clock: Clock;
  logger: Logger;
}

interface BulletinBoardEvents {
  /** The bulletin was set, cleared, or ran out: `current()` tells which. */
  changed: [];
}

/**
 * The box's one bulletin. It is kept on disk before a command that set or cleared it is
 * answered, so a restart neither loses nor revives it, and it ends by itself at its `until`.
 */
export class BulletinBoard extends EventEmitter<BulletinBoardEvents> {
  private bulletin: Bulletin | null = null;
  private timer: TimerHandle | null = null;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly o: BulletinBoardOptions) {
    super();
  }

  /** Reads the saved bulletin; an unreadable file is moved aside and logged, not fatal. */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.o.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const saved = parseSaved(text);
    if (!saved) {
      const aside = await moveAside(this.o.file, this.o.clock.now()).catch(() => null);
      this.o.logger.error({ file: this.o.file, movedTo: aside }, 'bulletin file unusable; starting without a bulletin');
      return;
    }
    if (saved.bulletin && saved.bulletin.until !== null && saved.bulletin.until <= this.o.clock.now()) return;
    this.bulletin = saved.bulletin;
    this.arm();
  }

  /** The bulletin in force, or null. */
  current(): Bulletin | null {
    return this.bulletin ? { ...this.bulletin } : null;
  }

  /** Sets the bulletin (replacing any); resolves once it is on disk. An end already past is refused. */
  async set(text: string, until: number | null): Promise<Bulletin> {
    const now = this.o.clock.now();
    if (until !== null && until <= now) throw new CountylineError('bulletin-past', { until: new Date(until).toISOString(), now: new Date(now).toISOString() });
    const bulletin: Bulletin = { text, until, setAt: now };
    this.bulletin = bulletin;
    this.arm();
    await this.save();
    this.emit('changed');
    return { ...bulletin };
  }

  /** Clears the bulletin; resolves with whether there was one, once that is on disk. */
  async clear(): Promise<boolean> {
    const had = this.bulletin !== null;
    this.bulletin = null;
    this.arm();
    await this.save();
    if (had) this.emit('changed');
    return had;
  }

  /** Stops the end timer and waits for the last save. */
  async close(): Promise<void> {
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.saving;
  }

  private arm(): void {
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    const until = this.bulletin?.until;
    if (until === undefined || until === null) return;
    this.timer = this.o.clock.setTimeout(
      () => {
        this.timer = null;
        this.o.logger.info({ text: this.bulletin?.text }, 'bulletin ended');
        this.bulletin = null;
        void this.save().then(() => this.emit('changed'));
      },
      Math.max(0, until - this.o.clock.now()),
    );
  }

  private save(): Promise<void> {
    const text = JSON.stringify({ version: 1, bulletin: this.bulletin });
    const write = this.saving.then(() => writeFileAtomic(this.o.file, text));
    this.saving = write.catch((err: Error) => this.o.logger.error({ err: err.message, file: this.o.file }, 'could not save the bulletin'));
    return write;
  }
}

function parseSaved(text: string): { bulletin: Bulletin | null } | null {
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof saved !== 'object' || saved === null || (saved as { version?: unknown }).version !== 1) return null;
  const b = (saved as { bulletin?: unknown }).bulletin;
  if (b === null) return { bulletin: null };
  if (typeof b !== 'object' || b === undefined) return null;
  const { text: t, until, setAt } = b as Record<string, unknown>;
  if (typeof t !== 'string' || t === '' || typeof setAt !== 'number' || !(until === null || typeof until === 'number')) return null;
  return { bulletin: { text: t, until, setAt } };
}
