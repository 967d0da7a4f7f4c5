/**
 * Call control on one analog loop-start line (an FXO port of the card), as China's exchanges
 * work it: ringing 1 s on, 4 s off; caller ID by FSK between the first and second ring or by
 * DTMF before the first ring (YD/T 1277.1); answer by going off-hook; the far end's hang-up
 * seen as battery loss (open loop), a polarity reversal, or at the last the busy tone; outward
 * calls by going off-hook, waiting for dial tone and dialling.
 *
 * Pure: it is told what the card reports (rings, caller ID, tones, the line supervision's
 * events, whether loop current flows) and what the box wants (answer, hang up, seize), each
 * with the time, and returns what to do (`hook`, `dial`) and what happened (`incoming`,
 * `answered`, `far-end-hangup`, ...). `tick(now)` runs its timers; `nextDeadline()` says when.
 *
 *   idle ──ring──► ringing ──answer──► answering ──loop current──► connected ──hang-up──► releasing ──► idle
 *     │              └──rings stop──► idle                                 (any end of the call)
 *     └──seize──► seizing ──dial tone──► outgoing ──hang-up──► releasing
 *                    └──ring (glare): the incoming call wins──► connected
 *   any ──line unplugged──► unplugged ──line back──► idle
 */
export type LineState = 'idle' | 'ringing' | 'answering' | 'connected' | 'seizing' | 'outgoing' | 'releasing' | 'unplugged';

export interface LoopStartSettings {
  /** Silence after a ring burst that means the caller gave up (4 s off in the cadence, plus margin). */
  ringGapMs: number;
  /** After the first ring ends, how long FSK caller ID may take before the call is offered without it. */
  callerIdWaitMs: number;
  /** DTMF caller ID before ringing is kept this long for the ring it announces. */
  dtmfCallerIdMs: number;
  /** After going off-hook to answer or seize, loop current must flow within this. */
  loopCurrentWaitMs: number;
  /** Outward: dial tone must come within this after going off-hook. */
  dialToneWaitMs: number;
  /** After going on-hook, how long the line rests before it is idle again. */
  releaseGuardMs: number;
  /** No seizure this soon after the last ring edge: the exchange may ring the line again (loop-start glare). */
  seizeGuardMs: number;
  /** No call keeps the line off-hook longer: past it the box hangs up and says so. */
  maxOffHookMs: number;
  /**
   * A polarity reversal during a call is the far end hanging up (true on most Chinese lines).
   * On a call we placed, the first reversal is the far end answering (反极 answer signal).
   */
  polarityDisconnect: boolean;
  /** A reversal this soon after we answer is the exchange's own answer signal, not a hang-up. */
  polarityAnswerGuardMs: number;
  /** Busy tone during a call is the far end hanging up: the last resort when nothing else comes. */
  busyToneDisconnect: boolean;
}

export const DEFAULT_LOOP_START_SETTINGS: Readonly<LoopStartSettings> = Object.freeze({
  ringGapMs: 6000,
  callerIdWaitMs: 2500,
  dtmfCallerIdMs: 5000,
  loopCurrentWaitMs: 1000,
  dialToneWaitMs: 3000,
  releaseGuardMs: 500,
  seizeGuardMs: 8000,
  maxOffHookMs: 4 * 3_600_000,
  polarityDisconnect: true,
  polarityAnswerGuardMs: 600,
  busyToneDisconnect: true,
});

export interface CallerId {
  number: string;
  name: string;
  method: 'fsk' | 'dtmf';
}

/** How the box learnt that the far end hung up, most trusted first. */
export type HangupSignal = 'battery-loss' | 'polarity-reversal' | 'busy-tone' | 'dial-tone';

