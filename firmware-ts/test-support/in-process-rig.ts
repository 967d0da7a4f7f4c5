// The in-process rig for unit tests: the real card driver and the card simulator on an
// in-memory serial line, on one FakeClock; on request the trunk monitor, the test-call
// scheduler and the ISUP stack with the simulator's far-end exchange behind a tap. Not part
// of the firmware build (firmware-ts/tsconfig.json builds src only); tsconfig.test.json
// type-checks it with the tests.
import { decodeBody, Deframer, FakeClock, type CardMessage } from '@countyline/e1-gateway';
import { FarEndExchange, parseExchangeConfig, type CardSimulator } from '@countyline/e1-gateway/sim';
import { pino } from 'pino';
import type { Test } from 'tap';
import { CardDriver, type CardDriverOptions } from '../src/card/card-driver.js';
import type { OpenTransport } from '../src/card/card-transport.js';
import type { CallOutcome, IncomingCall } from '../src/signalling/isup/isup-calls.js';
import { IsupStack, type IsupSettings } from '../src/signalling/isup/isup-stack.js';
import { CardLoopbackTest, DialToneTest, type E1CircuitTest } from '../src/trunks/circuit-tests.js';
import { DEFAULT_FXO_SUPERVISOR_SETTINGS, type FxoSupervisorSettings } from '../src/trunks/fxo-supervisor.js';
import { DEFAULT_G826_SETTINGS, type G826Settings } from '../src/trunks/g826-counters.js';
import { DEFAULT_SPAN_ALARM_SETTINGS, type SpanAlarmSettings } from '../src/trunks/span-alarm.js';
import { TestCallScheduler, type TestCallSettings } from '../src/trunks/test-call-scheduler.js';
import { TrunkMonitor } from '../src/trunks/trunk-monitor.js';
import { BOX_PC, EXCHANGE_PC, ExchangeTap } from './exchange-tap.js';
import { FakeTime } from './fake-time.js';
import { FaultyLine, NO_FAULTS, type LineFaults } from './faulty-line.js';
import { createSimSerial, type SimSerial, type SimSerialOptions } from './sim-transport.js';

/** 2025-03-10 09:00 China time (UTC+8): the start of a 15-minute interval. */
export const START = Date.UTC(2025, 2, 10, 1, 0, 0);

/** Short ISUP timers, so that T1, T5, T6, T7, T8, T35 and the maintenance repeats run out within a test. */
export const TIMERS = { repeatMs: 1000, alertMs: 5000, t7Ms: 3000, t9Ms: 10_000, t6Ms: 4000, t8Ms: 2000, t35Ms: 1500 };

export interface InProcessRigOptions {
  /** Where the FakeClock starts (ms since the epoch); default START. */
  start?: number;
  /** Steps of `run`, `until` and `settle` (ms); default 5. */
  stepMs?: number;
  /** The simulated card: its description, timing, noise. */
  sim?: Omit<SimSerialOptions, 'clock' | 'peer' | 'exchange'>;
  /**
   * The card driver's settings (path, spans, links, timeouts). `false`: no driver; the test
   * brings its own (the Firmware, say) and hands it `open`.
   */
  card?: Partial<Omit<CardDriverOptions, 'openTransport' | 'clock' | 'logger'>> | false;
  /** The trunk monitor with these settings over the defaults. */
  trunks?: { spanAlarm?: Partial<SpanAlarmSettings>; g826?: Partial<G826Settings>; fxo?: Partial<FxoSupervisorSettings> };
  /** The test-call scheduler (schedule off unless given), wired as the firmware wires it; implies `trunks`. */
  testCalls?: Partial<TestCallSettings> & { dialToneTimeoutMs?: number; toneTimeoutMs?: number };
  /** The simulator's far-end exchange behind the card's link 0, with its settings as in an `--exchange` file. */
  exchange?: Record<string, unknown>;
  /**
   * The ISUP stack toward the exchange, with these settings over the rig's; implies `exchange`.
   * `answerAfterMs` plays the person at the box: each incoming call is alerted (ACM) at once
   * and answered (ANM) this long after (default 200 ms); null leaves calls to the test.
   */
  isup?: Partial<IsupSettings> & { answerAfterMs?: number | null };
  /**
   * The tap answers the box's signalling link tests (SLTM) for the exchange (default true,
   * until the simulator's exchange answers them itself); false: they reach the exchange.
   */
  answerLinkTests?: boolean;
}

