/**
 * Connection attempts per remote address as a token bucket: `burst` attempts at once, then
 * `perSecond` more each second. A box reconnecting with backoff never feels it; a client
 * hammering the port (or a thousand boxes behind one NAT after a WAN outage, if the burst is
 * set too low) is turned away before any password is hashed (scrypt costs ~50 ms each).
 * Time comes in as `now` (ms), so the limiter is pure and tests need no clock.
 */
export class ConnectLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly opts: { perSecond: number; burst: number; maxAddresses?: number }) {}

  /** True when an attempt from `address` may go on; it takes a token. */
  take(address: string, now: number): boolean {
    const { perSecond, burst } = this.opts;
    const bucket = this.buckets.get(address) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.delete(address);
    this.buckets.set(address, bucket);
    this.forgetOldest();
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Addresses tracked now (bounded, so spoofed sources cannot grow the map). */
  size(): number {
    return this.buckets.size;
  }

  // A Map keeps insertion order, and take() re-inserts: the first key is the least recent.
  private forgetOldest(): void {
    const max = this.opts.maxAddresses ?? 100_000;
    while (this.buckets.size > max) this.buckets.delete(this.buckets.keys().next().value!);
  }
}
