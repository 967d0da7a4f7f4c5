import type { Clock } from '../clock.js';
import type { CardMessage, FxoTone, MessageOf } from '../protocol/index.js';
import { SimError } from './sim-error.js';
import type { Timer, Timers } from './sim-timers.js';

/**
 * Where the call on a loop-start line stands, seen from the exchange:
 * - `idle`: on-hook, nothing happening;
 * - `ringing`: an incoming call alerts (through the silent parts of the cadence too);
 * - `seized`: the host is off-hook without an answered call (dial tone after a moment; once
 *   it dials, ringback while the exchange rings the number it dialled);
 * - `connected`: the host answered the ringing call, or the far end answered the host's call;
 * - `open-loop`: the far end hung up and the exchange removed battery for a moment;
 * - `released`: battery is back, the exchange plays busy tone until the host hangs up.
 */
export type FxoCallState = 'idle' | 'ringing' | 'seized' | 'connected' | 'open-loop' | 'released';

const MOVES: Record<FxoCallState, readonly FxoCallState[]> = {
  idle: ['ringing', 'seized'],
  ringing: ['idle', 'connected'],
  seized: ['idle', 'open-loop', 'connected'],
  connected: ['idle', 'open-loop', 'seized'],
  'open-loop': ['released', 'idle', 'seized'],
  released: ['idle', 'seized'],
};
const OFF_HOOK: readonly FxoCallState[] = ['seized', 'connected', 'open-loop', 'released'];

/** Line timing: the defaults are what a Chinese exchange does (ring 1 s on, 4 s off; tones 450 Hz). */
export interface FxoTiming {
  ringOnMs: number;
  ringOffMs: number;
  /** FSK caller ID goes out this long after the first ring ends (YD/T 1277.1). */
  callerIdDelayMs: number;
  dialToneDelayMs: number;
  /** Open-loop disconnect: battery removed this long when the far end hangs up. */
  openLoopMs: number;
  maxRings: number;
}
export const DEFAULT_FXO_TIMING: Readonly<FxoTiming> = Object.freeze({
  ringOnMs: 1000,
  ringOffMs: 4000,
  callerIdDelayMs: 500,
  dialToneDelayMs: 200,
  openLoopMs: 600,
  maxRings: 10,
});

/** Line levels: idle battery, off-hook loop (volts, milliamps). */
const IDLE_VOLTS = -48;
const OFF_HOOK_VOLTS = -8;
const LOOP_MILLIAMPS = 25;

export interface RingRequest {
  /** Calling number for FSK caller ID; none sent when absent. */
  callerId?: string;
  name?: string;
  /** Rings before the exchange gives up; default from the timing. */
  maxRings?: number;
}

export interface SimFxoPortOptions {
  index: number;
  timers: Timers;
  clock: Clock;
  send: (message: CardMessage) => void;
  timing?: Partial<FxoTiming>;
}

export interface FxoSnapshot {
  port: number;
  plugged: boolean;
  voltage: number;
  loopCurrent: number;
  offHook: boolean;
  ringing: boolean;
  polarity: 'normal' | 'reversed';
  tone: FxoTone;
  call: FxoCallState;
  rings: number;
  /** The digits the host dialled since it last went off-hook on an idle line (kept after it hangs up). */
  dialled: string;
}

export interface AnswerRequest {
  /** The exchange reverses the line's polarity as it answers (反极, answer supervision); default true. */
  reversePolarity?: boolean;
}

/**
 * One analog loop-start line with a Chinese exchange behind it (see the README, "FXO lines"). The host
 * works the hook; the control API works the exchange side (plug, ring, hang up, reverse).
 * Every change of what the card measures goes to the host as `fxoStatus`.
 */
export class SimFxoPort {
  plugged = true;
  polarity: 'normal' | 'reversed' = 'normal';
  state: FxoCallState = 'idle';
  tone: FxoTone = 'none';
  private readonly timing: FxoTiming;
  private bell = false;
  private rings = 0;
  private dialled = '';
  /** The polarity was reversed by the far end's answer: it goes back when the call ends. */
  private reversedByAnswer = false;
  private call: Required<Pick<RingRequest, 'maxRings'>> & RingRequest = { maxRings: 0 };
  private ringTimer: Timer | undefined;
  private callerIdTimer: Timer | undefined;
  private dialToneTimer: Timer | undefined;
  private openLoopTimer: Timer | undefined;
  private lastStatus = '';

  constructor(private readonly opts: SimFxoPortOptions) {
    this.timing = { ...DEFAULT_FXO_TIMING, ...opts.timing };
    this.lastStatus = JSON.stringify(this.status());
  }

