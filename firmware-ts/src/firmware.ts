import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock, type TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { applyAlarmRules } from './alarms/alarm-rules.js';
import { registerAlarmMetrics } from './alarms/alarm-metrics.js';
import { AlarmStore } from './alarms/alarm-store.js';
import { CardDriver } from './card/card-driver.js';
import { registerCardMetrics } from './card/card-metrics.js';
import { openSerialTransport, type OpenTransport } from './card/card-transport.js';
import type { Config } from './config/config-schema.js';
import { ControlError, ControlServer, type ControlContext } from './control/control-server.js';
import { buildStatus, buildTrunks, type BoxStatus, type TrunksView } from './status.js';
import { moveAside, writeFileAtomic } from './storage/atomic-file.js';
import { CoalescingWriter } from './storage/coalescing-writer.js';
import { CardLoopbackTest, DialToneTest, type E1CircuitTest } from './trunks/circuit-tests.js';
import { parseCircuit, TestCallScheduler, type TestOutcome } from './trunks/test-call-scheduler.js';
import type { CallOutcome } from './signalling/isup/isup-calls.js';
import { ConfigError } from './config/load-config.js';
import { TrunkMonitor } from './trunks/trunk-monitor.js';
import { IsupStack } from './signalling/isup/isup-stack.js';
import { CircuitMapError } from './circuits/circuit-map.js';
import { readTrunkState, TrunkStateFileError, type TrunkStateFile } from './trunks/trunk-state-file.js';

export interface FirmwareDeps {
  clock?: Clock;
  openTransport?: OpenTransport;
  /** The E1 circuit test; the card loopback test until ISUP supplies CCR/COT. */
  e1Test?: E1CircuitTest;
}

const SAVE_EVERY_MS = 60_000;

/**
 * The firmware process: wires the modules together and owns their lifetimes. Each module
 * gets its own child logger; the control socket exposes read-only views and commands.
 */
export class Firmware {
  readonly card: CardDriver;
  readonly trunks: TrunkMonitor;
  readonly testCalls: TestCallScheduler;
  readonly alarms: AlarmStore;
  /** SS7 ISUP toward the exchange, when the config has an `isup` section. */
  readonly isup: IsupStack | null;
  readonly metrics = new Registry();
  private readonly control: ControlServer;
  private readonly startedAt: number;
  private readonly clock: Clock;
  private readonly trunkFile: string;
  private readonly trunkWriter: CoalescingWriter;
  private saveTimer: TimerHandle | null = null;
  private stopRules: (() => void) | null = null;

