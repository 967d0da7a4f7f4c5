import type { Logger } from 'pino';
import type { CentralAlarm, Severity, Store } from '../store/store.js';
import type { LiveFeed } from '../live/live-feed.js';
import { KeyedQueue } from '../ingest/keyed-queue.js';
import type { AlarmNotifier } from './alarm-notifier.js';
import type { Clock } from './clock.js';

export interface CentralAlarmSettings {
  /** A box offline this long raises box-offline, so a quick reconnect does not flap; default 30 s. */
  offlineGraceMs: number;
  /** An online box silent this long raises telemetry-gap (boxes send trunks every minute); default 5 min. */
  telemetryGapMs: number;
  /** The answer rates are over the KPI intervals that started within this; default one hour. */
  answerRateWindowMs: number;
  /** Fewer calls offered in the window say nothing: the answer-rate alarms stay as they are; default 10. */
  minOffered: number;
  /** answered within 15 s / answered below this raises answer-rate-15s; default 0.80. */
  answeredIn15sMin: number;
  /** answered / offered below this raises answer-rate; default 0.95. */
  answeredMin: number;
  /** How often the telemetry-gap and answer-rate rules run; default one minute. */
  checkEveryMs: number;
}

export const DEFAULT_ALARM_SETTINGS: CentralAlarmSettings = {
  offlineGraceMs: 30_000,
  telemetryGapMs: 5 * 60_000,
  answerRateWindowMs: 60 * 60_000,
  minOffered: 10,
  answeredIn15sMin: 0.8,
  answeredMin: 0.95,
  checkEveryMs: 60_000,
};

/** Central's alarms all have this source; the type says which rule. */
export const CENTRAL_SOURCE = 'central';
type RuleType = 'box-offline' | 'telemetry-gap' | 'answer-rate-15s' | 'answer-rate';
const SEVERITY: Record<RuleType, Severity> = { 'box-offline': 'critical', 'telemetry-gap': 'major', 'answer-rate-15s': 'major', 'answer-rate': 'major' };

export interface CentralAlarmRulesOptions {
  store: Store;
  logger: Logger;
  clock: Clock;
  notifier: AlarmNotifier;
  settings?: Partial<CentralAlarmSettings>;
  /** Told of every raise and clear the store took (the ops page's event stream). */
  live?: LiveFeed;
}

/**
 * The alarms central raises itself, from what it sees of each box:
 * - box-offline (critical): the box's status went offline and stayed so for the grace;
 *   cleared when it comes back;
 * - telemetry-gap (major): an online box sent nothing for telemetryGapMs; cleared by its
 *   next message;
 * - answer-rate-15s and answer-rate (major): over the last hour's KPI intervals, the share
 *   of answered calls answered within 15 s under 80 %, or of offered calls answered at all
 *   under 95 % (the work standard's two rates); judged only with minOffered calls offered or
 *   more (the 15-second rate only once a call was answered), cleared when back at or above.
 * All changes for a box go through one queue, so a clear never overtakes its raise.
 * Critical changes go to the notifier.
 */
export class CentralAlarmRules {
  private readonly settings: CentralAlarmSettings;
  private readonly queue = new KeyedQueue();
  private readonly offlineTimers = new Map<string, unknown>();
  private readonly lastHeard = new Map<string, number>();
  /** `${box}/${type}` of central alarms active now, so the periodic rules touch the store only on a change. */
  private readonly active = new Set<string>();
  private readonly startedAt: number;
  private checkTimer: unknown = null;
  private stopped = false;

  constructor(private readonly opts: CentralAlarmRulesOptions) {
    this.settings = { ...DEFAULT_ALARM_SETTINGS, ...opts.settings };
    this.startedAt = opts.clock.now();
  }

