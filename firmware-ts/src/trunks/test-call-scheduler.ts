import { TypedEmitter, type Clock, type TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { CardRequestError } from '@countyline/e1-gateway';
import { CardNotReadyError, type CardDriver } from '../card/card-driver.js';
import { reasonFields, testReason, type DialToneTest, type E1CircuitTest, type TestReasonArg, type TestReasonCode, type TestReasonCoded, type TestVerdict } from './circuit-tests.js';

/**
 * Test calls on every circuit, one at a time (逐条拨测): on a schedule, or on demand from
 * `countyline test-call`. A circuit that is busy, or whose span is in alarm, is skipped, never
 * seized; so is a test that cannot run (an ISUP continuity check with the signalling link
 * down, say), which says nothing about the circuit. N consecutive failures take the circuit
 * out of service (locally blocked: no call is offered to it) and raise an alarm; the next
 * pass puts it back. One pass takes at most `maxBlockedPerPass` circuits out of service:
 * many circuits failing at once is a fault of the test path or the far end rather than of
 * each circuit, and blocking them all would leave the exchange no circuit to route calls to.
 * Past the limit the pass raises one group alarm (`block-limit`) and blocks nothing more.
 */
export type TestSchedule = { mode: 'off' } | { mode: 'nightly'; at: string } | { mode: 'every'; hours: number };

export interface TestCallSettings {
  schedule: TestSchedule;
  /** Consecutive failures that block a circuit. */
  failuresToBlock: number;
  /** Circuits one pass may block at most; past that the pass raises one group alarm. */
  maxBlockedPerPass: number;
  /** The box's time zone as an offset from UTC, for the nightly time (China: 8). */
  utcOffsetHours: number;
}

/** `reason` in English; `reasonCode` and `reasonArgs` for the CLI to word it (absent in older records). */
export interface TestOutcome {
  circuit: string;
  result: 'pass' | 'fail' | 'skipped';
  reason: string | null;
  at: number;
  durationMs: number;
  reasonCode?: TestReasonCode;
  reasonArgs?: TestReasonArg[];
}

export interface CircuitRecord {
  circuit: string;
  lastTest: TestOutcome | null;
  consecutiveFailures: number;
  blocked: boolean;
  blockedSince: number | null;
}

export interface TestCallEvents {
  'test-result': (outcome: TestOutcome, record: CircuitRecord) => void;
  'circuit-blocked': (record: CircuitRecord) => void;
  'circuit-unblocked': (record: CircuitRecord) => void;
  /**
   * A pass reached `maxBlockedPerPass`: `circuit` failed enough to be blocked and was not, nor
   * will any other be in this pass. Once per pass.
   */
  'block-limit': (limit: number, circuit: string) => void;
  /** A pass ended without reaching the limit (after one that did, the group alarm clears). */
  'block-limit-clear': () => void;
  /** The records changed and are worth saving. */
  changed: () => void;
}

export interface TestCallDeps {
  card: CardDriver;
  clock: Clock;
  logger: Logger;
  fxoTest: Pick<DialToneTest, 'run'>;
  e1Test: E1CircuitTest;
  /** True while a span's alarm makes its circuits untestable. */
  spanInAlarm: (span: number) => boolean;
  /** True while a call holds the circuit (the call model supplies this). */
  isBusy?: (circuit: string) => boolean;
}

/** What one pass (one `run`) has done so far toward its blocking limit. */
interface Pass {
  blocked: number;
  limitReached: boolean;
}

export type ParsedCircuit = { kind: 'fxo'; port: number } | { kind: 'e1'; span: number; timeslot: number };

export function parseCircuit(name: string): ParsedCircuit | null {
  let m = /^fxo\/(\d+)$/.exec(name);
  if (m) return { kind: 'fxo', port: Number(m[1]) };
  m = /^e1\/(\d+)\/(\d+)$/.exec(name);
  if (m) return { kind: 'e1', span: Number(m[1]), timeslot: Number(m[2]) };
  return null;
}

export class TestCallScheduler extends TypedEmitter<TestCallEvents> {
  private readonly records = new Map<string, CircuitRecord>();
  private queue: Promise<unknown> = Promise.resolve();
  private timer: TimerHandle | null = null;
  private lastScheduledRun: number | null = null;
  private runningAll = false;
  /** Set by stop(): no circuit is tested and no pass is armed until start() again. */
  private stopped = false;

  constructor(
    private readonly deps: TestCallDeps,
    private readonly settings: TestCallSettings,
  ) {
    super();
  }

  /** Every circuit the card has: FXO ports, then E1 timeslots 1-31 not used for signalling. */
  circuits(): string[] {
    const inventory = this.deps.card.state.inventory;
    if (!inventory) return [...this.records.keys()];
    const list: string[] = [];
    for (let port = 0; port < inventory.fxoPorts; port++) list.push(`fxo/${port}`);
    const signalling = new Set([...this.deps.card.state.links.values()].map((l) => `${l.span}/${l.timeslot}`));
    for (let span = 0; span < inventory.spans; span++) {
      for (let ts = 1; ts <= 31; ts++) if (!signalling.has(`${span}/${ts}`)) list.push(`e1/${span}/${ts}`);
    }
    return list;
  }

  list(): CircuitRecord[] {
    return this.circuits().map((c) => this.record(c));
  }

  get schedule(): TestSchedule {
    return this.settings.schedule;
  }

  isBlocked(circuit: string): boolean {
    return this.records.get(circuit)?.blocked ?? false;
  }

  /**
   * Tests circuits one after another; `onResult` sees each outcome as it comes. After stop()
   * it resolves with the outcomes of the circuits tested so far.
   */
  run(circuits: string[], onResult?: (outcome: TestOutcome, index: number) => void): Promise<TestOutcome[]> {
    const job = this.queue.then(async () => {
      const outcomes: TestOutcome[] = [];
      const pass: Pass = { blocked: 0, limitReached: false };
      for (const [index, circuit] of circuits.entries()) {
        if (this.stopped) break; // stopping: the test under way finished, no other starts
        const outcome = await this.testOne(circuit, pass);
        outcomes.push(outcome);
        onResult?.(outcome, index);
      }
      if (!pass.limitReached && !this.stopped) this.emit('block-limit-clear');
      return outcomes;
    });
    this.queue = job.catch(() => {});
    return job;
  }

  start(): void {
    this.stopped = false;
    this.aborting = new AbortController();
    this.arm();
  }

  /**
   * Stops the schedule for good (the firmware is stopping): the timer is cleared, the test
   * under way is cut short (its circuit put back to rest, the outcome recorded as skipped), no
   * other starts, and nothing arms the timer again. Resolves once the test under way ended.
   */
  stop(): Promise<void> {
    this.stopped = true;
    this.aborting.abort();
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    return this.queue.then(() => {});
  }

  /** Aborted by stop(): cuts the test under way short. */
  private aborting = new AbortController();

  /** When the schedule next runs every circuit, or null when it is off. */
  nextRunAt(now = this.deps.clock.now()): number | null {
    const schedule = this.settings.schedule;
    if (schedule.mode === 'off') return null;
    if (schedule.mode === 'every') return (this.lastScheduledRun ?? now) + schedule.hours * 3_600_000;
    const [hh, mm] = schedule.at.split(':').map(Number) as [number, number];
    const offset = this.settings.utcOffsetHours * 3_600_000;
    const day = 86_400_000;
    const localMidnight = Math.floor((now + offset) / day) * day - offset;
    let at = localMidnight + (hh * 60 + mm) * 60_000;
    if (at <= now) at += day;
    return at;
  }

  toJSON(): CircuitRecord[] {
    return [...this.records.values()].map((r) => structuredClone(r));
  }

  restore(records: CircuitRecord[]): void {
    for (const r of records) this.records.set(r.circuit, structuredClone(r));
  }

  private arm(): void {
    // A pass that ends after stop() must not arm the next one.
    if (this.stopped) return;
    const at = this.nextRunAt();
    if (at === null) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      this.lastScheduledRun = this.deps.clock.now();
      void this.scheduledRun().finally(() => this.arm());
    }, Math.max(0, at - this.deps.clock.now()));
  }

  private async scheduledRun(): Promise<void> {
    if (this.runningAll) return;
    if (this.deps.card.current !== 'up') {
      this.deps.logger.warn('scheduled test calls skipped: the card is not up');
      return;
    }
    this.runningAll = true;
    try {
      const outcomes = await this.run(this.circuits());
      const failed = outcomes.filter((o) => o.result === 'fail').length;
      this.deps.logger.info({ circuits: outcomes.length, failed }, 'scheduled test calls done');
    } finally {
      this.runningAll = false;
    }
  }

  private record(circuit: string): CircuitRecord {
    let r = this.records.get(circuit);
    if (!r) this.records.set(circuit, (r = { circuit, lastTest: null, consecutiveFailures: 0, blocked: false, blockedSince: null }));
    return r;
  }

  private async testOne(circuit: string, pass: Pass): Promise<TestOutcome> {
    const { clock, card } = this.deps;
    const at = clock.now();
    const parsed = parseCircuit(circuit);
    const done = (result: TestOutcome['result'], reason: string | null, coded: TestReasonCoded = {}): TestOutcome => ({ circuit, result, reason, ...reasonFields(coded), at, durationMs: clock.now() - at });
    if (!parsed || !this.circuits().includes(circuit)) return done('skipped', `no such circuit ${circuit}`, testReason('no-such-circuit', circuit));
    if (card.current !== 'up') return this.finish(done('skipped', 'the card is not up', testReason('card-not-up')), false);
    if (this.deps.isBusy?.(circuit)) return this.finish(done('skipped', 'busy with a call', testReason('busy')), false);
    let verdict: TestVerdict;
    if (parsed.kind === 'fxo') {
      const port = card.state.fxo.get(parsed.port);
      if (port && (port.hook === 'off' || port.ringing)) return this.finish(done('skipped', 'line in use', testReason('line-in-use')), false);
      if (port && port.line === 'unplugged') verdict = { ok: false, reason: 'no line on the port (no battery voltage)', ...testReason('no-line') };
      else verdict = await this.safely(() => this.deps.fxoTest.run(parsed.port, this.aborting.signal));
    } else {
      if (this.deps.spanInAlarm(parsed.span)) return this.finish(done('skipped', `span ${parsed.span} is in alarm`, testReason('span-in-alarm', parsed.span)), false);
      verdict = await this.safely(() => this.deps.e1Test.run(parsed.span, parsed.timeslot, this.aborting.signal));
    }
    // A test cut short by stop() says nothing about the circuit: recorded as skipped.
    if (this.stopped && !verdict.ok) return this.finish(done('skipped', 'the firmware stopped during the test', testReason('stopped')), false);
    // Nor does one that could not run (the circuit busy or blocked at the far end, no signalling).
    if (!verdict.ok && verdict.skipped) return this.finish(done('skipped', verdict.reason, verdict), false);
    return this.finish(verdict.ok ? done('pass', null) : done('fail', verdict.reason, verdict), true, pass);
  }

  /** Whether blocking one more circuit would pass the limit of this pass; the first time, the group event. */
  private overLimit(circuit: string, pass: Pass | undefined): boolean {
    if (!pass) return false;
    if (!pass.limitReached && pass.blocked < this.settings.maxBlockedPerPass) {
      pass.blocked++;
      return false;
    }
    if (!pass.limitReached) {
      pass.limitReached = true;
      this.deps.logger.error({ circuit, limit: this.settings.maxBlockedPerPass }, 'test calls: too many circuits failing in one pass; blocking no more of them');
      this.emit('block-limit', this.settings.maxBlockedPerPass, circuit);
    }
    return true;
  }

  private async safely(test: () => Promise<TestVerdict>): Promise<TestVerdict> {
    try {
      return await test();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      // The card went away or said no mid-test: worded for the CLI; anything else stays as thrown.
      if (err instanceof CardNotReadyError || (err instanceof CardRequestError && err.code === 'closed')) return { ok: false, reason, ...testReason('card-not-up') };
      if (err instanceof CardRequestError) return { ok: false, reason, ...testReason(err.code === 'timeout' ? 'card-no-answer' : 'card-refused') };
      return { ok: false, reason };
    }
  }

  private finish(outcome: TestOutcome, counts: boolean, pass?: Pass): TestOutcome {
    const record = this.record(outcome.circuit);
    record.lastTest = outcome;
    if (counts && outcome.result === 'pass') {
      record.consecutiveFailures = 0;
      if (record.blocked) {
        record.blocked = false;
        record.blockedSince = null;
        this.deps.logger.info({ circuit: outcome.circuit }, 'test call passed: circuit back in service');
        this.emit('circuit-unblocked', record);
      }
    } else if (counts && outcome.result === 'fail') {
      record.consecutiveFailures++;
      this.deps.logger.warn({ circuit: outcome.circuit, reason: outcome.reason, failures: record.consecutiveFailures }, 'test call failed');
      if (!record.blocked && record.consecutiveFailures >= this.settings.failuresToBlock && !this.overLimit(outcome.circuit, pass)) {
        record.blocked = true;
        record.blockedSince = outcome.at;
        this.deps.logger.warn({ circuit: outcome.circuit }, 'circuit taken out of service after repeated test call failures');
        this.emit('circuit-blocked', record);
      }
    }
    this.emit('test-result', outcome, record);
    this.emit('changed');
    return outcome;
  }
}
