import type { ApiClock } from './api-context.js';

/**
 * A token bucket per key (the caller's address): `burst` requests at once, then one more
 * every `60_000 / perMinute` ms. Buckets that have filled up again are forgotten, so the map
 * holds only addresses that were busy lately.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly msPerToken: number;

  constructor(
    private readonly clock: ApiClock,
    private readonly burst: number,
    perMinute: number,
  ) {
    this.msPerToken = 60_000 / perMinute;
  }

  /** Takes a token for `key`: 0 when the request may go, else the ms until it may. */
  take(key: string): number {
    const now = this.clock.now();
    this.forgetFull(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    const tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) / this.msPerToken);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return Math.ceil((1 - tokens) * this.msPerToken);
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return 0;
  }

  private forgetFull(now: number): void {
    if (this.buckets.size < 1024) return;
    for (const [key, b] of this.buckets) if (b.tokens + (now - b.at) / this.msPerToken >= this.burst) this.buckets.delete(key);
  }
}
