import type { Clock } from '@countyline/e1-gateway';

const MINUTE = 60_000;
/** Source addresses tracked at most, in each table. */
const MAX_TRACKED = 10_000;

/**
 * Failed logins per source address. After `limit` failures within a minute the address is
 * refused for a minute without its credentials being checked: guessing passwords costs a
 * minute per `limit` guesses, and the box does no hashing for it meanwhile.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
  ) {}

  /** How many source addresses each table holds now. */
  get tracked(): { failing: number; blocked: number } {
    return { failing: this.failures.size, blocked: this.blockedUntil.size };
  }

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
    this.prune(now);
    return true;
  }

  /**
   * Keeps the tables small under a spread-out attack (many source addresses): at most once a
   * second, addresses quiet for a minute and blocks that have run out go. Past MAX_TRACKED
   * addresses the oldest entries go too, so memory stays bounded whatever the attacker sends.
   */
  private prune(now: number): void {
    if (now - this.prunedAt < 1000 && this.failures.size <= MAX_TRACKED && this.blockedUntil.size <= MAX_TRACKED) return;
    this.prunedAt = now;
    for (const [address, times] of this.failures) if (now - times[times.length - 1]! >= MINUTE) this.failures.delete(address);
    for (const [address, until] of this.blockedUntil) if (now >= until) this.blockedUntil.delete(address);
    for (const table of [this.failures, this.blockedUntil] as Map<string, unknown>[]) {
      // Maps keep insertion order: the first keys are the oldest.
      for (const address of table.keys()) {
        if (table.size <= MAX_TRACKED) break;
        table.delete(address);
      }
    }
  }
}