const silent = pino({ level: 'silent' });

function need<T>(value: T | null, what: string, option: string): T {
  if (value === null) throw new Error(`this rig was built without ${what}: pass the \`${option}\` option`);
  return value;
}

/**
 * The rig. Build it with `inProcessRig(t, options)`: the test's teardown stops every module
 * and the card, so no timer is left behind. `up()` powers the card on and waits until the
 * firmware side is ready.
 */
export class InProcessRig {
  readonly clock: FakeClock;
  readonly time: FakeTime;
  readonly serial: SimSerial;
  /** Opens the in-memory serial line through the line faults; what the driver is given. */
  readonly open: OpenTransport;
  /** Every attempt to open the line, and whether it opened. */
  readonly opens: { at: number; ok: boolean }[] = [];
  /** Every message the host wrote to the card, in order (acks too). */
  readonly sent: CardMessage[] = [];
  /** Outcomes seen from the ISUP stack, in order. */
  readonly ended: CallOutcome[] = [];
  readonly incoming: IncomingCall[] = [];
  readonly alerts: { at: number; cic: number; what: string }[] = [];
  readonly glares: { cic: number; outcome: 'won' | 'lost' }[] = [];
  private faults: LineFaults = NO_FAULTS;
  private readonly parts: {
    card: CardDriver | null;
    trunks: TrunkMonitor | null;
    testCalls: TestCallScheduler | null;
    exchange: FarEndExchange | null;
    tap: ExchangeTap | null;
    stack: IsupStack | null;
  } = { card: null, trunks: null, testCalls: null, exchange: null, tap: null, stack: null };
  private stopped = false;
  /** The driver's settings, for the new driver of `restartStack`. */
  private cardOptions: Omit<CardDriverOptions, 'openTransport' | 'clock' | 'logger'> | null = null;

  constructor(private readonly o: InProcessRigOptions = {}) {
    this.clock = new FakeClock(o.start ?? START);
    this.time = new FakeTime(this.clock, o.stepMs ?? 5);
    const clock = this.clock;
    const withExchange = o.exchange !== undefined || o.isup !== undefined;
    if (withExchange) {
      // The exchange holds answered calls for an hour unless a test says otherwise, so the
      // box decides when its own calls end.
      const exchange = new FarEndExchange({ config: parseExchangeConfig({ holdSeconds: 3600, ...o.exchange }), clock });
      this.parts.exchange = exchange;
      this.parts.tap = new ExchangeTap(exchange, clock, { answerLinkTests: o.answerLinkTests ?? true });
    }
    const peer = this.parts.tap ? { peer: this.parts.tap, exchange: this.parts.exchange! } : {};
    this.serial = createSimSerial({ clock, ...o.sim, ...peer });
    this.open = async (path, baudRate) => {
      let inner;
      try {
        inner = await this.serial.open(path, baudRate);
      } catch (err) {
        this.opens.push({ at: clock.now(), ok: false });
        throw err;
      }
      this.opens.push({ at: clock.now(), ok: true });
      const deframer = new Deframer((body) => this.sent.push(decodeBody(body).message));
      return new FaultyLine(inner, () => this.faults, (bytes) => deframer.push(bytes));
    };
    if (o.card === false) return;

    const fxo = { ...DEFAULT_FXO_SUPERVISOR_SETTINGS, ...o.trunks?.fxo };
    this.cardOptions = {
      path: this.serial.path,
      baudRate: 115200,
      hostName: 'box-test',
      spans: [{ crc4: true, clock: 'line' }],
      links: [{ span: 0, timeslot: 16, mode: 'mtp2' }],
      // As the firmware wires it: the card's view and the line supervision judge battery alike.
      batteryThresholdV: fxo.batteryThresholdV,
      ...o.card,
    };
    const card = new CardDriver({ ...this.cardOptions, openTransport: this.open, clock, logger: silent });
    this.parts.card = card;
    if (o.isup !== undefined) this.parts.stack = this.buildStack(card, o.isup ?? {});
    if (o.trunks !== undefined || o.testCalls !== undefined) {
      this.parts.trunks = new TrunkMonitor(
        card,
        clock,
        { spanAlarm: { ...DEFAULT_SPAN_ALARM_SETTINGS, ...o.trunks?.spanAlarm }, g826: { ...DEFAULT_G826_SETTINGS, ...o.trunks?.g826 }, fxo },
        silent,
      );
    }
    if (o.testCalls !== undefined) this.parts.testCalls = this.makeScheduler();
  }

