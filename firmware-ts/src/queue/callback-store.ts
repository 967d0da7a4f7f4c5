import { randomUUID } from 'node:crypto';
import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { CallLine } from '../calls/cdr.js';
import { CdrJournal } from '../calls/cdr-journal.js';
import { CountylineError } from '../errors.js';
import { FIELD_WORDS, SHORT_ID_LENGTH, asRecord, badField, recordKey, type AttemptOutcome, type CallbackReason, type CallbackRecord, type DoneBy, type Field } from './callback-records.js';

export { SHORT_ID_LENGTH, type AttemptOutcome, type CallbackReason, type DoneBy } from './callback-records.js';


export interface CallbackAttempt {
  at: number;
  outcome: AttemptOutcome;
  /** The CDR id of the call the box placed. */
  callId: string;
  /** The agent the call was for, by SIP user. */
  agent?: string;
}

/** A callback request as staff and the call model see it. */
export interface Callback {
  id: string;
  /** The number to call back: the caller's. */
  number: string;
  /** Where the first request came in. */
  line: CallLine;
  reason: CallbackReason;
  /** The CDR id of the call that first asked. */
  callId: string;
  requestedAt: number;
  /** Calls from the number that asked while this was pending, the first included. */
  requests: number;
  lastRequestedAt: number;
  /** The file of the latest voice message the caller left, if any. */
  message?: string;
  /** The calls the box placed, oldest first. */
  attempts: CallbackAttempt[];
  state: 'pending' | 'done';
  doneAt: number | null;
  doneBy: DoneBy | null;
}

export interface CallbackStoreOptions {
  /** `<dataDir>/callbacks.jsonl`; its folder is created if missing. */
  file: string;
  clock: Clock;
  logger: Logger;
  /** The journal's file opener, for tests that fail the disk. */
  openFile?: Parameters<typeof CdrJournal.open>[0]['openFile'];
}

export interface CallbackRequest {
  number: string;
  line: CallLine;
  reason: CallbackReason;
  /** The CDR id of the inbound call. */
  callId: string;
  message?: string;
}

interface Entry {
  view: Callback;
  /** Inbound calls that asked: the same call asking twice counts once. */
  callIds: Set<string>;
}

/**
 * The box's callback requests, kept in `<dataDir>/callbacks.jsonl` through the CDR journal
 * (calls/cdr-journal.ts): each event is a line, fsynced before the promise that made it
 * resolves; a torn last line is cut off at open and a bad line is logged and skipped.
 *
 * One request per number at a time: a caller who asks again while theirs is pending gets the
 * same request back with `requests` one higher (the KPIs count unique pending requests). A
 * request ends once, with `done`. Changes run one at a time, so two calls from one number
 * arriving together still make one request.
 *
 * When the disk refuses a write the change is not made (`cannot-write`), and the journal is
 * reopened and the requests read again from the file, so what the store says is what the
 * file holds.
 */
export interface CallbackStoreEvents {
  /** A request was taken, tried, given a message, or marked done (once it is on disk). */
  changed: (callback: Callback) => void;
}

