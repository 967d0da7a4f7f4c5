import type { Cdr } from '../calls/cdr.js';
import { agentsNeeded } from './erlang-c.js';

/**
 * The hotline's KPIs, computed from the CDRs alone, so that every figure can be recounted
 * from the CDR journal and reconciles with it (`countyline kpi`, the `kpi` telemetry and
 * central all use these definitions). They are the contract:
 *
 * Which calls
 * - A CDR belongs to the interval its call ARRIVED in (`arrivedAt`), whenever it ended.
 * - Test-line calls (the box answering with a tone) are left out entirely.
 * - Inbound calls are those with no `direction`. Outbound calls (callbacks the box placed)
 *   count only as `callbacksCompleted`: those with result `answered`.
 *
 * Counts (inbound calls)
 * - `inbound`: every inbound call.
 * - `offered` (asked for a person): inbound calls except `deflected` ones (the bulletin told
 *   them what they called to learn) and except `failed` ones that never reached the queue
 *   (no `queue` field: the line or the box failed before the caller asked for anyone).
 * - `answered`, `abandoned`, `deflected`, `overflowed`, `noAgent`: by result;
 *   `callbacksCaptured`: result `callback`; `forwarded`: answered by the city centre over its
 *   trunk (the office did not answer it: not in `answered`); `failed`: every failed call; `failedInQueue`: the
 *   failed calls that had reached the queue; `repeatCallers`: calls with `repeat` (calls, not
 *   distinct numbers).
 * - The identities that follow, for every interval and every day:
 *     offered = answered + abandoned + overflowed + callbacksCaptured + forwarded + noAgent + failedInQueue
 *     inbound = offered + deflected + (failed − failedInQueue)
 *
 * Waits (offered calls; see `waitMs`)
 * - A caller waits from joining the queue (`queue.enteredAt`; arrival when there is no
 *   `queue`) until answered (`answeredAt`), else until leaving the queue (`queue.leftAt`).
 *   An abandoned call that never joined a queue waited from arrival to hanging up; other
 *   calls that never joined one did not wait. A clock stepped back mid-call counts as 0 s.
 * - `answeredIn15s`: answered with a wait of 15 s or less; `abandonedIn15s` likewise.
 * - `answeredWaitMs`: the waits of the answered calls, summed; `abandonedWaitMs` those of the
 *   abandoned ones; `longestAbandonedWaitMs` the longest of those; `longestWaitMs` the
 *   longest wait of any offered call (0 when none waited).
 * - `talkMs`: `endedAt − answeredAt` of the answered calls, summed. This is talk time only:
 *   wrap-up is not in the CDR. (The call model sets `answeredAt` on every answered call; a
 *   CDR without one is taken as answered at its end, with no talk.)
 * - `peakQueue`: the most calls in the queue at one moment of the interval, from the
 *   [queue.enteredAt, queue.leftAt) stays of every inbound call (touching stays do not
 *   overlap). The one measure of time rather than of calls: a caller who arrived in the
 *   interval before and is still waiting counts. Only finished calls have CDRs, so a caller
 *   still waiting is not yet counted.
 *
 * Rates (null when the denominator is 0)
 * - `answerRate` (人工接通率, work standard ≥ 95 %) = answered / offered.
 * - `sl15` (人工应答及时率, work standard ≥ 80 %) = answeredIn15s / answered.
 * - `sl` (service level as Erlang C predicts it) = answeredIn15s / offered.
 * - `sl2` (service level without short abandons) = answeredIn15s / (offered − abandonedIn15s).
 * - `asaMs` = answeredWaitMs / answered; `ahtMs` = talkMs / answered (talk only).
 *
 * Time: intervals and days are aligned to the box's local time, a fixed offset from UTC
 * (`utcOffsetMs`; China has no daylight saving time).
 */

/** The work standard's interval and answer target. */
export const KPI_INTERVAL_MS = 15 * 60_000;
export const ANSWER_TARGET_MS = 15_000;
/** Erlang C's handling time when the day answered no call to measure one: 3 min, a typical hotline call. */
export const DEFAULT_HANDLE_MS = 180_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** More than a year of quarter hours: a bound on one request, not a limit anyone meets. */
const MAX_INTERVALS = 40_000;

/** Counts and sums, each as defined at the head of this file: what adds up across intervals. */
export interface KpiCounts {
  inbound: number;
  offered: number;
  answered: number;
  answeredIn15s: number;
  abandoned: number;
  abandonedIn15s: number;
  abandonedWaitMs: number;
  longestAbandonedWaitMs: number;
  deflected: number;
  overflowed: number;
  callbacksCaptured: number;
  forwarded: number;
  callbacksCompleted: number;
  noAgent: number;
  failed: number;
  failedInQueue: number;
  repeatCallers: number;
  answeredWaitMs: number;
  talkMs: number;
  longestWaitMs: number;
  peakQueue: number;
}

