import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CardDriver } from '../../card/card-driver.js';
import { CircuitGroup, type CircuitRow } from '../../circuits/circuit-group.js';
import { combinedBlock } from '../../circuits/circuit-state.js';
import { CircuitMap, type CircuitMapConfig } from '../../circuits/circuit-map.js';
import type { ControlRule } from '../../circuits/control-rule.js';
import type { HuntDirection, SelectionMethod } from '../../circuits/circuit-selector.js';
import { nextEvent, testReason, type E1CircuitTest, type TestVerdict } from '../../trunks/circuit-tests.js';
import { buildBare, buildCfn } from './isup-builders.js';
import { callFailure } from './isup-call-reasons.js';
import { CAUSE } from './isup-cause.js';
import { IsupCalls, type CallOutcome, type IncomingCall, type IsupCall } from './isup-calls.js';
import type { ContinuityState } from './isup-continuity-wait.js';
import { IsupMaintenance, type MaintenanceType } from './isup-maintenance.js';
import type { IsupMessage } from './isup-messages.js';
import { IsupTimers, type IsupTimerSettings } from './isup-timers.js';
import { IsupTransport } from './isup-transport.js';
import { unrecognisedAction, type UnrecognisedMessage } from './isup-unrecognised.js';
import { LINK_TEST_DEFAULTS, type LinkTestSettings } from '../mtp3/link-test.js';
import type { Mtp3Variant, NetworkIndicator } from '../mtp3/mtp3-label.js';
import { registerMtp3Metrics } from '../mtp3/mtp3-metrics.js';
import { Mtp3, type CapturedMsu } from '../mtp3/mtp3.js';

export interface IsupSettings {
  variant: Mtp3Variant;
  networkIndicator: NetworkIndicator;
  ownPointCode: number;
  peerPointCode: number;
  /** The card's signalling link carrying this route. */
  link: number;
  /** Its signalling link code, agreed with the exchange; default 0. */
  slc?: number;
  /** Q.707 T1 and T2 of its link test; default 8 s and 60 s. */
  linkTest?: Partial<LinkTestSettings>;
  /** How long ISUP waits for the exchange's TRA after the link test passed (Q.704 9); default 60 s. */
  traWaitMs?: number;
  /** Timeslots carrying signalling, never bearers. */
  signalling: { span: number; timeslot: number }[];
  cics: CircuitMapConfig['cics'];
  control: ControlRule;
  selection: SelectionMethod;
  huntDirection?: HuntDirection;
  timers: IsupTimerSettings;
  /** How long the continuity check waits for its 2000 Hz tone to come back. */
  continuityToneMs: number;
}

export interface IsupStackEvents {
  'incoming-call': (call: IncomingCall) => void;
  'call-ended': (outcome: CallOutcome) => void;
  'maintenance-alert': (cic: number, what: string) => void;
  capture: (msu: CapturedMsu) => void;
  /** The exchange said it has no such CIC (true), or acknowledged a reset of it since (false). */
  'cic-unequipped': (cic: number, unequipped: boolean) => void;
  /** A message of a type the box does not know, and what it did (Q.764 2.9.5.1). */
  unrecognised: (message: UnrecognisedMessage, action: 'confusion' | 'release' | 'discard') => void;
}

/** One row of `countyline circuits`: the circuit, its call and who controls it. */
export type CircuitView = CircuitRow & {
  /** Any block on the circuit, maintenance or hardware: `none`, `local`, `remote` or `both`. */
  block: CircuitRow['maintenance'];
  callPhase: IsupCall['phase'] | null;
  direction: IsupCall['direction'] | null;
  /** The exchange said it has no such CIC (UCIC): out of use until it acknowledges a reset of it. */
  unequipped: boolean;
  /** Outside a call: looped for the exchange's CCR, or held for its recheck after a failed check. */
  continuity: ContinuityState | null;
};

/**
 * SS7 ISUP on the box: one route (our point code to the telco exchange) over one signalling
 * link of the card, with one circuit group. A thin dispatcher in front of call control and
 * maintenance; also the E1 test-call interface (CCR continuity check) and the CLI views.
 */
