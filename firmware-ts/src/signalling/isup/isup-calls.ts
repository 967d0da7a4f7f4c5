import { TypedEmitter } from '@countyline/e1-gateway';
import { buildAcm, buildAnm, buildIam, buildRel, buildRlc } from './isup-builders.js';
import { nextPhase, type CallPhase, type PhaseEvent } from './isup-call-phase.js';
import { asFailure, callFailure, LINK_DOWN, NOT_CONFIRMED, onRepeatToo, released, type CallFailure } from './isup-call-reasons.js';
import { CAUSE } from './isup-cause.js';
import type { IsupMessageOf } from './isup-messages.js';
import type { CallCounters, CallDirection, CallOutcome, ClearedBy, IsupCall, IsupCallEvents, IsupCallsDeps } from './isup-call-types.js';
import { ContinuityWaits, type ContinuityState } from './isup-continuity-wait.js';

export type { CallCounters, CallDirection, CallOutcome, CallPhase, IncomingCall, IsupCall, IsupCallEvents, IsupCallsDeps } from './isup-call-types.js';

const EXCHANGE: ClearedBy = { by: 'exchange' };
const BOX: ClearedBy = { by: 'box' };

/**
 * What a caller of `dial` hears of its call before it ends: the circuit each attempt seized
 * (a repeat after a dual seizure moves the call to another), the exchange's ACM or alerting
 * CPG, and its ANM or CON.
 */
export interface OutgoingWatch {
  seized?: (circuit: { cic: number; span: number; timeslot: number }) => void;
  alerting?: () => void;
  answered?: () => void;
}

interface OutboundRequest {
  called: string;
  calling: string;
  /** Released this long after the answer; null: held until `release` ends it. */
  holdMs: number | null;
  watch?: OutgoingWatch;
  repeats: number;
  resolve: (outcome: CallOutcome) => void;
}

/**
 * ISUP call control (Q.764 clause 2.1-2.3 and 2.9): calls in and out on the circuits of one
 * group, with dual seizure settled by the control rule and the non-controlling side's
 * automatic repeat on another circuit.
 */
export class IsupCalls extends TypedEmitter<IsupCallEvents> {
  readonly counters: CallCounters = { inOffered: 0, inAnswered: 0, inAbandoned: 0, outAttempted: 0, outAnswered: 0, outFailed: 0, repeats: 0, unexpected: 0, discardedInReset: 0, continuityFailed: 0 };
  private readonly calls = new Map<number, IsupCall>();
  private readonly requests = new Map<number, OutboundRequest>();
  private readonly failures = new Map<number, CallFailure & { cause: number }>();
  /** Our continuity tests (CCR), by call id: told when the record ends. */
  private readonly tests = new Map<number, () => void>();
  /** Attempts given up and being released (REL out) while their call goes on elsewhere. */
  private readonly givenUp = new Set<number>();
  /** Incoming calls whose ACM went. */
  private readonly alerted = new Set<number>();
  /** The exchange's continuity checks: in its IAMs, and its CCRs. */
  private readonly continuity: ContinuityWaits;
  private nextId = 1;

  constructor(private readonly d: IsupCallsDeps) {
    super();
    this.continuity = new ContinuityWaits({ timers: d.timers, logger: d.logger, loop: d.loop, resetCircuit: (cic) => d.resetCircuit(cic) });
  }

  active(): IsupCall[] {
    return [...this.calls.values()].map((c) => ({ ...c }));
  }

  onCircuit(cic: number): IsupCall | undefined {
    return this.calls.get(cic);
  }

  /**
   * Places an outgoing call and resolves when it is over: answered and released after
   * `holdMs`, or failed. A dual seizure lost, a BLO or an RSC before any backward message
   * makes the stack repeat the attempt once on another circuit by itself.
   */
  placeCall(called: string, calling = '', holdMs = 0): Promise<CallOutcome> {
    return new Promise((resolve) => this.attempt({ called, calling, holdMs, repeats: 0, resolve }, 1));
  }

  /**
   * Places an outgoing call for a person (a callback): the same IAM, circuit selection and
   * repeat as `placeCall`, but an answered call stays up until `release` (or the exchange)
   * ends it, and `watch` hears its progress. Resolves when it is over.
   */
  dial(called: string, calling: string, watch: OutgoingWatch): Promise<CallOutcome> {
    return new Promise((resolve) => this.attempt({ called, calling, holdMs: null, watch, repeats: 0, resolve }, 1));
  }