/** The rates and means worked out from the counts, as defined at the head of this file. */
export interface KpiRates {
  answerRate: number | null;
  sl15: number | null;
  sl: number | null;
  sl2: number | null;
  asaMs: number | null;
  ahtMs: number | null;
}

/** The KPIs of the calls that arrived in [from, to). */
export interface KpiPeriod {
  from: number;
  to: number;
  counts: KpiCounts;
  rates: KpiRates;
}

export interface KpiDay {
  /** YYYY-MM-DD, local. */
  day: string;
  utcOffsetMs: number;
  totals: KpiPeriod;
  /** The day's 96 quarter hours, empty ones included. */
  intervals: KpiPeriod[];
}

export interface KpiRange {
  from: number;
  to: number;
  /** Default 15 min; must divide a day, so that intervals line up with local midnight. */
  intervalMs?: number;
  utcOffsetMs: number;
}

/**
 * One period per interval that holds a moment of [from, to), aligned to local multiples of
 * `intervalMs` (quarter hours by default), empty ones included.
 */
export function kpiIntervals(cdrs: readonly Cdr[], { from, to, intervalMs = KPI_INTERVAL_MS, utcOffsetMs }: KpiRange): KpiPeriod[] {
  checkOffset(utcOffsetMs);
  if (!Number.isInteger(intervalMs) || intervalMs <= 0 || DAY_MS % intervalMs !== 0) {
    throw new RangeError(`interval of ${intervalMs} ms: give a whole number of ms that divides a day, e.g. 900000 (15 min)`);
  }
  if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) throw new RangeError(`from ${from} to ${to}: give two times in ms since the epoch, from no later than to`);
  const first = Math.floor((from + utcOffsetMs) / intervalMs) * intervalMs - utcOffsetMs;
  const n = to > from ? Math.ceil((to - first) / intervalMs) : 0;
  if (n > MAX_INTERVALS) throw new RangeError(`${n} intervals from ${from} to ${to}: ask for ${MAX_INTERVALS} or fewer`);
  const tallies = Array.from({ length: n }, emptyCounts);
  for (const cdr of cdrs) {
    if (cdr.result === 'test-line') continue;
    const i = Math.floor((cdr.arrivedAt - first) / intervalMs);
    if (i >= 0 && i < n) count(tallies[i]!, cdr);
  }
  const peaks = peakQueues(cdrs, first, intervalMs, n);
  return tallies.map((counts, i) => {
    counts.peakQueue = peaks[i]!;
    const start = first + i * intervalMs;
    return period(start, start + intervalMs, counts);
  });
}

/** The day's totals and its 96 quarter hours; the totals are the sum of the quarter hours. */
export function kpiDay(cdrs: readonly Cdr[], day: string, utcOffsetMs: number): KpiDay {
  const from = dayStart(day, utcOffsetMs);
  const intervals = kpiIntervals(cdrs, { from, to: from + DAY_MS, utcOffsetMs });
  return { day, utcOffsetMs, totals: totalKpis(from, from + DAY_MS, intervals), intervals };
}

/**
 * The periods added up into one over [from, to): counts and sums added, the longest waits
 * and the peak queue the largest of them (the peak over a span is the largest of its parts').
 */
export function totalKpis(from: number, to: number, periods: readonly KpiPeriod[]): KpiPeriod {
  const total = emptyCounts();
  for (const { counts } of periods) {
    for (const key of Object.keys(total) as (keyof KpiCounts)[]) {
      total[key] = MAXIMA.has(key) ? Math.max(total[key], counts[key]) : total[key] + counts[key];
    }
  }
  return period(from, to, total);
}

const MAXIMA = new Set<keyof KpiCounts>(['longestWaitMs', 'longestAbandonedWaitMs', 'peakQueue']);

/**
 * How long an offered call waited for a person (the definition above); null for a call that
 * never waited.
 */
export function waitMs(cdr: Cdr): number | null {
  const start = cdr.queue?.enteredAt ?? cdr.arrivedAt;
  let end: number;
  if (cdr.result === 'answered') end = cdr.answeredAt ?? cdr.endedAt;
  else if (cdr.queue) end = cdr.queue.leftAt;
  else if (cdr.result === 'abandoned') end = cdr.endedAt;
  else return null;
  return Math.max(0, end - start);
}

/** Local midnight starting `day` (YYYY-MM-DD), in ms since the epoch. */
export function dayStart(day: string, utcOffsetMs: number): number {
  checkOffset(utcOffsetMs);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const midnight = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  // Date.UTC rolls 2025-02-30 over into March; the round trip catches it (and years 0-99).
  if (!m || Number.isNaN(midnight) || new Date(midnight).toISOString().slice(0, 10) !== day) {
    throw new RangeError(`day ${JSON.stringify(day)}: give a date as YYYY-MM-DD, e.g. 2025-05-06`);
  }
  return midnight - utcOffsetMs;
}