  constructor(
    readonly config: Config,
    private readonly log: Logger,
    deps: FirmwareDeps = {},
  ) {
    const clock = (this.clock = deps.clock ?? systemClock);
    this.startedAt = clock.now();
    this.card = new CardDriver({
      path: config.card.path,
      baudRate: config.card.baudRate,
      openTransport: deps.openTransport ?? openSerialTransport,
      clock,
      logger: log.child({ module: 'card' }),
      hostName: config.hostName,
      spans: config.card.spans,
      links: config.card.links,
      heartbeatTimeoutMs: config.card.heartbeatTimeoutMs,
      batteryThresholdV: config.trunks.fxo.batteryThresholdV,
    });
    const t = config.trunks;
    this.isup = config.isup ? this.buildIsup(config, clock, log) : null;
    this.trunks = new TrunkMonitor(
      this.card,
      clock,
      {
        spanAlarm: { redIntegrationMs: t.redIntegrationMs, blueIntegrationMs: t.blueIntegrationMs, yellowIntegrationMs: t.yellowIntegrationMs, settleMs: t.settleMs },
        g826: {
          sesThreshold: t.sesThreshold,
          intervalMs: 15 * 60_000,
          historyIntervals: 96,
          intervalThresholds: t.intervalThresholds,
          dayThresholds: t.dayThresholds,
          utcOffsetMs: t.utcOffsetHours * 3_600_000,
        },
        fxo: t.fxo,
      },
      log.child({ module: 'trunks' }),
    );
    this.testCalls = new TestCallScheduler(
      {
        card: this.card,
        clock,
        logger: log.child({ module: 'test-calls' }),
        fxoTest: new DialToneTest(this.card, clock, config.testCalls.dialToneTimeoutMs),
        e1Test: deps.e1Test ?? this.isup ?? new CardLoopbackTest(this.card, clock, config.testCalls.toneTimeoutMs),
        isBusy: (circuit) => this.isBusy(circuit),
        spanInAlarm: (span) => {
          const state = this.trunks.spanHealth().find((s) => s.span === span)?.alarm ?? 'none';
          return state === 'red' || state === 'blue';
        },
      },
      { schedule: config.testCalls.schedule, failuresToBlock: config.testCalls.failuresToBlock, utcOffsetHours: t.utcOffsetHours },
    );
    this.alarms = new AlarmStore({ file: join(config.dataDir, 'alarms.json'), clock, logger: log.child({ module: 'alarms' }) });
    this.trunkFile = join(config.dataDir, 'trunks.json');
    this.trunkWriter = new CoalescingWriter({
      snapshot: () => JSON.stringify(this.trunkState()),
      write: (text) => writeFileAtomic(this.trunkFile, text),
      logger: log.child({ module: 'trunks' }),
      what: 'trunk state',
    });
    this.testCalls.on('changed', () => this.trunkWriter.changed());
    if (this.isup) this.wireIsup(this.isup);
    registerCardMetrics(this.metrics, this.card);
    registerAlarmMetrics(this.metrics, this.alarms);
    this.control = new ControlServer(
      config.control.socket,
      {
        status: () => this.status(),
        trunks: () => this.trunkView(),
        alarms: (params) => ({ alarms: params.all === true ? this.alarms.all() : this.alarms.active() }),
        'test-call': (params, ctx) => this.testCall(params, ctx),
        metrics: async () => ({ text: await this.metrics.metrics() }),
        circuits: () => this.requireIsup().circuits(),
        block: (params) => this.maintenance(params, 'block'),
        unblock: (params) => this.maintenance(params, 'unblock'),
        call: (params, ctx) => this.placeCalls(params, ctx),
        capture: (params, ctx) => this.capture(params, ctx),
      },
      log.child({ module: 'control' }),
    );
  }

  async start(): Promise<void> {
    await mkdir(this.config.dataDir, { recursive: true });
    await this.alarms.load();
    await this.loadTrunkState();
    this.stopRules = applyAlarmRules({
      store: this.alarms,
      card: this.card,
      trunks: this.trunks,
      testCalls: this.testCalls,
      clock: this.clock,
      intervalMs: 15 * 60_000,
      utcOffsetMs: this.config.trunks.utcOffsetHours * 3_600_000,
      restoreSettleMs: this.config.alarms.restoreSettleMs,
    });
    await this.control.listen();
    this.card.start();
    this.testCalls.start();
    this.armSave();
    this.log.info({ card: this.config.card.path, socket: this.config.control.socket }, 'firmware started');
  }

  async stop(): Promise<void> {
    if (this.saveTimer) this.clock.clearTimeout(this.saveTimer);
    this.stopRules?.();
    this.isup?.stop();
    this.testCalls.stop();
    this.trunks.stop();
    await this.control.close();
    await this.card.stop();
    this.trunkWriter.changed();
    await Promise.all([this.trunkWriter.flush(), this.alarms.close()]);
    this.log.info('firmware stopped');
  }

  status(): BoxStatus {
    return buildStatus(this.card, this.trunks, this.clock.now() - this.startedAt, this.isup);
  }

  trunkView(): TrunksView {
    return buildTrunks(this.card, this.trunks, this.testCalls);
  }