export type LineOutput =
  // what to do
  | { type: 'hook'; offHook: boolean }
  | { type: 'dial'; digits: string }
  // what happened
  | { type: 'incoming'; callerId: CallerId | null }
  /** FSK caller ID that came after the call was offered without it. */
  | { type: 'caller-id'; callerId: CallerId }
  | { type: 'caller-gone'; rings: number }
  | { type: 'answered' }
  | { type: 'far-end-hangup'; signal: HangupSignal }
  | { type: 'seized'; digits: string }
  | { type: 'seize-failed'; reason: 'line-busy' | 'ringing' | 'no-dial-tone' | 'dial-failed' | 'hook-failed' | 'cancelled' | 'unplugged' }
  /** The far end answered our call (a polarity reversal on a line that gives one). */
  | { type: 'far-end-answered' }
  /** The card did not take our off-hook: the line stays on-hook. */
  | { type: 'hook-failed' }
  | { type: 'glare' }
  | { type: 'no-loop-current' }
  | { type: 'off-hook-too-long'; ms: number }
  | { type: 'line-lost' }
  | { type: 'idle' };

export type LineInput =
  | 'ring-on'
  | 'ring-off'
  | 'caller-id'
  | 'answer'
  | 'loop-current'
  | 'hang-up'
  | 'far-end-hangup'
  | 'seize'
  | 'dial-tone'
  | 'timeout'
  | 'released'
  | 'unplugged'
  | 'plugged'
  | 'card-reset';

/** The moves the line may make; anything else is refused (`IllegalLineMoveError`) or ignored, as `on*` says. */
const MOVES: Record<LineState, Partial<Record<LineInput, LineState>>> = {
  idle: { 'ring-on': 'ringing', seize: 'seizing', unplugged: 'unplugged', 'card-reset': 'idle' },
  ringing: { answer: 'answering', timeout: 'idle', unplugged: 'unplugged', 'card-reset': 'idle' },
  answering: { 'loop-current': 'connected', timeout: 'releasing', 'hang-up': 'releasing', 'far-end-hangup': 'releasing', unplugged: 'unplugged', 'card-reset': 'idle' },
  connected: { 'hang-up': 'releasing', 'far-end-hangup': 'releasing', timeout: 'releasing', unplugged: 'unplugged', 'card-reset': 'idle' },
  seizing: { 'dial-tone': 'outgoing', 'ring-on': 'connected', timeout: 'releasing', 'hang-up': 'releasing', unplugged: 'unplugged', 'card-reset': 'idle' },
  outgoing: { 'hang-up': 'releasing', 'far-end-hangup': 'releasing', timeout: 'releasing', unplugged: 'unplugged', 'card-reset': 'idle' },
  releasing: { released: 'idle', unplugged: 'unplugged', 'card-reset': 'idle' },
  unplugged: { plugged: 'idle', 'card-reset': 'unplugged' },
};

export class IllegalLineMoveError extends Error {
  constructor(
    readonly port: number,
    readonly from: LineState,
    readonly input: LineInput,
  ) {
    super(`FXO port ${port}: a line that is ${from} cannot take ${input}`);
    this.name = 'IllegalLineMoveError';
  }
}

export class LoopStartLine {
  private current: LineState = 'idle';
  /** A ring began while the line was releasing: a new call, taken up once idle. */
  private rangWhileReleasing = false;
  /** The call came by glare: the line rang as we seized it. */
  private glare = false;
  private since: number;
  /** When the timer of the current state runs out, and what it means. */
  private deadline: { at: number; what: 'ring-gap' | 'caller-id' | 'loop-current' | 'dial-tone' | 'release' | 'max-off-hook' } | null = null;
  private offHookSince: number | null = null;
  private rings = 0;
  private offered = false;
  private callerId: CallerId | null = null;
  /** DTMF caller ID heard while idle, waiting for its ring. */
  private announced: { callerId: CallerId; at: number } | null = null;
  /** The last edge of the ringing, on or off: the ring gap and the seizure guard count from it. */
  private lastRingEdge = Number.NEGATIVE_INFINITY;
  private digits = '';
  /** Counts the calls on this line (incoming rings and seizures), so late answers find theirs. */
  private calls = 0;
  /** On a call we placed: whether the far end has answered (its polarity reversal). */
  private farAnswered = false;

  constructor(
    readonly port: number,
    private readonly settings: LoopStartSettings = DEFAULT_LOOP_START_SETTINGS,
    now = 0,
  ) {
    this.since = now;
  }

  get state(): LineState {
    return this.current;
  }

