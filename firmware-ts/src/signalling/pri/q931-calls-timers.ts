import type { Clock, TimerHandle } from '@countyline/e1-gateway';

/**
 * Q.931 user-side timers (Table 9-2), named as the standard names them:
 *
 * | timer | runs while                                  | on expiry                                        |
 * |-------|---------------------------------------------|--------------------------------------------------|
 * | T303  | our SETUP unanswered                        | first: send SETUP again; second: RELEASE COMPLETE|
 * |       |                                             | cause 102, call over                             |
 * | T305  | our DISCONNECT unanswered                   | RELEASE with the DISCONNECT's cause, T308        |
 * | T308  | our RELEASE unanswered                      | first: RELEASE again; second: call over, channel |
 * |       |                                             | restarted (5.3.4.3, Table 9-2 note)              |
 * | T309  | an active call while the D-channel is down  | call over, cause 27 (5.8.9)                      |
 * | T310  | our call: CALL PROCEEDING came, nothing more| DISCONNECT cause 102                             |
 * | T313  | our CONNECT unacknowledged                  | DISCONNECT cause 102                             |
 * | T316  | our RESTART unacknowledged                  | RESTART again, twice; then reported (5.5.1)      |
 * | T322  | our STATUS ENQUIRY unanswered               | once more; then DISCONNECT cause 41 (5.8.10)     |
 *
 * Defaults are Table 9-2's: T303 4 s, T305 30 s, T308 4 s, T313 4 s, T316 2 min, T322 4 s;
 * T310 user side 30-120 s: 30 s, the low end (a network that sent CALL PROCEEDING and then
 * nothing for 30 s is not completing the call); T309 6-90 s (5.8.9: optional on the user
 * side): 90 s, the high end, so that an active call survives a D-channel outage as long as
 * the network's own T309 allows (libpri uses 6 s; the network clears at its own expiry
 * anyway, and the STATUS ENQUIRY after the link returns finds out).
 */
export interface Q931TimerSettings {
  t303Ms: number;
  t305Ms: number;
  t308Ms: number;
  t309Ms: number;
  t310Ms: number;
  t313Ms: number;
  t316Ms: number;
  t322Ms: number;
}

export type Q931TimerName = 'T303' | 'T305' | 'T308' | 'T309' | 'T310' | 'T313' | 'T316' | 'T322';

export const DEFAULT_Q931_TIMERS: Readonly<Q931TimerSettings> = Object.freeze({
  t303Ms: 4_000,
  t305Ms: 30_000,
  t308Ms: 4_000,
  t309Ms: 90_000,
  t310Ms: 30_000,
  t313Ms: 4_000,
  t316Ms: 120_000,
  t322Ms: 4_000,
});

export function q931Timers(given: Partial<Q931TimerSettings> = {}): Q931TimerSettings {
  const out = { ...DEFAULT_Q931_TIMERS, ...given };
  for (const [key, ms] of Object.entries(out)) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) throw new RangeError(`Q.931 timer ${key}: ${String(ms)} is not a duration in ms above 0`);
  }
  return out;
}

/**
 * The timers of one call, or of the restart procedure: one running at most per name, each
 * with its expiry count (the "first" and "second" expiry of T303, T308...).
 */
export class Q931TimerSet {
  private readonly running = new Map<Q931TimerName, TimerHandle>();
  private readonly expiries = new Map<Q931TimerName, number>();

  constructor(private readonly clock: Clock) {}

  /** Starts `name` (stopping it first); `onExpiry` gets how many times it has now expired since `reset`. */
  start(name: Q931TimerName, ms: number, onExpiry: (count: number) => void): void {
    this.stop(name);
    this.running.set(
      name,
      this.clock.setTimeout(() => {
        this.running.delete(name);
        const count = (this.expiries.get(name) ?? 0) + 1;
        this.expiries.set(name, count);
        onExpiry(count);
      }, ms),
    );
  }

  /** Stops `name`; its expiry count is kept unless `reset`. */
  stop(name: Q931TimerName, reset = false): void {
    const handle = this.running.get(name);
    if (handle !== undefined) this.clock.clearTimeout(handle);
    this.running.delete(name);
    if (reset) this.expiries.delete(name);
  }

  isRunning(name: Q931TimerName): boolean {
    return this.running.has(name);
  }

  names(): Q931TimerName[] {
    return [...this.running.keys()];
  }

  clear(): void {
    for (const handle of this.running.values()) this.clock.clearTimeout(handle);
    this.running.clear();
    this.expiries.clear();
  }
}
