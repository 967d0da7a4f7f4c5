import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { syncFolder } from '../storage/atomic-file.js';
import { appendDurably } from '../storage/append-durably.js';

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
  /** Opens the file; node's `open` unless a test watches or fails the writes. */
  openFile?: (path: string, flags: string, mode: number) => Promise<FileHandle>;
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
  /** Appends being written now, by id: a repeat of one gets the first one's outcome. */
  private readonly inFlight = new Map<string, Promise<'kept' | 'duplicate'>>();
  /** Set when a write failed: the file may end in a torn line, so nothing more is appended until it is reopened. */
  private broken: Error | null = null;
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
    return limit > 0 ? structuredClone(this.latest.slice(-limit)) : [];
  }

  /**
   * Writes `record` and fsyncs it; resolves `kept` once it is on disk, or `duplicate` when a
   * record with its id is already kept (nothing written). Rejects when the file cannot be
   * written: the record is then not kept, and the caller still holds it.
   */
  append(record: T): Promise<'kept' | 'duplicate'> {
    if (this.closed) return Promise.reject(new Error(`the CDR journal ${this.o.file} is closed`));
    if (this.broken) return Promise.reject(new Error(`the CDR journal ${this.o.file} stopped after a failed write (${this.broken.message}); reopen it`));
    if (typeof record.id !== 'string' || record.id === '') return Promise.reject(new TypeError('a CDR needs a non-empty string id'));
    if (this.ids.has(record.id)) {
      this.stats.duplicates++;
      return Promise.resolve('duplicate');
    }
    const pending = this.inFlight.get(record.id);
    if (pending) {
      // Told `duplicate` only once the first one is on disk; if it fails, this fails too.
      this.stats.duplicates++;
      return pending.then(() => 'duplicate' as const);
    }
    let line: string;
    try {
      line = `${JSON.stringify(record)}\n`;
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const kept = new Promise<'kept' | 'duplicate'>((resolve, reject) => {
      this.queue.push({ record, line, resolve, reject });
      void this.flush();
    });
    this.inFlight.set(record.id, kept);
    const forget = () => this.inFlight.delete(record.id);
    kept.then(forget, forget);
    return kept;
  }

  /**
   * The records in the file that `keep` takes, oldest first, read from the disk: the file holds
   * more than `recent()` keeps in memory (a whole day's calls, for the KPIs). Only the whole
   * records written before the call are read, in 64 KiB pieces; a bad line was logged at open
   * and is skipped again here.
   */
  async scan(keep: (record: T) => boolean): Promise<T[]> {
    const handle = this.handle;
    if (!handle) throw new Error(`the CDR journal ${this.o.file} is closed`);
    const end = this.size;
    const found: T[] = [];
    const seen = new Set<string>();
    const piece = Buffer.alloc(65_536);
    let carry = Buffer.alloc(0);
    for (let at = 0; at < end; ) {
      const { bytesRead } = await handle.read(piece, 0, Math.min(piece.length, end - at), at);
      if (bytesRead === 0) break;
      at += bytesRead;
      const bytes = carry.length > 0 ? Buffer.concat([carry, piece.subarray(0, bytesRead)]) : piece.subarray(0, bytesRead);
      let start = 0;
      for (let stop = bytes.indexOf(0x0a); stop >= 0; stop = bytes.indexOf(0x0a, start)) {
        const record = stop > start ? parseRecord<T>(bytes.toString('utf8', start, stop)) : null;
        start = stop + 1;
        if (record === null || seen.has(record.id)) continue;
        seen.add(record.id);
        if (keep(record)) found.push(record);
      }
      carry = Buffer.from(bytes.subarray(start));
    }
    return found;
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
        if (this.broken) {
          for (const p of batch) p.reject(this.broken);
          continue;
        }
        const bytes = Buffer.from(batch.map((p) => p.line).join(''), 'utf8');
        try {
          await appendDurably(this.handle!, bytes, this.o.file);
        } catch (err) {
          // Not written, or not known to be on disk: none of the batch is kept. After a failed
          // fsync Linux may have dropped the pages, so the file's end is not to be trusted:
          // the journal stops here; reopening it cuts a torn tail off.
          this.broken = err as Error;
          this.o.logger.error({ err: (err as Error).message, file: this.o.file, records: batch.length }, 'CDR journal write failed: no record of this write is kept, and the journal takes no more until it is reopened');
          await this.handle!.truncate(this.size).catch((cut: Error) => this.o.logger.error({ err: cut.message, file: this.o.file }, 'CDR journal: could not cut back the failed write'));
          for (const p of batch) p.reject(err as Error);
          continue;
        }
        this.size += bytes.length;
        this.stats.writes++;
        for (const p of batch) {
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
    const handle = await (this.o.openFile ?? open)(this.o.file, 'a+', 0o644);
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
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    let lineNo = 0;
    for (let start = 0; start < end; ) {
      const stop = bytes.indexOf(0x0a, start);
      const raw = bytes.subarray(start, stop);
      start = stop + 1;
      lineNo++;
      if (raw.length === 0) continue;
      let line: string | null;
      try {
        line = utf8.decode(raw);
      } catch {
        line = null; // not UTF-8: a damaged line, never one the journal wrote
      }
      const record = line === null ? null : parseRecord<T>(line);
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
