import type { Clock } from '@countyline/e1-gateway';

/**
 * Lets one warning through per interval and counts the rest, so a flood of bad datagrams
 * costs a log line every few seconds, not one per datagram (the rest go to debug).
 */
export class LogLimiter {
  private nextAt = 0;
  private suppressed = 0;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  /** The number suppressed since the last one let through, or null when this one is suppressed. */
  allow(): number | null {
    const now = this.clock.now();
    if (now < this.nextAt) {
      this.suppressed++;
      return null;
    }
    this.nextAt = now + this.intervalMs;
    const n = this.suppressed;
    this.suppressed = 0;
    return n;
  }
}
