import type { ApiClock } from './api-context.js';

/**
 * A token bucket per key (the caller's address): `burst` requests at once, then one more
 * every `60_000 / perMinute` ms. Buckets that have filled up again are forgotten (at most one
 * sweep per refill time, once many are held), so the map holds only addresses busy lately.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly msPerToken: number;
  private lastSweep = -Infinity;

  constructor(
    private readonly clock: ApiClock,
    private readonly burst: number,
    perMinute: number,
    private readonly sweepAbove = 1024,
  ) {
    this.msPerToken = 60_000 / perMinute;
  }

  /** Takes a token for `key`: 0 when the request may go, else the ms until it may. */
  take(key: string): number {
    const now = this.clock.now();
    this.sweep(now);
    const bucket = this.buckets.get(key);
    const tokens = bucket ? this.tokensAt(bucket, now) : this.burst;
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return Math.ceil((1 - tokens) * this.msPerToken);
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return 0;
  }

  /** How many addresses are remembered. */
  get size(): number {
    return this.buckets.size;
  }

  private tokensAt(bucket: { tokens: number; at: number }, now: number): number {
    return Math.min(this.burst, bucket.tokens + (now - bucket.at) / this.msPerToken);
  }

  private sweep(now: number): void {
    if (this.buckets.size < this.sweepAbove || now - this.lastSweep < this.burst * this.msPerToken) return;
    this.lastSweep = now;
    for (const [key, b] of this.buckets) if (this.tokensAt(b, now) >= this.burst) this.buckets.delete(key);
  }
}