export class IsupStack extends TypedEmitter<IsupStackEvents> implements E1CircuitTest {
  readonly map: CircuitMap;
  readonly group: CircuitGroup;
  readonly mtp3: Mtp3;
  readonly transport: IsupTransport;
  readonly calls: IsupCalls;
  readonly maintenance: IsupMaintenance;
  private readonly timers: IsupTimers;

  constructor(
    private readonly card: CardDriver,
    private readonly clock: Clock,
    readonly settings: IsupSettings,
    private readonly log: Logger,
  ) {
    super();
    this.map = CircuitMap.fromConfig({ cics: settings.cics }, settings.signalling);
    this.group = new CircuitGroup(this.map, {
      ownPointCode: settings.ownPointCode,
      peerPointCode: settings.peerPointCode,
      control: settings.control,
      selection: settings.selection,
      huntDirection: settings.huntDirection,
      now: clock.now(),
    });
    this.timers = new IsupTimers(clock);
    this.mtp3 = new Mtp3({
      card,
      clock,
      logger: log,
      link: settings.link,
      variant: settings.variant,
      ni: settings.networkIndicator,
      ownPointCode: settings.ownPointCode,
      peerPointCode: settings.peerPointCode,
      slc: settings.slc ?? 0,
      linkTest: { ...LINK_TEST_DEFAULTS, ...settings.linkTest },
      ...(settings.traWaitMs === undefined ? {} : { traWaitMs: settings.traWaitMs }),
    });
    this.transport = new IsupTransport({ mtp3: this.mtp3, logger: log, variant: settings.variant });
    this.calls = new IsupCalls({
      group: this.group,
      map: this.map,
      transport: this.transport,
      timers: this.timers,
      settings: settings.timers,
      clock,
      logger: log,
      resetCircuit: (cic, afterT5) => this.maintenance.resetCircuit(cic, afterT5),
      reassertBlock: (cic) => this.maintenance.block(cic),
      ready: () => this.maintenance.ready,
      resetting: (cic) => this.maintenance.resetting(cic),
      loop: (cic, on) => this.loopCircuit(cic, on),
    });
    this.maintenance = new IsupMaintenance({ group: this.group, transport: this.transport, calls: this.calls, timers: this.timers, settings: settings.timers, clock, logger: log });
    this.transport.on('message', (m) => this.dispatch(m));
    this.transport.on('unrecognised', (u) => this.onUnrecognised(u));
    this.transport.on('invalid-value', ({ cic, typeCode }) => {
      if (!this.group.has(cic)) return;
      // Q.764 2.9.5.3: an IAM is released with cause 100 (invalid parameter contents); any
      // other message is discarded with a CFN saying so, the message type as diagnostic.
      if (typeCode === 0x01) return this.calls.refuseIam(cic, CAUSE.invalidParameterContents, callFailure('a mandatory parameter from the exchange was invalid', 'invalid-parameter'));
      this.transport.send(buildCfn(cic, CAUSE.invalidParameterContents, typeCode));
    });
    this.mtp3.on('capture', (msu) => this.emit('capture', msu));
    this.calls.on('incoming-call', (c) => this.emit('incoming-call', c));
    this.calls.on('call-ended', (o) => this.emit('call-ended', o));
    this.calls.on('maintenance-alert', (cic, what) => this.emit('maintenance-alert', cic, what));
    this.maintenance.on('maintenance-alert', (cic, what) => this.emit('maintenance-alert', cic, what));
    this.maintenance.on('cic-unequipped', (cic, unequipped) => this.emit('cic-unequipped', cic, unequipped));
    // Q.764 2.9.3: a card that restarted (or was lost) kept no calls: reset the group when back.
    card.on('card-restarted', () => this.maintenance.memoryLostAtCard());
    card.on('card-lost', () => this.maintenance.memoryLostAtCard());
  }

  stop(): void {
    this.stopped = true;
    // A continuity test waiting for its tone or its RLC ends now with its call record.
    this.calls.stop();
    this.maintenance.stop();
    this.timers.clear();
    this.mtp3.stop();
  }

