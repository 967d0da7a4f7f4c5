// Rates and staffing from what central stores: KPI intervals (counts per 15 minutes, as the
// box sent them) and CDRs. Definitions as the box's (firmware-ts/src/queue/kpi.ts): answer
// rate = answered / offered, 15-second rate = answered within 15 s of joining the queue /
// offered; "offered" is the calls that asked for a person.
import { agentsNeeded } from 'erlang-c';

/** The box's 12345 targets: 95 % answered, 80 % within 15 s. */
export const TARGET_ANSWERED = 0.95;
export const TARGET_IN_15S = 0.8;
/** The box's default handling time when no answered call says otherwise (kpi.ts DEFAULT_HANDLE_MS). */
export const DEFAULT_HANDLE_SECONDS = 180;

export function totals(intervals) {
  const sum = (f) => intervals.reduce((n, k) => n + k[f], 0);
  const offered = sum('offered');
  return {
    offered,
    answered: sum('answered'),
    answeredIn15s: sum('answeredIn15s'),
    answerRate: offered > 0 ? sum('answered') / offered : null,
    in15sRate: offered > 0 ? sum('answeredIn15s') / offered : null,
  };
}

/** Midnight today in the browser's time zone, ms since the epoch. */
export function startOfToday(now = new Date()) {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
}

function talkSeconds(cdr) {
  return cdr.result === 'answered' && cdr.answeredAt !== null && cdr.direction !== 'out' ? (cdr.endedAt - cdr.answeredAt) / 1000 : null;
}

function mean(values) {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/**
 * Per KPI interval: the agents Erlang C advises for 80 % within 15 s at the interval's
 * offered rate and mean talk time, beside the service level measured. The talk time comes
 * from the interval's answered CDRs, else from all `cdrs`, else the box's default.
 */
export function staffing(intervals, cdrs) {
  const all = cdrs.map(talkSeconds).filter((s) => s !== null && s > 0);
  const overall = mean(all);
  return intervals.map((k) => {
    const own = mean(cdrs.filter((c) => c.arrivedAt >= k.intervalStart && c.arrivedAt < k.intervalStart + k.intervalMs).map(talkSeconds).filter((s) => s !== null && s > 0));
    const handleSeconds = own ?? overall ?? DEFAULT_HANDLE_SECONDS;
    const callsPerHour = (k.offered * 3_600_000) / k.intervalMs;
    return {
      intervalStart: k.intervalStart,
      offered: k.offered,
      handleSeconds,
      agents: agentsNeeded({ callsPerHour, meanHandleSeconds: handleSeconds }, { serviceLevel: TARGET_IN_15S, answerWithinSeconds: 15 }),
      in15sRate: k.offered > 0 ? k.answeredIn15s / k.offered : null,
      answerRate: k.offered > 0 ? k.answered / k.offered : null,
    };
  });
}