  /**
   * Loads central's active alarms, starts the periodic rules, and arms the offline grace for
   * every box: at start no box is connected yet (the broker starts after), and a box that
   * died while central was down sends no will, so only the grace running out marks it. A
   * box that connects sets its status online first thing and cancels it. A box that never
   * connected (created, not yet provisioned) is not expected online and is left alone.
   */
  async start(): Promise<void> {
    // All of them, not a page: an active alarm missing here would never be cleared (a clear
    // for a key not believed active is skipped).
    for (const a of await this.opts.store.listActiveCentralAlarms(CENTRAL_SOURCE)) this.active.add(`${a.boxId}/${a.type}`);
    for (const box of await this.opts.store.listBoxes()) {
      if (box.onlineChangedAt !== null && !this.active.has(`${box.id}/box-offline`)) this.armOffline(box.id);
    }
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.offlineTimers.values()) this.opts.clock.clearTimeout(t);
    this.offlineTimers.clear();
    if (this.checkTimer !== null) this.opts.clock.clearTimeout(this.checkTimer);
    await this.queue.idle();
  }

  /** Resolves once every alarm change decided so far has reached the store. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** A status the store took (ingest's 'status' event). */
  onStatus(boxId: string, online: boolean, at: number): void {
    this.lastHeard.set(boxId, at);
    if (online) {
      const pending = this.offlineTimers.get(boxId);
      if (pending !== undefined) this.opts.clock.clearTimeout(pending);
      this.offlineTimers.delete(boxId);
      this.change(boxId, 'box-offline', false, '');
      return;
    }
    this.armOffline(boxId);
  }

  /** box-offline after the grace, unless the box comes online first. */
  private armOffline(boxId: string): void {
    if (this.offlineTimers.has(boxId) || this.stopped) return;
    this.offlineTimers.set(
      boxId,
      this.opts.clock.setTimeout(() => {
        this.offlineTimers.delete(boxId);
        const seconds = Math.round(this.settings.offlineGraceMs / 1000);
        this.change(boxId, 'box-offline', true, `box offline (no MQTT connection for ${seconds} s)`);
      }, this.settings.offlineGraceMs),
    );
  }

  /** Any valid message from the box (ingest's 'message' event). */
  onMessage(boxId: string, at: number): void {
    this.lastHeard.set(boxId, at);
    if (this.active.has(`${boxId}/telemetry-gap`)) this.change(boxId, 'telemetry-gap', false, '');
  }

  /** Runs the telemetry-gap and answer-rate rules for every box once. */
  async check(): Promise<void> {
    const now = this.opts.clock.now();
    const s = this.settings;
    for (const box of await this.opts.store.listBoxes()) {
      const heard = this.lastHeard.get(box.id) ?? Math.max(this.startedAt, box.trunksAt ?? 0, box.lastBirthAt ?? 0);
      const silent = now - heard;
      if (box.online && silent >= s.telemetryGapMs) {
        this.change(box.id, 'telemetry-gap', true, `no telemetry from the box for ${Math.round(silent / 60_000)} min while it is online`);
      } else {
        this.change(box.id, 'telemetry-gap', false, '');
      }
      const kpis = await this.opts.store.listKpis(box.id, now - s.answerRateWindowMs, now + 1);
      const offered = kpis.reduce((n, k) => n + k.offered, 0);
      if (offered < s.minOffered) continue;
      // The 12345 work standard: the answer rate is answered / offered; the 15-second answer
      // rate is answered within 15 s / answered (of the calls a person took, how many in time).
      const answeredCalls = kpis.reduce((n, k) => n + k.answered, 0);
      const answered = answeredCalls / offered;
      const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
      if (answeredCalls > 0) {
        const in15s = kpis.reduce((n, k) => n + k.answeredIn15s, 0) / answeredCalls;
        this.change(box.id, 'answer-rate-15s', in15s < s.answeredIn15sMin, `${pct(in15s)} of ${answeredCalls} answered calls answered within 15 s in the last hour (under ${pct(s.answeredIn15sMin)})`);
      }
      this.change(box.id, 'answer-rate', answered < s.answeredMin, `${pct(answered)} of ${offered} calls answered in the last hour (under ${pct(s.answeredMin)})`);
    }
    await this.queue.idle();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.checkTimer = this.opts.clock.setTimeout(() => {
      this.checkTimer = null;
      this.check().then(
        () => this.schedule(),
        (err: unknown) => {
          this.opts.logger.error({ err }, 'central alarm rules failed; trying again next round');
          this.schedule();
        },
      );
    }, this.settings.checkEveryMs);
  }

  /** Raises or clears; only a change of state reaches the store (a rule that holds adds no count each round). */
  private change(boxId: string, type: RuleType, raise: boolean, cause: string): void {
    const key = `${boxId}/${type}`;
    if (!raise && !this.active.has(key)) return;
    if (raise && this.active.has(key)) return;
    if (raise) this.active.add(key);
    else this.active.delete(key);
    const { store, clock, logger } = this.opts;
    void this.queue
      .run(boxId, async () => {
        const at = clock.now();
        const alarm: CentralAlarm | null = raise ? await store.raiseCentralAlarm({ boxId, source: CENTRAL_SOURCE, type, severity: SEVERITY[type], cause, at }) : await store.clearCentralAlarm(boxId, CENTRAL_SOURCE, type, at);
        if (alarm === null) return;
        this.opts.live?.publish({ kind: 'alarm', boxId, change: raise ? 'raised' : 'cleared', origin: 'central', type, at });
        const fresh = raise ? alarm.count === 1 : true;
        if (fresh) logger.info({ box: boxId, type, cause }, `${type} ${raise ? 'raised' : 'cleared'} for ${boxId}`);
        if (fresh && alarm.severity === 'critical') this.opts.notifier.notify({ change: raise ? 'raised' : 'cleared', boxId, origin: 'central', source: CENTRAL_SOURCE, type, severity: alarm.severity, cause: alarm.cause, at });
      })
      .catch((err: unknown) => {
        // The store said no: forget the belief so the next round tries again.
        if (raise) this.active.delete(key);
        else this.active.add(key);
        logger.error({ box: boxId, type, err }, `${type} not ${raise ? 'raised' : 'cleared'}: the store failed`);
      });
  }
}
