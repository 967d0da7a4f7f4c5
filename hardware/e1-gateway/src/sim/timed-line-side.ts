import type { LinkState } from '../protocol/index.js';
import type { LinkLineSide } from './sim-signalling-link.js';
import type { Timer, Timers } from './sim-timers.js';

/** How long initial alignment takes before proving starts (Q.703 7.3, compressed). */
export const ALIGNMENT_MS = 100;
/** Q.703 12.3: the emergency proving period Pe is 2^12 octets against Pn's 2^16. */
const EMERGENCY_DIVISOR = 16;

const MOVES: Record<LinkState, readonly LinkState[]> = {
  'out-of-service': ['alignment'],
  alignment: ['proving', 'out-of-service'],
  proving: ['in-service', 'out-of-service'],
  'in-service': ['out-of-service'],
  'processor-outage': ['in-service', 'out-of-service'],
};

export interface TimedLineSideOptions {
  timers: Timers;
  /** Normal proving period (Q.703 T4 with Pn); the simulator compresses it, default 500 ms. */
  provingMs: number;
  onState: (state: LinkState) => void;
}

/**
 * The line side of a link whose far end is simulated at MSU level (the built-in exchange):
 * alignment and proving take fixed times and always succeed, as nothing on the simulated
 * line corrupts signal units. Q.703 7 simplified; `Mtp2LineSide` runs the real procedure.
 */
export class TimedLineSide implements LinkLineSide {
  state: LinkState = 'out-of-service';
  readonly carriesMsus = false;
  private timer: Timer | undefined;

  constructor(private readonly opts: TimedLineSideOptions) {}

  start(emergency: boolean): void {
    if (this.state !== 'out-of-service') return;
    this.transition('alignment');
    this.timer = this.opts.timers.after(ALIGNMENT_MS, () => {
      this.transition('proving');
      const proving = emergency ? Math.ceil(this.opts.provingMs / EMERGENCY_DIVISOR) : this.opts.provingMs;
      // Q.703 T4: the proving period; no errors are simulated during proving, so it passes.
      this.timer = this.opts.timers.after(proving, () => this.transition('in-service'));
    });
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.state !== 'out-of-service') this.transition('out-of-service');
  }

  setCarrier(): void {}

  snapshot(): null {
    return null;
  }

  /** The simulator stops: timers end, the state stays as the host last heard it. */
  close(): void {
    this.timer?.cancel();
  }

  private transition(to: LinkState): void {
    if (!MOVES[this.state].includes(to)) throw new Error(`illegal move ${this.state} -> ${to}`);
    this.state = to;
    this.opts.onState(to);
  }
}