/** The local day (YYYY-MM-DD) that holds `at`: today's, for `countyline kpi`. */
export function dayOf(at: number, utcOffsetMs: number): string {
  checkOffset(utcOffsetMs);
  return new Date(at + utcOffsetMs).toISOString().slice(0, 10);
}

// --- staffing ---------------------------------------------------------------------------

export interface StaffingOptions {
  /** Share to answer in time; default 0.8 (the work standard). */
  targetSl?: number;
  /** Within this; default 15 s. */
  targetMs?: number;
  /**
   * Wrap-up per call, added to the measured talk time: the agent is held for it, but it is
   * not in the CDR. Default 0 (the advice is then a lower bound).
   */
  wrapUpMs?: number;
}

export interface StaffingHour {
  from: number;
  to: number;
  /** Offered calls in the hour: the measured arrival rate λ, per hour. */
  callsPerHour: number;
  /** The hour's AHT (talk time); null when it answered no call. */
  ahtMs: number | null;
  /** What Erlang C was given: the hour's AHT, else the day's, else DEFAULT_HANDLE_MS; plus wrap-up. */
  handleMs: number;
  /** Agents for `targetSl` answered within `targetMs`, by Erlang C; 0 when no call was offered. */
  agentsNeeded: number;
  /**
   * The hour's measured `sl` (answered within the target / offered): what Erlang C predicts,
   * P(wait ≤ t) over every caller, so the two can be set side by side.
   */
  sl: number | null;
}

export interface StaffingAdvice {
  day: string;
  utcOffsetMs: number;
  targetSl: number;
  targetMs: number;
  wrapUpMs: number;
  /** The day's AHT, the fallback for hours that answered no call. */
  dayAhtMs: number | null;
  /** The day's 24 hours. */
  hours: StaffingHour[];
}

/**
 * Per hour of `day`: the traffic measured from the CDRs and the agents Erlang C says it needed
 * to answer `targetSl` of the callers within `targetMs`, beside the service level it got.
 * Erlang C assumes nobody abandons, so where many do the advice is on the safe side.
 */
export function staffingAdvice(cdrs: readonly Cdr[], day: string, utcOffsetMs: number, options: StaffingOptions = {}): StaffingAdvice {
  const { targetSl = 0.8, targetMs = ANSWER_TARGET_MS, wrapUpMs = 0 } = options;
  if (!(targetSl > 0 && targetSl < 1)) throw new RangeError(`service level target ${targetSl}: give a share between 0 and 1, e.g. 0.8`);
  if (!(targetMs >= 0 && Number.isFinite(targetMs))) throw new RangeError(`answer within ${targetMs} ms: give a time of 0 ms or more`);
  if (!(wrapUpMs >= 0 && Number.isFinite(wrapUpMs))) throw new RangeError(`wrap-up of ${wrapUpMs} ms: give a time of 0 ms or more`);
  const from = dayStart(day, utcOffsetMs);
  const hours = kpiIntervals(cdrs, { from, to: from + DAY_MS, intervalMs: HOUR_MS, utcOffsetMs });
  const dayAhtMs = totalKpis(from, from + DAY_MS, hours).rates.ahtMs;
  const inTime = answeredWithin(cdrs, from, targetMs);
  return {
    day,
    utcOffsetMs,
    targetSl,
    targetMs,
    wrapUpMs,
    dayAhtMs,
    hours: hours.map((h, i) => {
      // A measured AHT of 0 (calls cut at answer) would make Erlang C divide by zero.
      const talkMs = [h.rates.ahtMs, dayAhtMs].find((ms): ms is number => ms !== null && ms > 0) ?? DEFAULT_HANDLE_MS;
      const handleMs = talkMs + wrapUpMs;
      const callsPerHour = h.counts.offered;
      const agents = agentsNeeded({ callsPerHour, meanHandleSeconds: handleMs / 1000 }, { serviceLevel: targetSl, answerWithinSeconds: targetMs / 1000 });
      return { from: h.from, to: h.to, callsPerHour, ahtMs: h.rates.ahtMs, handleMs, agentsNeeded: agents, sl: callsPerHour > 0 ? inTime[i]! / callsPerHour : null };
    }),
  };
}

/** Per hour of the day from `from`: the inbound calls answered within `targetMs` (`answeredIn15s` for any target). */
function answeredWithin(cdrs: readonly Cdr[], from: number, targetMs: number): number[] {
  const within = new Array<number>(24).fill(0);
  for (const cdr of cdrs) {
    const hour = Math.floor((cdr.arrivedAt - from) / HOUR_MS);
    if (cdr.result === 'answered' && cdr.direction !== 'out' && hour >= 0 && hour < 24 && waitMs(cdr)! <= targetMs) within[hour]!++;
  }
  return within;
}

