import type { Cdr } from '../calls/cdr.js';
import type { MessageBody } from './outbox.js';

export const KPI_INTERVAL_MS = 15 * 60_000;
/** The work standard's measure: a call answered within 15 s of its arrival. */
const ANSWER_TARGET_MS = 15_000;

/**
 * Call counts for one 15-minute interval (aligned to the quarter hours of UTC, which are those
 * of the box's time zone too), from the CDRs of the calls that ended in it. Test-line calls
 * (the box answering by itself) are not calls offered to people, so they are not counted.
 */
export class KpiInterval {
  private counts = { offered: 0, answered: 0, answeredIn15s: 0, abandoned: 0, noAgent: 0, failed: 0 };

  constructor(readonly start: number) {}

  /** The interval that holds `at`. */
  static at(at: number): KpiInterval {
    return new KpiInterval(at - (at % KPI_INTERVAL_MS));
  }

  get end(): number {
    return this.start + KPI_INTERVAL_MS;
  }

  /** Counts a CDR if its call ended in this interval; false if it did not. */
  add(cdr: Cdr): boolean {
    if (cdr.endedAt < this.start || cdr.endedAt >= this.end) return false;
    if (cdr.result === 'test-line') return true;
    const c = this.counts;
    c.offered++;
    if (cdr.result === 'answered') {
      c.answered++;
      if (cdr.answeredAt !== null && cdr.answeredAt - cdr.arrivedAt <= ANSWER_TARGET_MS) c.answeredIn15s++;
    } else if (cdr.result === 'abandoned') c.abandoned++;
    else if (cdr.result === 'no-agent') c.noAgent++;
    else c.failed++;
    return true;
  }

  body(): MessageBody<'kpi'> {
    return { intervalStart: this.start, intervalMs: KPI_INTERVAL_MS, ...this.counts };
  }
}
