import { randomUUID } from 'node:crypto';
import { TypedEmitter, type Clock, type TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { PromptPlayer } from '../media/prompt-player.js';
import type { AcdEvents } from '../queue/acd.js';
import type { Callback, CallbackReason, CallbackRequest } from '../queue/callback-store.js';
import { OFFICE_QUEUE, type OfficeQueue } from '../queue/office-queue.js';
import { RepeatCallers } from '../queue/repeat-callers.js';
import type { AgentCallEnd, AgentCallLeg, AgentPhones, AgentRef, CallMedia, CallMediaFactory, CentreReason, CentreTrunk } from './call-ports.js';
import type { CallerPrompts } from './caller-prompts.js';
import { nextCallState, type CallMove, type CallState } from './call-state.js';
import type { CallLine, CallResult, Cdr, CentreOutcome } from './cdr.js';
import type { CdrStore } from './cdr-store.js';
import type { LineEnd, LineLeg } from './line-leg.js';
import { END_MESSAGE_KEY, KEY_TAIL_MS, MESSAGE_BEEP, saveMessage, worthKeeping, type VoiceMessageSettings } from './voice-message.js';

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
  noAgent: 'announce' | 'test-line';
  testLineAnswerMs: number;
  /** How long the no-agent announcement plays; default ANNOUNCE_MS. */
  announceMs?: number;
  /** A waiting caller hears their place and expected wait this often; 0: never. */
  announceEveryMs: number;
  /** A number that called within this long before is a repeat caller; 0: none are. */
  repeatWindowMs: number;
}

/** Where the call model leaves callback requests (queue/callback-store.ts). */
export interface CallbackTaker {
  /** On disk when it resolves; a number with a request pending gets that one back, asked once more. */
  request(r: CallbackRequest): Promise<Callback>;
  /** Keeps the voice message file (a name in the messages folder) call `callId` left for request `id`. */
  message(id: string, m: { callId: string; message: string }): Promise<unknown>;
}

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

interface Call {
  id: string;
  leg: LineLeg;
  state: CallState;
  calling: string;
  offeredAt: number | null;
  answeredAt: number | null;
  /** The agent who answered, or the last one offered the call. */
  agent: AgentRef | null;
  /** Phones ringing for the call (several with ring-all), or the one it talks on. */
  phones: Map<string, AgentCallLeg>;
  /** The call to the city centre's trunk, while it rings or talks. */
  centreLeg: AgentCallLeg | null;
  /** Sent to the city centre: why, and how it went (null while it rings). */
  centre: { reason: CentreReason; outcome: CentreOutcome | null } | null;
  media: CallMedia | null;
  timer: TimerHandle | null;
  alerted: boolean;
  /** The line is answered (for prompts, or by an agent): the caller hears the box. */
  lineAnswered: boolean;
  repeat: boolean;
  abandonedLast: boolean;
  /** The bulletin as this caller heard it; `heardMs` is fixed when it stops (played out, skipped, or the call ended). */
  bulletin: { startedAt: number; heardMs: number | null; skipped: boolean } | null;
  /** What the announcement that plays now ends the call as (`callback`: the caller pressed 1). */
  announcing: 'no-agent' | 'overflowed' | 'callback' | null;
  /** The callback request the call left: resolves to its id once on disk, or null when none was taken. */
  callback: Promise<string | null> | null;
  queue: { enteredAt: number; leftAt: number | null; position: number } | null;
  /** Keys pressed now go here (the bulletin's skip); null: keys do nothing. */
  onKey: ((digit: string) => void) | null;
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

/** The key that skips the bulletin. */
const SKIP_KEY = '0';
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
 */
export class CallManager extends TypedEmitter<CallManagerEvents> {
  private readonly calls = new Map<string, Call>();
  /** CDRs on their way to disk; stop() waits for them. */
  private readonly writing = new Set<Promise<void>>();
  private readonly repeats: RepeatCallers;
  private readonly unlisten: (() => void)[] = [];
  private stopping = false;