  private async testCall(params: Record<string, unknown>, ctx: ControlContext): Promise<{ outcomes: TestOutcome[] }> {
    const which = params.circuit;
    if (typeof which !== 'string' || which === '') throw new ControlError('bad-request', 'name a circuit (fxo/N or e1/S/T) or all');
    if (this.card.current !== 'up') throw new ControlError('card-down', `the card is not up (${this.card.current}); no test call possible`);
    const known = this.testCalls.circuits();
    let circuits: string[];
    if (which === 'all') circuits = known;
    else if (!parseCircuit(which)) throw new ControlError('bad-request', `${which} is not a circuit name: use fxo/N or e1/S/T, or all`);
    else if (!known.includes(which)) throw new ControlError('not-found', `no circuit ${which} on this box; circuits are ${summarise(known)}`);
    else circuits = [which];
    ctx.progress({ total: circuits.length });
    const outcomes = await this.testCalls.run(circuits, (outcome, index) => ctx.progress({ index, total: circuits.length, outcome }));
    return { outcomes };
  }

  private buildIsup(config: Config, clock: Clock, log: Logger): IsupStack {
    const isup = config.isup!;
    try {
      return new IsupStack(
        this.card,
        clock,
        { ...isup, signalling: config.card.links.map((l) => ({ span: l.span, timeslot: l.timeslot })) },
        log.child({ module: 'isup' }),
      );
    } catch (err) {
      if (err instanceof CircuitMapError) throw new ConfigError('config', [`isup.${err.entry}: ${err.message}`]);
      throw err;
    }
  }

  private wireIsup(isup: IsupStack): void {
    isup.registerMetrics(this.metrics);
    // Hardware blocking follows the span: red or blue (no usable signal) blocks its circuits.
    this.trunks.on('span-alarm', (span, transition) => {
      if (transition.to === 'red' || transition.to === 'blue') isup.spanFailed(span, true);
      else if (transition.to === 'none') isup.spanFailed(span, false);
    });
    // A circuit taken out of service by failed test calls is blocked toward the exchange.
    const cicOf = (circuit: string) => {
      const parsed = parseCircuit(circuit);
      return parsed?.kind === 'e1' ? isup.map.byTimeslot(parsed.span, parsed.timeslot)?.cic : undefined;
    };
    this.testCalls.on('circuit-blocked', (r) => {
      const cic = cicOf(r.circuit);
      if (cic !== undefined) isup.maintenance.block(cic);
    });
    this.testCalls.on('circuit-unblocked', (r) => {
      const cic = cicOf(r.circuit);
      if (cic !== undefined) isup.maintenance.unblock(cic);
    });
    isup.maintenance.on('ready', () => {
      for (const r of this.testCalls.toJSON()) {
        const cic = cicOf(r.circuit);
        if (r.blocked && cic !== undefined && isup.group.state(cic)?.maintenance === 'none') isup.maintenance.block(cic);
      }
    });
  }

  private isBusy(circuit: string): boolean {
    const parsed = parseCircuit(circuit);
    if (!this.isup || parsed?.kind !== 'e1') return false;
    const cic = this.isup.map.byTimeslot(parsed.span, parsed.timeslot)?.cic;
    return cic !== undefined && this.isup.group.state(cic)?.call !== 'idle';
  }

  private requireIsup(): IsupStack {
    if (!this.isup) throw new ControlError('no-isup', 'this box has no SS7 signalling configured (no isup section in the config)');
    return this.isup;
  }

  private maintenance(params: Record<string, unknown>, action: 'block' | 'unblock') {
    const isup = this.requireIsup();
    const cic = params.cic;
    if (typeof cic !== 'number' || !Number.isInteger(cic)) throw new ControlError('bad-request', 'give a CIC number');
    if (!isup.group.has(cic)) throw new ControlError('not-found', `CIC ${cic} is not in the circuit group`);
    if (!isup.transport.isUp) throw new ControlError('link-down', `the signalling link is down; CIC ${cic} is ${action}ed locally and the exchange is told when it comes back`);
    isup.maintenance[action](cic);
    return isup.circuits().find((c) => c.cic === cic);
  }

