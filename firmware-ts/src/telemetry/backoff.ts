/**
 * Reconnect delays: exponential backoff with full jitter (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"): attempt n waits a uniformly random time in [0, min(cap, base * 2^n)).
 * The randomness spreads a county's boxes out after central comes back, so that they do not
 * all reconnect in the same second.
 */
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  /** A number in [0, 1); Math.random unless a test fixes it. */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly random: () => number;

  constructor(o: BackoffOptions = {}) {
    this.baseMs = o.baseMs ?? 1000;
    this.capMs = o.capMs ?? 60_000;
    this.random = o.random ?? Math.random;
  }

  /** The wait before the next attempt; each call counts one more failure. */
  next(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * ceiling);
  }

  /** A connection held: the next failure starts again from the base. */
  reset(): void {
    this.attempt = 0;
  }
}