  /** Hardware blocking follows the span alarm: a red span blocks its circuits. */
  spanFailed(span: number, failed: boolean): void {
    const changed = failed ? this.group.blockSpan(span) : this.group.unblockSpan(span);
    if (changed.length === 0) return;
    this.log.info({ span, circuits: changed.length }, failed ? 'span failed: its circuits are hardware blocked' : 'span back: its circuits are unblocked');
    this.maintenance.hardwareBlock(changed, failed);
  }

  circuits(): CircuitView[] {
    return this.group.list().map((row) => {
      const call = this.calls.onCircuit(row.cic);
      return { ...row, block: combinedBlock(row.maintenance, row.hardware), callPhase: call?.phase ?? null, direction: call?.direction ?? null, unequipped: this.group.isUnequipped(row.cic), continuity: this.calls.continuityState(row.cic) };
    });
  }

  /**
   * The E1 test call: a continuity check with the exchange (Q.764 2.1.8). CCR asks the far
   * end to loop the circuit back; the card sends 2000 Hz into it and must hear it return.
   * The test is a call record (phase `continuity`) from the CCR to the RLC that answers the
   * REL ending it, with T1 and T5 as for any release. Allowed on a circuit we blocked
   * ourselves. A test that cannot run (no CIC, the link down, the circuit busy or blocked by
   * the exchange) is skipped: it says nothing about the circuit.
   */
  async run(span: number, timeslot: number): Promise<TestVerdict> {
    const circuit = this.map.byTimeslot(span, timeslot);
    if (!circuit) return { ok: false, skipped: true, reason: `no CIC is assigned to span ${span} timeslot ${timeslot}`, ...testReason('no-cic', span, timeslot) };
    if (!this.transport.isUp) return { ok: false, skipped: true, reason: 'signalling link out of service', ...testReason('signalling-down') };
    const cic = circuit.cic;
    const reserved = this.group.reserveForTest(cic, this.clock.now());
    if (!reserved.ok) return { ok: false, skipped: true, reason: `CIC ${cic} is ${reserved.reason}`, ...testReason(reserved.reason === 'busy' ? 'cic-busy' : 'cic-blocked', cic) };
    const test = this.calls.continuityTest(cic);
    const frequency = 2000;
    const heard = nextEvent(this.card, this.clock, 'tone-detect', (m) => m.span === span && m.timeslot === timeslot && m.present && m.frequency === frequency, this.settings.continuityToneMs);
    // The record ending (a reset or REL from the exchange, stop()) ends the wait for the tone.
    let verdict: TestVerdict;
    try {
      this.transport.send(buildBare('CCR', cic));
      await this.card.command({ type: 'tsTone', span, timeslot, frequency });
      const seconds = this.settings.continuityToneMs / 1000;
      const ended = test.ended.then(() => false);
      verdict = (await Promise.race([heard.promise, ended])) ? { ok: true } : { ok: false, reason: `no ${frequency} Hz tone back from the exchange within ${seconds} s (CCR)`, ...testReason('no-tone-from-exchange', frequency, seconds) };
    } catch (err) {
      // The test-call scheduler words a card that is not up or does not answer.
      verdict = { ok: false, reason: (err as Error).message };
    } finally {
      heard.cancel();
      await this.card.commandOrReport({ type: 'tsTone', span, timeslot, frequency: 0 }, `end of the continuity check on CIC ${cic}`);
    }
    if (this.stopped) return { ok: false, reason: 'the firmware stopped during the continuity check', ...testReason('stopped') };
    // The test ends like a call: REL, and the circuit is idle again when RLC comes.
    this.calls.release(cic, CAUSE.normalClearing);
    await test.ended;
    return verdict;
  }