  /** Releases the call on `cic` from our side (REL, then RLC expected); `failure`: why, when it is one. */
  release(cic: number, cause: number = CAUSE.normalClearing, failure?: CallFailure): boolean {
    const call = this.calls.get(cic);
    if (!call || call.phase === 'releasing') return false;
    this.sendRel(call, cause, failure);
    return true;
  }

  /**
   * A continuity test of ours on a circuit already reserved for it (Q.764 2.1.8): a call
   * record in phase `continuity` from the CCR until its RLC, released like a call
   * (`release`: REL with T1 and T5). Resolves when the record ends: RLC, a REL or reset from
   * the exchange, T5, or stop(). No `call-ended` for it: it is nobody's call.
   */
  continuityTest(cic: number): { callId: number; ended: Promise<void> } {
    const call = this.newCall(cic, 'out', 'continuity', '', '');
    return { callId: call.id, ended: new Promise((resolve) => this.tests.set(call.id, resolve)) };
  }

  /** Whether the record on `cic` is one of our continuity tests. */
  isContinuityTest(cic: number): boolean {
    const call = this.calls.get(cic);
    return call !== undefined && this.tests.has(call.id);
  }

  /**
   * Circuits whose record is in a transient state, as the circuit group query procedure
   * defines it (Q.764 (11/88) 2.9.3.2): our IAM out with no backward message yet, or our REL
   * out with no RLC yet. After a link outage these are the calls the two ends may not agree on.
   */
  transientCircuits(): number[] {
    return [...this.calls.values()].filter((c) => (c.phase === 'iam-sent' && !this.tests.has(c.id)) || c.phase === 'releasing').map((c) => c.cic);
  }

  // --- messages from the far end -------------------------------------------------------

  onIam(m: IsupMessageOf<'IAM'>): void {
    const now = this.d.clock.now();
    if (this.isContinuityTest(m.cic)) {
      // We sent CCR on this circuit: it is looped for the test, no call can use it. The
      // exchange gets our REL when the test ends; its IAM is not a dual seizure.
      this.counters.unexpected++;
      this.d.logger.warn({ cic: m.cic }, 'IAM on a circuit under continuity check; ignored');
      return;
    }
    if (this.d.resetting(m.cic)) {
      // Our reset crossed the exchange's IAM: when the reset reaches it, the exchange clears
      // that call without REL (Q.764: a reset takes the circuit to idle whatever its state).
      // Taking the call here would leave a call the exchange no longer has.
      this.counters.discardedInReset++;
      this.d.logger.info({ cic: m.cic }, 'IAM on a circuit whose reset is not yet answered; discarded');
      return;
    }
    const seized = this.d.group.seizeIncoming(m.cic, now);
    switch (seized.outcome) {
      case 'keep-ours':
        // Q.764 2.9.1.4 a): the controlling exchange completes its call and ignores the IAM.
        this.d.logger.info({ cic: m.cic }, 'dual seizure: we control this circuit, keeping our call');
        this.emit('glare', m.cic, 'won');
        return;
      case 'yield': {
        // Q.764 2.9.1.4 b): the non-controlling exchange drops its attempt without REL,
        // takes the incoming call and repeats its own attempt on another circuit.
        this.d.logger.info({ cic: m.cic }, 'dual seizure: the exchange controls this circuit, yielding and repeating elsewhere');
        this.emit('glare', m.cic, 'lost');
        this.repeatElsewhere(m.cic, callFailure('dual seizure', 'dual-seizure'));
        break;
      }
      case 'busy': {
        this.counters.unexpected++;
        this.d.logger.warn({ cic: m.cic, call: seized.call }, 'IAM on a busy circuit: resetting the circuit');
        this.dropCall(m.cic, callFailure('circuit reset: the exchange seized a busy circuit', 'busy-circuit-seized'), CAUSE.temporaryFailure);
        this.d.resetCircuit(m.cic);
        return;
      }
      case 'seized': {
        // Q.764 2.8.2.3: an IAM on a circuit the far end had blocked shows it is unblocked.
        if (seized.maintenance === 'remote' || seized.maintenance === 'both') this.d.group.unblock(m.cic, 'maintenance', 'remote');
        const blockedHere = (s: string) => s === 'local' || s === 'both';
        if (blockedHere(seized.maintenance) || blockedHere(seized.hardware)) {
          // Q.764 2.8.2.1: only test calls may use a circuit we block. Refuse the call and,
          // for a maintenance block the exchange seems to have missed, say it again.
          this.counters.unexpected++;
          this.d.logger.warn({ cic: m.cic }, 'IAM on a circuit we block: released');
          const refused = this.newCall(m.cic, 'in', 'incoming', m.calledPartyNumber.digits, m.callingPartyNumber?.digits ?? '');
          this.sendRel(refused, CAUSE.temporaryFailure, callFailure('circuit blocked at the box', 'blocked-here'));
          if (blockedHere(seized.maintenance)) this.d.reassertBlock(m.cic);
          return;
        }
        break;
      }
    }
    const check = m.natureOfConnection.continuityCheck;
    if (check === 'required' || check === 'previous-circuit') return this.awaitContinuity(m, check === 'required');
    if (!m.calledPartyNumber.endOfPulsing) {
      // Q.764 2.1.3 overlap: the rest of the number follows in SAMs. No ACM until it is
      // complete: ST, or T35 running out after the last digit (the box knows no numbering
      // plan to count digits by, so the silence after the last one ends the number).
      const call = this.newCall(m.cic, 'in', 'collecting', m.calledPartyNumber.digits, m.callingPartyNumber?.digits ?? '');
      this.d.logger.info({ cic: m.cic, called: call.called }, 'incoming call with an incomplete number: waiting for SAM');
      this.d.timers.start('T35', m.cic, this.d.settings.t35Ms, () => this.offer(call));
      return;
    }
    this.offer(this.newCall(m.cic, 'in', 'incoming', m.calledPartyNumber.digits, m.callingPartyNumber?.digits ?? ''));
  }