  get sim(): CardSimulator {
    return this.serial.sim;
  }
  get card(): CardDriver {
    return need(this.parts.card, 'a card driver', 'card');
  }
  get trunks(): TrunkMonitor {
    return need(this.parts.trunks, 'the trunk monitor', 'trunks');
  }
  get testCalls(): TestCallScheduler {
    return need(this.parts.testCalls, 'the test-call scheduler', 'testCalls');
  }
  get exchange(): FarEndExchange {
    return need(this.parts.exchange, 'the far-end exchange', 'exchange');
  }
  get tap(): ExchangeTap {
    return need(this.parts.tap, 'the far-end exchange', 'exchange');
  }
  get stack(): IsupStack {
    return need(this.parts.stack, 'the ISUP stack', 'isup');
  }

  /** Moves time on by `ms` in steps, letting bytes and promise callbacks run between steps. */
  run(ms: number, step?: number): Promise<void> {
    return this.time.run(ms, step);
  }
  /** Runs until `done()` holds or `limitMs` passes; returns whether it held. */
  until(done: () => boolean, limitMs?: number, step?: number): Promise<boolean> {
    return this.time.until(done, limitMs, step);
  }
  /** Runs the clock until the promise settles and gives its value. */
  settle<T>(promise: Promise<T>, limitMs?: number): Promise<T> {
    return this.time.settle(promise, limitMs);
  }
  /** `fn` runs after every time step, to watch the card while tests run. */
  watch(fn: () => void): void {
    this.time.onStep = fn;
  }
  /** From now on the serial line loses or alters frames from the card as `faults` say. */
  lineFaults(faults: Partial<LineFaults>): void {
    this.faults = { ...NO_FAULTS, ...faults };
  }
  /**
   * From now on the line on FXO `port` reads `volts` on-hook (a weak exchange battery), which
   * the simulator cannot make: the serial line rewrites the card's fxoStatus reports of that
   * port. The card reports it with its next fxoStatus; ask for a snapshot to have it at once.
   */
  lineVoltage(port: number, volts: number): void {
    this.lineFaults({
      ...this.faults,
      alter: (m) => (m.type === 'fxoStatus' && m.port === port && !m.offHook ? { ...m, voltage: volts } : m),
    });
  }
  /** From now on the serial line loses the frames from the card that `which` picks. */
  loseFromCard(which: (m: CardMessage) => boolean): void {
    this.lineFaults({ ...this.faults, lose: which });
  }

  /**
   * Powers the card on and lets its power-on report go unheard (nobody has the port open; the
   * card gives it up after 5 sends), as on a box whose card boots before the firmware.
   */
  async powerOn(): Promise<void> {
    this.sim.start();
    await this.run(1500);
  }

  /**
   * Powers the card on (see `powerOn`), starts the driver and waits until the card is up, every FXO line
   * the trunk monitor watches has a state, and the ISUP circuits are reset with the exchange.
   */
  async up(limitMs = 5000): Promise<void> {
    await this.powerOn();
    this.card.start();
    const ready = await this.until(() => this.ready(), limitMs);
    if (!ready) throw new Error(`the rig did not get ready within ${limitMs} ms: card ${this.card.current}`);
  }

  /** The box's view of one circuit. */
  circuit(cic: number) {
    return this.stack.circuits().find((c) => c.cic === cic)!;
  }

  /** The exchange's view of one circuit. */
  farCircuit(cic: number) {
    return this.exchange.snapshot().circuits.find((c) => c.cic === cic)!;
  }

  /** A test-call scheduler wired like the rig's, with these settings (a "restarted" one, say). */
  makeScheduler(settings: Partial<TestCallSettings> = {}): TestCallScheduler {
    const card = this.card;
    const trunks = this.trunks;
    const o = this.o.testCalls ?? {};
    const e1Test: E1CircuitTest = this.parts.stack ?? new CardLoopbackTest(card, this.clock, o.toneTimeoutMs);
    return new TestCallScheduler(
      {
        card,
        clock: this.clock,
        logger: silent,
        fxoTest: new DialToneTest(card, this.clock, o.dialToneTimeoutMs),
        e1Test,
        // As the firmware wires it: a span in red or blue alarm has no testable circuits.
        spanInAlarm: (span) => ['red', 'blue'].includes(trunks.spanHealth().find((s) => s.span === span)?.alarm ?? 'none'),
      },
      {
        schedule: o.schedule ?? { mode: 'off' },
        failuresToBlock: o.failuresToBlock ?? 2,
        maxBlockedPerPass: o.maxBlockedPerPass ?? 2,
        utcOffsetHours: o.utcOffsetHours ?? 8,
        ...settings,
      },
    );
  }