  /** Which call the line is on (or last was on): a late answer from the card names it. */
  get callNumber(): number {
    return this.calls;
  }

  get view(): { state: LineState; since: number; rings: number; callerId: CallerId | null; offHook: boolean } {
    return { state: this.current, since: this.since, rings: this.rings, callerId: this.callerId, offHook: this.offHookSince !== null };
  }

  /** When `tick` must run next, or null when no timer runs. */
  nextDeadline(): number | null {
    const maxOffHook = this.offHookSince === null ? null : this.offHookSince + this.settings.maxOffHookMs;
    const own = this.deadline?.at ?? null;
    if (own === null) return maxOffHook;
    return maxOffHook === null ? own : Math.min(own, maxOffHook);
  }

  // --- what the card reports --------------------------------------------------------

  /** A ring burst starts (`on`) or ends. */
  ring(on: boolean, now: number): LineOutput[] {
    this.lastRingEdge = now;
    switch (this.current) {
      case 'idle': {
        if (!on) return [];
        this.move('ring-on', now);
        this.calls++;
        this.rings = 1;
        this.offered = false;
        this.callerId = this.announced && now - this.announced.at <= this.settings.dtmfCallerIdMs ? this.announced.callerId : null;
        this.announced = null;
        // DTMF caller ID came before the ring: the call can be offered at once.
        if (this.callerId) return this.offer(now);
        this.deadline = { at: now + this.settings.ringGapMs, what: 'ring-gap' };
        return [];
      }
      case 'ringing': {
        if (on) {
          this.rings++;
          // A second ring with no FSK caller ID between: offer without it.
          const out = this.offered ? [] : this.offer(now);
          this.deadline = { at: now + this.settings.ringGapMs, what: 'ring-gap' };
          return out;
        }
        if (!this.offered && this.rings === 1) this.deadline = { at: now + this.settings.callerIdWaitMs, what: 'caller-id' };
        else this.deadline = { at: now + this.settings.ringGapMs, what: 'ring-gap' };
        return [];
      }
      case 'releasing':
        // A new call rings the line while the box lets the last one go (the exchange freed the
        // line at once): kept, and taken up as the line comes back idle.
        if (on) this.rangWhileReleasing = true;
        return [];
      case 'seizing':
        // Loop-start glare: the exchange rang the line as we went off-hook. Off-hook on a
        // ringing line answers it, so the incoming call wins; ours must go another way.
        if (!on) return [];
        this.move('ring-on', now);
        this.callerId = null;
        this.deadline = null;
        this.glare = true;
        return [{ type: 'glare' }, { type: 'incoming', callerId: null }, { type: 'answered' }];
      default:
        return [];
    }
  }

  /** Caller ID decoded by the card: FSK after the first ring, or DTMF before ringing. */
  callerIdHeard(callerId: CallerId, now: number): LineOutput[] {
    if (this.current === 'idle') {
      this.announced = { callerId, at: now };
      return [];
    }
    if (this.current !== 'ringing') return [];
    const late = this.offered && this.callerId === null;
    this.callerId = callerId;
    if (late) return [{ type: 'caller-id', callerId }];
    return this.offered ? [] : this.offer(now);
  }

  /** The card measures loop current (the line is off-hook and the exchange feeds it). */
  loopCurrent(now: number): LineOutput[] {
    if (this.current !== 'answering') return [];
    this.move('loop-current', now);
    this.deadline = null;
    return [{ type: 'answered' }];
  }

  /** The line supervision saw the far end go: battery loss (open loop) or a polarity reversal. */
  supervision(signal: 'battery-loss' | 'polarity-reversal', now: number): LineOutput[] {
    if (signal === 'polarity-reversal') {
      if (!this.settings.polarityDisconnect) return [];
      if (this.current === 'outgoing' && !this.farAnswered) {
        this.farAnswered = true;
        return [{ type: 'far-end-answered' }];
      }
      const answeredAt = this.offHookSince;
      if ((this.current === 'answering' || this.current === 'connected') && answeredAt !== null && now - answeredAt < this.settings.polarityAnswerGuardMs) return [];
    }
    return this.farEndGone(signal, now);
  }

