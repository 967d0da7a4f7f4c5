import type { LinkState } from '../protocol/index.js';
import type { Timer, Timers } from './sim-timers.js';

export interface LinkConfig {
  span: number;
  timeslot: number;
  mode: 'mtp2' | 'hdlc';
}

export interface SimSignallingLinkOptions {
  index: number;
  timers: Timers;
  /** Normal proving period (Q.703 T4 with Pn); the simulator compresses it, default 500 ms. */
  provingMs: number;
  /** Whether the span can carry signalling now (no LOS, LOF, LMFA or AIS). */
  spanUsable: (span: number) => boolean;
  onState: (link: number, state: LinkState) => void;
}

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

export interface LinkSnapshot {
  link: number;
  config: LinkConfig | null;
  started: boolean;
  state: LinkState;
  /** Frames (MSUs or HDLC frames) from the host, passed to the peer, sent to the host, dropped. */
  counters: { fromHost: number; toPeer: number; toHost: number; dropped: number };
}

/**
 * One signalling link as the card runs it: configured onto a span/timeslot, started by
 * the host, then aligned and proved before it carries traffic (Q.703 7, simplified to
 * fixed durations). A span defect takes it out of service; a link the host has started
 * realigns by itself once the span is usable again, as MTP2 does after a failure.
 */
export class SimSignallingLink {
  state: LinkState = 'out-of-service';
  config: LinkConfig | null = null;
  started = false;
  readonly counters = { fromHost: 0, toPeer: 0, toHost: 0, dropped: 0 };
  private emergency = false;
  private timer: Timer | undefined;

  constructor(private readonly opts: SimSignallingLinkOptions) {}

  get index(): number {
    return this.opts.index;
  }

  get inService(): boolean {
    return this.state === 'in-service';
  }

  configure(config: LinkConfig): void {
    this.config = { ...config };
  }

  /** Host `linkControl start` (or `emergency`, which proves for the shorter period). */
  start(emergency: boolean): void {
    this.started = true;
    this.emergency = emergency;
    if (this.state === 'out-of-service') this.align();
  }

  /** Host `linkControl stop`. */
  stop(): void {
    this.started = false;
    this.takeOutOfService();
  }

  /** The span's defects changed. */
  spanChanged(): void {
    if (!this.config) return;
    const usable = this.opts.spanUsable(this.config.span);
    if (!usable && this.state !== 'out-of-service') this.takeOutOfService();
    else if (usable && this.started && this.state === 'out-of-service') this.align();
  }

  /** Card reset: the link forgets its configuration. */
  resetCard(): void {
    this.started = false;
    this.config = null;
    this.takeOutOfService();
  }

  snapshot(): LinkSnapshot {
    return { link: this.index, config: this.config && { ...this.config }, started: this.started, state: this.state, counters: { ...this.counters } };
  }

  private align(): void {
    if (!this.config || !this.opts.spanUsable(this.config.span)) return;
    this.transition('alignment');
    this.timer = this.opts.timers.after(ALIGNMENT_MS, () => {
      this.transition('proving');
      const proving = this.emergency ? Math.ceil(this.opts.provingMs / EMERGENCY_DIVISOR) : this.opts.provingMs;
      // Q.703 T4: the proving period; no errors are simulated during proving, so it passes.
      this.timer = this.opts.timers.after(proving, () => this.transition('in-service'));
    });
  }

  private takeOutOfService(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.state !== 'out-of-service') this.transition('out-of-service');
  }

  private transition(to: LinkState): void {
    if (!MOVES[this.state].includes(to)) throw new Error(`link ${this.index}: illegal move ${this.state} -> ${to}`);
    this.state = to;
    this.opts.onState(this.index, to);
  }
}
