import { join } from 'node:path';
import type { Clock, TimerHandle } from '@countyline/e1-gateway';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AlarmRecord } from '../alarms/alarm-types.js';
import type { Cdr } from '../calls/cdr.js';
import type { Config } from '../config/config-schema.js';
import type { TestCallScheduler, TestOutcome } from '../trunks/test-call-scheduler.js';
import type { Backoff } from './backoff.js';
import { birthBody, trunksBody, type BoxStateSource } from './box-state.js';
import { CommandHandler, type CommandActions } from './commands.js';
import type { Reported } from './desired-config.js';
import { KPI_GRACE_MS, KPI_LIVE_GAP_MS, KpiReporter } from './kpi-interval.js';
import { KPI_INTERVAL_MS } from '../queue/kpi.js';
import { MqttLink } from './mqtt-link.js';
import { Outbox, type MessageBody } from './outbox.js';
import type { BoxKind } from './schema.js';
import { registerTelemetryMetrics } from './telemetry-metrics.js';
import { parseTopic } from './topics.js';

/** What `countyline status --json` shows of the link to central. */
export interface CentralStatus {
  state: 'connected' | 'connecting' | 'disabled';
  outbox: { messages: number; bytes: number; dropped: number };
  lastPubackAt: number | null;
}

export const CENTRAL_DISABLED: CentralStatus = { state: 'disabled', outbox: { messages: 0, bytes: 0, dropped: 0 }, lastPubackAt: null };

/** Something that says when a call ended, with its CDR (written before it says so). */
export interface CdrSource {
  on(event: 'call-ended', listener: (cdr: Cdr) => void): unknown;
  off(event: 'call-ended', listener: (cdr: Cdr) => void): unknown;
}

export interface TelemetryOptions {
  config: Config & { central: NonNullable<Config['central']> };
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  state: BoxStateSource;
  testCalls: TestCallScheduler;
  /** What ends calls with a CDR: the call model, and the callback dialer (calls placed out). */
  calls: readonly CdrSource[];
  /** The latest CDRs (to count the calls of the interval under way before a restart). */
  recentCdrs: () => Cdr[];
  /** What central's commands run. */
  actions: Omit<CommandActions, 'rebirth'>;
  /** Judges (and may start applying) a desired config; resolves with the report to send now, if any. */
  desiredConfig: (raw: Buffer) => Promise<Reported | null>;
  /** Subscribes to changes of the callers, calls and agents (returns the unsubscribe): each sends a live snapshot, at most every `central.liveMinGapMs`. */
  liveChanges?: (changed: () => void) => () => void;
  /** Tests: reconnect timing and the MQTT client. */
  backoff?: Backoff;
  connect?: (url: string, options: IClientOptions) => MqttClient;
}

/**
 * The box's telemetry to central (issue 9): the alarm changes, CDRs, 15-minute KPI
 * intervals, trunk snapshots and test-call results go into the durable outbox; the MQTT link
 * publishes them, a birth after each connect, and hands central's commands and desired config
 * to their handlers, whose answers go back through the outbox.
 */
export class Telemetry {
  private readonly unwire: (() => void)[] = [];
  private readonly timers = new Set<TimerHandle>();
  private readonly kpis: KpiReporter;
  private stopped = false;
  private liveTimer: TimerHandle | null = null;
  private kpiTimer: TimerHandle | null = null;
  private lastKpiAt = -Infinity;
  private lastLiveAt = -Infinity;

  private constructor(
    private readonly o: TelemetryOptions,
    private readonly outbox: Outbox,
    private readonly link: MqttLink,
    private readonly commands: CommandHandler,
  ) {
    this.kpis = new KpiReporter(o.clock.now());
  }

  static async start(o: TelemetryOptions): Promise<Telemetry> {
    const { central, dataDir } = o.config;
    const log = o.logger;
    const metrics = registerTelemetryMetrics(o.metrics);
    const outbox = await Outbox.open({
      file: join(dataDir, 'outbox.jsonl'),
      boxId: central.boxId,
      maxBytes: central.outboxMaxBytes,
      clock: o.clock,
      logger: log,
      onDrop: (kind, reason) => metrics.dropped.inc({ kind, reason }),
    });
    const link = new MqttLink({ url: central.url, boxId: central.boxId, password: central.password, caFile: central.caFile, outbox, clock: o.clock, logger: log, backoff: o.backoff, connect: o.connect });
    let self: Telemetry | null = null;
    const commands = await CommandHandler.open({
      file: join(dataDir, 'telemetry-commands.json'),
      outbox,
      logger: log,
      onRefused: (code) => metrics.commandsRefused.inc({ code }),
      actions: {
        ...o.actions,
        rebirth: async () => {
          const birth = await self?.create('birth', birthBody(o.state));
          return birth ? { seq: birth.seq } : null;
        },
      },
    });
    const telemetry = (self = new Telemetry(o, outbox, link, commands));
    metrics.watch(outbox, link);
    telemetry.wire();
    link.start();
    return telemetry;
  }

  status(): CentralStatus {
    const { messages, bytes, dropped } = this.outbox.stats();
    return { state: this.link.state === 'connected' ? 'connected' : 'connecting', outbox: { messages, bytes, dropped }, lastPubackAt: this.link.lastPubackAt };
  }

