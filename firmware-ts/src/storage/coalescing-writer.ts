import type { Logger } from 'pino';

export interface CoalescingWriterOptions {
  /** Produces the text to save; called when a write starts, so it always sees the latest state. */
  snapshot: () => string;
  /** Saves the text; may reject. */
  write: (text: string) => Promise<void>;
  logger: Logger;
  /** Named in log lines. */
  what: string;
}

/**
 * Saves state after changes without writing once per change. At most one write runs at a
 * time; changes made while it runs are saved by one more write after it. A synchronous burst
 * of changes is saved by a single write, because the first write starts on the next
 * microtask. A failed write is logged, never thrown; the next change (or flush) tries again.
 */
export class CoalescingWriter {
  private dirty = false;
  private running: Promise<void> | null = null;
  private error: Error | null = null;
  private writes = 0;

  constructor(private readonly opts: CoalescingWriterOptions) {}

  /** Notes that the state changed; a write follows soon. */
  changed(): void {
    this.dirty = true;
    this.running ??= this.run();
  }

  /**
   * Resolves once everything changed before the call is saved, or the attempt to save it has
   * failed and been logged. Never rejects.
   */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    // A failed write leaves the state unsaved; try once more, e.g. before shutdown.
    if (this.dirty) {
      this.running = this.run();
      await this.running;
    }
  }

  /** The error of the latest write, or null if it succeeded (or none was made yet). */
  get lastError(): Error | null {
    return this.error;
  }

  /** Writes attempted so far. */
  get writeCount(): number {
    return this.writes;
  }

  private async run(): Promise<void> {
    try {
      await Promise.resolve(); // let the caller's synchronous burst of changes finish
      while (this.dirty) {
        this.dirty = false;
        this.writes++;
        try {
          await this.opts.write(this.opts.snapshot());
          if (this.error) this.opts.logger.info(`${this.opts.what} saved again after a failed write`);
          this.error = null;
        } catch (err) {
          this.dirty = true;
          this.error = err instanceof Error ? err : new Error(String(err));
          this.opts.logger.error({ err: this.error }, `cannot save ${this.opts.what}; will retry on the next change`);
          return;
        }
      }
    } finally {
      this.running = null;
    }
  }
}