  /**
   * The firmware side restarts, as after a crash or a reboot of the box: the ISUP stack and
   * the card driver stop, and a new driver and stack (nothing remembered) start on the same
   * card and exchange. Resolves once the new stack is ready; `stack` and `card` are the new ones.
   */
  async restartStack(limitMs = 20_000): Promise<void> {
    const old = this.stack;
    old.stop();
    await this.card.stop();
    this.parts.card = new CardDriver({ ...this.cardOptions!, openTransport: this.open, clock: this.clock, logger: silent });
    this.parts.stack = this.buildStack(this.parts.card, this.o.isup ?? {});
    this.parts.card.start();
    if (!(await this.until(() => this.ready(), limitMs))) throw new Error(`the restarted stack did not get ready within ${limitMs} ms`);
  }

  /** Stops every module, the driver and the card, as the teardown does. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.parts.testCalls?.stop();
    this.parts.trunks?.stop();
    this.parts.stack?.stop();
    await this.parts.card?.stop();
    this.sim.stop(); // lets the tap and the exchange go too
  }

  private ready(): boolean {
    const card = this.card;
    if (card.current !== 'up') return false;
    const trunks = this.parts.trunks;
    if (trunks) {
      const lines = trunks.fxoHealth();
      if (lines.length !== card.state.inventory?.fxoPorts || lines.some((l) => l.line === 'unknown')) return false;
    }
    const stack = this.parts.stack;
    if (stack) {
      const exchange = this.exchange;
      if (!stack.maintenance.ready || exchange.summary().readyCircuits !== exchange.group.map.size) return false;
    }
    return true;
  }

  private buildStack(card: CardDriver, { answerAfterMs = 200, ...overrides }: NonNullable<InProcessRigOptions['isup']>): IsupStack {
    const settings: IsupSettings = {
      variant: 'itu',
      networkIndicator: 'national',
      ownPointCode: BOX_PC,
      peerPointCode: EXCHANGE_PC,
      link: 0,
      signalling: [{ span: 0, timeslot: 16 }],
      cics: [{ firstCic: 1, span: 0, timeslots: '1-15,17-31' }],
      control: 'point-code',
      selection: 'controlled-first',
      timers: TIMERS,
      continuityToneMs: 500,
      ...overrides,
    };
    const stack = new IsupStack(card, this.clock, settings, silent);
    stack.on('call-ended', (o) => this.ended.push(o));
    stack.on('incoming-call', (c) => {
      this.incoming.push(c);
      if (answerAfterMs === null) return;
      stack.calls.alert(c.callId);
      this.clock.setTimeout(() => stack.calls.answer(c.callId), answerAfterMs);
    });
    stack.on('maintenance-alert', (cic, what) => this.alerts.push({ at: this.clock.now(), cic, what }));
    stack.calls.on('glare', (cic, outcome) => this.glares.push({ cic, outcome }));
    return stack;
  }
}

/**
 * Builds the rig and registers its teardown on the tap test: every module stopped, and a
 * failure if any of them leaves a timer behind.
 */
export function inProcessRig(t: Test, options: InProcessRigOptions = {}): InProcessRig {
  const rig = new InProcessRig(options);
  t.teardown(async () => {
    await rig.stop();
    // A minute for whatever was under way (a test call waiting for its tone) to end on its own.
    await rig.run(60_000, 1000);
    const left = rig.clock.pending();
    if (left > 0) throw new Error(`${left} timer(s) still pending on the FakeClock after every module stopped: a stop() leaves a timer behind`);
  });
  return rig;
}

/**
 * The rig as the ISUP stack tests use it: the stack toward the far-end exchange (with these
 * settings over the rig's), time in 10 ms steps.
 */
export function isupRig(t: Test, o: Pick<InProcessRigOptions, 'isup' | 'exchange' | 'answerLinkTests'> = {}): InProcessRig {
  return inProcessRig(t, { stepMs: 10, isup: o.isup ?? {}, ...(o.exchange ? { exchange: o.exchange } : {}), ...(o.answerLinkTests === undefined ? {} : { answerLinkTests: o.answerLinkTests }) });
}
