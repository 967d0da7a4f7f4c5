import type { BlockState, CircuitRow } from './circuits/index.js';
import { ACM_DELAY_MS, moveCall, T1_MS, T5_MS, T6_MS, T7_MS, T8_MS, T9_MS, type Call, type CallState, type CallView, type Outcome } from './exchange-call-state.js';
import { bump, exponentialMs, type ExchangeContext } from './exchange-context.js';
import { acm, anm, CAUSE, CATEGORY, con, iam, rel, rlc } from './exchange-messages.js';
import type { IsupMessageOf } from './isup/index.js';

export interface ExchangeCallsHooks {
  /** The circuit may carry our calls: its GRS/RSC has been acknowledged. */
  isReady(cic: number): boolean;
  /** Our circuit block needs saying again (an IAM came on a circuit we blocked). */
  reassertBlock(cic: number): void;
  /** T5 ran out waiting for RLC: reset the circuit (RSC). */
  requestReset(cic: number): void;
}

/** The far end's calls: the box's calls it answers, its own Poisson calls, dual seizure. */
export class ExchangeCalls {
  private readonly calls = new Map<number, Call>();
  private nextId = 1;

  constructor(
    private readonly ctx: ExchangeContext,
    private readonly hooks: ExchangeCallsHooks,
  ) {}

  get(cic: number): CallView | undefined {
    const c = this.calls.get(cic);
    return c && { id: c.id, direction: c.direction, state: c.state, attempt: c.attempt, called: c.called, calling: c.calling };
  }

  get size(): number {
    return this.calls.size;
  }

  /** A new call of ours (a Poisson arrival). */
  originate(): void {
    this.ctx.counters.callsOriginated++;
    const circuit = this.pick();
    if (!circuit) return this.countFailed('out', 'no-circuit');
    this.startOutgoing(circuit.cic, 1, this.ctx.config.calledNumber, this.randomCaller());
  }

  onIam(m: IsupMessageOf<'IAM'>): void {
    const { ctx } = this;
    ctx.counters.iamsReceived++;
    if (ctx.traffic.glareRatio > 0 && ctx.random() < ctx.traffic.glareRatio) this.forceGlare(m.cic);
    const seized = ctx.group.seizeIncoming(m.cic, ctx.now());
    switch (seized.outcome) {
      case 'busy':
        ctx.counters.unexpected++;
        ctx.log.warn({ cic: m.cic, call: seized.call }, 'IAM on a busy circuit ignored');
        return;
      case 'keep-ours':
        // Q.764 2.9.1.4 a): the controlling exchange completes its call and ignores the IAM.
        ctx.log.info({ cic: m.cic }, 'dual seizure: we control the circuit, the box IAM is ignored');
        return;
      case 'yield': {
        // Q.764 2.9.1.4 b): the non-controlling exchange backs off without REL, takes the
        // incoming call and repeats its own attempt on another circuit.
        const ours = this.calls.get(m.cic);
        ctx.log.info({ cic: m.cic }, 'dual seizure: the box controls the circuit, we yield and repeat');
        if (ours) this.drop(ours);
        this.accept(m, seized.maintenance);
        // An attempt already released after a BLO has had its repeat.
        if (ours?.state === 'out-setup') this.repeat(ours, 'dual-seizure');
        else if (ours) this.count(ours, ours.outcome);
        return;
      }
      case 'seized':
        this.accept(m, seized.maintenance);
    }
  }

  onBackward(m: IsupMessageOf<'ACM'> | IsupMessageOf<'CON'> | IsupMessageOf<'ANM'>): void {
    const call = this.calls.get(m.cic);
    if (!call || call.direction !== 'out' || (call.state !== 'out-setup' && call.state !== 'out-alerting') || (m.type === 'ACM' && call.state === 'out-alerting')) {
      this.ctx.counters.unexpected++;
      this.ctx.log.warn({ cic: m.cic, type: m.type, state: call?.state }, 'backward message with no call waiting for it');
      return;
    }
    if (call.state === 'out-setup') this.ctx.group.confirmOutgoing(call.cic, this.ctx.now());
    if (m.type === 'ACM') {
      this.move(call, 'out-alerting');
      call.timer = this.ctx.timers.after(T9_MS, () => this.release(call, CAUSE.noAnswer, 'no-answer'));
    } else {
      this.move(call, 'out-answered');
      this.answered(call);
    }
  }