  registerMetrics(registry: Registry): void {
    registerMtp3Metrics(registry, this.mtp3);
    const messages = new Counter({ name: 'countyline_isup_messages_total', help: 'ISUP messages by direction and type', labelNames: ['direction', 'type'], registers: [registry] });
    this.transport.on('message', (m) => messages.inc({ direction: 'in', type: m.type }));
    this.transport.on('sent', (m) => messages.inc({ direction: 'out', type: m.type }));
    const stats = this.transport.stats;
    new Gauge({ name: 'countyline_isup_malformed', help: 'Malformed ISUP MSUs dropped since start', registers: [registry], collect() { this.set(stats.malformed); } });
    const unrecognised = new Counter({
      name: 'countyline_isup_unrecognised_total',
      help: 'ISUP messages of a type the box does not know, by type code and what was done (confusion, release, discard)',
      labelNames: ['code', 'action'],
      registers: [registry],
    });
    this.on('unrecognised', (u, action) => unrecognised.inc({ code: hexCode(u.typeCode), action }));
    const group = this.group;
    new Gauge({
      name: 'countyline_isup_glares',
      help: 'Dual seizures since start, by who kept the circuit',
      labelNames: ['outcome'],
      registers: [registry],
      collect() {
        const c = group.counts();
        this.set({ outcome: 'won' }, c.glaresWon);
        this.set({ outcome: 'lost' }, c.glaresLost);
      },
    });
    const callCounters = this.calls.counters;
    new Gauge({
      name: 'countyline_isup_iam_discarded_in_reset',
      help: 'IAMs discarded since start because our reset of their circuit was not yet answered',
      registers: [registry],
      collect() {
        this.set(callCounters.discardedInReset);
      },
    });
    new Gauge({
      name: 'countyline_isup_continuity_failed',
      help: 'Incoming calls since start whose continuity check failed (COT) or was never reported (T8)',
      registers: [registry],
      collect() {
        this.set(callCounters.continuityFailed);
      },
    });
    const calls = new Counter({ name: 'countyline_isup_calls_total', help: 'ISUP calls ended, by direction and result', labelNames: ['direction', 'result'], registers: [registry] });
    this.calls.on('call-ended', (o) => calls.inc({ direction: o.call.direction, result: o.result }));
  }

  private stopped = false;

  private dispatch(m: IsupMessage): void {
    if (!this.concernsUs(m)) {
      this.log.warn({ cic: m.cic, type: m.type }, 'ISUP message for a CIC we do not have; ignored');
      return;
    }
    switch (m.type) {
      case 'IAM':
        return this.calls.onIam(m);
      case 'ACM':
      case 'CON':
      case 'ANM':
        return this.calls.onBackward(m);
      case 'CPG':
        return this.calls.onProgress(m);
      case 'SAM':
        return this.calls.onSam(m);
      case 'SUS':
      case 'RES':
        return this.calls.onSuspendResume(m);
      case 'REL':
        return this.calls.onRel(m);
      case 'RLC':
        this.calls.onRlc(m);
        return this.maintenance.onMessage(m);
      case 'CCR':
        return this.onContinuityRequest(m.cic);
      case 'COT':
        return this.calls.onCot(m);
      case 'CFN':
        // Q.764 2.9.5: the exchange could not use something we sent. Logged (and counted by
        // type in countyline_isup_messages_total), never answered: a CFN for a CFN would loop.
        this.log.warn({ cic: m.cic, cause: m.causeIndicators.causeValue, diagnostic: Buffer.from(m.causeIndicators.diagnostics).toString('hex') }, 'confusion (CFN) from the exchange');
        return;
      default:
        return this.maintenance.onMessage(m as Extract<IsupMessage, { type: MaintenanceType }>);
    }
  }

  /**
   * Q.764 2.9.5.1: a message of a type the box does not know is not malformed. Without
   * instructions it is discarded and answered with CFN, cause 97, the type code as
   * diagnostic; its message compatibility information may ask to release the call instead
   * (REL, cause 97), or to discard it with or without CFN.
   */
  private onUnrecognised(u: UnrecognisedMessage): void {
    const code = hexCode(u.typeCode);
    if (!this.group.has(u.cic)) {
      this.log.warn({ cic: u.cic, typeCode: code }, 'message of unknown type for a CIC we do not have; ignored');
      return;
    }
    const action = unrecognisedAction(u.instructions);
    this.emit('unrecognised', u, action);
    if (action === 'release' && this.calls.release(u.cic, CAUSE.messageTypeNonExistent, callFailure(`released as the exchange asked for a message the box does not know (type ${code})`, 'unrecognised-message', code))) {
      this.log.warn({ cic: u.cic, typeCode: code }, 'message of unknown type asks to release the call: released (cause 97)');
      return;
    }
    // A release asked for on a circuit with no call to release leaves nothing to do but discard.
    if (action === 'confusion') this.transport.send(buildCfn(u.cic, CAUSE.messageTypeNonExistent, u.typeCode));
    this.log.warn({ cic: u.cic, typeCode: code, action }, action === 'confusion' ? 'message of unknown type: discarded, CFN sent' : 'message of unknown type: discarded');
  }