  get index(): number {
    return this.opts.index;
  }

  get offHook(): boolean {
    return OFF_HOOK.includes(this.state);
  }

  get ringing(): boolean {
    return this.state === 'ringing';
  }

  /** Tip-ring DC voltage; a reversed line reads with the opposite sign. */
  get voltage(): number {
    if (!this.plugged || this.state === 'open-loop') return 0;
    const v = this.offHook ? OFF_HOOK_VOLTS : IDLE_VOLTS;
    return this.polarity === 'reversed' ? -v : v;
  }

  get loopCurrent(): number {
    return this.plugged && this.offHook && this.state !== 'open-loop' ? LOOP_MILLIAMPS : 0;
  }

  status(): MessageOf<'fxoStatus'> {
    return {
      type: 'fxoStatus',
      port: this.index,
      voltage: this.voltage,
      loopCurrent: this.loopCurrent,
      offHook: this.offHook,
      ringing: this.ringing,
      polarity: this.polarity,
    };
  }

  // --- host side

  /** Host `fxoHook`. Going off-hook on a ringing line answers the call. */
  setHook(offHook: boolean): void {
    if (offHook === this.offHook) return;
    if (offHook) {
      if (this.state === 'ringing') {
        this.stopRinging('connected');
      } else {
        // A new call out: the digits of the last one are forgotten.
        if (this.state === 'idle') this.dialled = '';
        this.transition('seized');
        this.publish();
        this.armDialTone();
      }
      return;
    }
    this.cancel('dialToneTimer', 'openLoopTimer');
    this.transition('idle');
    this.setTone('none');
    // The exchange takes its answer signal back when the call ends.
    if (this.polarity === 'reversed' && this.reversedByAnswer) this.setPolarity(false);
    this.reversedByAnswer = false;
    this.publish();
  }

  /**
   * Host `fxoDtmfSend`: only off-hook. Dialling ends dial tone; on a seized line the exchange
   * keeps the digits and rings the number (ringback) until the far end answers or hangs up.
   */
  sendDigits(digits = ''): 'ok' | 'not-ready' {
    if (!this.offHook) return 'not-ready';
    this.cancel('dialToneTimer');
    if (this.state === 'seized' && this.plugged) {
      this.dialled += digits;
      this.setTone(this.dialled ? 'ringback' : 'none');
    } else if (this.tone === 'dial') this.setTone('none');
    return 'ok';
  }

  // --- exchange side (control API)

  setPlugged(plugged: boolean): void {
    if (plugged === this.plugged) return;
    if (!plugged) {
      if (this.state === 'ringing') this.stopRinging('idle');
      if (this.offHook && this.state !== 'seized') this.transition('seized');
      this.cancel('dialToneTimer', 'openLoopTimer');
      this.setTone('none');
      this.plugged = false;
      this.publish();
      return;
    }
    this.plugged = true;
    this.publish();
    if (this.state === 'seized') this.armDialTone();
  }

  /** Rings the line: 1 s on, 4 s off, caller ID after the first ring. */
  ring(request: RingRequest = {}): void {
    if (!this.plugged) throw new SimError('conflict', `FXO port ${this.index} is unplugged; plug the line in before ringing it`);
    if (this.state === 'ringing') throw new SimError('conflict', `FXO port ${this.index} is already ringing`);
    if (this.state !== 'idle') throw new SimError('conflict', `FXO port ${this.index} is off-hook (${this.state}); the exchange rings only an idle line`);
    this.call = { ...request, maxRings: request.maxRings ?? this.timing.maxRings };
    this.rings = 0;
    this.transition('ringing');
    this.publish();
    this.ringBurst();
  }

  /** The far end hangs up: ringing stops, or a call gets an open-loop disconnect then busy tone. */
  farEndHangup(): void {
    if (!this.plugged) throw new SimError('conflict', `FXO port ${this.index} is unplugged; there is no call to hang up`);
    switch (this.state) {
      case 'ringing':
        this.stopRinging('idle');
        return;
      case 'seized':
      case 'connected':
        this.cancel('dialToneTimer');
        this.transition('open-loop');
        this.setTone('none');
        this.publish();
        this.openLoopTimer = this.opts.timers.after(this.timing.openLoopMs, () => {
          this.transition('released');
          this.publish();
          this.setTone('busy');
        });
        return;
      default:
        throw new SimError('conflict', `FXO port ${this.index} has no call to hang up (${this.state})`);
    }
  }

