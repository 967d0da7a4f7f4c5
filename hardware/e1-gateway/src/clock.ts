/**
 * Time as a dependency. Pure modules take `now` values; the few stateful ones that need
 * timers take a Clock, so tests can drive them with a fake one.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
export type TimerHandle = { readonly __timer: unique symbol } | ReturnType<typeof setTimeout>;

/** Node fires a delay above this (about 24.8 days) after 1 ms instead; longer ones are chained. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A real timer of any length: one over `maxMs` waits in steps of at most `maxMs`, so a
 * deadline weeks away (a bulletin's end) does not fire at once. The handle stays valid for
 * clearLongTimeout across the steps.
 */
export class LongTimer {
  timer: ReturnType<typeof setTimeout> | undefined;
}

export function setLongTimeout(fn: () => void, ms: number, maxMs = MAX_TIMER_MS): LongTimer {
  const handle = new LongTimer();
  const at = Date.now() + Math.max(0, ms);
  const step = () => {
    const left = at - Date.now();
    if (left <= maxMs) handle.timer = setTimeout(fn, Math.max(0, left));
    else handle.timer = setTimeout(step, maxMs);
  };
  step();
  return handle;
}

export function clearLongTimeout(handle: LongTimer): void {
  clearTimeout(handle.timer);
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => (ms > MAX_TIMER_MS ? (setLongTimeout(fn, ms) as unknown as TimerHandle) : setTimeout(fn, ms)),
  clearTimeout: (handle) => {
    if (handle instanceof LongTimer) clearLongTimeout(handle);
    else clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** A clock that moves only when told to; timers fire in due order inside `advance`. */
export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as unknown as number);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let nextId = -1;
      let nextAt = Infinity;
      for (const [id, t] of this.timers) {
        if (t.at <= end && t.at < nextAt) {
          nextAt = t.at;
          nextId = id;
        }
      }
      if (nextId < 0) break;
      const timer = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.time = timer.at;
      timer.fn();
    }
    this.time = end;
  }

  pending(): number {
    return this.timers.size;
  }
}