export class CallbackStore extends TypedEmitter<CallbackStoreEvents> {
  /** In the order they were first asked: the file's order, whatever the clock did. */
  private readonly byId = new Map<string, Entry>();
  private readonly pendingByNumber = new Map<string, Entry>();
  /** null after a failed write or reopen: opened again (and the file read again) by the next change. */
  private journal: CdrJournal<CallbackRecord> | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly o: CallbackStoreOptions) {
    super();
  }

  static async open(o: CallbackStoreOptions): Promise<CallbackStore> {
    const store = new CallbackStore(o);
    await store.reload();
    return store;
  }

  /**
   * Takes a callback request, on disk when this resolves. A number with a request pending
   * gets that one, asked once more (a call already counted for it changes nothing).
   */
  request(r: CallbackRequest): Promise<Callback> {
    return this.change(() => {
      const { number, line, reason, callId, message } = r;
      const asked = { type: 'requested' as const, number, line, reason, callId, ...(message !== undefined && { message }) };
      checkFields(asked);
      const pending = this.pendingByNumber.get(number);
      if (pending?.callIds.has(callId)) return { view: pending.view };
      const callback = pending?.view.id ?? randomUUID();
      return { record: { ...asked, callback, id: recordKey({ callback, ...asked }), at: this.o.clock.now() } };
    });
  }

  /** Notes a call the box placed for request `id`; the same call noted twice counts once. */
  attempt(id: string, a: { outcome: AttemptOutcome; callId: string; agent?: string }): Promise<Callback> {
    return this.change(() => {
      const attempt = { type: 'attempt' as const, outcome: a.outcome, callId: a.callId, ...(a.agent !== undefined && { agent: a.agent }) };
      checkFields(attempt);
      const entry = this.pendingEntry(id);
      if (entry.view.attempts.some((x) => x.callId === a.callId)) return { view: entry.view };
      const callback = entry.view.id;
      return { record: { ...attempt, callback, id: recordKey({ callback, ...attempt }), at: this.o.clock.now() } };
    });
  }

  /**
   * Keeps the voice message (a file name in `<dataDir>/messages/`) that call `callId` left for
   * request `id`, after the request was taken; it becomes the request's `message`.
   */
  message(id: string, m: { callId: string; message: string }): Promise<Callback> {
    return this.change(() => {
      const event = { type: 'message' as const, callId: m.callId, message: m.message };
      checkFields(event);
      const callback = this.pendingEntry(id).view.id;
      return { record: { ...event, callback, id: recordKey({ callback, ...event }), at: this.o.clock.now() } };
    });
  }

  /** Ends request `id` (full, or a unique prefix of at least SHORT_ID_LENGTH characters). */
  done(id: string, by: DoneBy): Promise<Callback> {
    return this.change(() => {
      checkFields({ type: 'done', by });
      const callback = this.pendingEntry(id).view.id;
      return { record: { type: 'done' as const, by, callback, id: recordKey({ type: 'done', callback }), at: this.o.clock.now() } };
    });
  }

  /** Requests waiting for a call back, the longest waiting first. */
  pending(): Callback[] {
    return [...this.byId.values()].filter((e) => e.view.state === 'pending').map((e) => structuredClone(e.view));
  }

  /**
   * Requests in the order they were first asked. Without `all`, the pending ones, and `limit`
   * keeps those waiting longest (the next to call); with `all`, done ones too, and `limit`
   * keeps the latest.
   */
  list(o: { all?: boolean; limit?: number } = {}): Callback[] {
    if (o.limit !== undefined && !(Number.isInteger(o.limit) && o.limit >= 1)) throw invalid('limit', o.limit);
    if (!o.all) return this.pending().slice(0, o.limit);
    const all = [...this.byId.values()];
    return all.slice(o.limit === undefined ? 0 : Math.max(0, all.length - o.limit)).map((e) => structuredClone(e.view));
  }

  /** Request `id` (full, or a unique prefix of at least SHORT_ID_LENGTH characters); null when there is none. */
  get(id: string): Callback | null {
    const entry = this.find(id);
    return entry ? structuredClone(entry.view) : null;
  }

  /** Waits for the changes under way, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    await this.journal?.close();
    this.journal = null;
  }

  /**
   * Runs one change after those before it: `decide` looks at the state as the earlier changes
   * left it and gives the record to write (or the answer, when nothing is to be written).
   */
  private change(decide: () => { record: CallbackRecord } | { view: Callback }): Promise<Callback> {
    const run = this.tail.then(async () => {
      if (this.closed) throw new Error(`the callback store ${this.o.file} is closed`);
      if (!this.journal) {
        try {
          await this.reload();
        } catch (err) {
          throw this.cannotWrite(err as Error);
        }
      }
      const decided = decide();
      if ('view' in decided) return structuredClone(decided.view);
      await this.write(decided.record);
      const view = structuredClone(this.byId.get(decided.record.callback)!.view);
      this.emit('changed', structuredClone(view));
      return view;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async write(record: CallbackRecord): Promise<void> {
    try {
      await this.journal!.append(record);
    } catch (err) {
      this.o.logger.error({ err: (err as Error).message, file: this.o.file, callback: record.callback, type: record.type }, 'callback request not written; the change is not made');
      // The journal takes nothing after a failed write until it is reopened; read the file
      // again so the requests are what it holds (a write may have landed after all).
      await this.journal?.close().catch(() => undefined);
      this.journal = null;
      await this.reload().catch((again: Error) => this.o.logger.error({ err: again.message, file: this.o.file }, 'callback file cannot be reopened; tried again at the next change'));
      throw this.cannotWrite(err as Error);
    }
    this.apply(record, false);
  }

  private cannotWrite(err: Error): CountylineError<'cannot-write'> {
    return new CountylineError('cannot-write', { file: this.o.file, detail: err.message });
  }

  private async reload(): Promise<void> {
    // Every event is needed to rebuild the requests: the journal keeps them all (a few
    // thousand lines a year at a county office).
    const { file, logger, openFile } = this.o;
    const journal = await CdrJournal.open<CallbackRecord>({ file, logger, keepRecent: Number.POSITIVE_INFINITY, ...(openFile && { openFile }) });
    this.byId.clear();
    this.pendingByNumber.clear();
    journal.recent().forEach((line, i) => {
      const record = asRecord(line);
      if (record) this.apply(record, true);
      else this.o.logger.error({ file: this.o.file, record: i + 1 }, 'callback file: a line that is not a callback event; skipped');
    });
    this.journal = journal;
  }

  /** Applies one event to the requests; one that does not fit them (read back from a hand-edited file) is logged and skipped. */
  private apply(r: CallbackRecord, reading: boolean): void {
    const entry = this.byId.get(r.callback);
    const skip = (why: string) => this.o.logger.error({ file: this.o.file, callback: r.callback, type: r.type, reading }, `callback file: ${why}; event skipped`);
    if (r.type === 'requested') {
      if (!entry) {
        if (this.pendingByNumber.has(r.number)) return skip('a second pending request for one number');
        const view: Callback = { id: r.callback, number: r.number, line: r.line, reason: r.reason, callId: r.callId, requestedAt: r.at, requests: 1, lastRequestedAt: r.at, attempts: [], state: 'pending', doneAt: null, doneBy: null };
        if (r.message !== undefined) view.message = r.message;
        const added = { view, callIds: new Set([r.callId]) };
        this.byId.set(r.callback, added);
        this.pendingByNumber.set(r.number, added);
        return;
      }
      if (entry.view.state !== 'pending' || entry.view.number !== r.number) return skip('asked again for a request that is done or for another number');
      if (entry.callIds.has(r.callId)) return;
      entry.callIds.add(r.callId);
      entry.view.requests++;
      entry.view.lastRequestedAt = r.at;
      if (r.message !== undefined) entry.view.message = r.message;
      return;
    }
    if (!entry || entry.view.state !== 'pending') return skip('no such pending request');
    if (r.type === 'message') {
      entry.view.message = r.message;
      return;
    }
    if (r.type === 'attempt') {
      entry.view.attempts.push({ at: r.at, outcome: r.outcome, callId: r.callId, ...(r.agent !== undefined && { agent: r.agent }) });
      return;
    }
    entry.view.state = 'done';
    entry.view.doneAt = r.at;
    entry.view.doneBy = r.by;
    this.pendingByNumber.delete(entry.view.number);
  }

  private find(id: string): Entry | null {
    const exact = this.byId.get(id);
    if (exact || id.length < SHORT_ID_LENGTH) return exact ?? null;
    const matches = [...this.byId.values()].filter((e) => e.view.id.startsWith(id));
    if (matches.length > 1) throw new CountylineError('callback-ambiguous', { id, matches: matches.length });
    return matches[0] ?? null;
  }

  private pendingEntry(id: string): Entry {
    const entry = this.find(id);
    if (!entry) throw new CountylineError('no-such-callback', { id });
    if (entry.view.state === 'done') throw new CountylineError('callback-done', { id: entry.view.id, by: entry.view.doneBy!, at: new Date(entry.view.doneAt!).toISOString() });
    return entry;
  }
}

function checkFields(event: Record<string, unknown>): void {
  const field = badField(event);
  if (field) throw invalid(field, event[field]);
}

function invalid(field: Field, got: unknown): CountylineError<'callback-invalid'> {
  const shown = JSON.stringify(got) ?? String(got);
  return new CountylineError('callback-invalid', { field, got: shown.length > 40 ? `${shown.slice(0, 37)}...` : shown, expected: FIELD_WORDS[field] });
}
