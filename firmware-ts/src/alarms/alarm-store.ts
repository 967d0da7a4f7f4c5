import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { moveAside, writeFileAtomic } from '../storage/atomic-file.js';
import { CoalescingWriter } from '../storage/coalescing-writer.js';
import { readAlarmFile, serializeAlarmFile, type AlarmFileContent } from './alarm-file.js';
import { alarmKey, isSeverity, setCauseCode, type AlarmEvents, type AlarmRecord, type CodedCause, type Severity } from './alarm-types.js';

export interface AlarmStoreOptions {
  /** The alarm file, e.g. `<dataDir>/alarms.json`. Its folder is created if missing. */
  file: string;
  clock: Clock;
  logger: Logger;
  /** Cleared alarms kept, newest first; older ones are dropped. Default 1000. */
  historyLimit?: number;
}

export const DEFAULT_HISTORY_LIMIT = 1000;

/**
 * The box's alarm records, kept on disk so that a restart neither forgets an alarm nor
 * raises it twice.
 *
 * One ACTIVE record per (source, type) (ThingsBoard model): raising it again updates it and
 * counts; clearing it moves it to history, and a later raise opens a new record.
 *
 * Alarms active in the file at `load()` come back *restored*: still active, but not yet
 * confirmed by their source since this start. The first raise of a restored alarm only
 * confirms it (no count, no event: the operator saw it raised once already). Once every source
 * has had time to re-raise what still holds, `clearRestored()` clears the rest.
 *
 * Every change is saved (atomically, coalesced); a failed save is logged and retried on the
 * next change, never thrown at the raiser. Time comes from the injected clock only.
 */
export class AlarmStore extends TypedEmitter<AlarmEvents> {
  private readonly activeByKey = new Map<string, AlarmRecord>();
  /** Cleared alarms, oldest first (cheap to append); read out newest first. */
  private history: AlarmRecord[] = [];
  /** Ids of active alarms from the file that no source has confirmed since this start. */
  private readonly restored = new Set<string>();
  private nextSeq = 1;
  private loaded = false;
  private readonly file: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly historyLimit: number;
  private readonly writer: CoalescingWriter;

