import { randomUUID } from 'node:crypto';
import { TypedEmitter, type Clock, type TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { AcdEvents } from '../queue/acd.js';
import { OFFICE_QUEUE, type OfficeQueue } from '../queue/office-queue.js';
import { RepeatCallers } from '../queue/repeat-callers.js';
import { AgentOffers } from './agent-offer.js';
import type { AgentPhones, CallMediaFactory, CentreReason, CentreTrunk } from './call-ports.js';
import { cdrOf, TEMPORARY_FAILURE, type Call, type CallOps, type Ending } from './call-record.js';
import type { CallerPrompts } from './caller-prompts.js';
import { CallbackRequests, type CallbackTaker } from './callback-requests.js';
import { nextCallState, type CallMove, type CallState } from './call-state.js';
import type { CallLine, CallResult, Cdr } from './cdr.js';
import type { CdrStore } from './cdr-store.js';
import { CentreForward } from './centre-forward.js';
import { Greeting, heardBulletin } from './greeting.js';
import type { LineEnd, LineLeg } from './line-leg.js';
import { MessageRecorder } from './message-recorder.js';
import { NoAgentFlow } from './no-agent-flow.js';
import type { VoiceMessageSettings } from './voice-message.js';

/**
 * How long the special information tone plays to a caller nobody can take (ITU-T E.180: three
 * 330 ms tones and a second of silence, twice), before the box releases.
 */
export const ANNOUNCE_MS = 4000;

export interface CallSettings {
  noAgent: 'announce' | 'test-line';
  testLineAnswerMs: number;
  /** How long the no-agent announcement plays; default ANNOUNCE_MS. */
  announceMs?: number;
  /** A waiting caller hears their place and expected wait this often; 0: never. */
  announceEveryMs: number;
  /** A number that called within this long before is a repeat caller; 0: none are. */
  repeatWindowMs: number;
}

// Where the call model leaves callback requests; defined beside the code that takes them.
export type { CallbackTaker };

export interface CallManagerDeps {
  clock: Clock;
  logger: Logger;
  agents: AgentPhones;
  /** The queue callers wait in and the agents who take them. */
  queue: OfficeQueue;
  prompts: CallerPrompts;
  media: CallMediaFactory;
  cdrs: CdrStore;
  settings: CallSettings;
  /**
   * Callback requests. Absent: none are taken (waiting callers are not offered one, and key 1
   * does nothing).
   */
  callbacks?: CallbackTaker;
  /** When the office answers (queue/office-hours.ts); absent: always open. */
  hours?: { isOpen(at: number): boolean };
  /**
   * Voice messages (config `queue.voiceMessage`): a caller whose callback request was taken
   * may leave one after the beep. Absent: none are recorded.
   */
  messages?: VoiceMessageSettings;
  /**
   * The city centre's trunk (config `queue.centre`): a call of a kind `when` names rings there
   * first; the office's own way (callback request, announcement) follows only if it does not answer.
   */
  centre?: { trunk: CentreTrunk; when: readonly CentreReason[]; ringTimeoutMs: number };
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

const STOPPING = { reason: 'the box was stopping', reasonCode: 'box-stopping', reasonArgs: [] };

/** The key a waiting caller presses to leave a callback request (the `callback-offer` prompt says so). */
const CALLBACK_KEY = '1';

/**
 * The call model: each call that comes in on a line hears the welcome and any bulletin,
 * waits in the office queue (hearing its place and expected wait), is offered to the agents'
 * phones as the queue decides, gets its audio connected when a person answers, and ends
 * with exactly one CDR, written to disk before anyone is told of it. Nobody logged in with a
 * phone up: the caller hears the special information tone and the call is released (or, set
 * up as a test line before phones exist, answered with a tone).
 *
 * Nobody is lost without a trace: a waiting caller may press 1 to leave their number instead;
 * after hours, with nobody logged in, and when the caller waited the longest wait, the number
 * is kept without asking (when the line gave one). Such a call's CDR says `callback`, with the
 * request's id in `callback`; a caller whose number could not be kept keeps `no-agent` or
 * `overflowed` (one who pressed 1 and whose request the disk refused: `failed`, with the
 * reason). The line legs and the phones
 * are behind their interfaces, the decisions in the ACD: the model speaks neither ISUP nor
 * SIP, and chooses no agent itself.
 *
 * This class keeps the calls, their lifecycle, the queue wait, and the end with its CDR; it
 * hands a call to the flows beside it through `CallOps` (call-record.ts): the greeting
 * (greeting.ts), the agents' phones (agent-offer.ts), the city centre (centre-forward.ts),
 * callback requests (callback-requests.ts), and the announcements and releases for calls
 * nobody takes (no-agent-flow.ts; voice messages in message-recorder.ts).
 */
export class CallManager extends TypedEmitter<CallManagerEvents> {
  private readonly calls = new Map<string, Call>();
  /** CDRs (and voice messages) on their way to disk; stop() waits for them. */
  private readonly writing = new Set<Promise<void>>();
  private readonly repeats: RepeatCallers;
  private readonly unlisten: (() => void)[] = [];
  private stopping = false;
  private readonly greeting: Greeting;
  private readonly offers: AgentOffers;
  private readonly callbacks: CallbackRequests;
  private readonly centre: CentreForward;
  private readonly noAgent: NoAgentFlow;

  constructor(private readonly d: CallManagerDeps) {
    super();
    // What the flows below may do to a call; the calls themselves stay here.
    const ops: CallOps = {
      clock: d.clock,
      logger: d.logger,
      move: (call, move) => this.move(call, move),
      alert: (call) => this.alert(call),
      answerLine: (call) => this.answerLine(call),
      clearTimer: (call) => this.clearTimer(call),
      leaveQueue: (call) => this.leaveQueue(call),
      finish: (call, ending) => this.finish(call, ending),
      track: (work) => this.track(work),
    };
    this.greeting = new Greeting(ops, d.prompts, (call) => this.enqueue(call));
    this.offers = new AgentOffers(ops, d.agents, d.queue, (call) => this.waitingAudio(call, false));
    this.callbacks = new CallbackRequests(d.logger, d.callbacks);
    this.centre = new CentreForward(ops, d.centre);
    const noAgentSettings = { announceMs: d.settings.announceMs ?? ANNOUNCE_MS, testLineAnswerMs: d.settings.testLineAnswerMs, messages: d.messages };
    this.noAgent = new NoAgentFlow(ops, d.prompts, noAgentSettings, this.callbacks, new MessageRecorder(ops, d.prompts, d.callbacks));
    this.repeats = new RepeatCallers(d.settings.repeatWindowMs);
    for (const cdr of d.cdrs.recent()) if (cdr.direction === undefined) this.repeats.ended(cdr.calling, cdr.arrivedAt, cdr.result === 'abandoned');
    const acd = d.queue.acd;
    const on = <K extends keyof AcdEvents>(event: K, listener: AcdEvents[K]) => {
      acd.on(event, listener);
      this.unlisten.push(() => acd.off(event, listener));
    };
    on('offer', (e) => this.withCall(e.callId, (call) => this.offers.offer(call, e.agentId)));
    on('offer-withdrawn', (e) => this.withCall(e.callId, (call) => this.offers.withdrawn(call, e.agentId, e.reason)));
    on('overflowed', (e) => this.withCall(e.callId, (call) => this.overflowed(call, e.waitedMs)));
  }

  /** A call came in on a line: it is queued, offered, answered or released from here on. */
  incoming(leg: LineLeg): string {
    const seen = this.repeats.arrived(leg.calling, leg.arrivedAt);
    const call: Call = {
      id: randomUUID(),
      leg,
      state: 'arrived',
      calling: leg.calling,
      offeredAt: null,
      answeredAt: null,
      agent: null,
      phones: new Map(),
      centreLeg: null,
      centre: null,
      media: null,
      timer: null,
      alerted: false,
      lineAnswered: false,
      repeat: seen.repeat,
      abandonedLast: seen.abandonedLast,
      bulletin: null,
      announcing: null,
      callback: null,
      queue: null,
      onKey: null,
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
    leg.on('digit', (digit) => this.key(call, digit));
    this.d.logger.info({ call: call.id, line: leg.line, calling: leg.calling, called: leg.called, repeat: call.repeat }, 'call arrived');
    this.emit('call-arrived', this.view(call));
    this.d.media.open(leg).then(
      (media) => {
        if (call.state === 'ended') return media.close();
        call.media = media;
        media.onDigit((digit) => this.key(call, digit));
        this.begin(call);
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

  /** Callers in the queue (waiting, or ringing an agent), for `countyline queue`. */
  waiting(): { id: string; calling: string; state: 'queued' | 'offering'; enteredAt: number; agent: string | null }[] {
    const out = [];
    for (const c of this.calls.values()) {
      if ((c.state === 'queued' || c.state === 'offering') && c.queue) out.push({ id: c.id, calling: c.calling, state: c.state, enteredAt: c.queue.enteredAt, agent: c.state === 'offering' ? (c.agent?.user ?? null) : null });
    }
    return out;
  }

  /** The latest finished calls, oldest first. */
  recent(limit?: number): Cdr[] {
    return this.d.cdrs.recent(limit);
  }

  /** Resolves when the CDRs finished so far are on disk. */
  async written(): Promise<void> {
    // A voice message cut short by the end of its call is written after the call's CDR started.
    while (this.writing.size > 0) await Promise.all([...this.writing]);
  }

  /**
   * Ends every call (the firmware is stopping): the lines released, the phones hung up, and
   * each CDR on disk before this resolves, or `deadlineMs` passed (a disk that refuses them
   * must not keep the box from stopping; the CDR store logs what it could not write).
   */
  async stop(deadlineMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const call of [...this.calls.values()]) {
      this.hangUpPhones(call);
      call.leg.release(TEMPORARY_FAILURE);
      const result = this.resultSoFar(call) ?? 'failed';
      this.finish(call, { result, hungUpBy: 'box', cause: TEMPORARY_FAILURE, ...(result === 'failed' ? STOPPING : { reason: null }) });
    }
    for (const unlisten of this.unlisten) unlisten();
    let timer: TimerHandle | undefined;
    const late = new Promise<void>((resolve) => (timer = this.d.clock.setTimeout(resolve, deadlineMs)));
    await Promise.race([this.written(), late]);
    this.d.clock.clearTimeout(timer!);
  }

  // --- before the queue ---------------------------------------------------------------

  /** The call's audio is open: who could take it decides what the caller hears first. */
  private begin(call: Call): void {
    if (this.d.hours && !this.d.hours.isOpen(this.d.clock.now())) return this.centre.route(call, 'after-hours', () => this.noAgent.afterHours(call));
    if (this.d.queue.staffed() === 0) {
      if (this.d.settings.noAgent === 'test-line') return this.noAgent.testLine(call);
      return this.centre.route(call, 'no-agent', () => this.noAgent.announce(call));
    }
    void this.greeting.play(call);
  }

  private key(call: Call, digit: string): void {
    if (call.state === 'ended') return;
    this.d.logger.debug({ call: call.id, digit }, 'caller pressed a key');
    call.onKey?.(digit);
  }

  // --- the queue ------------------------------------------------------------------------

  private enqueue(call: Call): void {
    this.move(call, 'queue');
    const enteredAt = this.d.clock.now();
    call.queue = { enteredAt, leftAt: null, position: 0 };
    if (this.callbacks.offers(call)) call.onKey = (digit) => digit === CALLBACK_KEY && this.leaveForCallback(call);
    // The ACD may offer the call at once: its `offer` comes before enter() returns.
    const position = this.d.queue.acd.enter(call.id, OFFICE_QUEUE, { repeatAbandoner: call.abandonedLast });
    call.queue.position = position.position;
    this.d.logger.info({ call: call.id, position: position.position, expectedWaitMs: position.expectedWaitMs, repeat: call.repeat }, 'caller queued');
    if (call.state === 'queued') this.waitingAudio(call, true);
  }

  /**
   * What a waiting caller hears: their place and expected wait (every `announceEveryMs`),
   * ringback between. Without announcements the line stays unanswered and rings on, unless
   * the welcome or bulletin answered it already.
   */
  private waitingAudio(call: Call, joining: boolean): void {
    const every = this.d.settings.announceEveryMs;
    if (every === 0) {
      if (call.lineAnswered) call.media!.play('ringback');
      else this.alert(call);
      return;
    }
    this.answerLine(call);
    const position = this.d.queue.acd.position(call.id);
    if (!position) return;
    const parts = [this.d.prompts.waiting(position, joining), this.callbacks.offers(call) ? this.d.prompts.callbackOffer() : null];
    void Promise.all(parts).then(async (found) => {
      const audio = joinAudio(found);
      if (call.state !== 'queued') return;
      if (audio && !(await call.media!.playAudio(audio))) return;
      if (call.state !== 'queued') return;
      call.media!.play('ringback');
      this.clearTimer(call);
      call.timer = this.d.clock.setTimeout(() => {
        call.timer = null;
        if (call.state === 'queued') this.waitingAudio(call, false);
      }, every);
    });
  }

  /** The caller waited the longest wait: told nobody could take the call, and released. */
  private overflowed(call: Call, waitedMs: number): void {
    this.d.logger.warn({ call: call.id, waitedMs }, 'caller waited the longest wait: overflow');
    this.hangUpPhones(call);
    this.leaveQueue(call);
    this.centre.route(call, 'overflow', () => this.noAgent.announce(call, 'overflowed'));
  }

  /**
   * The waiting caller pressed 1: out of the queue (the phones ringing for them hung up), the
   * request taken; what they hear then is the no-agent flow's.
   */
  private leaveForCallback(call: Call): void {
    if (call.state !== 'queued' && call.state !== 'offering') return;
    const taken = this.callbacks.take(call, 'key');
    if (!taken) return;
    this.d.logger.info({ call: call.id }, 'caller pressed 1 for a callback: leaving the queue');
    this.hangUpPhones(call);
    this.leaveQueue(call);
    // The ACD has no outcome for a caller who left a callback request: it counts them as
    // abandoned in its own counters. The KPIs come from the CDR, which says `callback`.
    this.d.queue.acd.leave(call.id);
    this.noAgent.callbackLeft(call, taken);
  }

  private leaveQueue(call: Call): void {
    if (call.queue && call.queue.leftAt === null) call.queue.leftAt = this.d.clock.now();
  }

  private alert(call: Call): void {
    if (call.alerted || call.lineAnswered) return;
    call.alerted = true;
    call.leg.alert();
  }

  private answerLine(call: Call): void {
    if (call.lineAnswered) return;
    call.lineAnswered = true;
    call.leg.answer();
  }

  private clearTimer(call: Call): void {
    if (call.timer) this.d.clock.clearTimeout(call.timer);
    call.timer = null;
  }

  /** Runs `fn` on the call the ACD names, if the call model still has it. */
  private withCall(callId: string, fn: (call: Call) => void): void {
    const call = this.calls.get(callId);
    if (call && call.state !== 'ended') fn(call);
  }

  // --- the end ------------------------------------------------------------------------

  /** The caller hung up, or the line failed under the call. */
  private lineEnded(call: Call, end: LineEnd): void {
    if (call.state === 'ended') return;
    this.hangUpPhones(call);
    const byCaller = end.by === 'caller';
    // Hung up while the bulletin played (not after skipping it): informed, not lost.
    const deflected = byCaller && call.state === 'greeting' && call.bulletin !== null && !call.bulletin.skipped;
    // A line that failed to take the answer (an analog line that never gave loop current)
    // never connected the caller, whatever the agent did.
    const result = end.answerFailed ? 'failed' : (this.resultSoFar(call) ?? (deflected ? 'deflected' : byCaller ? 'abandoned' : 'failed'));
    const why = byCaller ? { reason: null } : { reason: end.reason, ...(end.reasonCode && { reasonCode: end.reasonCode, reasonArgs: end.reasonArgs ?? [] }) };
    this.finish(call, { result, hungUpBy: byCaller ? 'caller' : null, cause: end.cause, ...why });
  }

  /**
   * What the call's result is whatever ends it now: answered by a person or by the test line,
   * or no agent once the announcement plays; null while it is still waiting for someone.
   */
  private resultSoFar(call: Call): CallResult | null {
    if (call.state === 'connected') return call.centre?.outcome === 'answered' ? 'forwarded' : 'answered';
    if (call.state === 'test-line' && call.answeredAt !== null) return 'test-line';
    if (call.state === 'announcing') return call.announcing;
    return null;
  }

  /** Hangs up every phone the call rings or talks on; their `ended` then only frees the agents. */
  private hangUpPhones(call: Call): void {
    const phones = [...call.phones.values()];
    call.phones.clear();
    for (const phone of phones) phone.hangUp();
    const centre = call.centreLeg;
    call.centreLeg = null;
    if (centre) {
      if (call.centre && call.centre.outcome === null) call.centre.outcome = 'hangup';
      centre.hangUp();
    }
  }

  private finish(call: Call, ending: Ending): void {
    if (call.state === 'ended') return;
    const wasConnected = call.state === 'connected';
    this.move(call, 'end');
    this.clearTimer(call);
    call.onKey = null;
    call.media?.close();
    this.calls.delete(call.id);
    heardBulletin(call, this.d.clock.now());
    this.leaveQueue(call);
    // The ACD learns the end: a waiting caller has abandoned, an agent goes to wrap-up.
    if (wasConnected || call.queue) this.d.queue.acd.callEnded(call.id);
    this.repeats.ended(call.calling, call.leg.arrivedAt, ending.result === 'abandoned');
    const cdr = cdrOf(call, ending, this.d.clock.now());
    // A callback request under way is on disk (or refused) before the CDR says what it was.
    const written = (call.callback ?? Promise.resolve(null))
      .then((callback) => {
        if (callback !== null) {
          cdr.callback = callback;
          // A caller whose number was kept is not lost: `callback`, whatever the announcement said.
          if (cdr.result !== 'answered' && cdr.result !== 'test-line') cdr.result = 'callback';
        } else if (cdr.result === 'callback') {
          Object.assign(cdr, { result: 'failed', reason: 'the callback request could not be written to disk' });
        }
        this.d.logger.info({ call: call.id, result: cdr.result, hungUpBy: cdr.hungUpBy, cause: cdr.cause, reason: cdr.reason, callback: cdr.callback }, 'call ended');
        return this.d.cdrs.append(cdr);
      })
      .then(() => {
        this.emit('call-ended', cdr);
      });
    this.track(written);
  }

  /** Disk work under way: `written()` and `stop()` wait for it. */
  private track(work: Promise<void>): void {
    this.writing.add(work);
    void work.finally(() => this.writing.delete(work));
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

/** Prompts played one after the other; null when none was found. */
function joinAudio(parts: readonly (Buffer | null)[]): Buffer | null {
  const found = parts.filter((p): p is Buffer => p !== null);
  return found.length > 0 ? Buffer.concat(found) : null;
}
