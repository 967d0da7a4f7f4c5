import type { Clock } from '@countyline/e1-gateway';

const MINUTE = 60_000;

/**
 * Failed logins per source address. After `limit` failures within a minute the address is
 * refused for a minute without its credentials being checked: guessing passwords costs a
 * minute per `limit` guesses, and the box does no hashing for it meanwhile.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
  ) {}

  isBlocked(address: string): boolean {
    const until = this.blockedUntil.get(address);
    if (until === undefined) return false;
    if (this.clock.now() < until) return true;
    this.blockedUntil.delete(address);
    return false;
  }

  /** Records a failure; true when it starts a block (so the block is logged once). */
  failed(address: string): boolean {
    const now = this.clock.now();
    const recent = (this.failures.get(address) ?? []).filter((at) => now - at < MINUTE);
    recent.push(now);
    if (recent.length < this.limit) {
      this.failures.set(address, recent);
      this.prune(now);
      return false;
    }
    this.failures.delete(address);
    this.blockedUntil.set(address, now + MINUTE);
    return true;
  }

  /** Keeps the table small under a spread-out attack: addresses quiet for a minute go. */
  private prune(now: number): void {
    if (this.failures.size < 10_000) return;
    for (const [address, times] of this.failures) if (now - times[times.length - 1]! >= MINUTE) this.failures.delete(address);
  }
}