  /**
   * Whether a message is about circuits of ours. A group message names the first CIC of its
   * range, which need not be ours (a GRS for a whole E1 starts on the CIC of ts0); the
   * maintenance side answers it for the CICs of the range we have.
   */
  private concernsUs(m: IsupMessage): boolean {
    if (this.group.has(m.cic)) return true;
    if (!('rangeAndStatus' in m)) return false;
    for (let cic = m.cic + 1; cic <= m.cic + m.rangeAndStatus.range; cic++) if (this.group.has(cic)) return true;
    return false;
  }

  /**
   * The exchange tests a circuit (Q.764 2.1.8): loop it back until its COT or REL (T36 at the
   * most), or a reset. A circuit held for this recheck after a failed check is seized
   * already. A CCR crossing our reset of the circuit is discarded, as an IAM would be.
   */
  private onContinuityRequest(cic: number): void {
    if (this.maintenance.resetting(cic)) {
      this.log.info({ cic }, 'continuity check request on a circuit whose reset is not yet answered; discarded');
      return;
    }
    if (this.calls.continuityState(cic) === 'exchange-loop') {
      this.log.warn({ cic }, 'continuity check request on a circuit looped for the exchange already; ignored');
      return;
    }
    const held = this.calls.takeRecheck(cic);
    if (!held && !this.seizeForExchangeTest(cic, this.group.state(cic)!)) return;
    this.calls.loopForExchange(cic);
  }

  /** Seizes an idle circuit for the exchange's CCR; false (logged) when the circuit cannot take it. */
  private seizeForExchangeTest(cic: number, state: CircuitRow): boolean {
    if (state.call === 'reserved') {
      // The CCR crossed our IAM (or our own test). A CCR is no call, so this is no dual
      // seizure and is not counted as one; the circuit goes as Q.764 2.9.1.4 gives it for a
      // crossing IAM. On a circuit we control our call goes on and the CCR is ignored; on one
      // the exchange controls its test goes on and our attempt is repeated elsewhere, no REL.
      const ours = state.controlledBy === 'us' || !this.calls.abandonAttempt(cic, callFailure('the exchange tested the circuit (CCR)', 'continuity-check-by-exchange'));
      if (ours) {
        this.log.info({ cic }, 'continuity check request crossing a call or test of ours on this circuit; ignored');
        return false;
      }
    }
    if (this.group.seizeIncoming(cic, this.clock.now()).outcome === 'seized') return true;
    this.log.warn({ cic }, 'continuity check request on a busy circuit; ignored');
    return false;
  }

  /** Loops a circuit back toward the exchange for its continuity check (on), or ends the loop. */
  private loopCircuit(cic: number, on: boolean): void {
    const circuit = this.map.byCic(cic);
    if (!circuit) return;
    const command = { type: 'tsLoopback', span: circuit.span, timeslot: circuit.timeslot, on } as const;
    if (!on) {
      void this.card.commandOrReport(command, `end of the exchange's continuity check on CIC ${cic}`);
      return;
    }
    this.card.command(command).catch((err: Error) => {
      // The exchange will not hear its tone back and fails its check: say why here.
      this.log.error({ cic, err: err.message }, 'the card did not loop the circuit back for the continuity check');
    });
  }
}

/** A message type code as Wireshark shows it: `0xee`. */
function hexCode(code: number): string {
  return `0x${code.toString(16).padStart(2, '0')}`;
}