  /**
   * An IAM asking for a continuity check (Q.764 2.1.8): on this circuit (`loop`), where the
   * circuit is looped back so that the exchange hears its own tone; or on a previous circuit
   * of the connection, where only the result is awaited. Either way no ACM goes before a COT
   * saying the check passed, and T8 bounds the wait: at its expiry the call is released
   * (REL, cause 41) and the loop removed.
   */
  private awaitContinuity(m: IsupMessageOf<'IAM'>, loop: boolean): void {
    const call = this.newCall(m.cic, 'in', 'continuity-wait', m.calledPartyNumber.digits, m.callingPartyNumber?.digits ?? '');
    this.continuity.start(call.id, m.cic, loop, m.calledPartyNumber.endOfPulsing);
    this.d.logger.info({ cic: m.cic, loop }, 'incoming call with a continuity check: waiting for COT');
    this.d.timers.start('T8', m.cic, this.d.settings.t8Ms, () => {
      this.counters.continuityFailed++;
      this.d.logger.warn({ cic: m.cic }, 'no continuity message (COT) from the exchange within T8: releasing the call');
      this.sendRel(call, CAUSE.temporaryFailure, callFailure('no continuity message from the exchange (T8)', 'no-continuity'));
    });
  }

  /**
   * COT (Q.764 2.1.8): the result of the exchange's continuity check for the call waiting on
   * this circuit. The loop goes either way. Passed: the call goes on, offered now if its
   * number is complete, else collecting digits (T35). Failed: the call is given up without
   * REL; the exchange repeats its attempt elsewhere and will recheck this circuit with CCR,
   * so the circuit stays out of use until then, at most T27, after which it is reset (RSC).
   */
  onCot(m: IsupMessageOf<'COT'>): void {
    if (this.continuity.endExchangeLoop(m.cic)) return this.afterExchangeTest(m);
    const call = this.calls.get(m.cic);
    if (!call || call.phase !== 'continuity-wait') {
      this.counters.unexpected++;
      this.d.logger.warn({ cic: m.cic, phase: call?.phase ?? null }, 'continuity message (COT) for no call waiting for one; ignored');
      return;
    }
    this.d.timers.stop('T8', m.cic);
    const { numberComplete, looped } = this.continuity.end(call.id);
    if (m.continuity === 'successful') {
      this.d.logger.info({ cic: m.cic }, 'continuity check passed');
      if (numberComplete) return this.offer(call);
      this.move(call, 'digits');
      this.d.timers.start('T35', m.cic, this.d.settings.t35Ms, () => this.offer(call));
      return;
    }
    this.counters.continuityFailed++;
    const failed = callFailure('continuity check failed (COT)', 'continuity-failed');
    if (!looped) {
      // The check ran on a previous circuit of the connection: there is nothing to recheck
      // on this one, so the call is released in the normal way.
      this.d.logger.warn({ cic: m.cic }, 'continuity check on a previous circuit failed (COT): releasing the call');
      return this.sendRel(call, CAUSE.temporaryFailure, failed);
    }
    this.d.logger.warn({ cic: m.cic }, 'continuity check failed (COT): call given up, circuit held for the recheck');
    this.finish(call, 'failed', failed, CAUSE.temporaryFailure, false);
    this.continuity.awaitRecheck(m.cic);
  }