  /** A tone the card detects on the line. */
  tone(tone: 'none' | 'dial' | 'busy' | 'ringback' | 'congestion', now: number): LineOutput[] {
    if (tone === 'dial' && this.current === 'seizing') {
      this.move('dial-tone', now);
      this.deadline = null;
      return [{ type: 'dial', digits: this.digits }, { type: 'seized', digits: this.digits }];
    }
    if ((tone === 'busy' || tone === 'congestion') && this.current === 'seizing') {
      // Busy or congestion instead of dial tone: the exchange will not take a call now.
      return [...this.release(now, 'timeout'), { type: 'seize-failed', reason: 'no-dial-tone' }];
    }
    if ((tone === 'busy' || tone === 'congestion') && this.settings.busyToneDisconnect) return this.farEndGone('busy-tone', now);
    // Dial tone on a line the box answered: there is no call on it. The caller hung up in a
    // pause of the ring cadence, as the box went off-hook, and the exchange took the off-hook
    // for a new call. Held so, the line would be dead to every later caller.
    // (After glare the dial tone heard is the one our seizure drew, reported late: a caller is there.)
    if (tone === 'dial' && !this.glare && (this.current === 'answering' || this.current === 'connected')) return this.farEndGone('dial-tone', now);
    return [];
  }

  /** The line is gone (no battery for the alarm time) or back. */
  plugged(present: boolean, now: number): LineOutput[] {
    if (!present) {
      if (this.current === 'unplugged') return [];
      const wasOffHook = this.offHookSince !== null;
      const failedSeize = this.current === 'seizing';
      const inCall = this.current !== 'idle' && this.current !== 'releasing';
      this.move('unplugged', now);
      this.deadline = null;
      this.resetCall();
      const out: LineOutput[] = [];
      if (wasOffHook) out.push(this.hook(false, now));
      if (failedSeize) out.push({ type: 'seize-failed', reason: 'unplugged' });
      else if (inCall) out.push({ type: 'line-lost' });
      return out;
    }
    if (this.current !== 'unplugged') return [];
    this.move('plugged', now);
    return [{ type: 'idle' }];
  }

  // --- what the box wants -------------------------------------------------------------

  /** Answer the ringing call: off-hook, then loop current must flow. */
  answer(now: number): LineOutput[] {
    this.move('answer', now);
    this.deadline = { at: now + this.settings.loopCurrentWaitMs, what: 'loop-current' };
    return [this.hook(true, now)];
  }

  /** End the call from our side: on-hook. Nothing to do on a line already idle or releasing. */
  hangUp(now: number): LineOutput[] {
    if (this.current === 'idle' || this.current === 'releasing' || this.current === 'unplugged' || this.current === 'ringing') return [];
    if (this.current === 'seizing') return [...this.release(now, 'hang-up'), { type: 'seize-failed', reason: 'cancelled' }];
    return this.release(now, 'hang-up');
  }

  /** The card refused our off-hook: the line never left on-hook; the answer or seizure failed. */
  hookFailed(now: number): LineOutput[] {
    if (this.current !== 'answering' && this.current !== 'seizing') return [];
    const seizing = this.current === 'seizing';
    const out = this.release(now, 'timeout');
    return [...out, seizing ? { type: 'seize-failed', reason: 'hook-failed' } : { type: 'hook-failed' }];
  }

  /** The card refused the digits of call `call`: the seizure fails, the line goes on-hook. */
  dialFailed(call: number, now: number): LineOutput[] {
    if (call !== this.calls || this.current !== 'outgoing') return [];
    return [...this.release(now, 'timeout'), { type: 'seize-failed', reason: 'dial-failed' }];
  }

  /**
   * The card restarted (its hook relays dropped) or was lost: every call on the line is over.
   * `onHook`: send on-hook as well (a lost card may still hold the line).
   */
  cardReset(now: number, onHook: boolean): LineOutput[] {
    const inCall = this.current === 'answering' || this.current === 'connected' || this.current === 'seizing' || this.current === 'outgoing' || (this.current === 'ringing' && this.offered);
    const wasOffHook = this.offHookSince !== null;
    this.move('card-reset', now);
    this.deadline = null;
    this.offHookSince = null;
    this.resetCall();
    const out: LineOutput[] = [];
    if (wasOffHook && onHook) out.push({ type: 'hook', offHook: false });
    if (inCall) out.push({ type: 'line-lost' });
    return out;
  }

