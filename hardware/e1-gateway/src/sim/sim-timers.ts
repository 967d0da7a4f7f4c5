import type { Clock, TimerHandle } from '../clock.js';

/** A scheduled callback that can be cancelled; `active` until it fires or is cancelled. */
export interface Timer {
  cancel(): void;
  readonly active: boolean;
}

/**
 * The timers of one simulated component, on an injected clock. `cancelAll` is what a card
 * reset uses: everything the component had scheduled is forgotten at once.
 */
export class Timers {
  private readonly live = new Set<Timer>();

  constructor(private readonly clock: Clock) {}

  /** Runs `fn` once after `ms`. */
  after(ms: number, fn: () => void): Timer {
    let handle: TimerHandle | undefined;
    const live = this.live;
    const clock = this.clock;
    const timer: Timer = {
      cancel() {
        if (handle === undefined) return;
        clock.clearTimeout(handle);
        handle = undefined;
        live.delete(timer);
      },
      get active() {
        return handle !== undefined;
      },
    };
    handle = clock.setTimeout(() => {
      handle = undefined;
      live.delete(timer);
      fn();
    }, ms);
    live.add(timer);
    return timer;
  }

  /**
   * Runs `fn` every `ms`, first after `ms` (or at once with `immediate`). Each run is
   * scheduled from the start time, not from the previous run, so the period does not drift.
   */
  every(ms: number, fn: () => void, opts: { immediate?: boolean } = {}): Timer {
    const clock = this.clock;
    const live = this.live;
    const start = clock.now();
    let n = 0;
    let handle: TimerHandle | undefined;
    const arm = () => {
      n++;
      handle = clock.setTimeout(() => {
        arm();
        fn();
      }, start + n * ms - clock.now());
    };
    const periodic: Timer = {
      cancel() {
        if (handle === undefined) return;
        clock.clearTimeout(handle);
        handle = undefined;
        live.delete(periodic);
      },
      get active() {
        return handle !== undefined;
      },
    };
    arm();
    live.add(periodic);
    if (opts.immediate) fn();
    return periodic;
  }

  cancelAll(): void {
    for (const timer of [...this.live]) timer.cancel();
  }

  get size(): number {
    return this.live.size;
  }
}
