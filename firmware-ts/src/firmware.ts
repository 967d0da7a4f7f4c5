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
import { TrunkMonitor } from './trunks/trunk-monitor.js';
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
    });
    const t = config.trunks;
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
        fxo: { ...t.fxo, polarityDebounceMs: t.fxo.hangupDebounceMs },
      },
      log.child({ module: 'trunks' }),
    );
    this.testCalls = new TestCallScheduler(
      {
        card: this.card,
        clock,
        logger: log.child({ module: 'test-calls' }),
        fxoTest: new DialToneTest(this.card, clock, config.testCalls.dialToneTimeoutMs),
        e1Test: deps.e1Test ?? new CardLoopbackTest(this.card, clock, config.testCalls.toneTimeoutMs),
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
    this.testCalls.stop();
    this.trunks.stop();
    await this.control.close();
    await this.card.stop();
    this.trunkWriter.changed();
    await Promise.all([this.trunkWriter.flush(), this.alarms.close()]);
    this.log.info('firmware stopped');
  }

  status(): BoxStatus {
    return buildStatus(this.card, this.trunks, this.clock.now() - this.startedAt);
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

function summarise(circuits: string[]): string {
  if (circuits.length <= 6) return circuits.join(', ');
  return `${circuits.slice(0, 3).join(', ')} ... ${circuits.slice(-2).join(', ')}`;
}