  /**
   * The exchange's COT for its own test (CCR) of a circuit we looped: the loop has gone. A
   * failed recheck holds the circuit for the next one (T27 again); a passed one frees it (an
   * ITU exchange ends a passed recheck with REL instead, which finds the circuit free and is
   * answered with RLC all the same).
   */
  private afterExchangeTest(m: IsupMessageOf<'COT'>): void {
    if (m.continuity === 'failed') {
      this.d.logger.warn({ cic: m.cic }, 'continuity recheck failed (COT): circuit held for the next recheck');
      return this.continuity.awaitRecheck(m.cic);
    }
    this.d.logger.info({ cic: m.cic }, 'continuity recheck passed');
    if (this.d.group.state(m.cic)?.call !== 'idle') this.d.group.release(m.cic, this.d.clock.now(), CAUSE.normalClearing);
  }

  /**
   * The exchange's CCR on `cic` (Q.764 2.1.8): loop the circuit back until its COT or REL, T36
   * at the most. The caller has seized the circuit, unless it was held for this recheck.
   */
  loopForExchange(cic: number): void {
    this.continuity.loopForExchange(cic);
  }

  /** Ends the hold of `cic` for the exchange's recheck (its CCR came); true if it was held. */
  takeRecheck(cic: number): boolean {
    return this.continuity.takeRecheck(cic);
  }

  /** What `cic` is doing for the exchange's continuity checks outside a call record. */
  continuityState(cic: number): ContinuityState | null {
    return this.continuity.state(cic);
  }

  /** SAM (Q.764 2.1.3): more digits for an incoming call still collecting its number. */
  onSam(m: IsupMessageOf<'SAM'>): void {
    const call = this.calls.get(m.cic);
    if (call?.phase === 'continuity-wait') {
      // The number grows while the check runs; T35 waits until the check has passed.
      call.called += m.subsequentNumber.digits;
      if (m.subsequentNumber.endOfPulsing) this.continuity.numberCompleted(call.id);
      return;
    }
    if (!call || call.phase !== 'collecting') {
      this.counters.unexpected++;
      this.d.logger.warn({ cic: m.cic, phase: call?.phase ?? null }, 'SAM for no call collecting digits; ignored');
      return;
    }
    call.called += m.subsequentNumber.digits;
    if (m.subsequentNumber.endOfPulsing) return this.offer(call);
    this.d.timers.start('T35', m.cic, this.d.settings.t35Ms, () => this.offer(call));
  }

  /**
   * An incoming call with its complete number: handed to whoever takes calls (the call model),
   * which alerts it (ACM) once it offers the call to a person and answers it (ANM) when that
   * person answers. The exchange's T9 bounds how long it may ring.
   */
  private offer(call: IsupCall): void {
    if (this.calls.get(call.cic) !== call) return;
    const cic = call.cic;
    this.d.timers.stop('T35', cic);
    if (call.phase !== 'incoming') this.move(call, 'complete');
    const circuit = this.d.map.byCic(cic)!;
    this.counters.inOffered++;
    this.d.logger.info({ cic, calling: call.calling, called: call.called }, 'incoming call');
    this.emit('incoming-call', { callId: call.id, cic, span: circuit.span, timeslot: circuit.timeslot, calling: call.calling, called: call.called });
  }

  /**
   * ACM for the incoming call `callId` (Q.764 2.1.4.1): the number is complete and the call is
   * being offered; the caller hears ringing. Once per call; false if the call is not waiting.
   */
  alert(callId: number): boolean {
    const call = this.incomingCall(callId);
    if (!call || this.alerted.has(call.id)) return false;
    this.alerted.add(call.id);
    this.d.transport.send(buildAcm(call.cic));
    return true;
  }

  /** ANM for the incoming call `callId` (Q.764 2.1.7): a person (or an announcement) answered it. */
  answer(callId: number): boolean {
    const call = this.incomingCall(callId);
    if (!call) return false;
    // An answer before any alerting still tells the exchange the number was complete first.
    if (!this.alerted.has(call.id)) this.alert(callId);
    this.move(call, 'answer');
    call.answeredAt = this.d.clock.now();
    this.counters.inAnswered++;
    this.d.transport.send(buildAnm(call.cic));
    return true;
  }