  constructor(opts: AlarmStoreOptions) {
    super();
    const limit = opts.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`historyLimit must be a whole number >= 0, got ${limit}`);
    this.file = opts.file;
    this.clock = opts.clock;
    this.log = opts.logger;
    this.historyLimit = limit;
    this.writer = new CoalescingWriter({
      snapshot: () => serializeAlarmFile(this.content()),
      write: (text) => writeFileAtomic(this.file, text),
      logger: this.log,
      what: `alarm file ${this.file}`,
    });
  }

  /**
   * Reads the file, if there is one. A file that cannot be read or parsed is logged, renamed
   * to `<file>.corrupt-<now>` and the store starts empty. Never rejects. Call once, before
   * any raise or clear.
   */
  async load(): Promise<void> {
    if (this.loaded) throw new Error('AlarmStore.load() called twice');
    let content: AlarmFileContent | null = null;
    try {
      content = await readAlarmFile(this.file);
    } catch (err) {
      await this.setAside(err);
    }
    this.loaded = true;
    if (!content) return;
    this.nextSeq = content.nextSeq;
    for (const a of content.active) {
      this.activeByKey.set(alarmKey(a.source, a.type), a);
      this.restored.add(a.id);
    }
    this.history = content.history.slice(0, this.historyLimit).reverse();
    this.log.info({ active: content.active.length, history: this.history.length }, 'alarms restored from file');
  }

  /**
   * Raises (source, type). Creates a record and emits `raised` if none is active; else updates
   * cause, severity and lastRaisedAt, counts, and emits `updated`. A restored alarm's first
   * raise only confirms it; it emits `updated` (without counting) only if its severity or
   * cause changed. Returns the record as it now stands. `coded`: the cause as a code with
   * arguments, for texts in the reader's language.
   */
  raise(source: string, type: string, severity: Severity, cause: string, coded?: CodedCause): AlarmRecord {
    this.mustBeLoaded();
    if (!isSeverity(severity)) throw new TypeError(`unknown alarm severity ${JSON.stringify(severity)}`);
    const now = this.clock.now();
    const current = this.activeByKey.get(alarmKey(source, type));
    if (!current) {
      const alarm: AlarmRecord = {
        id: `${now}-${this.nextSeq++}`,
        source,
        type,
        severity,
        state: 'active',
        raisedAt: now,
        clearedAt: null,
        lastRaisedAt: now,
        cause,
        count: 1,
      };
      setCauseCode(alarm, coded);
      this.activeByKey.set(alarmKey(source, type), alarm);
      this.changed();
      this.log.warn({ alarm }, 'alarm raised');
      return this.announce('raised', alarm);
    }
    const changed = current.severity !== severity || current.cause !== cause;
    current.severity = severity;
    current.cause = cause;
    setCauseCode(current, coded);
    if (this.restored.delete(current.id)) {
      // Raised before the restart; the operator has seen it. Confirm, do not count.
      if (!changed) return { ...current };
      this.changed();
      return this.announce('updated', current);
    }
    current.lastRaisedAt = now;
    current.count++;
    this.changed();
    return this.announce('updated', current);
  }

  /**
   * Clears the active (source, type) alarm and emits `cleared`; null if none is active. `at`
   * is when the condition ended, when its source knows it (default: now).
   */
  clear(source: string, type: string, at: number = this.clock.now()): AlarmRecord | null {
    this.mustBeLoaded();
    const alarm = this.activeByKey.get(alarmKey(source, type));
    if (!alarm) return null;
    this.retire(alarm, at);
    this.changed();
    return this.announce('cleared', alarm);
  }

  /**
   * Clears restored alarms that no source has confirmed since this start (and that
   * `predicate` picks, if given). Call once the card has been up long enough for every source
   * to re-raise what still holds. Returns what it cleared.
   */
  clearRestored(predicate: (alarm: AlarmRecord) => boolean = () => true): AlarmRecord[] {
    this.mustBeLoaded();
    const stale = [...this.activeByKey.values()].filter((a) => this.restored.has(a.id) && predicate({ ...a }));
    for (const alarm of stale) this.retire(alarm);
    if (stale.length > 0) {
      this.changed();
      this.log.info({ count: stale.length }, 'restored alarms not raised again since start: cleared');
    }
    return stale.map((alarm) => this.announce('cleared', alarm));
  }

  /** Active alarms, oldest raise first. */
  active(): AlarmRecord[] {
    return [...this.activeByKey.values()].sort((a, b) => a.raisedAt - b.raisedAt).map((a) => ({ ...a }));
  }

  /** Cleared alarms, newest clear first. */
  cleared(): AlarmRecord[] {
    return this.history.map((a) => ({ ...a })).reverse();
  }

  /** Active alarms, then history newest first. */
  all(): AlarmRecord[] {
    return [...this.active(), ...this.cleared()];
  }

  /** The active (source, type) alarm, or null. */
  get(source: string, type: string): AlarmRecord | null {
    const alarm = this.activeByKey.get(alarmKey(source, type));
    return alarm ? { ...alarm } : null;
  }

  /** True while the alarm came from the file and no source has raised it again since. */
  isRestored(id: string): boolean {
    return this.restored.has(id);
  }

  /** The error of the latest save, or null once a save succeeds. */
  get saveError(): Error | null {
    return this.writer.lastError;
  }

  /** Waits until every change so far is saved (or the attempt failed and was logged). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Saves what is pending. The store stays usable; call before the process exits. */
  async close(): Promise<void> {
    await this.writer.flush();
  }

  private retire(alarm: AlarmRecord, at: number = this.clock.now()): void {
    this.activeByKey.delete(alarmKey(alarm.source, alarm.type));
    this.restored.delete(alarm.id);
    alarm.state = 'cleared';
    alarm.clearedAt = at;
    this.history.push(alarm);
    const excess = this.history.length - this.historyLimit;
    if (excess > 0) this.history.splice(0, excess);
    this.log.info({ alarm }, 'alarm cleared');
  }

  private announce(event: keyof AlarmEvents & string, alarm: AlarmRecord): AlarmRecord {
    // Listeners get copies, so they cannot change the store behind its back.
    this.emit(event, { ...alarm });
    return { ...alarm };
  }

  private changed(): void {
    this.writer.changed();
  }

  private content(): AlarmFileContent {
    return { version: 1, nextSeq: this.nextSeq, active: this.active(), history: this.cleared() };
  }

  private async setAside(err: unknown): Promise<void> {
    const reason = err instanceof Error ? err.message : String(err);
    try {
      const aside = await moveAside(this.file, this.clock.now());
      this.log.error({ file: this.file, aside, reason }, 'alarm file unusable: moved aside, starting with no alarms');
    } catch (renameErr) {
      this.log.error({ file: this.file, reason, err: renameErr }, 'alarm file unusable and cannot be moved aside: starting with no alarms');
    }
  }

  private mustBeLoaded(): void {
    // Saving before the file is read would overwrite the alarms in it.
    if (!this.loaded) throw new Error('AlarmStore: call load() before raising or clearing alarms');
  }
}
