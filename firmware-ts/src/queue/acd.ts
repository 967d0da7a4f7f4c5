import { TypedEmitter, type Clock, type TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { AcdCounters, AcdEvents, AcdOptions, AgentOptions, AgentState, AgentStatus, AgentView, CallerPosition, EnterOptions, QueueOptions, QueueView, WithdrawReason } from './acd-types.js';
import type { Agent, Caller, Expect, Queue } from './acd-records.js';
import { pickAgents } from './agent-picker.js';
import { checkStateMove, isStatusMove } from './agent-moves.js';
import { tellPosition } from './caller-position.js';
import { EventOutbox } from './event-outbox.js';
import { WaitingLine } from './waiting-line.js';

export type * from './acd-types.js';

/** Weight of the newest call in the handling-time mean. */
const HANDLE_WEIGHT = 0.05;

/**
 * The automatic call distributor: queues of callers, agents who take them, and the decisions
 * between the two. Pure and clock-driven: it does no I/O. The outside (the call model) tells
 * it what the phones did (`agentAnswered`, `agentNoAnswer`, `agentPhoneGone`, `callEnded`)
 * and what the callers did (`enter`, `leave`), and carries out what it decides through events
 * (`offer`, `offer-withdrawn`, `answered`, `abandoned`, `overflowed`).
 *
 * Agents change status and state only in `move()`, a compare-and-set: it names what the agent
 * must be now and refuses (returns false, counted) when the agent has moved on, so a late
 * answer, a stale no-answer or a double hang-up cannot put an agent in a state it is not in.
 * A move the state machine does not have throws: that is a bug here, not a race outside.
 * `sweep()` (every `sweepIntervalMs` after `start()`) frees an agent stuck in a state longer
 * than it can last, logs it, and counts it.
 *
 * Events are emitted after the decision that caused them is complete, in order; a listener
 * may call back into the ACD.
 */
export class Acd extends TypedEmitter<AcdEvents> {
  readonly counters: AcdCounters = { entered: 0, answered: 0, abandoned: 0, overflowed: 0, offers: 0, noAnswers: 0, casRefused: 0, swept: 0 };
  private readonly agentsById = new Map<string, Agent>();
  private readonly queuesById = new Map<string, Queue>();
  private readonly callers = new Map<string, Caller>();
  /** Answered calls by call id: the agent talking on each. */
  private readonly inCall = new Map<string, Agent>();
  /** Agents held for a call the box places (a callback), by that call's id, with how long it may ring. */
  private readonly reserved = new Map<string, { agent: Agent; ringMs: number }>();
  private readonly outbox = new EventOutbox();
  private seq = 0;
  private sweepTimer: TimerHandle | null = null;
  private readonly sweepIntervalMs: number;
  private readonly maxCallMs: number;
  private readonly sweepGraceMs: number;

  constructor(private readonly deps: { clock: Clock; logger: Logger } & AcdOptions) {
    super();
    this.sweepIntervalMs = deps.sweepIntervalMs ?? 30_000;
    this.maxCallMs = deps.maxCallMs ?? 4 * 3_600_000;
    this.sweepGraceMs = deps.sweepGraceMs ?? 5_000;
  }

  addAgent(o: AgentOptions): void {
    if (this.agentsById.has(o.id)) throw new RangeError(`agent ${o.id} is already in the ACD`);
    const now = this.deps.clock.now();
    const wrapUpMs = o.wrapUpMs ?? 0;
    if (!(wrapUpMs >= 0)) throw new RangeError(`agent ${o.id}: wrap-up ${wrapUpMs} ms, give 0 or more`);
    this.agentsById.set(o.id, { id: o.id, wrapUpMs, status: o.status ?? 'logged-out', state: 'idle', phoneUp: true, callId: null, queue: null, stateSince: now, idleSince: now, callsAnswered: 0, timer: null });
  }

  addQueue(o: QueueOptions): void {
    if (this.queuesById.has(o.id)) throw new RangeError(`queue ${o.id} is already in the ACD`);
    for (const m of o.members) if (!this.agentsById.has(m)) throw new RangeError(`queue ${o.id}: member ${m} is not an agent; add the agent first`);
    const ringTimeoutMs = o.ringTimeoutMs ?? 20_000;
    if (!(ringTimeoutMs > 0)) throw new RangeError(`queue ${o.id}: ring timeout ${ringTimeoutMs} ms, give more than 0`);
    const handleMs = o.assumedHandleMs ?? 180_000;
    if (!(handleMs > 0)) throw new RangeError(`queue ${o.id}: assumed handling time ${handleMs} ms, give more than 0`);
    this.queuesById.set(o.id, {
      id: o.id,
      strategy: o.strategy ?? 'longest-idle',
      ringTimeoutMs,
      maxWaitMs: o.maxWaitMs ?? null,
      repeatAbandonersAhead: o.repeatAbandonersAhead ?? true,
      members: [...new Set(o.members)],
      line: new WaitingLine<Caller>(),
      cursor: 0,
      handleMs,
    });
  }

  /** Runs the sweep every `sweepIntervalMs` until `stop()`. */
  start(): void {
    if (this.sweepTimer) return;
    const tick = () => {
      this.sweepTimer = this.deps.clock.setTimeout(tick, this.sweepIntervalMs);
      this.sweep();
    };
    this.sweepTimer = this.deps.clock.setTimeout(tick, this.sweepIntervalMs);
  }

  /** Stops the sweep and every timer; the ACD makes no more decisions by itself. */
  stop(): void {
    const { clock } = this.deps;
    if (this.sweepTimer) clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
    for (const a of this.agentsById.values()) if (a.timer) clock.clearTimeout(a.timer);
    for (const c of this.callers.values()) if (c.overflowTimer) clock.clearTimeout(c.overflowTimer);
  }

  // ---- callers ----

  /** A caller joins `queueId`; it is offered at once when an agent is free. */
  enter(callId: string, queueId: string, o: EnterOptions = {}): CallerPosition {
    return this.run(() => {
      const queue = this.queuesById.get(queueId);
      if (!queue) throw new RangeError(`queue ${queueId} is not in the ACD`);
      if (this.callers.has(callId) || this.inCall.has(callId)) throw new RangeError(`call ${callId} is already in the ACD`);
      const priority = o.priority ?? 0;
      if (!Number.isInteger(priority)) throw new RangeError(`call ${callId}: priority ${priority}, give a whole number`);
      const ahead = o.repeatAbandoner === true && queue.repeatAbandonersAhead ? 1 : 0;
      const caller: Caller = {
        callId,
        queue,
        rank: priority * 2 + ahead,
        seq: this.seq++,
        enteredAt: this.deps.clock.now(),
        ringing: new Set(),
        tried: new Set(),
        overflowTimer: null,
        lastPosition: Infinity,
        lastExpectedWaitMs: Infinity,
      };
      this.callers.set(callId, caller);
      queue.line.add(caller);
      this.counters.entered++;
      this.queueEvent('entered', { callId, queueId });
      if (queue.maxWaitMs !== null) caller.overflowTimer = this.deps.clock.setTimeout(() => this.run(() => this.overflow(caller)), queue.maxWaitMs);
      this.dispatch();
      return this.positionOf(caller);
    });
  }

  /** The caller hung up while waiting (or ringing an agent): outcome `abandoned`. False: not waiting. */
  leave(callId: string): boolean {
    return this.run(() => {
      const caller = this.callers.get(callId);
      if (!caller) return false;
      const waitedMs = this.deps.clock.now() - caller.enteredAt;
      this.finish(caller, 'caller-left');
      this.counters.abandoned++;
      this.queueEvent('abandoned', { callId, queueId: caller.queue.id, waitedMs });
      this.dispatch();
      return true;
    });
  }

  /**
   * Where the caller stands: place in line and expected wait, each never more than what was
   * last reported to this caller (a priority caller joining ahead, or an agent logging out,
   * must not make an announcement go backwards). Null: the caller is not waiting.
   */
  position(callId: string): CallerPosition | null {
    const caller = this.callers.get(callId);
    return caller ? this.positionOf(caller) : null;
  }

  // ---- what the phones did ----

  /** The agent answered the offer. False (and nothing changes) when it no longer stands. */
  agentAnswered(agentId: string, callId: string): boolean {
    return this.run(() => {
      const agent = this.agentsById.get(agentId);
      const caller = this.callers.get(callId);
      if (!agent || !caller || !caller.ringing.has(agentId)) return this.refused(agentId, `answer for ${callId}, which is not ringing it`);
      if (!this.move(agent, { state: 'ringing', callId }, { state: 'in-call', callId })) return false;
      const now = this.deps.clock.now();
      caller.ringing.delete(agentId);
      agent.callsAnswered++;
      agent.queue = caller.queue;
      this.inCall.set(callId, agent);
      this.counters.answered++;
      this.queueEvent('answered', { callId, queueId: caller.queue.id, agentId, waitedMs: now - caller.enteredAt });
      this.finish(caller, 'answered-elsewhere');
      this.dispatch();
      return true;
    });
  }

  /** The agent rejected the offer or its phone gave up ringing: the caller goes to the next agent. */
  agentNoAnswer(agentId: string, callId: string): boolean {
    return this.run(() => {
      const agent = this.agentsById.get(agentId);
      const caller = this.callers.get(callId);
      if (!agent || !caller) return this.refused(agentId, `no-answer for ${callId}, which is not waiting`);
      if (!this.withdraw(caller, agent, null)) return false;
      this.counters.noAnswers++;
      this.dispatch();
      return true;
    });
  }

  /**
   * The agent's phone is gone (unregistered, its keep-alive failed). A call ringing on it goes
   * to the next agent at once; the agent is offered nothing until `agentPhoneBack`.
   */
  agentPhoneGone(agentId: string): void {
    this.run(() => {
      const agent = this.agent(agentId);
      agent.phoneUp = false;
      if (agent.state === 'ringing' && agent.callId !== null) {
        const caller = this.callers.get(agent.callId);
        if (caller) this.withdraw(caller, agent, 'phone-gone');
        else this.dropHold(agent.callId, 'phone-gone');
      } else if (agent.state === 'in-call' && agent.callId !== null) {
        const callId = agent.callId;
        if (this.move(agent, { state: 'in-call', callId }, { state: 'idle', callId: null })) this.afterCall(agent, callId);
      }
      this.agentEvent(agent);
      this.dispatch();
    });
  }

  agentPhoneBack(agentId: string): void {
    this.run(() => {
      const agent = this.agent(agentId);
      agent.phoneUp = true;
      this.agentEvent(agent);
      this.dispatch();
    });
  }

  /**
   * The call is over. A caller still waiting has abandoned; an answered call's agent goes to
   * wrap-up (or straight back to idle). False: the ACD does not know the call.
   */
  callEnded(callId: string): boolean {
    if (this.callers.has(callId)) return this.leave(callId);
    return this.run(() => {
      const agent = this.inCall.get(callId);
      if (!agent) return false;
      const next: AgentState = agent.wrapUpMs > 0 ? 'wrap-up' : 'idle';
      const talkMs = this.deps.clock.now() - agent.stateSince;
      const queue = agent.queue;
      if (!this.move(agent, { state: 'in-call', callId }, { state: next, callId: next === 'idle' ? null : callId })) return false;
      if (queue) queue.handleMs += HANDLE_WEIGHT * (talkMs + agent.wrapUpMs - queue.handleMs);
      if (next === 'idle') this.afterCall(agent, callId);
      else {
        this.inCall.delete(callId);
        agent.timer = this.deps.clock.setTimeout(() => this.run(() => this.endWrapUp(agent, callId)), agent.wrapUpMs);
      }
      this.dispatch();
      return true;
    });
  }

  // ---- agents ----

  /**
   * Logs an agent in or out or puts it on a break, optionally only if it is `expected` now
   * (compare-and-set; false when it is not). A ringing offer is withdrawn and goes to the next
   * agent; a call in progress goes on. A move that does not exist (logged out to on break)
   * throws a RangeError.
   */
  setStatus(agentId: string, to: AgentStatus, expected?: AgentStatus): boolean {
    return this.run(() => {
      const agent = this.agent(agentId);
      if (expected !== undefined && agent.status !== expected) return this.refused(agentId, `status ${to} expected ${expected}, is ${agent.status}`);
      if (agent.status === to) return true;
      if (!isStatusMove(agent.status, to)) throw new RangeError(`agent ${agentId} is ${agent.status}: it cannot go to ${to} (log in first)`);
      const from = agent.status;
      if (!this.move(agent, { status: from }, { status: to })) return false;
      if (from === 'logged-out') {
        agent.callsAnswered = 0;
        if (agent.state === 'idle') agent.idleSince = this.deps.clock.now();
      }
      if (to !== 'available' && agent.state === 'ringing' && agent.callId !== null) {
        const caller = this.callers.get(agent.callId);
        if (caller) this.withdraw(caller, agent, 'agent-unavailable');
        else this.dropHold(agent.callId, 'agent-unavailable');
      }
      this.dispatch();
      return true;
    });
  }

  // ---- agents held for calls the box places ----

  /**
   * Holds the longest-idle available agent with a phone up for call `callId` that the box
   * places itself (a callback): the agent goes idle -> ringing by the same compare-and-set as
   * an offer, so no caller is offered to it meanwhile. Callers come first: while one waits
   * unoffered in a queue the agent belongs to, nobody is held. Returns the agent's id, or null.
   * Then `reservationAnswered` (-> in-call, ended by `callEnded`) or `releaseReservation`;
   * a hold ringing past `ringMs` is freed by the sweep.
   */
  reserve(callId: string, ringMs: number): string | null {
    return this.run(() => {
      if (this.callers.has(callId) || this.inCall.has(callId) || this.reserved.has(callId)) throw new RangeError(`call ${callId} is already in the ACD`);
      const waiting = (a: Agent) => [...this.queuesById.values()].some((q) => q.members.includes(a.id) && [...q.line].some((c) => c.ringing.size === 0));
      let best: Agent | null = null;
      for (const a of this.agentsById.values()) {
        if (a.status !== 'available' || a.state !== 'idle' || !a.phoneUp || waiting(a)) continue;
        if (!best || a.idleSince < best.idleSince) best = a;
      }
      if (!best || !this.move(best, { status: 'available', state: 'idle' }, { state: 'ringing', callId })) return null;
      this.reserved.set(callId, { agent: best, ringMs });
      return best.id;
    });
  }

  /** The held agent answered: in a call until `callEnded(callId)`. False: the hold no longer stands. */
  reservationAnswered(callId: string): boolean {
    return this.run(() => {
      const held = this.reserved.get(callId);
      if (!held) return this.refused('?', `answer for ${callId}, which holds no agent`);
      if (!this.move(held.agent, { state: 'ringing', callId }, { state: 'in-call', callId })) return false;
      this.reserved.delete(callId);
      held.agent.callsAnswered++;
      this.inCall.set(callId, held.agent);
      return true;
    });
  }

  /** Lets the held agent go back to idle (its phone was not answered, or the call could not be placed). */
  releaseReservation(callId: string): boolean {
    return this.run(() => {
      const held = this.reserved.get(callId);
      if (!held) return false;
      this.reserved.delete(callId);
      if (!this.move(held.agent, { state: 'ringing', callId }, { state: 'idle', callId: null })) return false;
      this.dispatch();
      return true;
    });
  }

  /**
   * Frees every agent stuck in a state longer than it can last, and drops offers a caller
   * holds on an agent that is not ringing for it. Each is logged and counted. Returns the
   * number of agents freed.
   */
  sweep(): number {
    return this.run(() => {
      const now = this.deps.clock.now();
      let freed = 0;
      for (const agent of this.agentsById.values()) {
        const stuckMs = now - agent.stateSince;
        const callId = agent.callId;
        const caller = callId === null ? undefined : this.callers.get(callId);
        let reason: string | null = null;
        const held = callId === null ? undefined : this.reserved.get(callId);
        if (agent.state === 'ringing' && held) {
          if (stuckMs > held.ringMs + this.sweepGraceMs) reason = 'held for a call out past its ring time';
        } else if (agent.state === 'ringing') {
          if (!caller || !caller.ringing.has(agent.id)) reason = 'ringing for a call that is not waiting';
          else if (stuckMs > caller.queue.ringTimeoutMs + this.sweepGraceMs) reason = 'ringing past the ring timeout';
        } else if (agent.state === 'in-call' && stuckMs > this.maxCallMs) reason = 'in a call longer than the longest call allowed (its end was never reported)';
        else if (agent.state === 'wrap-up' && stuckMs > agent.wrapUpMs + this.sweepGraceMs) reason = 'in wrap-up past its end';
        if (reason === null) continue;
        const was = agent.state;
        let moved: boolean;
        if (was === 'ringing' && caller && caller.ringing.has(agent.id)) moved = this.withdraw(caller, agent, 'swept');
        else if (held) moved = this.dropHold(callId!, 'swept');
        else {
          moved = this.move(agent, { state: was, callId }, { state: 'idle', callId: null });
          if (moved && was !== 'ringing') this.afterCall(agent, callId);
        }
        if (!moved) continue;
        freed++;
        this.counters.swept++;
        this.deps.logger.warn({ agentId: agent.id, was, callId, stuckMs, reason }, 'ACD sweep freed a stuck agent');
        this.queueEvent('agent-freed', { agentId: agent.id, was, reason, stuckMs });
      }
      for (const caller of this.callers.values()) {
        for (const agentId of caller.ringing) {
          const agent = this.agentsById.get(agentId);
          if (agent?.state === 'ringing' && agent.callId === caller.callId) continue;
          caller.ringing.delete(agentId);
          this.deps.logger.warn({ callId: caller.callId, agentId }, 'ACD sweep dropped an offer its agent was not ringing for');
        }
      }
      this.dispatch();
      return freed;
    });
  }

  agents(): AgentView[] {
    return [...this.agentsById.values()].map((a) => ({ id: a.id, status: a.status, state: a.state, phoneUp: a.phoneUp, callId: a.callId, callsAnswered: a.callsAnswered, stateSince: a.stateSince }));
  }

  queues(): QueueView[] {
    const now = this.deps.clock.now();
    return [...this.queuesById.values()].map((q) => {
      let oldest = Infinity;
      for (const c of q.line) oldest = Math.min(oldest, c.enteredAt);
      return { id: q.id, strategy: q.strategy, waiting: q.line.length, longestWaitMs: q.line.length > 0 ? now - oldest : 0, members: [...q.members] };
    });
  }

  // ---- the decisions ----

  /** Offers waiting callers to free agents until one or the other runs out. */
  private dispatch(): void {
    for (;;) {
      let best: Caller | null = null;
      let bestFree: (Agent | null)[] = [];
      for (const q of this.queuesById.values()) {
        if (q.line.length === 0) continue;
        const free = q.members.map((id) => {
          const a = this.agentsById.get(id)!;
          return a.status === 'available' && a.state === 'idle' && a.phoneUp ? a : null;
        });
        if (!free.some((a) => a !== null)) continue;
        // Callers ringing an agent are skipped; there are never more of them than agents.
        let next: Caller | null = null;
        for (const c of q.line) {
          if (c.ringing.size === 0) {
            next = c;
            break;
          }
        }
        if (next && (best === null || next.rank > best.rank || (next.rank === best.rank && next.seq < best.seq))) {
          best = next;
          bestFree = free;
        }
      }
      if (!best) return;
      const caller = best;
      let candidates = bestFree.map((a) => (a && !caller.tried.has(a.id) ? a : null));
      if (!candidates.some((a) => a !== null)) {
        // Every free member already had this caller: go round again.
        caller.tried.clear();
        candidates = bestFree;
      }
      const queue = caller.queue;
      const pick = pickAgents(queue.strategy, candidates, queue.cursor);
      queue.cursor = pick.cursor;
      for (const c of pick.agents) this.offer(caller, c as Agent);
    }
  }

  private offer(caller: Caller, agent: Agent): void {
    if (!this.move(agent, { state: 'idle' }, { state: 'ringing', callId: caller.callId })) return;
    caller.ringing.add(agent.id);
    this.counters.offers++;
    const callId = caller.callId;
    agent.timer = this.deps.clock.setTimeout(() => this.run(() => this.ringTimeout(agent, callId)), caller.queue.ringTimeoutMs);
    this.queueEvent('offer', { callId, queueId: caller.queue.id, agentId: agent.id, waitedMs: this.deps.clock.now() - caller.enteredAt });
  }

  private ringTimeout(agent: Agent, callId: string): void {
    agent.timer = null;
    const caller = this.callers.get(callId);
    if (!caller || !this.withdraw(caller, agent, 'no-answer')) return;
    this.counters.noAnswers++;
    this.dispatch();
  }

  /**
   * Stops `agent` ringing for `caller` (the agent back to idle, passed over for this caller
   * until the others were tried). `reason` null: the outside already knows, no event.
   */
  private withdraw(caller: Caller, agent: Agent, reason: WithdrawReason | null): boolean {
    if (!this.move(agent, { state: 'ringing', callId: caller.callId }, { state: 'idle', callId: null })) return false;
    caller.ringing.delete(agent.id);
    caller.tried.add(agent.id);
    if (reason) this.queueEvent('offer-withdrawn', { callId: caller.callId, agentId: agent.id, reason });
    return true;
  }

  /** Ends a hold from inside the ACD (phone gone, agent unavailable, swept); the holder hears of it by `offer-withdrawn`. */
  private dropHold(callId: string, reason: WithdrawReason): boolean {
    const held = this.reserved.get(callId);
    if (!held) return false;
    this.reserved.delete(callId);
    if (!this.move(held.agent, { state: 'ringing', callId }, { state: 'idle', callId: null })) return false;
    this.queueEvent('offer-withdrawn', { callId, agentId: held.agent.id, reason });
    return true;
  }

  private overflow(caller: Caller): void {
    caller.overflowTimer = null;
    if (this.callers.get(caller.callId) !== caller) return;
    const waitedMs = this.deps.clock.now() - caller.enteredAt;
    this.finish(caller, 'overflowed');
    this.counters.overflowed++;
    this.queueEvent('overflowed', { callId: caller.callId, queueId: caller.queue.id, waitedMs });
    this.dispatch();
  }

  /** Takes the caller out of the queue and stops every phone still ringing for it. */
  private finish(caller: Caller, reason: WithdrawReason): void {
    this.callers.delete(caller.callId);
    caller.queue.line.remove(caller);
    if (caller.overflowTimer) this.deps.clock.clearTimeout(caller.overflowTimer);
    caller.overflowTimer = null;
    for (const agentId of [...caller.ringing]) this.withdraw(caller, this.agentsById.get(agentId)!, reason);
  }

  private endWrapUp(agent: Agent, callId: string): void {
    agent.timer = null;
    if (this.move(agent, { state: 'wrap-up', callId }, { state: 'idle', callId: null })) {
      agent.idleSince = this.deps.clock.now();
      this.dispatch();
    }
  }

  /** An agent left a call for idle: it has been idle since now. */
  private afterCall(agent: Agent, callId: string | null): void {
    if (callId !== null && this.inCall.get(callId) === agent) this.inCall.delete(callId);
    agent.queue = null;
    agent.idleSince = this.deps.clock.now();
  }

  private positionOf(caller: Caller): CallerPosition {
    let staffed = 0;
    for (const id of caller.queue.members) {
      const a = this.agentsById.get(id)!;
      if (a.status === 'available' && a.phoneUp) staffed++;
    }
    return tellPosition(caller, caller.queue.line.indexOf(caller), staffed);
  }


  // ---- the one place agents change ----

  /**
   * Compare-and-set on an agent: when it is what `expect` says, it becomes what `next` says
   * (a state move the machine does not have throws); otherwise nothing changes and the
   * refusal is counted. Leaving a state cancels that state's timer.
   */
  private move(agent: Agent, expect: Expect, next: { status?: AgentStatus; state?: AgentState; callId?: string | null }): boolean {
    if ((expect.status !== undefined && agent.status !== expect.status) || (expect.state !== undefined && agent.state !== expect.state) || (expect.callId !== undefined && agent.callId !== expect.callId)) {
      return this.refused(agent.id, `expected ${JSON.stringify(expect)}, is ${agent.status}/${agent.state}/${agent.callId}`);
    }
    if (next.state !== undefined && next.state !== agent.state) {
      checkStateMove(agent.id, agent.state, next.state);
      if (agent.timer) this.deps.clock.clearTimeout(agent.timer);
      agent.timer = null;
      agent.state = next.state;
      agent.stateSince = this.deps.clock.now();
    }
    if (next.status !== undefined) agent.status = next.status;
    if (next.callId !== undefined) agent.callId = next.callId;
    this.agentEvent(agent);
    return true;
  }

  private refused(agentId: string, what: string): false {
    this.counters.casRefused++;
    this.deps.logger.debug({ agentId, what }, 'ACD transition refused');
    return false;
  }

  private agent(agentId: string): Agent {
    const agent = this.agentsById.get(agentId);
    if (!agent) throw new RangeError(`agent ${agentId} is not in the ACD`);
    return agent;
  }

  private agentEvent(agent: Agent): void {
    if (this.listenerCount('agent') === 0) return;
    const e = { agentId: agent.id, status: agent.status, state: agent.state, phoneUp: agent.phoneUp };
    this.outbox.push(() => this.emit('agent', e));
  }

  private queueEvent<K extends Exclude<keyof AcdEvents, 'agent'>>(name: K, e: Parameters<AcdEvents[K]>[0]): void {
    this.outbox.push(() => (this.emit as (n: K, e: unknown) => boolean)(name, e));
  }

  /** Runs one outside call; the events it caused go out once the ACD is consistent again. */
  private run<T>(fn: () => T): T {
    return this.outbox.run(fn);
  }
}