  /** The incoming call `callId` while it is offered and not yet answered. */
  private incomingCall(callId: number): IsupCall | undefined {
    const call = [...this.calls.values()].find((c) => c.id === callId);
    return call?.direction === 'in' && call.phase === 'incoming' ? call : undefined;
  }

  onBackward(m: IsupMessageOf<'ACM'> | IsupMessageOf<'CON'> | IsupMessageOf<'ANM'>): void {
    const call = this.calls.get(m.cic);
    if (!call || call.direction !== 'out' || (call.phase !== 'iam-sent' && call.phase !== 'alerting')) {
      this.counters.unexpected++;
      this.d.logger.warn({ cic: m.cic, type: m.type }, 'backward message for no call of ours');
      // Q.764 2.9.5: an unexpected message on a circuit we hold idle means the two ends
      // disagree (an RSC crossed our IAM, say): reset the circuit so both are free.
      if (!call && this.d.group.state(m.cic)?.call === 'idle') this.d.resetCircuit(m.cic);
      return;
    }
    const now = this.d.clock.now();
    if (call.phase === 'iam-sent') {
      this.d.group.confirmOutgoing(m.cic, now); // the dual-seizure window ends
      this.d.timers.stop('T7', m.cic);
    }
    if (m.type === 'ACM' && call.phase === 'alerting') {
      // A CPG (alerting) came first and started T9 already; the ACM adds nothing.
      this.d.logger.info({ cic: m.cic }, 'address complete after call progress');
      return;
    }
    const request = this.requests.get(call.id);
    if (m.type === 'ACM') {
      this.move(call, 'acm');
      this.d.timers.start('T9', m.cic, this.d.settings.t9Ms, () => this.sendRel(call, CAUSE.noAnswer, callFailure('no answer (T9)', 'no-answer')));
      request?.watch?.alerting?.();
      return;
    }
    this.d.timers.stop('T9', m.cic);
    this.move(call, 'answer');
    call.answeredAt = now;
    this.counters.outAnswered++;
    if (request?.holdMs !== null) this.d.timers.start('hold', m.cic, request?.holdMs ?? 0, () => this.sendRel(call, CAUSE.normalClearing));
    request?.watch?.answered?.();
  }

  /**
   * An IAM with a spare value in a mandatory parameter (Q.764 2.9.5.3): the call cannot be
   * set up, so it is refused at once (REL with `cause`, 100) rather than left to the
   * caller's T7. The circuit is seized and released like any call: RLC, T1, T5.
   */
  refuseIam(cic: number, cause: number, why: CallFailure): void {
    if (this.calls.has(cic) || this.d.resetting(cic)) return;
    const seized = this.d.group.seizeIncoming(cic, this.d.clock.now());
    if (seized.outcome !== 'seized') return;
    this.counters.unexpected++;
    this.d.logger.warn({ cic, cause }, `IAM refused: ${why.reason}`);
    this.sendRel(this.newCall(cic, 'in', 'incoming', '', ''), cause, why);
  }

  /**
   * CPG (Q.764 2.1.5): call progress for a call of ours. Alerting, progress and in-band
   * information on our outgoing call before answer take it to `alerting`; a first one before
   * the ACM also ends the dual-seizure window and T7 (a backward message came) and starts T9.
   * Any other event (a diversion, say), or a CPG for an answered or incoming call, is
   * recorded on the call. A CPG for no call is logged and dropped.
   */
  onProgress(m: IsupMessageOf<'CPG'>): void {
    const call = this.calls.get(m.cic);
    const event = m.eventInformation.event;
    if (!call || call.phase === 'releasing' || this.tests.has(call.id)) {
      this.counters.unexpected++;
      this.d.logger.warn({ cic: m.cic, event }, 'call progress (CPG) for no call; ignored');
      return;
    }
    call.progress.push(event);
    this.d.logger.info({ cic: m.cic, event, phase: call.phase }, 'call progress (CPG)');
    const alerting = event === 'alerting' || event === 'progress' || event === 'inband-information';
    if (call.direction !== 'out' || !alerting || (call.phase !== 'iam-sent' && call.phase !== 'alerting')) return;
    if (call.phase === 'iam-sent') {
      this.d.group.confirmOutgoing(m.cic, this.d.clock.now());
      this.d.timers.stop('T7', m.cic);
      this.d.timers.start('T9', m.cic, this.d.settings.t9Ms, () => this.sendRel(call, CAUSE.noAnswer, callFailure('no answer (T9)', 'no-answer')));
    }
    const first = call.phase === 'iam-sent';
    this.move(call, 'progress');
    if (first) this.requests.get(call.id)?.watch?.alerting?.();
  }