  /**
   * The far end answers the host's call: the line must be seized with digits dialled.
   * Ringback stops; by default the exchange reverses the polarity as its answer signal.
   */
  answer(request: AnswerRequest = {}): void {
    if (!this.plugged) throw new SimError('conflict', `FXO port ${this.index} is unplugged; there is no call to answer`);
    if (this.state !== 'seized') throw new SimError('conflict', `FXO port ${this.index} has no call of the box to answer (${this.state}); the box must go off-hook and dial first`);
    if (!this.dialled) throw new SimError('conflict', `FXO port ${this.index} is off-hook but nothing was dialled yet; there is nobody to answer`);
    this.transition('connected');
    this.setTone('none');
    if ((request.reversePolarity ?? true) && this.polarity === 'normal') {
      this.reversedByAnswer = true;
      this.setPolarity(true);
    }
    this.publish();
  }

  /** Reverses the line (or sets it, given `reversed`); the card reports the edge. */
  setPolarity(reversed?: boolean): void {
    const next = (reversed ?? this.polarity === 'normal') ? 'reversed' : 'normal';
    if (next === this.polarity) return;
    this.polarity = next;
    this.opts.send({ type: 'fxoPolarity', port: this.index, polarity: next });
    this.publish();
  }

  // --- card

  /** Card reset: the hook relay drops (on-hook) and ringing detection restarts. */
  resetCard(): void {
    this.cancel('ringTimer', 'callerIdTimer', 'dialToneTimer', 'openLoopTimer');
    this.bell = false;
    if (this.state !== 'idle') this.transition('idle');
    this.tone = 'none';
    // The loop opened: the exchange ends the call and takes its answer signal back.
    if (this.reversedByAnswer) this.polarity = 'normal';
    this.reversedByAnswer = false;
    this.publish();
  }

  snapshot(): FxoSnapshot {
    const { type: _type, ...status } = this.status();
    return { ...status, plugged: this.plugged, tone: this.tone, call: this.state, rings: this.rings, dialled: this.dialled };
  }

  /** Sends fxoStatus if what the card measures changed since the last one. */
  private publish(): void {
    const status = this.status();
    const key = JSON.stringify(status);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.opts.send(status);
  }

  private setTone(tone: FxoTone): void {
    if (tone === this.tone) return;
    this.tone = tone;
    this.opts.send({ type: 'fxoTone', port: this.index, tone });
  }

  private armDialTone(): void {
    if (!this.plugged) return;
    this.cancel('dialToneTimer');
    this.dialToneTimer = this.opts.timers.after(this.timing.dialToneDelayMs, () => {
      if (this.state === 'seized' && this.plugged) this.setTone('dial');
    });
  }

  private ringBurst(): void {
    this.bell = true;
    this.rings++;
    this.opts.send({ type: 'fxoRing', port: this.index, on: true });
    this.ringTimer = this.opts.timers.after(this.timing.ringOnMs, () => {
      this.bell = false;
      this.opts.send({ type: 'fxoRing', port: this.index, on: false });
      if (this.rings === 1 && this.call.callerId !== undefined) {
        this.callerIdTimer = this.opts.timers.after(this.timing.callerIdDelayMs, () => this.sendCallerId());
      }
      if (this.rings >= this.call.maxRings) {
        this.stopRinging('idle');
        return;
      }
      this.ringTimer = this.opts.timers.after(this.timing.ringOffMs, () => this.ringBurst());
    });
  }

  private sendCallerId(): void {
    const d = new Date(this.opts.clock.now());
    const two = (n: number) => String(n).padStart(2, '0');
    // YD/T 1277.1 date and time: month, day, hour, minute, local time of the exchange.
    const time = `${two(d.getMonth() + 1)}${two(d.getDate())}${two(d.getHours())}${two(d.getMinutes())}`;
    this.opts.send({ type: 'fxoCallerId', port: this.index, number: this.call.callerId ?? '', name: this.call.name ?? '', time, method: 'fsk' });
  }

  private stopRinging(to: 'idle' | 'connected'): void {
    this.cancel('ringTimer', 'callerIdTimer');
    if (this.bell) {
      this.bell = false;
      this.opts.send({ type: 'fxoRing', port: this.index, on: false });
    }
    this.transition(to);
    this.publish();
  }

  private cancel(...names: ('ringTimer' | 'callerIdTimer' | 'dialToneTimer' | 'openLoopTimer')[]): void {
    for (const name of names) {
      this[name]?.cancel();
      this[name] = undefined;
    }
  }

  private transition(to: FxoCallState): void {
    if (!MOVES[this.state].includes(to)) throw new Error(`FXO port ${this.index}: illegal move ${this.state} -> ${to}`);
    this.state = to;
  }
}
