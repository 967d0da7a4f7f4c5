import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { SCHEMA_VERSION, type AlarmPayloadRecord, type BoxKind, type BoxPayload } from '@countyline/firmware/telemetry';
import type { BoxLink } from '../broker/box-link.js';
import type { MessageKey, Store } from '../store/store.js';
import { KeyedQueue } from './keyed-queue.js';
import { ingestMetrics, type IngestMetrics } from './ingest-metrics.js';
import { parsePayload } from './validators.js';

export interface IngestOptions {
  store: Store;
  logger: Logger;
  registry: Registry;
  clock: { now(): number };
  /** Where a rebirth request goes after a seq gap. */
  link: Pick<BoxLink, 'sendCommand'>;
  /** Largest payload read (bytes); default 1 MiB (a birth with 2,048 circuits is ~250 kB). */
  maxPayloadBytes?: number;
  /** At most one rebirth request per box in this time; default one minute. */
  rebirthIntervalMs?: number;
}

/**
 * - stored: the store took it (or, for a snapshot, replaced the previous one);
 * - duplicate: a durable message stored before (same box, bdSeq, seq);
 * - ignored: valid but changes nothing (a late will, a result for an unknown command);
 * - rejected: the payload failed (not JSON, wrong schema, too large); nothing stored.
 */
export type IngestOutcome = 'stored' | 'duplicate' | 'ignored' | 'rejected';

export interface IngestEvents {
  /** A valid message arrived from the box (any kind): the telemetry-gap rule watches this. */
  message: [boxId: string, kind: BoxKind, at: number];
  /** The store took a status change (late wills are not emitted). */
  status: [boxId: string, online: boolean, at: number];
  /** A box alarm change the store took for the first time (not a replayed duplicate). */
  alarm: [boxId: string, change: 'raised' | 'updated' | 'cleared', alarm: AlarmPayloadRecord, at: number];
}

/**
 * Takes what authenticated boxes publish into the store. Each box's messages are handled
 * one at a time in arrival order, boxes side by side. A payload that fails is logged and
 * counted, and refused alone: the box and every other box go on.
 *
 * Sequence (see schema.ts): central keeps each box's last seq (from the store at the box's
 * first message). A jump past last + 1 means messages were lost (or dropped by the box's
 * full outbox): the message is stored all the same and central asks for a fresh birth, at
 * most once a minute per box. A seq at or below the last from a durable kind still goes to
 * the store: its idempotent methods keep one copy, and nothing is lost if the first copy
 * never made it.
 */
export class Ingest extends EventEmitter<IngestEvents> {
  private readonly queue = new KeyedQueue();
  private readonly lastSeq = new Map<string, MessageKey | null>();
  private readonly lastRebirth = new Map<string, number>();
  private readonly metrics: IngestMetrics;
  private readonly maxPayloadBytes: number;
  private readonly rebirthIntervalMs: number;

  constructor(private readonly opts: IngestOptions) {
    super();
    this.metrics = ingestMetrics(opts.registry);
    this.maxPayloadBytes = opts.maxPayloadBytes ?? 1024 * 1024;
    this.rebirthIntervalMs = opts.rebirthIntervalMs ?? 60_000;
  }

  /**
   * One message from box `boxId` on its topic of `kind` (the broker has checked the topic is
   * the box's own). Resolves once handled; rejects only when the store failed, so the broker
   * can drop the connection without acknowledging and the box sends the message again.
   */
  handle(boxId: string, kind: BoxKind, payload: Buffer): Promise<IngestOutcome> {
    return this.queue.run(boxId, () => this.handleNow(boxId, kind, payload));
  }