  /**
   * SUS and RES (Q.764 2.5), either direction of call: SUS, network or subscriber initiated,
   * holds an answered call and starts T6; RES takes it up again and stops T6. Without RES
   * in T6 the box releases the call (REL, cause 102). The box sends no SUS of its own.
   * Q.764 gives a subscriber-initiated suspend T2 at the exchange serving that subscriber,
   * which is the far end's; the box only waits, and T6 bounds the wait either way.
   */
  onSuspendResume(m: IsupMessageOf<'SUS'> | IsupMessageOf<'RES'>): void {
    const call = this.calls.get(m.cic);
    const wanted = m.type === 'SUS' ? 'answered' : 'suspended';
    if (!call || call.phase !== wanted) {
      this.counters.unexpected++;
      this.d.logger.warn({ cic: m.cic, type: m.type, phase: call?.phase ?? null }, `${m.type} for no ${wanted} call; ignored`);
      return;
    }
    this.d.logger.info({ cic: m.cic, initiated: m.suspendResume }, m.type === 'SUS' ? 'call suspended' : 'call resumed');
    if (m.type === 'RES') {
      this.d.timers.stop('T6', m.cic);
      return this.move(call, 'resume');
    }
    this.move(call, 'suspend');
    this.d.timers.start('T6', m.cic, this.d.settings.t6Ms, () =>
      this.sendRel(call, CAUSE.recoveryOnTimerExpiry, callFailure('suspended and not resumed in time (T6)', 'not-resumed')),
    );
  }

  onRel(m: IsupMessageOf<'REL'>): void {
    const call = this.calls.get(m.cic);
    const cause = m.causeIndicators.causeValue;
    this.d.transport.send(buildRlc(m.cic));
    if (!call) {
      // Q.764 2.3.1 d): REL for an idle circuit is answered with RLC all the same. It also
      // ends a loop for the exchange's CCR, or the hold of a circuit waiting for its recheck.
      this.continuity.reset(m.cic);
      if (this.d.group.state(m.cic)?.call !== 'idle') this.d.group.release(m.cic, this.d.clock.now(), cause);
      return;
    }
    // Their REL crossed ours: the call ends as our RLC would have ended it (T7, T9 failures kept).
    const failure = this.failures.get(call.id);
    if (failure) return this.finish(call, 'failed', failure, failure.cause, true, EXCHANGE);
    const answered = call.answeredAt !== null;
    const ours = call.phase === 'releasing';
    if (call.direction === 'in' && !answered && !ours) {
      // The caller hung up while it rang: no call was made, and none failed either.
      this.counters.inAbandoned++;
      return this.finish(call, 'abandoned', null, cause, true, EXCHANGE);
    }
    const failed = call.direction === 'out' && !answered && !ours;
    this.finish(call, failed ? 'failed' : 'completed', failed ? released(cause) : null, cause, true, EXCHANGE);
  }

  onRlc(m: IsupMessageOf<'RLC'>): void {
    const call = this.calls.get(m.cic);
    if (!call || call.phase !== 'releasing') return; // the maintenance side handles RLC to RSC
    const failure = this.failures.get(call.id);
    this.finish(call, failure ? 'failed' : 'completed', failure ?? null, failure?.cause ?? CAUSE.normalClearing);
  }

  /**
   * Our IAM on `cic` is given up without REL before any backward message: an RSC, a GRS, a
   * hardware CGB, or the exchange's CCR crossed it (Q.764 2.9.3, 2.9.1.4 b). The call is
   * repeated once on another circuit; the circuit is idle again.
   */
  abandonAttempt(cic: number, why: string | CallFailure): boolean {
    const call = this.calls.get(cic);
    if (!call || call.direction !== 'out' || call.phase !== 'iam-sent' || this.tests.has(call.id)) return false;
    this.repeatElsewhere(cic, asFailure(why));
    this.d.group.release(cic, this.d.clock.now(), CAUSE.temporaryFailure);
    return true;
  }