  /** The box releases. Q.764 2.3.1: answer RLC whatever the state, even with no call. */
  onRel(m: IsupMessageOf<'REL'>): void {
    const cause = m.causeIndicators.causeValue;
    this.ctx.send(rlc(m.cic));
    const call = this.calls.get(m.cic);
    if (!call) return;
    if (call.state !== 'releasing') {
      if (call.answered) call.outcome = 'completed';
      else if (call.direction === 'in') call.outcome = 'abandoned';
      else {
        call.outcome = 'rejected';
        bump(this.ctx.counters.rejectCauses, cause);
      }
    }
    // A REL crossing ours (both sides cleared at once) ends the call as an RLC would.
    this.end(call, cause);
  }

  /** RLC for our REL; false when no call was waiting for one. */
  onRlc(cic: number): boolean {
    const call = this.calls.get(cic);
    if (!call || call.state !== 'releasing') return false;
    this.end(call, call.cause);
    return true;
  }

  onCot(m: IsupMessageOf<'COT'>): void {
    const call = this.calls.get(m.cic);
    if (!call || call.state !== 'in-continuity') {
      this.ctx.counters.unexpected++;
      return;
    }
    this.unloop(call);
    if (m.continuityIndicators === 'successful') {
      this.move(call, 'in-setup');
      this.scheduleAnswer(call);
      return;
    }
    // Q.764 2.1.8: the call fails at the incoming end without REL; the box retests with CCR.
    call.outcome = 'continuity';
    this.end(call, CAUSE.temporaryFailure);
  }

  /** SAM: more digits for a box call still in setup (overlap sending). */
  onSam(m: IsupMessageOf<'SAM'>): void {
    const call = this.calls.get(m.cic);
    if (!call || call.direction !== 'in' || (call.state !== 'in-setup' && call.state !== 'in-continuity')) return this.misfit(m.type, m.cic, call);
    call.called += m.subsequentNumber.digits;
  }

  /** CPG on one of our calls after its ACM (alerting, in-band information, ...): nothing to do but take note. */
  onCpg(m: IsupMessageOf<'CPG'>): void {
    const call = this.calls.get(m.cic);
    if (!call || call.direction !== 'out' || (call.state !== 'out-alerting' && call.state !== 'out-answered')) return this.misfit(m.type, m.cic, call);
    this.ctx.log.debug({ cic: m.cic, event: m.eventInformation.event }, 'call progress');
  }

  /**
   * SUS on an answered call (Q.764, suspend and resume): the call is held; if no RES comes
   * within T6 the exchange releases it with cause 102. RES takes the call up again.
   */
  onSuspendResume(m: IsupMessageOf<'SUS'> | IsupMessageOf<'RES'>): void {
    const call = this.calls.get(m.cic);
    if (!call || !call.answered || call.state === 'releasing') return this.misfit(m.type, m.cic, call);
    if (m.type === 'SUS') {
      call.t6 ??= this.ctx.timers.after(T6_MS, () => this.release(call, CAUSE.recoveryOnTimerExpiry, 'completed'));
      return;
    }
    call.t6?.cancel();
    call.t6 = undefined;
  }

  /**
   * BLO (or maintenance CGB) for a circuit: if our IAM is out with no backward message,
   * Q.764 2.8.2.1 d) releases the attempt in the normal manner and repeats it elsewhere.
   */
  blockedInSetup(cic: number): void {
    const call = this.calls.get(cic);
    if (!call || call.state !== 'out-setup') return;
    this.release(call, CAUSE.temporaryFailure, 'repeated');
    this.repeat(call, 'blocked');
  }

