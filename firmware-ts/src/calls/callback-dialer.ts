import { randomUUID } from 'node:crypto';
import { TypedEmitter, type Clock, type TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { AcdEvents } from '../queue/acd.js';
import type { AttemptOutcome, Callback } from '../queue/callback-store.js';
import type { OfficeQueue } from '../queue/office-queue.js';
import type { AgentCallEnd, AgentCallLeg, AgentPhones, CallMedia, PhoneMedia } from './call-ports.js';
import type { Cdr, CallResult } from './cdr.js';
import type { LineEnd, LineLeg } from './line-leg.js';
import type { OutboundLeg } from './outbound-leg.js';
import type { PlaceRequest } from './outbound-lines.js';

// Q.850 causes.
const NORMAL_CLEARING = 16;
const USER_BUSY = 17;
const NO_USER_RESPONDING = 18;
const NO_ANSWER = 19;
const TEMPORARY_FAILURE = 41;

/** A call's audio opened before its line exists: the agent's phone is rung first, the line comes once it answers. */
export interface PhoneFirstMedia extends CallMedia {
  /** Connects the line of the call placed out to this audio (once). */
  attach(leg: LineLeg): Promise<void>;
}

export interface PhoneFirstMediaFactory {
  openPhoneFirst(): Promise<PhoneFirstMedia>;
}

/** What the dialer needs of the callback store (queue/callback-store.ts). */
export interface CallbackBook {
  pending(): Callback[];
  attempt(id: string, a: { outcome: AttemptOutcome; callId: string; agent?: string }): Promise<Callback>;
  done(id: string, by: 'callback'): Promise<Callback>;
}

export interface CallbackDialerSettings {
  /** Least time between two calls placed for one request. */
  retryMs: number;
  /** Calls placed for one request before the box stops trying (staff see it pending). */
  maxAttempts: number;
  /** How long the agent's phone rings before the attempt is given up. */
  agentRingMs: number;
  /** How long the called number may ring unanswered. */
  farEndRingMs: number;
  /** How often the dialer looks for work by itself (besides agent changes). */
  everyMs: number;
}

export const DEFAULT_DIALER_TIMING = { farEndRingMs: 45_000, everyMs: 5_000 } as const;

export interface CallbackDialerDeps {
  clock: Clock;
  logger: Logger;
  queue: OfficeQueue;
  agents: AgentPhones;
  callbacks: CallbackBook;
  lines: { place(request: PlaceRequest): Promise<OutboundLeg> };
  media: PhoneFirstMediaFactory;
  cdrs: { append(cdr: Cdr): Promise<void> };
  /** When the office answers; absent: always open. */
  hours?: { isOpen(at: number): boolean };
  settings: CallbackDialerSettings;
}

type Stage = 'agent' | 'dialling' | 'connected' | 'ended';

interface Attempt {
  id: string;
  callback: Callback;
  agent: string;
  stage: Stage;
  startedAt: number;
  offeredAt: number | null;
  answeredAt: number | null;
  /** The ACD has the agent in a call (it answered), not merely held. */
  agentInCall: boolean;
  phone: AgentCallLeg | null;
  media: PhoneFirstMedia | null;
  leg: OutboundLeg | null;
  timer: TimerHandle | null;
  /** The answer was recorded on the request already. */
  recorded: boolean;
}

interface Ending {
  result: CallResult;
  outcome: AttemptOutcome | null;
  hungUpBy: Cdr['hungUpBy'];
  cause: number | null;
  reason: string | null;
  reasonCode?: string;
  reasonArgs?: (string | number)[];
}

/**
 * Places the callbacks callers asked for (issue 10), one at a time, while the office is open:
 * when an agent is idle and available and no caller waits (callers come first), the oldest
 * request due (not tried within `retryMs`, fewer than `maxAttempts` calls placed) holds that
 * agent in the ACD and rings its phone with the number to call as the caller ID. Once the
 * agent answers, the call goes out on an FXO line or E1 circuit (OutboundLines) and its audio
 * is bridged to the agent, who hears the line's progress (ringback, busy). The far end
 * answering marks the request done (`by: 'callback'`); busy, no answer or no line free is
 * noted on the request and it is tried again later.
 *
 * Every call placed ends with one CDR (`direction: 'out'`, `callback` the request): `answered`
 * when the far end answered, `abandoned` when it did not (busy, no answer, or the agent gave
 * up first), `failed` with the reason when the call could not be placed. An agent who does not
 * answer its phone places no call: no CDR, and the request waits `retryMs`.
 */
export interface CallbackDialerEvents {
  /** A call placed for a callback ended, its CDR on disk (as CallManager's `call-ended`, for telemetry). */
  'call-ended': (cdr: Cdr) => void;
}

export class CallbackDialer extends TypedEmitter<CallbackDialerEvents> {
  private current: Attempt | null = null;
  private timer: TimerHandle | null = null;
  private soon: TimerHandle | null = null;
  private stopped = true;
  /** Requests not to be tried before then (an agent who did not answer, in memory only). */
  private readonly notBefore = new Map<string, number>();
  private readonly writing = new Set<Promise<void>>();
  private readonly onAgent: AcdEvents['agent'] = () => this.kick();
  private readonly onWithdrawn: AcdEvents['offer-withdrawn'] = (e) => {
    const a = this.current;
    if (a && a.id === e.callId && a.stage === 'agent') {
      this.d.logger.info({ call: a.id, agent: a.agent, why: e.reason }, 'the queue let the agent held for a callback go');
      this.giveUpOnAgent(a, false);
    }
  };

  constructor(private readonly d: CallbackDialerDeps) {
    super();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.d.queue.acd.on('agent', this.onAgent);
    this.d.queue.acd.on('offer-withdrawn', this.onWithdrawn);
    const tick = () => {
      this.timer = this.d.clock.setTimeout(tick, this.d.settings.everyMs);
      this.tryNext();
    };
    this.timer = this.d.clock.setTimeout(tick, this.d.settings.everyMs);
    this.kick();
  }

  /** Hangs up the callback under way (its CDR written before this resolves) and places no more. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.d.queue.acd.off('agent', this.onAgent);
    this.d.queue.acd.off('offer-withdrawn', this.onWithdrawn);
    for (const t of [this.timer, this.soon]) if (t) this.d.clock.clearTimeout(t);
    this.timer = this.soon = null;
    const a = this.current;
    if (a) {
      if (a.stage === 'agent') this.giveUpOnAgent(a, true);
      else {
        a.leg?.release(TEMPORARY_FAILURE);
        a.phone?.hangUp();
        this.finish(a, { result: a.stage === 'connected' ? 'answered' : 'failed', outcome: a.stage === 'connected' ? null : 'failed', hungUpBy: 'box', cause: TEMPORARY_FAILURE, reason: 'the box was stopping', reasonCode: 'box-stopping', reasonArgs: [] });
      }
    }
    await Promise.all([...this.writing]);
  }

  /** Resolves when what was noted so far (attempts, done, CDRs) is on disk. */
  async written(): Promise<void> {
    await Promise.all([...this.writing]);
  }

  /** The callback being placed, for `countyline queue` and the tests. */
  active(): { id: string; callback: string; number: string; agent: string; stage: Stage } | null {
    const a = this.current;
    return a ? { id: a.id, callback: a.callback.id, number: a.callback.number, agent: a.agent, stage: a.stage } : null;
  }

  /** Looks for work once the ACD's decision under way is complete. */
  kick(): void {
    if (this.stopped || this.soon || this.current) return;
    this.soon = this.d.clock.setTimeout(() => {
      this.soon = null;
      this.tryNext();
    }, 0);
  }

  private due(now: number): Callback | null {
    const { retryMs, maxAttempts } = this.d.settings;
    for (const cb of this.d.callbacks.pending()) {
      if (cb.attempts.length >= maxAttempts) continue;
      const last = cb.attempts.at(-1);
      if (last && now - last.at < retryMs) continue;
      if ((this.notBefore.get(cb.id) ?? 0) > now) continue;
      return cb;
    }
    return null;
  }

  private tryNext(): void {
    if (this.stopped || this.current) return;
    const now = this.d.clock.now();
    if (this.d.hours && !this.d.hours.isOpen(now)) return;
    if (this.d.queue.waiting() > 0) return;
    const callback = this.due(now);
    if (!callback) return;
    const id = randomUUID();
    const agent = this.d.queue.holdForCallback(id, this.d.settings.agentRingMs);
    if (!agent) return;
    const a: Attempt = { id, callback, agent, stage: 'agent', startedAt: now, offeredAt: null, answeredAt: null, agentInCall: false, phone: null, media: null, leg: null, timer: null, recorded: false };
    this.current = a;
    this.d.logger.info({ call: id, callback: callback.id, number: callback.number, agent, attempt: callback.attempts.length + 1 }, 'placing a callback: ringing the agent first');
    void this.ringAgent(a);
  }

  private async ringAgent(a: Attempt): Promise<void> {
    try {
      a.media = await this.d.media.openPhoneFirst();
    } catch (err) {
      this.d.logger.error({ call: a.id, err: (err as Error).message }, 'no audio path for the callback');
      return this.giveUpOnAgent(a, false);
    }
    if (a.stage !== 'agent') return a.media.close();
    let phone: AgentCallLeg;
    try {
      phone = this.d.agents.call({ agent: a.agent, callerNumber: a.callback.number, localMedia: a.media.local, ringTimeoutMs: this.d.settings.agentRingMs });
    } catch (err) {
      this.d.logger.error({ call: a.id, agent: a.agent, err: (err as Error).message }, 'could not call the agent for the callback');
      return this.giveUpOnAgent(a, false);
    }
    a.phone = phone;
    a.offeredAt = this.d.clock.now();
    this.d.agents.setBusy(a.agent, true);
    phone.on('answered', (media) => void this.agentAnswered(a, phone, media));
    phone.on('ended', (end) => this.phoneEnded(a, phone, end));
  }

  /** The agent did not take the callback (or the queue let it go): no call placed, the request waits. */
  private giveUpOnAgent(a: Attempt, hangUp: boolean): void {
    if (a.stage !== 'agent') return;
    a.stage = 'ended';
    this.notBefore.set(a.callback.id, this.d.clock.now() + this.d.settings.retryMs);
    if (hangUp || a.phone) a.phone?.hangUp();
    a.media?.close();
    this.d.queue.acd.releaseReservation(a.id);
    this.d.agents.setBusy(a.agent, false);
    this.current = null;
    this.kick();
  }

  private async agentAnswered(a: Attempt, phone: AgentCallLeg, phoneMedia: PhoneMedia): Promise<void> {
    if (a.stage !== 'agent' || a.phone !== phone || !this.d.queue.acd.reservationAnswered(a.id)) {
      if (a.phone === phone && a.stage === 'agent') this.giveUpOnAgent(a, true);
      else phone.hangUp();
      return;
    }
    a.agentInCall = true;
    a.stage = 'dialling';
    this.d.logger.info({ call: a.id, agent: a.agent, number: a.callback.number }, 'agent took the callback: calling the number');
    let leg: OutboundLeg;
    try {
      leg = await this.d.lines.place({ number: dialString(a.callback.number) });
    } catch (err) {
      const e = err as Error & { code?: string };
      if (a.stage !== 'dialling') return;
      phone.hangUp();
      return this.finish(a, { result: 'failed', outcome: 'failed', hungUpBy: 'box', cause: null, reason: e.message, reasonCode: 'callback-not-placed', reasonArgs: [e.message] });
    }
    if (a.stage !== 'dialling') return leg.release(NORMAL_CLEARING);
    a.leg = leg;
    leg.on('answered', () => this.farEndAnswered(a));
    leg.on('ended', (end) => this.lineEnded(a, end));
    a.timer = this.d.clock.setTimeout(() => {
      a.timer = null;
      if (a.stage !== 'dialling') return;
      leg.release(NORMAL_CLEARING);
      phone.hangUp();
      this.finish(a, { result: 'abandoned', outcome: 'no-answer', hungUpBy: 'box', cause: NORMAL_CLEARING, reason: null });
    }, this.d.settings.farEndRingMs);
    try {
      await a.media!.attach(leg);
    } catch (err) {
      if ((a.stage as Stage) === 'ended') return;
      leg.release(TEMPORARY_FAILURE);
      phone.hangUp();
      const detail = (err as Error).message;
      return this.finish(a, { result: 'failed', outcome: 'failed', hungUpBy: 'box', cause: TEMPORARY_FAILURE, reason: `no audio path: ${detail}`, reasonCode: 'no-audio-path', reasonArgs: [detail] });
    }
    // The agent hears the line from now on: the far end's ringback, busy tone, then the person.
    if ((a.stage as Stage) !== 'ended') a.media!.connectPhone(phoneMedia);
    if (leg.answeredBy && a.stage === 'dialling') this.farEndAnswered(a);
  }

  private farEndAnswered(a: Attempt): void {
    if (a.stage !== 'dialling') return;
    a.stage = 'connected';
    a.answeredAt = this.d.clock.now();
    if (a.timer) this.d.clock.clearTimeout(a.timer);
    a.timer = null;
    a.recorded = true;
    this.d.logger.info({ call: a.id, callback: a.callback.id, agent: a.agent, by: a.leg?.answeredBy }, 'callback answered: the request is done');
    const { id } = a.callback;
    this.track(
      this.d.callbacks
        .attempt(id, { outcome: 'answered', callId: a.id, agent: a.agent })
        .then(() => this.d.callbacks.done(id, 'callback'))
        .then(
          () => {},
          (err: Error) => this.d.logger.error({ callback: id, err: err.message }, 'the answered callback could not be recorded'),
        ),
    );
  }

  private phoneEnded(a: Attempt, phone: AgentCallLeg, end: AgentCallEnd): void {
    if (a.phone !== phone) return;
    if (a.stage === 'agent') {
      this.d.logger.info({ call: a.id, agent: a.agent, why: end.reason }, 'agent did not take the callback');
      a.phone = null;
      return this.giveUpOnAgent(a, false);
    }
    if (a.stage === 'ended') return;
    a.phone = null;
    a.leg?.release(NORMAL_CLEARING);
    if (a.stage === 'connected') return this.finish(a, { result: 'answered', outcome: null, hungUpBy: 'agent', cause: NORMAL_CLEARING, reason: null });
    // The agent gave up before the far end answered.
    this.finish(a, { result: 'abandoned', outcome: 'no-answer', hungUpBy: 'agent', cause: NORMAL_CLEARING, reason: null });
  }

  private lineEnded(a: Attempt, end: LineEnd): void {
    if (a.stage === 'ended') return;
    a.phone?.hangUp();
    const why = end.by === 'line' ? { reason: end.reason, ...(end.reasonCode && { reasonCode: end.reasonCode, reasonArgs: end.reasonArgs ?? [] }) } : { reason: null };
    if (a.stage === 'connected') return this.finish(a, { result: 'answered', outcome: null, hungUpBy: 'caller', cause: end.cause, ...why });
    const outcome: AttemptOutcome = end.cause === USER_BUSY ? 'busy' : end.cause === NO_ANSWER || end.cause === NO_USER_RESPONDING ? 'no-answer' : end.by === 'caller' ? 'no-answer' : 'failed';
    this.finish(a, { result: outcome === 'failed' ? 'failed' : 'abandoned', outcome, hungUpBy: end.by === 'caller' ? 'caller' : null, cause: end.cause, ...why });
  }

  /** The call placed is over: the agent freed, the attempt noted, one CDR written. */
  private finish(a: Attempt, ending: Ending): void {
    if (a.stage === 'ended') return;
    a.stage = 'ended';
    if (a.timer) this.d.clock.clearTimeout(a.timer);
    a.timer = null;
    a.media?.close();
    if (a.agentInCall) this.d.queue.acd.callEnded(a.id);
    else this.d.queue.acd.releaseReservation(a.id);
    this.d.agents.setBusy(a.agent, false);
    this.current = null;
    // The gap holds from now, before the attempt's line is on disk.
    this.notBefore.set(a.callback.id, this.d.clock.now() + this.d.settings.retryMs);
    const cdr: Cdr = {
      id: a.id,
      direction: 'out',
      callback: a.callback.id,
      // No line was seized: the CDR names the line the request came in on.
      line: a.leg?.line ?? a.callback.line,
      calling: a.leg?.calling ?? '',
      called: a.callback.number,
      agent: a.agent,
      arrivedAt: a.startedAt,
      offeredAt: a.offeredAt,
      answeredAt: a.answeredAt,
      endedAt: this.d.clock.now(),
      result: ending.result,
      reason: ending.reason,
      ...(ending.reasonCode && { reasonCode: ending.reasonCode, reasonArgs: ending.reasonArgs ?? [] }),
      hungUpBy: ending.hungUpBy,
      cause: ending.cause,
    };
    this.d.logger.info({ call: a.id, callback: a.callback.id, result: cdr.result, outcome: ending.outcome, hungUpBy: cdr.hungUpBy, cause: cdr.cause, reason: cdr.reason }, 'callback call ended');
    const noted = ending.outcome && !a.recorded ? this.d.callbacks.attempt(a.callback.id, { outcome: ending.outcome, callId: a.id, agent: a.agent }).then(() => {}) : Promise.resolve();
    this.track(
      noted
        .catch((err: Error) => this.d.logger.error({ callback: a.callback.id, err: err.message }, 'the callback attempt could not be recorded'))
        .then(() => this.d.cdrs.append(cdr))
        .then(() => void this.emit('call-ended', cdr))
        .catch((err: Error) => this.d.logger.error({ call: a.id, err: err.message }, 'the callback CDR could not be written')),
    );
    this.kick();
  }

  private track(p: Promise<void>): void {
    this.writing.add(p);
    void p.finally(() => this.writing.delete(p));
  }
}

/** The number as the line dials it: an international `+` becomes the international prefix 00. */
export function dialString(number: string): string {
  return number.startsWith('+') ? `00${number.slice(1)}` : number;
}
