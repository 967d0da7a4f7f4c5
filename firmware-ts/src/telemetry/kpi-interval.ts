import type { Cdr } from '../calls/cdr.js';
import { KPI_INTERVAL_MS, kpiIntervals, type KpiPeriod } from '../queue/kpi.js';
import type { MessageBody } from './outbox.js';

/** How long after an interval's end it waits for the CDRs of the calls that ended just before. */
export const KPI_GRACE_MS = 5000;
/**
 * How long a sent interval can still be corrected by a call that arrived in it and ended
 * later (a long call, a long wait): far longer than any call, short enough to keep the CDRs
 * in memory (a county hotline's busiest day is some 1,500 calls).
 */
export const KPI_REVISE_MS = 24 * 3_600_000;

/** While calls end, the interval under way goes to central at most this often. */
export const KPI_LIVE_GAP_MS = 30_000;

/**
 * The `kpi` messages for central: one per 15-minute interval (quarter hours of UTC, which are
 * those of the box's time zone too), by the definitions of queue/kpi.ts, so that central's
 * figures reconcile with the CDRs and with `countyline kpi`. A call counts in the interval it
 * ARRIVED in, and its CDR is written only when it ends, perhaps in a later interval: so an
 * interval goes out KPI_GRACE_MS after its end with the calls ended by then, and goes out
 * again, corrected, at the next quarter hour after a later CDR changed it (central keeps
 * the latest message for each interval). Intervals before the one the box started in are
 * never sent: the firmware that ran then sent them.
 */
export class KpiReporter {
  /** The CDRs that can still change an interval sent or to send, in the order they came. */
  private cdrs: Cdr[] = [];
  /** Sent intervals a later CDR changed, by start. */
  private readonly changed = new Set<number>();
  /** Intervals before this are sent. */
  private sentUpTo: number;
  /** The first interval this reporter sends. */
  private readonly firstStart: number;

  constructor(now: number) {
    this.firstStart = this.sentUpTo = now - (now % KPI_INTERVAL_MS);
  }

  /** When `due` will next have an interval to send. */
  nextDueAt(): number {
    return this.sentUpTo + KPI_INTERVAL_MS + KPI_GRACE_MS;
  }

  /** Takes a finished call's CDR. */
  add(cdr: Cdr): void {
    const horizon = this.horizon();
    // A call arrives and waits before it ends: one that ended before the horizon changes nothing open.
    if (cdr.endedAt < horizon) return;
    this.cdrs.push(cdr);
    // It changes the interval it arrived in, and those its queue stay reached (their peak queue).
    const touched = new Set([intervalOf(cdr.arrivedAt)]);
    if (cdr.queue) for (let s = Math.max(horizon, intervalOf(cdr.queue.enteredAt)); s < cdr.queue.leftAt; s += KPI_INTERVAL_MS) touched.add(s);
    for (const start of touched) if (start >= horizon && start < this.sentUpTo) this.changed.add(start);
  }

  /**
   * The bodies to send at `now`, oldest interval first: every interval ended KPI_GRACE_MS ago
   * and not yet sent, and every sent one changed since.
   */
  due(now: number): MessageBody<'kpi'>[] {
    const starts = [...this.changed];
    this.changed.clear();
    while (this.sentUpTo + KPI_INTERVAL_MS + KPI_GRACE_MS <= now) {
      starts.push(this.sentUpTo);
      this.sentUpTo += KPI_INTERVAL_MS;
    }
    const bodies = starts.sort((a, b) => a - b).map((start) => body(kpiIntervals(this.cdrs, { from: start, to: start + KPI_INTERVAL_MS, utcOffsetMs: 0 })[0]!));
    const horizon = this.horizon();
    this.cdrs = this.cdrs.filter((c) => c.endedAt >= horizon);
    return bodies;
  }

  /**
   * The interval under way at `now`, with the calls that ended so far: sent while it runs so
   * central's figures of the day move with the calls, then replaced by the interval's own
   * message once it has ended (central keeps the latest for each interval).
   */
  current(now: number): MessageBody<'kpi'> {
    const start = intervalOf(now);
    return body(kpiIntervals(this.cdrs, { from: start, to: start + KPI_INTERVAL_MS, utcOffsetMs: 0 })[0]!);
  }

  private horizon(): number {
    return Math.max(this.firstStart, this.sentUpTo - KPI_REVISE_MS);
  }
}

function intervalOf(at: number): number {
  return at - (at % KPI_INTERVAL_MS);
}

/** The message: the counts and sums of queue/kpi.ts, from which central can add intervals up and work out every rate. */
function body(p: KpiPeriod): MessageBody<'kpi'> {
  return { intervalStart: p.from, intervalMs: p.to - p.from, ...p.counts };
}