  /**
   * The circuit is reset (GRS, RSC, hardware CGB): its call goes without REL. An attempt of
   * ours still in its dual-seizure window is repeated on another circuit.
   */
  clear(cic: number, reason: string): void {
    const call = this.calls.get(cic);
    if (!call) return;
    this.drop(call);
    const inSetup = call.state === 'out-setup';
    if (!inSetup) this.count(call, call.state === 'releasing' ? call.outcome : reason);
    this.releaseCircuit(cic, CAUSE.normalUnspecified);
    if (inSetup) this.repeat(call, reason);
  }

  /** Every call goes (the link failed): counted as failed with `reason`. */
  clearAll(reason: string): void {
    for (const call of [...this.calls.values()]) {
      this.drop(call);
      this.count(call, call.state === 'releasing' ? call.outcome : reason);
      this.releaseCircuit(call.cic, CAUSE.temporaryFailure);
    }
  }

  // --- internals

  /** Forced glare: our own IAM on the CIC the box just seized, as if the two had crossed. */
  private forceGlare(cic: number): void {
    const { ctx } = this;
    if (!this.hooks.isReady(cic) || !ctx.group.reserveSpecific(cic, ctx.now())) return;
    ctx.counters.forcedGlares++;
    ctx.counters.callsOriginated++;
    this.startOutgoing(cic, 1, ctx.config.calledNumber, this.randomCaller());
  }

  private startOutgoing(cic: number, attempt: 1 | 2, called: string, calling: string): void {
    const call = this.add(cic, 'out', 'out-setup', attempt, called, calling);
    this.ctx.send(iam(cic, called, calling));
    call.timer = this.ctx.timers.after(T7_MS, () => this.release(call, CAUSE.noUserResponding, 'no-answer'));
  }

  /** Q.764 2.9.1.4: one automatic repeat attempt, on another circuit. */
  private repeat(old: Call, reason: string): void {
    if (old.attempt === 2) return this.countFailed('out', reason);
    const circuit = this.pick(old.cic);
    if (!circuit) return this.countFailed('out', 'no-circuit');
    this.ctx.counters.repeatAttempts++;
    this.ctx.log.info({ from: old.cic, to: circuit.cic, reason }, 'repeat attempt');
    this.startOutgoing(circuit.cic, 2, old.called, old.calling);
  }

  private accept(m: IsupMessageOf<'IAM'>, maintenance: BlockState): void {
    const continuity = m.natureOfConnection.continuityCheck === 'required';
    const call = this.add(m.cic, 'in', continuity ? 'in-continuity' : 'in-setup', 1, m.calledPartyNumber.digits, m.callingPartyNumber?.digits ?? '');
    if ((maintenance === 'local' || maintenance === 'both') && m.callingPartysCategory !== CATEGORY.testCall) {
      // Q.764 2.8.2.1: a circuit we blocked takes test calls only; the box has not heard.
      this.release(call, CAUSE.requestedCircuitUnavailable, 'blocked');
      this.hooks.reassertBlock(m.cic);
      return;
    }
    if (!continuity) return this.scheduleAnswer(call);
    call.looped = true;
    this.ctx.setLoop(call.cic, true);
    call.timer = this.ctx.timers.after(T8_MS, () => {
      this.unloop(call);
      this.release(call, CAUSE.temporaryFailure, 'continuity');
    });
  }

  private scheduleAnswer(call: Call): void {
    const { timers, config } = this.ctx;
    const answer = (message: IsupMessageOf<'ANM'> | IsupMessageOf<'CON'>) => {
      this.move(call, 'in-answered');
      this.ctx.send(message);
      this.answered(call);
    };
    if (config.answerDelayMs <= ACM_DELAY_MS) {
      call.timer = timers.after(ACM_DELAY_MS, () => answer(con(call.cic)));
      return;
    }
    call.timer = timers.after(ACM_DELAY_MS, () => {
      this.move(call, 'in-alerting');
      this.ctx.send(acm(call.cic));
      call.timer = timers.after(config.answerDelayMs - ACM_DELAY_MS, () => answer(anm(call.cic)));
    });
  }

