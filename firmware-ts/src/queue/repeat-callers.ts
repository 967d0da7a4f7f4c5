/**
 * Numbers that called lately: a caller whose number called within the window before is a
 * repeat caller (the KPIs count them: repeat callers are what floods the lines in an outage),
 * and one whose last call within the window was abandoned may go ahead in the queue.
 * Memory only, filled at start from the recent CDRs; numbers older than the window are
 * forgotten as new calls come in (oldest first), so it stays about the size of one window's traffic.
 */
export class RepeatCallers {
  private readonly seen = new Map<string, { at: number; abandoned: boolean }>();

  constructor(private readonly windowMs: number) {}

  /** A call from `number` arrived at `at`: what the number did within the window before. */
  arrived(number: string, at: number): { repeat: boolean; abandonedLast: boolean } {
    this.forget(at);
    if (number === '' || this.windowMs === 0) return { repeat: false, abandonedLast: false };
    const last = this.seen.get(number);
    const within = last !== undefined && at - last.at <= this.windowMs;
    // The entry is refreshed when the call ends (ended()); until then it stands as it was.
    return { repeat: within, abandonedLast: within && last.abandoned };
  }

  /** A call from `number` that arrived at `at` ended, abandoned or not. */
  ended(number: string, at: number, abandoned: boolean): void {
    if (number === '' || this.windowMs === 0) return;
    const last = this.seen.get(number);
    if (last && last.at > at) return;
    // Map order is insertion order: re-inserting keeps the oldest first for forget().
    this.seen.delete(number);
    this.seen.set(number, { at, abandoned });
  }

  get size(): number {
    return this.seen.size;
  }

  private forget(now: number): void {
    for (const [number, last] of this.seen) {
      if (now - last.at <= this.windowMs) break;
      this.seen.delete(number);
    }
  }
}