  /**
   * A BLO came after our IAM and before any backward message (Q.764 2.8.2.1): the attempt is
   * released in the normal way (REL now, the circuit idle at RLC, T1 and T5 as for any
   * release) while the call is repeated on another circuit. The BLA has gone already.
   */
  releaseAttempt(cic: number, why: CallFailure): boolean {
    const call = this.calls.get(cic);
    if (!call || call.direction !== 'out' || call.phase !== 'iam-sent' || this.tests.has(call.id)) return false;
    const request = this.requests.get(call.id);
    this.requests.delete(call.id);
    this.givenUp.add(call.id);
    this.sendRel(call, CAUSE.temporaryFailure);
    if (request) this.repeat(call, request, why);
    return true;
  }

  /** The circuit was reset (GRS, RSC, hardware failure): its call ends without REL. */
  dropCall(cic: number, reason: string | CallFailure, cause: number): void {
    this.continuity.reset(cic);
    const call = this.calls.get(cic);
    if (!call) return;
    // A release under way keeps the failure it started with (T7, T9).
    const earlier = this.failures.get(call.id);
    const failed = call.direction === 'out' && call.answeredAt === null;
    this.finish(call, failed ? 'failed' : 'completed', failed ? (earlier ?? asFailure(reason)) : null, cause, false, { by: 'reset', failure: asFailure(reason) });
  }

  stop(): void {
    for (const call of [...this.calls.values()]) this.finish(call, 'failed', callFailure('firmware stopping', 'firmware-stopping'), CAUSE.temporaryFailure, false);
    this.continuity.stop();
  }

  // --- internals -----------------------------------------------------------------------

  /** The one way a record changes phase (the table in isup-call-phase.ts). */
  private move(call: IsupCall, event: PhaseEvent): void {
    call.phase = nextPhase(call.cic, call.phase, event);
  }

  /** `avoid`: the circuit an earlier attempt was given up on; a repeat goes elsewhere. */
  private attempt(request: OutboundRequest, attempt: number, avoid?: number): void {
    const now = this.d.clock.now();
    const fail = (why: CallFailure, cause: number) => {
      this.counters.outFailed++;
      const outcome: CallOutcome = {
        call: { id: 0, cic: 0, direction: 'out', phase: 'iam-sent', called: request.called, calling: request.calling, startedAt: now, answeredAt: null, attempt, progress: [] },
        result: 'failed',
        ...why,
        cause,
        endedAt: now,
        repeats: request.repeats,
      };
      // A repeat that cannot start ends a call that was on the line: listeners hear of it.
      if (attempt > 1) this.emit('call-ended', outcome);
      request.resolve(outcome);
    };
    if (!this.d.transport.isUp) return fail(LINK_DOWN, CAUSE.temporaryFailure);
    if (!this.d.ready()) return fail(callFailure('circuits not yet reset with the exchange (waiting for GRA)', 'not-ready'), CAUSE.temporaryFailure);
    const circuit = this.reserveAvoiding(now, avoid); // reserved before the IAM leaves (Q.764 2.9.1.3)
    if (!circuit) return fail(callFailure('no circuit free', 'no-circuit'), CAUSE.noCircuitAvailable);
    const call = this.newCall(circuit.cic, 'out', 'iam-sent', request.called, request.calling, attempt);
    this.requests.set(call.id, request);
    this.counters.outAttempted++;
    if (!this.d.transport.send(buildIam(circuit.cic, request.called, request.calling || undefined))) {
      this.calls.delete(circuit.cic);
      this.requests.delete(call.id);
      this.d.group.cancelReservation(circuit.cic, now);
      return fail(LINK_DOWN, CAUSE.temporaryFailure);
    }
    this.d.timers.start('T7', circuit.cic, this.d.settings.t7Ms, () => this.sendRel(call, CAUSE.recoveryOnTimerExpiry, callFailure('no address complete from the exchange (T7)', 'no-acm')));
    request.watch?.seized?.({ cic: circuit.cic, span: circuit.span, timeslot: circuit.timeslot });
  }

  /** Our attempt on `cic` is given up without REL; repeat it once on another circuit. */
  private repeatElsewhere(cic: number, why: CallFailure): void {
    const call = this.calls.get(cic);
    if (!call || call.direction !== 'out') return;
    const request = this.requests.get(call.id);
    this.d.timers.stop('T7', cic);
    this.calls.delete(cic);
    this.requests.delete(call.id);
    if (request) this.repeat(call, request, why);
  }