  /** Stops listening, says offline to central, and closes the outbox (what waits stays on disk). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const unwire of this.unwire) unwire();
    for (const timer of this.timers) this.o.clock.clearTimeout(timer);
    await this.link.stop();
    await this.outbox.close();
  }

  private create<K extends BoxKind>(kind: K, body: MessageBody<K>) {
    if (this.stopped) return Promise.resolve(null);
    return this.outbox.create(kind, body).catch((err: Error) => {
      this.o.logger.error({ err: err.message, kind }, 'telemetry: a message could not be written to the outbox; it is lost');
      return null;
    });
  }

  private on<E extends { on(e: N, l: L): unknown; off(e: N, l: L): unknown }, N extends string, L>(emitter: E, event: N, listener: L): void {
    emitter.on(event, listener);
    this.unwire.push(() => emitter.off(event, listener));
  }

  private wire(): void {
    const { o } = this;
    for (const change of ['raised', 'updated', 'cleared'] as const) {
      this.on(o.state.alarms, change, (alarm: AlarmRecord) => void this.create('alarm', { change, alarm }));
    }
    for (const cdr of o.recentCdrs()) this.kpis.add(cdr);
    for (const source of o.calls) {
      this.on(source, 'call-ended', (cdr: Cdr) => {
        void this.create('cdr', { cdr });
        this.kpis.add(cdr);
        this.kpiUnderWay();
      });
    }
    this.on(o.testCalls, 'test-result', (outcome: TestOutcome) => void this.create('event', { type: 'test-call', data: { ...outcome } }));
    this.on(o.state.trunks, 'span-alarm', () => void this.create('trunks', trunksBody(o.state)));
    // A line plugged or unplugged shows at central at once, not at the next snapshot.
    this.on(o.state.trunks, 'fxo-line', () => void this.create('trunks', trunksBody(o.state)));
    // The card found (at start, or again after it was lost): its inventory, spans and ports
    // are new, so central gets the whole state again.
    for (const event of ['card-up', 'card-back'] as const) this.on(o.state.card, event, () => void this.create('birth', birthBody(o.state)));
    // Central shows the bulletin from the birth; one set, cleared or ended sends a new one.
    this.on(o.state.bulletin, 'changed', () => void this.create('birth', birthBody(o.state)));
    this.on(this.link, 'connected', () => {
      void this.create('birth', birthBody(o.state));
      // The birth has no callback requests: a live snapshot follows it.
      this.liveChanged();
    });
    this.on(this.link, 'message', (topic: string, payload: Buffer) => this.message(topic, payload));
    this.every(o.config.central.trunksIntervalMs, () => void this.create('trunks', trunksBody(o.state)));
    if (o.liveChanges) this.unwire.push(o.liveChanges(() => this.liveChanged()));
    this.armKpi();
  }

  /** A call ended: the interval under way goes to central now, or once KPI_LIVE_GAP_MS since the last has passed. */
  private kpiUnderWay(): void {
    if (this.kpiTimer !== null || this.stopped) return;
    const wait = Math.max(0, this.lastKpiAt + KPI_LIVE_GAP_MS - this.o.clock.now());
    const timer = (this.kpiTimer = this.o.clock.setTimeout(() => {
      this.timers.delete(timer);
      this.kpiTimer = null;
      const now = this.o.clock.now();
      this.lastKpiAt = now;
      // In the grace after a quarter hour the ended interval's own message is due: it goes then.
      if (now % KPI_INTERVAL_MS >= KPI_GRACE_MS) void this.create('kpi', this.kpis.current(now));
    }, wait));
    this.timers.add(timer);
  }

  /** A caller, call or agent changed: a snapshot now, or once the gap since the last has passed. */
  private liveChanged(): void {
    if (this.liveTimer !== null || this.stopped) return;
    const wait = Math.max(0, this.lastLiveAt + this.o.config.central.liveMinGapMs - this.o.clock.now());
    const timer = (this.liveTimer = this.o.clock.setTimeout(() => {
      this.timers.delete(timer);
      this.liveTimer = null;
      this.lastLiveAt = this.o.clock.now();
      void this.create('trunks', trunksBody(this.o.state));
    }, wait));
    this.timers.add(timer);
  }

  private message(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (parsed?.direction !== 'to-box' || parsed.boxId !== this.o.config.central.boxId) {
      this.o.logger.warn({ topic }, 'telemetry: a message on a topic this box does not take; ignored');
      return;
    }
    if (parsed.kind === 'cmd') {
      void this.commands.receive(parsed.name, payload);
      return;
    }
    void this.o.desiredConfig(payload).then(
      (report) => {
        if (!report) return;
        this.o.logger.info({ revision: report.revision, applied: report.applied, errors: report.errors }, 'telemetry: desired config judged');
        void this.create('config/reported', report);
      },
      (err: Error) => this.o.logger.error({ err: err.message, topic }, 'telemetry: desired config could not be judged'),
    );
  }

  private every(ms: number, fn: () => void): void {
    const timer = this.o.clock.setTimeout(() => {
      this.timers.delete(timer);
      fn();
      if (!this.stopped) this.every(ms, fn);
    }, ms);
    this.timers.add(timer);
  }

  /**
   * At each quarter hour (and KPI_GRACE_MS, for the CDRs of calls that ended just before it
   * to reach the disk): the interval that ended goes out, calls or none, with any earlier one
   * a late CDR corrected.
   */
  private armKpi(): void {
    const timer = this.o.clock.setTimeout(
      () => {
        this.timers.delete(timer);
        for (const body of this.kpis.due(this.o.clock.now())) void this.create('kpi', body);
        if (!this.stopped) this.armKpi();
      },
      Math.max(0, this.kpis.nextDueAt() - this.o.clock.now()),
    );
    this.timers.add(timer);
  }
}
