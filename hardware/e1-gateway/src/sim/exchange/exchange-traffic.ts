import type { Timer, Timers } from '../sim-timers.js';
import { exponentialMs } from './exchange-context.js';

/**
 * The exchange's own calls as a Poisson process: exponentially distributed gaps with mean
 * 60 s / rate. Memoryless, so a rate change simply draws the next gap afresh.
 */
export class PoissonArrivals {
  private timer: Timer | undefined;

  constructor(
    private readonly timers: Timers,
    private readonly random: () => number,
    private readonly onArrival: () => void,
  ) {}

  get running(): boolean {
    return this.timer?.active ?? false;
  }

  /** (Re)starts arrivals at `perMinute`; 0 stops them. */
  run(perMinute: number): void {
    this.stop();
    if (perMinute > 0) this.schedule(60_000 / perMinute);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(meanGapMs: number): void {
    this.timer = this.timers.after(exponentialMs(this.random, meanGapMs), () => {
      this.schedule(meanGapMs);
      this.onArrival();
    });
  }
}
