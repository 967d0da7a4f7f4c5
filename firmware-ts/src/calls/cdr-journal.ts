import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { syncFolder } from '../storage/atomic-file.js';

/**
 * The call detail records on the box: an append-only file of JSON lines under `dataDir`.
 *
 * A record counts as kept once `append` resolves: its line has been written and fsynced, so a
 * power cut or a SIGKILL afterwards loses nothing. Records carry an `id`; appending an id the
 * journal has already kept does nothing, so a caller that is not sure whether its append got
 * through (it died before hearing back) appends again and no record is doubled.
 *
 * A crash in the middle of a write can leave the last line torn. Opening the journal cuts
 * such a tail off (it was never acknowledged) and counts it. A bad line elsewhere (the disk,
 * or a hand edit) is left in the file, logged and counted, and skipped.
 *
 * Appends that arrive while a write is under way go out together in the next write, with
 * one fsync for all of them.
 */
export interface JournalRecord {
  /** Unique per record: the same id appended twice is kept once. */
  id: string;
}

export interface CdrJournalOptions {
  /** The file, e.g. `<dataDir>/cdr.jsonl`; its folder is created if missing. */
  file: string;
  logger: Logger;
  /** How many of the latest records `recent()` can give; default 1000. */
  keepRecent?: number;
}

export interface CdrJournalStats {
  /** Records in the file (read at open, plus those appended since). */
  records: number;
  /** Appends of an id already kept, not written again. */
  duplicates: number;
  /** Octets of a torn last line cut off at open. */
  tornOctets: number;
  /** Lines that were not a record, skipped at open. */
  badLines: number;
  /** Writes (each with its fsync) since open. */
  writes: number;
}

interface Pending<T> {
  record: T;
  line: string;
  resolve: (kept: 'kept' | 'duplicate') => void;
  reject: (err: Error) => void;
}

export class CdrJournal<T extends JournalRecord> {
  readonly stats: CdrJournalStats = { records: 0, duplicates: 0, tornOctets: 0, badLines: 0, writes: 0 };
  private readonly ids = new Set<string>();
  /** Ids being written now, not yet acknowledged. */
  private readonly pendingIds = new Set<string>();
  private readonly latest: T[] = [];
  private readonly keepRecent: number;
  private queue: Pending<T>[] = [];
  private writing = false;
  private handle: FileHandle | null = null;
  /** Octets of whole records in the file: where a failed write is cut back to. */
  private size = 0;
  private closed = false;

  private constructor(private readonly o: CdrJournalOptions) {
    this.keepRecent = o.keepRecent ?? 1000;
  }

  /** Opens (or creates) the journal, reading what it holds and cutting off a torn tail. */
  static async open<T extends JournalRecord>(o: CdrJournalOptions): Promise<CdrJournal<T>> {
    const journal = new CdrJournal<T>(o);
    await journal.load();
    return journal;
  }

  /** Whether a record with this id is kept. */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** The latest records, oldest first, at most `limit` (and at most `keepRecent`). */
  recent(limit = this.keepRecent): T[] {
    return limit > 0 ? this.latest.slice(-limit) : [];
  }

  /**
   * Writes `record` and fsyncs it; resolves `kept` once it is on disk, or `duplicate` when a
   * record with its id is already kept (nothing written). Rejects when the file cannot be
   * written: the record is then not kept, and the caller still holds it.
   */
  append(record: T): Promise<'kept' | 'duplicate'> {
    if (this.closed) return Promise.reject(new Error(`the CDR journal ${this.o.file} is closed`));
    if (typeof record.id !== 'string' || record.id === '') return Promise.reject(new TypeError('a CDR needs a non-empty string id'));
    if (this.ids.has(record.id) || this.pendingIds.has(record.id)) {
      this.stats.duplicates++;
      return Promise.resolve('duplicate');
    }
    const line = `${JSON.stringify(record)}\n`;
    this.pendingIds.add(record.id);
    return new Promise((resolve, reject) => {
      this.queue.push({ record, line, resolve, reject });
      void this.flush();
    });
  }

  /** Waits for the appends under way, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writing || this.queue.length > 0) await new Promise((r) => setImmediate(r));
    await this.handle?.close();
    this.handle = null;
  }

  private async flush(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        const text = batch.map((p) => p.line).join('');
        try {
          await this.handle!.write(text);
          await this.handle!.datasync();
        } catch (err) {
          // Not written, or not known to be on disk: none of the batch is kept. A part of it
          // may be in the file (a full disk): cut it off, so the next write starts on a line.
          this.o.logger.error({ err: (err as Error).message, file: this.o.file, records: batch.length }, 'CDR journal write failed');
          await this.handle!.truncate(this.size).catch(() => undefined);
          for (const p of batch) {
            this.pendingIds.delete(p.record.id);
            p.reject(err as Error);
          }
          continue;
        }
        this.size += Buffer.byteLength(text);
        this.stats.writes++;
        for (const p of batch) {
          this.pendingIds.delete(p.record.id);
          this.remember(p.record);
          p.resolve('kept');
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private remember(record: T): void {
    this.ids.add(record.id);
    this.stats.records++;
    this.latest.push(record);
    if (this.latest.length > this.keepRecent) this.latest.splice(0, this.latest.length - this.keepRecent);
  }

  private async load(): Promise<void> {
    await mkdir(dirname(this.o.file), { recursive: true });
    const existed = await stat(this.o.file).then(
      () => true,
      () => false,
    );
    // 'a+': read what is there, append after it, create the file when missing.
    const handle = await open(this.o.file, 'a+', 0o644);
    this.handle = handle;
    if (!existed) await syncFolder(dirname(this.o.file));
    const bytes = await handle.readFile();
    const end = bytes.lastIndexOf(0x0a) + 1; // everything after the last newline is a torn write
    if (end < bytes.length) {
      this.stats.tornOctets = bytes.length - end;
      this.o.logger.warn({ file: this.o.file, octets: this.stats.tornOctets }, 'CDR journal: cut off a torn last line (a write the crash interrupted; it was never acknowledged)');
      await handle.truncate(end);
      await handle.sync();
    }
    this.size = end;
    const text = bytes.subarray(0, end).toString('utf8');
    let lineNo = 0;
    for (const line of text.split('\n')) {
      lineNo++;
      if (line === '') continue;
      const record = parseRecord<T>(line);
      if (record === null) {
        this.stats.badLines++;
        this.o.logger.error({ file: this.o.file, line: lineNo }, 'CDR journal: a line that is not a record; skipped and left in the file');
        continue;
      }
      if (this.ids.has(record.id)) continue; // written twice by an older version: counted once
      this.remember(record);
    }
  }
}

function parseRecord<T extends JournalRecord>(line: string): T | null {
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value !== 'object' || value === null || typeof (value as JournalRecord).id !== 'string' || (value as JournalRecord).id === '') return null;
    return value as T;
  } catch {
    return null;
  }
}