  /**
   * Seize the line to call out: refused while it rings or has just rung (the exchange may be
   * about to ring it again: loop-start glare), else off-hook, then dial tone, then `digits`.
   */
  seize(digits: string, now: number): LineOutput[] {
    if (this.current === 'unplugged') return [{ type: 'seize-failed', reason: 'unplugged' }];
    if (this.current === 'ringing' || (this.current === 'idle' && now - this.lastRingEdge < this.settings.seizeGuardMs)) return [{ type: 'seize-failed', reason: 'ringing' }];
    if (this.current !== 'idle') return [{ type: 'seize-failed', reason: 'line-busy' }];
    this.move('seize', now);
    this.calls++;
    this.digits = digits;
    this.deadline = { at: now + this.settings.dialToneWaitMs, what: 'dial-tone' };
    return [this.hook(true, now)];
  }

  // --- time ---------------------------------------------------------------------------

  tick(now: number): LineOutput[] {
    if (this.offHookSince !== null && now >= this.offHookSince + this.settings.maxOffHookMs && this.current !== 'releasing') {
      const ms = now - this.offHookSince;
      return [...this.release(now, 'timeout'), { type: 'off-hook-too-long', ms }];
    }
    const d = this.deadline;
    if (d === null || now < d.at) return [];
    this.deadline = null;
    switch (d.what) {
      case 'caller-id':
        // No FSK after the first ring: offer now, and keep watching the cadence.
        return this.offer(now);
      case 'ring-gap': {
        const rings = this.rings;
        const offered = this.offered;
        this.move('timeout', now);
        this.resetCall();
        return offered ? [{ type: 'caller-gone', rings }, { type: 'idle' }] : [{ type: 'idle' }];
      }
      case 'loop-current':
        return [...this.release(now, 'timeout'), { type: 'no-loop-current' }];
      case 'dial-tone':
        return [...this.release(now, 'timeout'), { type: 'seize-failed', reason: 'no-dial-tone' }];
      case 'release': {
        this.move('released', now);
        this.resetCall();
        const rang = this.rangWhileReleasing;
        this.rangWhileReleasing = false;
        return rang ? [{ type: 'idle' }, ...this.ring(true, now)] : [{ type: 'idle' }];
      }
      default:
        return [];
    }
  }

  // --- internals ----------------------------------------------------------------------

  private offer(_now: number): LineOutput[] {
    this.offered = true;
    this.deadline = { at: this.lastRingEdge + this.settings.ringGapMs, what: 'ring-gap' };
    return [{ type: 'incoming', callerId: this.callerId }];
  }

  private farEndGone(signal: HangupSignal, now: number): LineOutput[] {
    if (this.current !== 'connected' && this.current !== 'outgoing' && this.current !== 'answering') return [];
    return [...this.release(now, 'far-end-hangup'), { type: 'far-end-hangup', signal }];
  }

  private release(now: number, input: 'hang-up' | 'far-end-hangup' | 'timeout'): LineOutput[] {
    this.move(input, now);
    this.deadline = { at: now + this.settings.releaseGuardMs, what: 'release' };
    return this.offHookSince === null ? [] : [this.hook(false, now)];
  }

  private hook(offHook: boolean, now: number): LineOutput {
    this.offHookSince = offHook ? now : null;
    return { type: 'hook', offHook };
  }

  private resetCall(): void {
    this.farAnswered = false;
    this.glare = false;
    this.rings = 0;
    this.offered = false;
    this.callerId = null;
    this.digits = '';
  }

  /** The one way the line changes state (the table above). */
  private move(input: LineInput, now: number): void {
    const to = MOVES[this.current][input];
    if (to === undefined) throw new IllegalLineMoveError(this.port, this.current, input);
    if (to !== this.current) this.since = now;
    this.current = to;
  }
}
