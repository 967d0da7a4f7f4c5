import { randomUUID } from 'node:crypto';
import { TypedEmitter, type Clock, type TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { AgentCallEnd, AgentCallLeg, AgentPhones, AgentRef, CallMedia, CallMediaFactory } from './call-ports.js';
import { nextCallState, type CallMove, type CallState } from './call-state.js';
import type { CallLine, CallResult, Cdr } from './cdr.js';
import type { CdrStore } from './cdr-store.js';
import type { LineEnd, LineLeg } from './line-leg.js';

// Q.850 causes the call model releases with.
const NORMAL_CLEARING = 16;
/** No agent could take the call: the hotline is busy, as the caller's exchange will tell them. */
const USER_BUSY = 17;
const TEMPORARY_FAILURE = 41;

/**
 * How long the special information tone plays to a caller nobody can take (ITU-T E.180: three
 * 330 ms tones and a second of silence, twice), before the box releases.
 */
export const ANNOUNCE_MS = 4000;

export interface CallSettings {
  ringTimeoutMs: number;
  noAgent: 'announce' | 'test-line';
  testLineAnswerMs: number;
  /** How long the no-agent announcement plays; default ANNOUNCE_MS. */
  announceMs?: number;
}

export interface CallManagerDeps {
  clock: Clock;
  logger: Logger;
  agents: AgentPhones;
  media: CallMediaFactory;
  cdrs: CdrStore;
  settings: CallSettings;
}

/** A call in progress, as `countyline calls` shows it. */
export interface CallView {
  id: string;
  line: CallLine;
  calling: string;
  called: string;
  state: CallState;
  /** The agent whose phone rings or who talks with the caller. */
  agent: string | null;
  agentName: string | null;
  arrivedAt: number;
  offeredAt: number | null;
  answeredAt: number | null;
}

export interface CallManagerEvents {
  'call-arrived': (call: CallView) => void;
  /** A finished call, once its CDR is on disk. */
  'call-ended': (cdr: Cdr) => void;
}

interface Call {
  id: string;
  leg: LineLeg;
  state: CallState;
  calling: string;
  offeredAt: number | null;
  answeredAt: number | null;
  agent: AgentRef | null;
  /** Agents this call was offered to: a call is offered to each at most once. */
  tried: Set<string>;
  agentCall: AgentCallLeg | null;
  media: CallMedia | null;
  timer: TimerHandle | null;
  alerted: boolean;
}

interface Ending {
  result: CallResult;
  hungUpBy: Cdr['hungUpBy'];
  cause: number | null;
  reason: string | null;
  reasonCode?: string;
  reasonArgs?: (string | number)[];
}

const STOPPING = { reason: 'the box was stopping', reasonCode: 'box-stopping', reasonArgs: [] };

/**
 * The call model: each call that comes in on a line is offered to the agents' phones one at a
 * time (the longest idle first; the next when one is busy, rejects, fails or rings out), gets
 * its audio connected when a person answers, and ends with exactly one CDR, written to disk
 * before anyone is told of it. Nobody free: the caller hears the special information tone and
 * the call is released (or, set up as a test line before phones exist, answered with a tone).
 * The line legs and the phones behind their interfaces: the model speaks neither ISUP nor SIP.
 */
export class CallManager extends TypedEmitter<CallManagerEvents> {
  private readonly calls = new Map<string, Call>();
  /** CDRs on their way to disk; stop() waits for them. */
  private readonly writing = new Set<Promise<void>>();
  private stopping = false;

  constructor(private readonly d: CallManagerDeps) {
    super();
  }

  /** A call came in on a line: it is offered, answered or released from here on. */
  incoming(leg: LineLeg): string {
    const call: Call = {
      id: randomUUID(),
      leg,
      state: 'arrived',
      calling: leg.calling,
      offeredAt: null,
      answeredAt: null,
      agent: null,
      tried: new Set(),
      agentCall: null,
      media: null,
      timer: null,
      alerted: false,
    };
    this.calls.set(call.id, call);
    if (this.stopping) {
      // A call that came in as the box stops is not offered: released, and recorded.
      leg.release(TEMPORARY_FAILURE);
      this.finish(call, { result: 'failed', hungUpBy: 'box', cause: TEMPORARY_FAILURE, ...STOPPING });
      return call.id;
    }
    leg.on('ended', (end) => this.lineEnded(call, end));
    leg.on('caller-id', (number) => {
      call.calling = number;
    });
    this.d.logger.info({ call: call.id, line: leg.line, calling: leg.calling, called: leg.called }, 'call arrived');
    this.emit('call-arrived', this.view(call));
    this.d.media.open(leg).then(
      (media) => {
        if (call.state === 'ended') return media.close();
        call.media = media;
        this.route(call);
      },
      (err: Error) => {
        if (call.state === 'ended') return;
        this.d.logger.error({ call: call.id, err: err.message }, 'no audio path for the call: releasing it');
        leg.release(TEMPORARY_FAILURE);
        this.finish(call, { result: 'failed', hungUpBy: 'box', cause: TEMPORARY_FAILURE, reason: `no audio path: ${err.message}`, reasonCode: 'no-audio-path', reasonArgs: [err.message] });
      },
    );
    return call.id;
  }

  active(): CallView[] {
    return [...this.calls.values()].map((c) => this.view(c));
  }

  /** The latest finished calls, oldest first. */
  recent(limit?: number): Cdr[] {
    return this.d.cdrs.recent(limit);
  }

  /** Resolves when the CDRs finished so far are on disk. */
  async written(): Promise<void> {
    await Promise.all([...this.writing]);
  }

  /**
   * Ends every call (the firmware is stopping): the lines released, the phones hung up, and
   * each CDR on disk before this resolves, or `deadlineMs` passed (a disk that refuses them
   * must not keep the box from stopping; the CDR store logs what it could not write).
   */
  async stop(deadlineMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const call of [...this.calls.values()]) {
      this.hangUpAgent(call);
      call.leg.release(TEMPORARY_FAILURE);
      const result = this.resultSoFar(call) ?? 'failed';
      this.finish(call, { result, hungUpBy: 'box', cause: TEMPORARY_FAILURE, ...(result === 'failed' ? STOPPING : { reason: null }) });
    }
    let timer: TimerHandle | undefined;
    const late = new Promise<void>((resolve) => (timer = this.d.clock.setTimeout(resolve, deadlineMs)));
    await Promise.race([this.written(), late]);
    this.d.clock.clearTimeout(timer!);
  }

  // --- routing -------------------------------------------------------------------------

  /** Offers the call to the next agent who can take it, or tells the caller nobody can. */
  private route(call: Call): void {
    const agent = this.d.agents.available().find((a) => !call.tried.has(a.user));
    if (agent) return this.offer(call, agent);
    if (call.tried.size === 0 && this.d.settings.noAgent === 'test-line') return this.testLine(call);
    this.announce(call);
  }

  private offer(call: Call, agent: AgentRef): void {
    this.move(call, call.state === 'arrived' ? 'offer' : 'next');
    call.agent = agent;
    call.tried.add(agent.user);
    this.alert(call);
    call.offeredAt ??= this.d.clock.now();
    this.d.agents.setBusy(agent.user, true);
    this.d.logger.info({ call: call.id, agent: agent.user, attempt: call.tried.size }, 'offering the call to an agent');
    let phone: AgentCallLeg;
    try {
      phone = this.d.agents.call({ agent: agent.user, callerNumber: call.calling, localMedia: call.media!.local, ringTimeoutMs: this.d.settings.ringTimeoutMs });
    } catch (err) {
      this.d.agents.setBusy(agent.user, false);
      this.d.logger.error({ call: call.id, agent: agent.user, err: (err as Error).message }, 'could not call the agent');
      return this.route(call);
    }
    call.agentCall = phone;
    phone.on('answered', (media) => {
      if (call.agentCall !== phone || call.state !== 'offering') return;
      this.move(call, 'answer');
      call.answeredAt = this.d.clock.now();
      call.leg.answer();
      call.media!.connectPhone(media);
      this.d.logger.info({ call: call.id, agent: agent.user, ringMs: call.answeredAt - (call.offeredAt ?? call.answeredAt) }, 'agent answered');
    });
    phone.on('hold', (on) => {
      if (call.agentCall === phone) call.media!.hold(on);
    });
    phone.on('ended', (end) => this.agentEnded(call, phone, agent, end));
  }

  private agentEnded(call: Call, phone: AgentCallLeg, agent: AgentRef, end: AgentCallEnd): void {
    this.d.agents.setBusy(agent.user, false);
    if (call.agentCall !== phone) return; // the box hung this phone up itself
    call.agentCall = null;
    if (call.state === 'offering') {
      this.d.logger.info({ call: call.id, agent: agent.user, why: end.reason, status: end.status }, 'agent did not take the call');
      return this.route(call);
    }
    if (call.state === 'connected') {
      call.leg.release(NORMAL_CLEARING);
      this.finish(call, { result: 'answered', hungUpBy: 'agent', cause: NORMAL_CLEARING, reason: null });
    }
  }

  /** Nobody can take the call: the caller hears the special information tone, then release. */
  private announce(call: Call): void {
    this.move(call, 'no-agent');
    this.d.logger.warn({ call: call.id, offeredTo: [...call.tried] }, 'no agent can take the call: announcing and releasing');
    // On an analog line the caller hears nothing until the line is taken off-hook.
    if (call.leg.earlyMedia) this.alert(call);
    else call.leg.answer();
    call.media!.play('special-information');
    call.timer = this.d.clock.setTimeout(() => {
      call.timer = null;
      call.leg.release(USER_BUSY);
      this.finish(call, { result: 'no-agent', hungUpBy: 'box', cause: USER_BUSY, reason: null });
    }, this.d.settings.announceMs ?? ANNOUNCE_MS);
  }

  /** Test line (no phones yet): answer with a 1004 Hz tone until the caller hangs up. */
  private testLine(call: Call): void {
    this.move(call, 'test-line');
    this.alert(call);
    call.timer = this.d.clock.setTimeout(() => {
      call.timer = null;
      call.answeredAt = this.d.clock.now();
      call.leg.answer();
      call.media!.play('test-tone');
    }, this.d.settings.testLineAnswerMs);
  }

  private alert(call: Call): void {
    if (call.alerted) return;
    call.alerted = true;
    call.leg.alert();
  }

  // --- the end ------------------------------------------------------------------------

  /** The caller hung up, or the line failed under the call. */
  private lineEnded(call: Call, end: LineEnd): void {
    if (call.state === 'ended') return;
    this.hangUpAgent(call);
    const byCaller = end.by === 'caller';
    // A line that failed to take the answer (an analog line that never gave loop current)
    // never connected the caller, whatever the agent did.
    const result = end.answerFailed ? 'failed' : (this.resultSoFar(call) ?? (byCaller ? 'abandoned' : 'failed'));
    const why = byCaller ? { reason: null } : { reason: end.reason, ...(end.reasonCode && { reasonCode: end.reasonCode, reasonArgs: end.reasonArgs ?? [] }) };
    this.finish(call, { result, hungUpBy: byCaller ? 'caller' : null, cause: end.cause, ...why });
  }

  /**
   * What the call's result is whatever ends it now: answered by a person or by the test line,
   * or no agent once the announcement plays; null while it is still waiting for someone.
   */
  private resultSoFar(call: Call): CallResult | null {
    if (call.state === 'connected') return 'answered';
    if (call.state === 'test-line' && call.answeredAt !== null) return 'test-line';
    if (call.state === 'announcing') return 'no-agent';
    return null;
  }

  /** Hangs up the phone the call rings or talks on; its `ended` then only frees the agent. */
  private hangUpAgent(call: Call): void {
    const phone = call.agentCall;
    call.agentCall = null;
    phone?.hangUp();
  }

  private finish(call: Call, ending: Ending): void {
    if (call.state === 'ended') return;
    this.move(call, 'end');
    if (call.timer) this.d.clock.clearTimeout(call.timer);
    call.timer = null;
    call.media?.close();
    this.calls.delete(call.id);
    const leg = call.leg;
    const cdr: Cdr = {
      id: call.id,
      line: leg.line,
      calling: call.calling,
      called: leg.called,
      agent: call.agent?.user ?? null,
      arrivedAt: leg.arrivedAt,
      offeredAt: call.offeredAt,
      answeredAt: call.answeredAt,
      endedAt: this.d.clock.now(),
      result: ending.result,
      reason: ending.reason,
      ...(ending.reasonCode && { reasonCode: ending.reasonCode, reasonArgs: ending.reasonArgs ?? [] }),
      hungUpBy: ending.hungUpBy,
      cause: ending.cause,
    };
    this.d.logger.info({ call: call.id, result: cdr.result, hungUpBy: cdr.hungUpBy, cause: cdr.cause, reason: cdr.reason }, 'call ended');
    const written = this.d.cdrs.append(cdr).then(() => {
      this.emit('call-ended', cdr);
    });
    this.writing.add(written);
    void written.finally(() => this.writing.delete(written));
  }

  private move(call: Call, move: CallMove): void {
    call.state = nextCallState(call.id, call.state, move);
  }

  private view(call: Call): CallView {
    const { leg } = call;
    return {
      id: call.id,
      line: leg.line,
      calling: call.calling,
      called: leg.called,
      state: call.state,
      agent: call.agent?.user ?? null,
      agentName: call.agent?.name ?? null,
      arrivedAt: leg.arrivedAt,
      offeredAt: call.offeredAt,
      answeredAt: call.answeredAt,
    };
  }
}