// --- counting ---------------------------------------------------------------------------

function emptyCounts(): KpiCounts {
  return {
    inbound: 0,
    offered: 0,
    answered: 0,
    answeredIn15s: 0,
    abandoned: 0,
    abandonedIn15s: 0,
    abandonedWaitMs: 0,
    longestAbandonedWaitMs: 0,
    deflected: 0,
    overflowed: 0,
    callbacksCaptured: 0,
    forwarded: 0,
    callbacksCompleted: 0,
    noAgent: 0,
    failed: 0,
    failedInQueue: 0,
    repeatCallers: 0,
    answeredWaitMs: 0,
    talkMs: 0,
    longestWaitMs: 0,
    peakQueue: 0,
  };
}

/** Counts one CDR (not a test-line call) into its interval's counts; the peak queue is apart. */
function count(c: KpiCounts, cdr: Cdr): void {
  if (cdr.direction === 'out') {
    if (cdr.result === 'answered') c.callbacksCompleted++;
    return;
  }
  c.inbound++;
  if (cdr.repeat) c.repeatCallers++;
  if (cdr.result === 'deflected') {
    c.deflected++;
    return;
  }
  if (cdr.result === 'failed') {
    c.failed++;
    if (!cdr.queue) return;
    c.failedInQueue++;
  }
  c.offered++;
  const wait = waitMs(cdr);
  if (wait !== null) c.longestWaitMs = Math.max(c.longestWaitMs, wait);
  switch (cdr.result) {
    case 'answered':
      c.answered++;
      c.answeredWaitMs += wait!;
      if (wait! <= ANSWER_TARGET_MS) c.answeredIn15s++;
      c.talkMs += Math.max(0, cdr.endedAt - (cdr.answeredAt ?? cdr.endedAt));
      break;
    case 'abandoned':
      c.abandoned++;
      c.abandonedWaitMs += wait!;
      c.longestAbandonedWaitMs = Math.max(c.longestAbandonedWaitMs, wait!);
      if (wait! <= ANSWER_TARGET_MS) c.abandonedIn15s++;
      break;
    case 'overflowed':
      c.overflowed++;
      break;
    case 'callback':
      c.callbacksCaptured++;
      break;
    case 'forwarded':
      c.forwarded++;
      break;
    case 'no-agent':
      c.noAgent++;
      break;
    case 'failed':
    case 'test-line': // left out before counting
      break;
    default:
      cdr.result satisfies never;
  }
}

/**
 * The peak queue of each of `n` intervals from `first`, by a sweep over the stays' ends:
 * O((q + n) + q log q) for q stays. All the ends at one moment are applied before the level is
 * read, so a call leaving as another joins never counts the two at once.
 */
function peakQueues(cdrs: readonly Cdr[], first: number, intervalMs: number, n: number): number[] {
  const ends: [at: number, step: 1 | -1][] = [];
  for (const cdr of cdrs) {
    const q = cdr.queue;
    if (!q || cdr.direction === 'out' || cdr.result === 'test-line' || q.leftAt <= q.enteredAt) continue;
    ends.push([q.enteredAt, 1], [q.leftAt, -1]);
  }
  ends.sort((a, b) => a[0] - b[0]);
  const peaks: number[] = [];
  let e = 0;
  let level = 0;
  for (let i = 0; i < n; i++) {
    const start = first + i * intervalMs;
    while (e < ends.length && ends[e]![0] <= start) level += ends[e++]![1];
    let peak = level;
    while (e < ends.length && ends[e]![0] < start + intervalMs) {
      const at = ends[e]![0];
      while (e < ends.length && ends[e]![0] === at) level += ends[e++]![1];
      peak = Math.max(peak, level);
    }
    peaks.push(peak);
  }
  return peaks;
}

function period(from: number, to: number, c: KpiCounts): KpiPeriod {
  const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);
  return {
    from,
    to,
    counts: c,
    rates: {
      answerRate: share(c.answered, c.offered),
      sl15: share(c.answeredIn15s, c.answered),
      sl: share(c.answeredIn15s, c.offered),
      sl2: share(c.answeredIn15s, c.offered - c.abandonedIn15s),
      asaMs: share(c.answeredWaitMs, c.answered),
      ahtMs: share(c.talkMs, c.answered),
    },
  };
}

function checkOffset(utcOffsetMs: number): void {
  if (!Number.isInteger(utcOffsetMs) || Math.abs(utcOffsetMs) > 14 * HOUR_MS) {
    throw new RangeError(`UTC offset of ${utcOffsetMs} ms: give whole ms between -14 h and +14 h, e.g. 28800000 (China, UTC+8)`);
  }
}
