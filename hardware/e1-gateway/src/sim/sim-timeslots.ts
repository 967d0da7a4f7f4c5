import type { CardMessage } from '../protocol/index.js';
import type { Timer, Timers } from './sim-timers.js';

/** How long the card's tone detector needs to declare a tone present. */
export const TONE_DETECT_MS = 60;

export interface SimTimeslotsOptions {
  span: number;
  timers: Timers;
  send: (message: CardMessage) => void;
  /** The span is in frame (no LOS, LOF or AIS), so timeslot contents mean something. */
  inFrame: () => boolean;
  /** The far end loops this timeslot back (a continuity-check loop, say). */
  farEndLoopback: (timeslot: number) => boolean;
}

interface Tone {
  frequency: number;
  detected: boolean;
  timer: Timer | undefined;
}

export interface TimeslotsSnapshot {
  connections: { timeslot: number; mediaPort: number }[];
  loopbacks: number[];
  tones: { timeslot: number; frequency: number; detected: boolean }[];
  brokenLoopbacks: number[];
}

/**
 * The 31 usable timeslots of one span as far as the serial link sees them: media
 * connections, loopbacks and the tone generator/detector pair the host uses for
 * continuity checks (Q.724 7: send a tone, expect it back through the loop).
 */
export class SimTimeslots {
  private readonly connections = new Map<number, number>();
  private readonly loopbacks = new Set<number>();
  private readonly broken = new Set<number>();
  private readonly tones = new Map<number, Tone>();

  constructor(private readonly opts: SimTimeslotsOptions) {}

  /** Connects a timeslot to a media port; port 0 disconnects it. */
  connect(timeslot: number, mediaPort: number): void {
    if (mediaPort === 0) this.connections.delete(timeslot);
    else this.connections.set(timeslot, mediaPort);
  }

  setLoopback(timeslot: number, on: boolean): void {
    if (on) this.loopbacks.add(timeslot);
    else this.loopbacks.delete(timeslot);
    this.check(timeslot);
  }

  /** Starts (frequency > 0) or stops (0) the tone sent on a timeslot. */
  setTone(timeslot: number, frequency: number): void {
    const old = this.tones.get(timeslot);
    if (old && old.frequency === frequency) return;
    if (old) {
      old.timer?.cancel();
      this.tones.delete(timeslot);
      if (old.detected) this.report(timeslot, old.frequency, false);
    }
    if (frequency === 0) return;
    this.tones.set(timeslot, { frequency, detected: false, timer: undefined });
    this.check(timeslot);
  }

  /** Fault injection: a broken loop never returns the tone. */
  setLoopbackFault(timeslot: number, broken: boolean): void {
    if (broken) this.broken.add(timeslot);
    else this.broken.delete(timeslot);
    this.check(timeslot);
  }

  /** Something the detection depends on changed (span defects, the far end). */
  recheck(): void {
    for (const timeslot of this.tones.keys()) this.check(timeslot);
  }

  /** Card reset: connections, loopbacks and tones go; injected faults stay. */
  resetCard(): void {
    for (const tone of this.tones.values()) tone.timer?.cancel();
    this.tones.clear();
    this.loopbacks.clear();
    this.connections.clear();
  }

  snapshot(): TimeslotsSnapshot {
    const sorted = (s: Iterable<number>) => [...s].sort((a, b) => a - b);
    return {
      connections: sorted(this.connections.keys()).map((timeslot) => ({ timeslot, mediaPort: this.connections.get(timeslot)! })),
      loopbacks: sorted(this.loopbacks),
      tones: sorted(this.tones.keys()).map((timeslot) => {
        const { frequency, detected } = this.tones.get(timeslot)!;
        return { timeslot, frequency, detected };
      }),
      brokenLoopbacks: sorted(this.broken),
    };
  }

  private looped(timeslot: number): boolean {
    if (this.broken.has(timeslot) || !this.opts.inFrame()) return false;
    return this.loopbacks.has(timeslot) || this.opts.farEndLoopback(timeslot);
  }

  private check(timeslot: number): void {
    const tone = this.tones.get(timeslot);
    if (!tone) return;
    if (!this.looped(timeslot)) {
      tone.timer?.cancel();
      tone.timer = undefined;
      if (tone.detected) {
        tone.detected = false;
        this.report(timeslot, tone.frequency, false);
      }
      return;
    }
    if (tone.detected || tone.timer) return;
    tone.timer = this.opts.timers.after(TONE_DETECT_MS, () => {
      tone.timer = undefined;
      if (this.tones.get(timeslot) !== tone || !this.looped(timeslot)) return;
      tone.detected = true;
      this.report(timeslot, tone.frequency, true);
    });
  }

  private report(timeslot: number, frequency: number, present: boolean): void {
    this.opts.send({ type: 'tsToneDetect', span: this.opts.span, timeslot, frequency, present });
  }
}