  private async placeCalls(params: Record<string, unknown>, ctx: ControlContext) {
    const isup = this.requireIsup();
    const number = params.number;
    const count = params.count ?? 1;
    const perMinute = params.perMinute ?? 60;
    const holdSeconds = params.holdSeconds ?? 5;
    if (typeof number !== 'string' || !/^[0-9]{1,20}$/.test(number)) throw new ControlError('bad-request', 'the number must be 1 to 20 digits');
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 100_000) throw new ControlError('bad-request', '--count takes 1 to 100000');
    if (typeof perMinute !== 'number' || !(perMinute > 0 && perMinute <= 6000)) throw new ControlError('bad-request', '--per-minute takes a rate above 0, at most 6000');
    if (typeof holdSeconds !== 'number' || !(holdSeconds >= 0 && holdSeconds <= 3600)) throw new ControlError('bad-request', '--hold takes 0 to 3600 seconds');
    const outcomes: Promise<CallOutcome>[] = [];
    for (let i = 0; i < count; i++) {
      if (i > 0) await new Promise((r) => this.clock.setTimeout(() => r(null), 60_000 / perMinute));
      const placed = isup.calls.placeCall(number, '', holdSeconds * 1000);
      placed.then((o) => ctx.progress({ index: i, total: count, outcome: summariseOutcome(o) }));
      outcomes.push(placed);
    }
    const done = (await Promise.all(outcomes)).map(summariseOutcome);
    return { completed: done.filter((o) => o.result === 'completed').length, failed: done.filter((o) => o.result === 'failed').length, outcomes: done };
  }

  private capture(params: Record<string, unknown>, ctx: ControlContext): Promise<{ frames: number }> {
    const isup = this.requireIsup();
    const seconds = params.seconds ?? 10;
    if (typeof seconds !== 'number' || !(seconds > 0 && seconds <= 86_400)) throw new ControlError('bad-request', '--seconds takes 1 to 86400');
    let frames = 0;
    const listener = (msu: { at: number; direction: string; data: Uint8Array }) => {
      frames++;
      ctx.progress({ at: msu.at, direction: msu.direction, data: Buffer.from(msu.data).toString('base64') });
    };
    isup.on('capture', listener);
    return new Promise((resolve) =>
      this.clock.setTimeout(() => {
        isup.off('capture', listener);
        resolve({ frames });
      }, seconds * 1000),
    );
  }

  private trunkState(): TrunkStateFile {
    return { version: 1, spans: this.trunks.savedSpans(), circuits: this.testCalls.toJSON() };
  }

  private async loadTrunkState(): Promise<void> {
    try {
      const saved = await readTrunkState(this.trunkFile);
      if (!saved) return;
      for (const s of saved.spans) this.trunks.restoreSpan(s.span, s.g826);
      this.testCalls.restore(saved.circuits);
    } catch (err) {
      if (!(err instanceof TrunkStateFileError)) throw err;
      const aside = await moveAside(this.trunkFile, this.clock.now()).catch(() => null);
      this.log.error({ err: err.message, movedTo: aside }, 'trunk state file unusable; starting with empty counters');
    }
  }

  private armSave(): void {
    this.saveTimer = this.clock.setTimeout(() => {
      this.trunkWriter.changed();
      this.armSave();
    }, SAVE_EVERY_MS);
  }
}

function summariseOutcome(o: CallOutcome) {
  return { cic: o.call.cic || null, result: o.result, reason: o.reason, cause: o.cause, repeats: o.repeats, answered: o.call.answeredAt !== null, durationMs: o.endedAt - o.call.startedAt };
}

function summarise(circuits: string[]): string {
  if (circuits.length <= 6) return circuits.join(', ');
  return `${circuits.slice(0, 3).join(', ')} ... ${circuits.slice(-2).join(', ')}`;
}