  constructor(private readonly d: CallManagerDeps) {
    super();
    this.repeats = new RepeatCallers(d.settings.repeatWindowMs);
    for (const cdr of d.cdrs.recent()) if (cdr.direction === undefined) this.repeats.ended(cdr.calling, cdr.arrivedAt, cdr.result === 'abandoned');
    const acd = d.queue.acd;
    const on = <K extends keyof AcdEvents>(event: K, listener: AcdEvents[K]) => {
      acd.on(event, listener);
      this.unlisten.push(() => acd.off(event, listener));
    };
    on('offer', (e) => this.withCall(e.callId, (call) => this.offer(call, e.agentId)));
    on('offer-withdrawn', (e) => this.withCall(e.callId, (call) => this.withdrawn(call, e.agentId, e.reason)));
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
    if (this.d.hours && !this.d.hours.isOpen(this.d.clock.now())) return this.toCentre(call, 'after-hours', () => this.afterHours(call));
    if (this.d.queue.staffed() === 0) {
      if (this.d.settings.noAgent === 'test-line') return this.testLine(call);
      return this.toCentre(call, 'no-agent', () => this.announce(call));
    }
    void this.greet(call);
  }

  /** The welcome, then the bulletin (key 0 skips it), then the queue. */
  private async greet(call: Call): Promise<void> {
    const [welcome, bulletin] = await Promise.all([this.d.prompts.welcome(), this.d.prompts.bulletin()]);
    if (call.state !== 'arrived') return;
    if (!welcome && !bulletin) return this.enqueue(call);
    this.move(call, 'greet');
    this.answerLine(call);
    if (welcome && !(await call.media!.playAudio(welcome))) return;
    // The call may have ended while the welcome played.
    if ((call.state as CallState) !== 'greeting') return;
    if (bulletin) {
      call.bulletin = { startedAt: this.d.clock.now(), heardMs: null, skipped: false };
      call.onKey = (digit) => {
        if (digit !== SKIP_KEY || !call.bulletin) return;
        call.bulletin.skipped = true;
        this.d.logger.info({ call: call.id, heardMs: this.d.clock.now() - call.bulletin.startedAt }, 'caller skipped the bulletin');
        call.media!.quiet();
      };
      this.d.logger.info({ call: call.id, ms: PromptPlayer.durationMs(bulletin) }, 'playing the bulletin');
      await call.media!.playAudio(bulletin);
      call.onKey = null;
      // Played out or skipped: the caller goes on to the queue. Hung up: lineEnded counted it.
      if ((call.state as CallState) !== 'greeting') return;
      this.heardBulletin(call);
    }
    this.enqueue(call);
  }

  private key(call: Call, digit: string): void {
    if (call.state === 'ended') return;
    this.d.logger.debug({ call: call.id, digit }, 'caller pressed a key');
    call.onKey?.(digit);
  }

  /** Fixes how long the caller heard the bulletin (it is over, or the call is). */
  private heardBulletin(call: Call): void {
    if (call.bulletin && call.bulletin.heardMs === null) call.bulletin.heardMs = this.d.clock.now() - call.bulletin.startedAt;
  }

  // --- the queue ------------------------------------------------------------------------