  /** Resolves once every message handed in so far is handled. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async handleNow(boxId: string, kind: BoxKind, raw: Buffer): Promise<IngestOutcome> {
    const parsed = parsePayload(kind, raw, this.maxPayloadBytes);
    if (!parsed.ok) return this.reject(boxId, kind, parsed.reason, parsed.detail);
    const at = this.opts.clock.now();
    this.metrics.messages.inc({ kind });
    try {
      const outcome = await this.apply(boxId, kind, parsed.payload, at);
      this.emit('message', boxId, kind, at);
      return outcome;
    } catch (err) {
      this.metrics.storeErrors.inc();
      this.opts.logger.error({ box: boxId, kind, err }, 'store write failed; the box will send the message again');
      throw err;
    }
  }

  private reject(boxId: string, kind: BoxKind, reason: string, detail: string): IngestOutcome {
    this.metrics.rejected.inc({ reason });
    this.opts.logger.warn({ box: boxId, kind, reason, detail }, `payload from ${boxId} on ${kind} rejected (${reason}): ${detail}`);
    return 'rejected';
  }

  private async apply(boxId: string, kind: BoxKind, payload: BoxPayload<BoxKind>, at: number): Promise<IngestOutcome> {
    const { store } = this.opts;
    if (kind === 'status') {
      const p = payload as BoxPayload<'status'>;
      const taken = await store.recordStatus(boxId, p.online, p.bdSeq, at);
      if (!taken) {
        this.metrics.lateStatus.inc();
        this.opts.logger.info({ box: boxId, bdSeq: p.bdSeq, online: p.online }, 'late status ignored (older than the latest birth)');
        return 'ignored';
      }
      this.emit('status', boxId, p.online, at);
      return 'stored';
    }
    const key = { bdSeq: payload.bdSeq, seq: payload.seq };
    await this.track(boxId, kind, key);
    const applied = (r: 'applied' | 'duplicate'): IngestOutcome => {
      if (r === 'applied') return 'stored';
      this.metrics.duplicates.inc({ kind });
      return 'duplicate';
    };
    switch (kind) {
      case 'birth': {
        const p = payload as BoxPayload<'birth'>;
        // A birth older than the latest one (a late copy) changes nothing, its alarm list included.
        if (!(await store.recordBirth(boxId, p, at))) return 'ignored';
        await store.syncBoxAlarms(
          boxId,
          p.alarms.filter((a) => a.state === 'active'),
          at,
        );
        return 'stored';
      }
      case 'alarm': {
        const p = payload as BoxPayload<'alarm'>;
        const outcome = applied(await store.applyBoxAlarm(boxId, key, p.change, p.alarm));
        if (outcome === 'stored') this.emit('alarm', boxId, p.change, p.alarm, at);
        return outcome;
      }
      case 'cdr':
        return applied(await store.addCdr(boxId, key, (payload as BoxPayload<'cdr'>).cdr));
      case 'kpi': {
        const { intervalStart, intervalMs, offered, answered, answeredIn15s, abandoned, noAgent, failed } = payload as BoxPayload<'kpi'>;
        return applied(await store.addKpi(boxId, key, { intervalStart, intervalMs, offered, answered, answeredIn15s, abandoned, noAgent, failed }));
      }
      case 'event': {
        const p = payload as BoxPayload<'event'>;
        return applied(await store.addEvent(boxId, key, p.type, p.data));
      }
      case 'cmd-result':
        return this.commandResult(boxId, payload as BoxPayload<'cmd-result'>, at, key);
      case 'config/reported': {
        const p = payload as BoxPayload<'config/reported'>;
        await store.recordReportedConfig(boxId, p.revision, p.applied, p.errors, at, key);
        return 'stored';
      }
      case 'trunks': {
        const { v: _v, seq: _seq, ts: _ts, bdSeq: _bdSeq, ...live } = payload as BoxPayload<'trunks'>;
        await store.recordTrunks(boxId, live, at, key);
        return 'stored';
      }
    }
    return 'ignored';
  }

  /** A box answers only its own commands: an id naming another box's command is refused. */
  private async commandResult(boxId: string, p: BoxPayload<'cmd-result'>, at: number, key: MessageKey): Promise<IngestOutcome> {
    const cmd = await this.opts.store.getCommand(p.id);
    if (cmd === null) {
      // Commands central did not store (the rebirth it asks for after a gap) come back here too.
      this.opts.logger.debug({ box: boxId, id: p.id, name: p.name }, 'result for a command central did not store');
      return 'ignored';
    }
    if (cmd.boxId !== boxId) return this.reject(boxId, 'cmd-result', 'not-own-command', `command ${p.id} was sent to ${cmd.boxId}`);
    if (cmd.state === 'done' || cmd.state === 'failed') {
      this.metrics.duplicates.inc({ kind: 'cmd-result' });
      return 'duplicate';
    }
    // A late answer after the deadline still counts: the box did run the command.
    if (cmd.state === 'timed-out') this.opts.logger.info({ box: boxId, id: p.id, name: p.name, timedOutAt: cmd.timedOutAt }, `late answer to command ${p.name} (${p.id}) from ${boxId}: it replaces the time-out`);
    await this.opts.store.completeCommand(p.id, { ok: p.ok, result: p.result, error: p.error }, at, key);
    return 'stored';
  }

  private async track(boxId: string, kind: BoxKind, key: MessageKey): Promise<void> {
    // Read from the store at the first message and at each birth: a box enrolled again starts
    // its sequences afresh, and the store forgets the old ones then.
    if (!this.lastSeq.has(boxId) || kind === 'birth') this.lastSeq.set(boxId, await this.opts.store.lastSeq(boxId));
    const last = this.lastSeq.get(boxId) ?? null;
    if (last !== null && key.seq <= last.seq) return;
    this.lastSeq.set(boxId, key);
    if (last === null || key.seq === last.seq + 1) return;
    this.metrics.gaps.inc();
    this.opts.logger.warn({ box: boxId, kind, from: last.seq, to: key.seq }, `seq gap from ${boxId}: ${key.seq - last.seq - 1} message(s) missing`);
    // A birth is the fresh full state a rebirth would ask for.
    if (kind !== 'birth') this.requestRebirth(boxId);
  }

  private requestRebirth(boxId: string): void {
    const now = this.opts.clock.now();
    const last = this.lastRebirth.get(boxId);
    if (last !== undefined && now - last < this.rebirthIntervalMs) return;
    this.lastRebirth.set(boxId, now);
    this.metrics.rebirths.inc();
    this.opts.link.sendCommand(boxId, 'rebirth', { v: SCHEMA_VERSION, id: `rebirth-${now}`, ts: now }).catch((err: unknown) => {
      this.opts.logger.warn({ box: boxId, err }, 'rebirth request not sent');
    });
  }
}