  /** The call of `request` goes on in a second attempt on another circuit; a second failure ends it. */
  private repeat(call: IsupCall, request: OutboundRequest, why: CallFailure): void {
    if (call.attempt >= 2) {
      this.counters.outFailed++;
      const outcome: CallOutcome = { call: { ...call }, result: 'failed', ...onRepeatToo(why), cause: CAUSE.temporaryFailure, endedAt: this.d.clock.now(), repeats: request.repeats };
      this.emit('call-ended', outcome);
      request.resolve(outcome);
      return;
    }
    this.counters.repeats++;
    request.repeats++;
    this.d.logger.info({ cic: call.cic, why: why.reason }, 'repeating the call attempt on another circuit');
    // After the current message is handled; and never on the circuit given up, which a reset
    // leaves idle and possibly first in line again.
    queueMicrotask(() => this.attempt(request, call.attempt + 1, call.cic));
  }

  /** The circuit selection gives, unless it is `avoid`: then the next one, `avoid` left in its place. */
  private reserveAvoiding(now: number, avoid: number | undefined) {
    const first = this.d.group.reserve(now);
    if (!first || first.cic !== avoid) return first;
    const next = this.d.group.reserve(now);
    this.d.group.cancelReservation(first.cic, now);
    return next;
  }

  private sendRel(call: IsupCall, cause: number, failure?: CallFailure): void {
    if (this.calls.get(call.cic) !== call) return;
    if (failure) this.failures.set(call.id, { ...failure, cause });
    this.move(call, 'release');
    for (const t of ['T6', 'T7', 'T8', 'T9', 'T35', 'hold'] as const) this.d.timers.stop(t, call.cic);
    this.continuity.end(call.id);
    this.d.transport.send(buildRel(call.cic, cause));
    const repeat = () => {
      if (this.calls.get(call.cic) !== call) return;
      this.d.transport.send(buildRel(call.cic, cause));
      this.d.timers.start('T1', call.cic, this.d.settings.repeatMs, repeat);
    };
    this.d.timers.start('T1', call.cic, this.d.settings.repeatMs, repeat);
    this.d.timers.start('T5', call.cic, this.d.settings.alertMs, () => {
      // Q.764 2.9.6 and Table A.1, T5: no RLC in time. Alert maintenance, stop T1, reset the
      // circuit and keep it out of service until the reset is answered.
      this.d.timers.stop('T1', call.cic);
      this.emit('maintenance-alert', call.cic, 'no release complete after 5 minutes (T5)');
      this.finish(call, 'failed', failure ?? NOT_CONFIRMED, cause, false);
      this.d.resetCircuit(call.cic, true);
    });
  }

  private newCall(cic: number, direction: CallDirection, phase: CallPhase, called: string, calling: string, attempt = 1): IsupCall {
    const call: IsupCall = { id: this.nextId++, cic, direction, phase, called, calling, startedAt: this.d.clock.now(), answeredAt: null, attempt, progress: [] };
    this.calls.set(cic, call);
    return call;
  }

  private finish(call: IsupCall, result: CallOutcome['result'], why: CallFailure | null, cause: number, releaseCircuit = true, clearedBy: ClearedBy = BOX): void {
    if (this.calls.get(call.cic) !== call) return;
    this.calls.delete(call.cic);
    for (const t of ['T1', 'T5', 'T6', 'T7', 'T8', 'T9', 'T35', 'hold'] as const) this.d.timers.stop(t, call.cic);
    if (releaseCircuit && this.d.group.state(call.cic)?.call !== 'idle') this.d.group.release(call.cic, this.d.clock.now(), cause);
    this.failures.delete(call.id);
    this.alerted.delete(call.id);
    this.continuity.end(call.id);
    // A continuity test, or an attempt whose call went on elsewhere: no call of its own ended.
    const test = this.tests.get(call.id);
    if (test) {
      this.tests.delete(call.id);
      return test();
    }
    if (this.givenUp.delete(call.id)) return;
    const request = this.requests.get(call.id);
    this.requests.delete(call.id);
    if (result === 'failed' && call.direction === 'out') this.counters.outFailed++;
    const outcome: CallOutcome = { call: { ...call }, result, reason: why?.reason ?? null, ...(why?.reasonCode && { reasonCode: why.reasonCode, reasonArgs: why.reasonArgs }), cause, endedAt: this.d.clock.now(), repeats: request?.repeats ?? 0, clearedBy };
    this.emit('call-ended', outcome);
    request?.resolve(outcome);
  }
}