  private enqueue(call: Call): void {
    this.move(call, 'queue');
    const enteredAt = this.d.clock.now();
    call.queue = { enteredAt, leftAt: null, position: 0 };
    if (this.offersCallback(call)) call.onKey = (digit) => digit === CALLBACK_KEY && this.leaveForCallback(call);
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
    const parts = [this.d.prompts.waiting(position, joining), this.offersCallback(call) ? this.d.prompts.callbackOffer() : null];
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

  /** The ACD chose an agent for the call: ring its phone. */
  private offer(call: Call, user: string): void {
    const agent = this.d.agents.list().find((a) => a.user === user);
    if (!agent || !call.media) {
      this.d.queue.acd.agentNoAnswer(user, call.id);
      return;
    }
    this.move(call, 'offer');
    this.clearTimer(call);
    call.agent = { user: agent.user, name: agent.name };
    call.offeredAt ??= this.d.clock.now();
    // The caller hears ringing: from the exchange on a line not yet answered, from the box on one that is.
    if (call.lineAnswered) call.media.play('ringback');
    else this.alert(call);
    this.d.agents.setBusy(user, true);
    this.d.logger.info({ call: call.id, agent: user }, 'offering the call to an agent');
    let phone: AgentCallLeg;
    try {
      // The queue's ring timeout decides; the phone's own is a backstop past it.
      phone = this.d.agents.call({ agent: user, callerNumber: call.calling, localMedia: call.media.local, ringTimeoutMs: this.d.queue.ringTimeoutMs + 10_000 });
    } catch (err) {
      this.d.agents.setBusy(user, false);
      this.d.logger.error({ call: call.id, agent: user, err: (err as Error).message }, 'could not call the agent');
      this.d.queue.acd.agentNoAnswer(user, call.id);
      return;
    }
    call.phones.set(user, phone);
    phone.on('answered', (media) => {
      if (call.phones.get(user) !== phone) return;
      if (call.state !== 'offering' || !this.d.queue.acd.agentAnswered(user, call.id)) {
        // Another phone took the call first (ring-all), or the offer was withdrawn as it answered.
        this.d.logger.info({ call: call.id, agent: user }, 'agent answered too late: hanging that phone up');
        call.phones.delete(user);
        phone.hangUp();
        return;
      }
      this.move(call, 'answer');
      call.onKey = null;
      this.leaveQueue(call);
      call.agent = { user: agent.user, name: agent.name };
      call.answeredAt = this.d.clock.now();
      this.answerLine(call);
      call.media!.connectPhone(media);
      this.d.logger.info({ call: call.id, agent: user, ringMs: call.answeredAt - (call.offeredAt ?? call.answeredAt) }, 'agent answered');
    });
    phone.on('hold', (on) => {
      if (call.phones.get(user) === phone && call.state === 'connected') call.media!.hold(on);
    });
    phone.on('ended', (end) => this.phoneEnded(call, user, phone, end));
  }

  /** The ACD stopped the offer (ring timeout, answered elsewhere, phone gone, agent on a break). */
  private withdrawn(call: Call, user: string, reason: string): void {
    const phone = call.phones.get(user);
    call.phones.delete(user);
    this.d.logger.info({ call: call.id, agent: user, why: reason }, 'offer withdrawn');
    phone?.hangUp();
    this.d.agents.setBusy(user, false);
    this.requeueIfUnrung(call);
  }

  private phoneEnded(call: Call, user: string, phone: AgentCallLeg, end: AgentCallEnd): void {
    this.d.agents.setBusy(user, false);
    if (call.phones.get(user) !== phone) return; // the box hung this phone up itself
    call.phones.delete(user);
    if (call.state === 'offering') {
      this.d.logger.info({ call: call.id, agent: user, why: end.reason, status: end.status }, 'agent did not take the call');
      this.d.queue.acd.agentNoAnswer(user, call.id);
      this.requeueIfUnrung(call);
      return;
    }
    if (call.state === 'connected') {
      call.leg.release(NORMAL_CLEARING);
      this.finish(call, { result: 'answered', hungUpBy: 'agent', cause: NORMAL_CLEARING, reason: null });
    }
  }

  /** No phone rings for the call any more: it waits in the queue again (unless the ACD offered it on already). */
  private requeueIfUnrung(call: Call): void {
    if (call.state !== 'offering' || call.phones.size > 0) return;
    if (!this.d.queue.acd.position(call.id)) return;
    this.move(call, 'requeue');
    this.waitingAudio(call, false);
  }

  /** The caller waited the longest wait: told nobody could take the call, and released. */
  private overflowed(call: Call, waitedMs: number): void {
    this.d.logger.warn({ call: call.id, waitedMs }, 'caller waited the longest wait: overflow');
    this.hangUpPhones(call);
    this.leaveQueue(call);
    this.toCentre(call, 'overflow', () => this.announce(call, 'overflowed'));
  }

  // --- the city centre ------------------------------------------------------------------

  /**
   * Nobody here takes the call (`reason`): with the city centre's trunk set up for it, the
   * call rings there, the caller hearing ringing; answered, the caller talks to the centre.
   * Otherwise, or when the centre does not answer (busy, no answer, unreachable), `here`: the
   * office's own way, a callback request or the announcement.
   */
  private toCentre(call: Call, reason: CentreReason, here: () => void): void {
    const centre = this.d.centre;
    if (!centre || !centre.when.includes(reason)) return here();
    this.move(call, 'forward');
    call.onKey = null;
    this.clearTimer(call);
    call.centre = { reason, outcome: null };
    this.d.logger.info({ call: call.id, reason, centre: centre.trunk.uri }, 'sending the call to the city centre');
    if (call.lineAnswered) call.media!.play('ringback');
    else this.alert(call);
    let leg: AgentCallLeg;
    try {
      leg = centre.trunk.call({ callerNumber: call.calling, localMedia: call.media!.local, ringTimeoutMs: centre.ringTimeoutMs });
    } catch (err) {
      this.d.logger.error({ call: call.id, centre: centre.trunk.uri, err: (err as Error).message }, 'could not call the city centre: the office keeps the call');
      call.centre.outcome = 'failed';
      return here();
    }
    call.centreLeg = leg;
    leg.on('answered', (media) => {
      if (call.centreLeg !== leg || call.state !== 'forwarding') return;
      this.move(call, 'answer');
      call.centre!.outcome = 'answered';
      call.answeredAt = this.d.clock.now();
      this.answerLine(call);
      call.media!.connectPhone(media);
      this.d.logger.info({ call: call.id, centre: centre.trunk.uri }, 'the city centre answered');
    });
    leg.on('hold', (on) => {
      if (call.centreLeg === leg && call.state === 'connected') call.media!.hold(on);
    });
    leg.on('ended', (end) => {
      if (call.centreLeg !== leg) return; // the box hung it up itself
      call.centreLeg = null;
      if (call.state === 'forwarding') {
        call.centre!.outcome = end.reason;
        this.d.logger.warn({ call: call.id, centre: centre.trunk.uri, why: end.reason, status: end.status }, 'the city centre did not take the call: the office keeps it');
        return here();
      }
      if (call.state === 'connected') {
        call.leg.release(NORMAL_CLEARING);
        this.finish(call, { result: 'forwarded', hungUpBy: 'agent', cause: NORMAL_CLEARING, reason: null });
      }
    });
  }

  /**
   * The waiting caller pressed 1: out of the queue (the phones ringing for them hung up), the
   * request taken, "we have your number and will call you back", release. A request the disk
   * refused: the special information tone, and the call failed.
   */
  private leaveForCallback(call: Call): void {
    if (call.state !== 'queued' && call.state !== 'offering') return;
    const taken = this.takeCallback(call, 'key');
    if (!taken) return;
    this.d.logger.info({ call: call.id }, 'caller pressed 1 for a callback: leaving the queue');
    this.hangUpPhones(call);
    this.leaveQueue(call);
    // The ACD has no outcome for a caller who left a callback request: it counts them as
    // abandoned in its own counters. The KPIs come from the CDR, which says `callback`.
    this.d.queue.acd.leave(call.id);
    this.move(call, 'callback');
    call.announcing = 'callback';
    call.onKey = null;
    this.clearTimer(call);
    this.answerLine(call);
    call.media!.quiet();
    void taken.then(async (id) => {
      if (call.state !== 'announcing') return;
      if (id === null) return this.toneAndRelease(call, 'callback');
      await this.confirmAndRelease(call, id, await this.d.prompts.callbackTaken(), 'callback');
    });
  }

  /** A callback request can be offered to this caller: requests are taken and the line gave a number. */
  private offersCallback(call: Call): boolean {
    return this.d.callbacks !== undefined && call.calling !== '';
  }

  /**
   * Takes a callback request for the caller (one per call: asked again, the same promise).
   * Null when none can be: no store, or a withheld number (logged).
   */
  private takeCallback(call: Call, reason: CallbackReason): Promise<string | null> | null {
    const store = this.d.callbacks;
    if (!store) return null;
    if (call.callback) return call.callback;
    if (call.calling === '') {
      this.d.logger.info({ call: call.id, reason }, 'no callback request: the caller withheld their number');
      return null;
    }
    call.callback = store.request({ number: call.calling, line: call.leg.line, reason, callId: call.id }).then(
      (callback) => {
        const again = callback.requests > 1;
        this.d.logger.info({ call: call.id, callback: callback.id, reason, requests: callback.requests }, again ? 'callback request asked again (one was pending for the number)' : 'callback request taken');
        return callback.id;
      },
      (err: Error & { code?: string }) => {
        this.d.logger.error({ call: call.id, reason, code: err.code, err: err.message }, 'callback request not taken');
        return null;
      },
    );
    return call.callback;
  }

  private leaveQueue(call: Call): void {
    if (call.queue && call.queue.leftAt === null) call.queue.leftAt = this.d.clock.now();
  }

  // --- nobody to take it ---------------------------------------------------------------

  /**
   * Nobody can take the call: the caller hears the special information tone, then release.
   * With a callback request taken meanwhile (the caller's number kept), they hear so before it.
   */
  private announce(call: Call, result: 'no-agent' | 'overflowed' = 'no-agent'): void {
    this.move(call, 'no-agent');
    call.announcing = result;
    call.onKey = null;
    this.clearTimer(call);
    this.d.logger.warn({ call: call.id, result }, 'no agent can take the call: announcing and releasing');
    this.openForAnnouncement(call);
    const taken = this.takeCallback(call, result === 'overflowed' ? 'overflow' : 'no-agent');
    if (!taken) return this.toneAndRelease(call, result);
    call.media!.play('special-information');
    call.timer = this.d.clock.setTimeout(() => {
      call.timer = null;
      void taken.then(async (id) => {
        if (call.state !== 'announcing') return;
        const said = id === null ? null : await this.d.prompts.callbackTaken();
        await this.confirmAndRelease(call, id, said, result, USER_BUSY);
      });
    }, this.d.settings.announceMs ?? ANNOUNCE_MS);
  }

  /**
   * The office is closed (office hours): "our office is closed now", the caller's number kept
   * as a callback request when the line gave one ("…we will call you back"), else "goodbye";
   * then release. Without prompt files: the special information tone.
   */
  private afterHours(call: Call): void {
    this.move(call, 'no-agent');
    call.announcing = 'no-agent';
    this.d.logger.info({ call: call.id }, 'the office is closed: after-hours message');
    this.openForAnnouncement(call);
    const taken = this.takeCallback(call, 'after-hours');
    void (async () => {
      const closed = await this.d.prompts.afterHours();
      if (call.state !== 'announcing') return;
      if (closed && !(await call.media!.playAudio(closed))) return;
      const id = taken ? await taken : null;
      if ((call.state as CallState) !== 'announcing') return;
      const last = await (id === null ? this.d.prompts.goodbye() : this.d.prompts.callbackTaken());
      if ((call.state as CallState) !== 'announcing') return;
      if (!closed && !last) return this.toneAndRelease(call, 'no-agent');
      await this.confirmAndRelease(call, id, last, 'no-agent', NORMAL_CLEARING);
    })();
  }

  /** An announcement's audio reaches the caller: early media where the line has it, else the line is answered. */
  private openForAnnouncement(call: Call): void {
    // On an analog line the caller hears nothing until the line is taken off-hook.
    if (call.leg.earlyMedia && !call.lineAnswered) this.alert(call);
    else this.answerLine(call);
  }

  /** The special information tone for `announceMs`, then release as busy. */
  private toneAndRelease(call: Call, result: 'no-agent' | 'overflowed' | 'callback'): void {
    call.media!.play('special-information');
    this.clearTimer(call);
    call.timer = this.d.clock.setTimeout(() => {
      call.timer = null;
      call.leg.release(USER_BUSY);
      this.finish(call, { result, hungUpBy: 'box', cause: USER_BUSY, reason: null });
    }, this.d.settings.announceMs ?? ANNOUNCE_MS);
  }

  /** Plays `audio` (none: nothing), then releases the line, unless the call ended meanwhile. */
  private async sayAndRelease(call: Call, audio: Buffer | null, result: 'no-agent' | 'overflowed' | 'callback', cause = NORMAL_CLEARING): Promise<void> {
    if (audio && !(await call.media!.playAudio(audio))) return;
    if (call.state !== 'announcing') return;
    call.leg.release(cause);
    this.finish(call, { result, hungUpBy: 'box', cause, reason: null });
  }

  /**
   * "We have your number" (`said`), then, with request `id` taken and voice messages on, the
   * caller's message and "goodbye"; then release. The call ending meanwhile ends it here.
   */
  private async confirmAndRelease(call: Call, id: string | null, said: Buffer | null, result: 'no-agent' | 'overflowed' | 'callback', cause = NORMAL_CLEARING): Promise<void> {
    if (id !== null && this.d.messages) {
      if (said && !(await call.media!.playAudio(said))) return;
      if (call.state !== 'announcing') return;
      const asked = await this.voiceMessage(call, id, this.d.messages);
      if ((call.state as CallState) !== 'announcing') return;
      said = asked ? await this.d.prompts.goodbye() : null;
      if ((call.state as CallState) !== 'announcing') return;
    }
    await this.sayAndRelease(call, said, result, cause);
  }

  /**
   * "Leave a message after the tone", the beep, and the caller's audio recorded until they
   * hang up, press #, or `maxMs`; kept for request `id` unless it is too short or silent.
   * Resolves false when the caller was not asked (no prompt file, or the call ended first).
   */
  private async voiceMessage(call: Call, id: string, s: VoiceMessageSettings): Promise<boolean> {
    const ask = await this.d.prompts.leaveMessage();
    // Without the words the beep means nothing to the caller: no message is asked for.
    if (!ask || call.state !== 'announcing') return false;
    // Early media carries the box's audio back to the caller, but an exchange may through-
    // connect the caller's voice toward the box only at answer: an E1 call is answered for
    // its message (and charged from here, like any answered call).
    this.answerLine(call);
    const media = call.media!;
    if (!(await media.playAudio(ask)) || !(await media.playAudio(MESSAGE_BEEP))) return false;
    if ((call.state as CallState) !== 'announcing') return false;
    const at = this.d.clock.now();
    const recording = media.record(s.maxMs);
    call.onKey = (digit) => digit === END_MESSAGE_KEY && media.stopRecording(KEY_TAIL_MS);
    // The length counts audio; a line whose frames stopped still ends by the clock.
    call.timer = this.d.clock.setTimeout(() => {
      call.timer = null;
      media.stopRecording();
    }, s.maxMs + 2000);
    const audio = await recording;
    call.onKey = null;
    this.clearTimer(call);
    this.keepMessage(call, id, at, audio, s);
    return true;
  }

  /** Writes the message and notes it on the request, in the background (stop() waits for it). */
  private keepMessage(call: Call, id: string, at: number, audio: Buffer, s: VoiceMessageSettings): void {
    const ms = audio.length / 8;
    if (!worthKeeping(audio)) {
      this.d.logger.info({ call: call.id, callback: id, ms }, 'no voice message: too short, or silence');
      return;
    }
    const kept = saveMessage(s.dir, id, at, audio)
      .then((file) => this.d.callbacks!.message(id, { callId: call.id, message: file }).then(() => file))
      .then(
        (file) => this.d.logger.info({ call: call.id, callback: id, file, ms }, 'voice message kept'),
        (err: Error) => this.d.logger.error({ call: call.id, callback: id, err: err.message }, 'voice message not kept'),
      );
    this.writing.add(kept);
    void kept.finally(() => this.writing.delete(kept));
  }

  /** Test line (no phones yet): answer with a 1004 Hz tone until the caller hangs up. */
  private testLine(call: Call): void {
    this.move(call, 'test-line');
    this.alert(call);
    call.timer = this.d.clock.setTimeout(() => {
      call.timer = null;
      call.answeredAt = this.d.clock.now();
      this.answerLine(call);
      call.media!.play('test-tone');
    }, this.d.settings.testLineAnswerMs);
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
    this.heardBulletin(call);
    this.leaveQueue(call);
    // The ACD learns the end: a waiting caller has abandoned, an agent goes to wrap-up.
    if (wasConnected || call.queue) this.d.queue.acd.callEnded(call.id);
    this.repeats.ended(call.calling, call.leg.arrivedAt, ending.result === 'abandoned');
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
      ...(call.repeat && { repeat: true }),
      ...(call.bulletin && { bulletin: { heardMs: call.bulletin.heardMs ?? 0, skipped: call.bulletin.skipped } }),
      ...(call.centre && { centre: { reason: call.centre.reason, outcome: call.centre.outcome ?? 'hangup' } }),
      ...(call.queue && { queue: { id: OFFICE_QUEUE, enteredAt: call.queue.enteredAt, leftAt: call.queue.leftAt ?? call.queue.enteredAt, position: call.queue.position } }),
    };
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

/** Prompts played one after the other; null when none was found. */
function joinAudio(parts: readonly (Buffer | null)[]): Buffer | null {
  const found = parts.filter((p): p is Buffer => p !== null);
  return found.length > 0 ? Buffer.concat(found) : null;
}