  private answered(call: Call): void {
    call.answered = true;
    if (call.direction === 'out') this.ctx.counters.callsAnswered++;
    else this.ctx.counters.incomingAnswered++;
    const holdMs = exponentialMs(this.ctx.random, this.ctx.traffic.holdSeconds * 1000);
    call.timer = this.ctx.timers.after(holdMs, () => this.release(call, CAUSE.normalClearing, 'completed'));
  }

  /** A call message that fits no call on its circuit: counted, logged, not answered. */
  private misfit(type: string, cic: number, call: Call | undefined): void {
    this.ctx.counters.unexpected++;
    this.ctx.log.warn({ cic, type, state: call?.state }, 'message with no call in a state for it ignored');
  }

  /** We clear: REL, then wait for RLC, repeating REL on T1 and resetting on T5. */
  private release(call: Call, cause: number, outcome: Outcome): void {
    this.unloop(call);
    call.t6?.cancel();
    call.t6 = undefined;
    this.move(call, 'releasing');
    call.outcome = outcome;
    call.cause = cause;
    this.ctx.send(rel(call.cic, cause));
    call.timer = this.ctx.timers.every(T1_MS, () => {
      this.ctx.counters.releaseRepeats++;
      this.ctx.send(rel(call.cic, cause));
    });
    call.t5 = this.ctx.timers.after(T5_MS, () => {
      this.ctx.log.warn({ cic: call.cic }, 'no RLC for 5 minutes (T5): resetting the circuit');
      this.hooks.requestReset(call.cic);
    });
  }

  private end(call: Call, cause: number): void {
    this.drop(call);
    this.count(call, call.outcome);
    this.releaseCircuit(call.cic, cause);
  }

  private drop(call: Call): void {
    call.timer?.cancel();
    call.t5?.cancel();
    call.t6?.cancel();
    this.unloop(call);
    if (this.calls.get(call.cic) === call) this.calls.delete(call.cic);
  }

  private count(call: Call, outcome: Outcome | undefined): void {
    if (outcome === 'repeated') return;
    if (outcome === 'completed') {
      if (call.direction === 'out') this.ctx.counters.callsCompleted++;
      else this.ctx.counters.incomingCompleted++;
      return;
    }
    this.countFailed(call.direction, outcome ?? 'unknown');
  }

  private countFailed(direction: 'out' | 'in', reason: string): void {
    bump(direction === 'out' ? this.ctx.counters.callsFailed : this.ctx.counters.incomingFailed, reason);
  }

  private releaseCircuit(cic: number, cause: number): void {
    if (this.ctx.group.state(cic)?.call !== 'idle') this.ctx.group.release(cic, this.ctx.now(), cause);
  }

  private unloop(call: Call): void {
    if (!call.looped) return;
    call.looped = false;
    this.ctx.setLoop(call.cic, false);
  }

  private move(call: Call, to: CallState): void {
    moveCall(call, to);
  }

  private add(cic: number, direction: 'out' | 'in', state: CallState, attempt: 1 | 2, called: string, calling: string): Call {
    const call: Call = { id: this.nextId++, cic, direction, state, attempt, called, calling, answered: false, outcome: undefined, cause: 0, looped: false, timer: undefined, t5: undefined, t6: undefined };
    this.calls.set(cic, call);
    return call;
  }

  /**
   * The circuit the selection gives (controlled-first or opposite-order, as configured)
   * among those whose reset is acknowledged, other than `exclude` (the circuit a repeat
   * attempt leaves).
   */
  private pick(exclude?: number): CircuitRow | null {
    return this.ctx.group.reserve(this.ctx.now(), (cic) => cic !== exclude && this.hooks.isReady(cic));
  }

  private randomCaller(): string {
    return '139' + String(Math.floor(this.ctx.random() * 1e8)).padStart(8, '0');
  }
}
