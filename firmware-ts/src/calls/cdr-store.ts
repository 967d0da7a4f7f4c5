import type { Clock, TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { Cdr } from './cdr.js';
import { CdrJournal } from './cdr-journal.js';

export interface CdrStoreOptions {
  /** `<dataDir>/cdr.jsonl`. */
  file: string;
  logger: Logger;
  clock: Clock;
  /** Finished calls `recent()` can give. */
  keepRecent: number;
  /** After a failed write, how long until the journal is reopened and the records tried again. */
  retryMs?: number;
  /** The journal's file opener, for tests that fail the disk. */
  openFile?: Parameters<typeof CdrJournal.open>[0]['openFile'];
}

interface Unsaved {
  cdr: Cdr;
  resolve: () => void;
}

/**
 * The box's CDRs: the durable journal, and what to do when the disk refuses a write. A CDR the
 * journal could not keep is held in memory and tried again on a reopened journal until it is
 * on disk, in order; `append` resolves only then, so nothing is shown or reported unsaved.
 */
export class CdrStore {
  readonly stats = { writeFailures: 0 };
  private unsaved: Unsaved[] = [];
  private retry: TimerHandle | null = null;
  private closed = false;

  private constructor(
    private journal: CdrJournal<Cdr>,
    private readonly o: CdrStoreOptions,
  ) {}

  static async open(o: CdrStoreOptions): Promise<CdrStore> {
    return new CdrStore(await CdrJournal.open<Cdr>(CdrStore.journalOptions(o)), o);
  }

  /** Resolves once `cdr` is on disk (at once if a record with its id already is). */
  append(cdr: Cdr): Promise<void> {
    if (this.unsaved.length > 0) return this.hold(cdr); // keep the order: after the ones waiting
    return this.journal.append(cdr).then(
      () => undefined,
      (err: Error) => {
        this.failed(err, 1);
        return this.hold(cdr);
      },
    );
  }

  /** The latest CDRs on disk, oldest first. */
  recent(limit?: number): Cdr[] {
    return this.journal.recent(limit);
  }

  /**
   * The CDRs on disk of the calls that arrived before `to` and ended at `from` or later (the
   * calls of [from, to), and those still waiting in the queue as it began), oldest first.
   */
  between(from: number, to: number): Promise<Cdr[]> {
    return this.journal.scan((cdr) => cdr.arrivedAt < to && cdr.endedAt >= from);
  }

  /** CDRs finished but not yet on disk (the disk refused them; retried). */
  get waiting(): number {
    return this.unsaved.length;
  }

  get journalStats() {
    return this.journal.stats;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) this.o.clock.clearTimeout(this.retry);
    this.retry = null;
    if (this.unsaved.length > 0) this.o.logger.error({ records: this.unsaved.length, file: this.o.file }, 'CDRs not written at stop: the disk refused them');
    await this.journal.close();
  }

  private static journalOptions(o: CdrStoreOptions) {
    return { file: o.file, logger: o.logger, keepRecent: o.keepRecent, ...(o.openFile && { openFile: o.openFile }) };
  }

  private hold(cdr: Cdr): Promise<void> {
    return new Promise((resolve) => {
      this.unsaved.push({ cdr, resolve });
      this.armRetry();
    });
  }

  private failed(err: Error, records: number): void {
    this.stats.writeFailures++;
    this.o.logger.error({ err: err.message, file: this.o.file, records, retryMs: this.retryMs }, 'CDR not written; kept in memory and tried again');
  }

  private get retryMs(): number {
    return this.o.retryMs ?? 10_000;
  }

  private armRetry(): void {
    if (this.retry || this.closed) return;
    this.retry = this.o.clock.setTimeout(() => {
      this.retry = null;
      void this.writeUnsaved();
    }, this.retryMs);
  }

  /** Reopens the journal (which cuts off a torn tail) and writes the held CDRs, in order. */
  private async writeUnsaved(): Promise<void> {
    try {
      await this.journal.close();
      this.journal = await CdrJournal.open<Cdr>(CdrStore.journalOptions(this.o));
    } catch (err) {
      this.failed(err as Error, this.unsaved.length);
      return this.armRetry();
    }
    while (this.unsaved.length > 0 && !this.closed) {
      const next = this.unsaved[0]!;
      try {
        await this.journal.append(next.cdr);
      } catch (err) {
        this.failed(err as Error, this.unsaved.length);
        return this.armRetry();
      }
      this.unsaved.shift();
      next.resolve();
    }
  }
}
