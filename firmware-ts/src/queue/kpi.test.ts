import { seededRandom } from '@countyline/e1-gateway';
import t from 'tap';
import type { Cdr, CallResult } from '../calls/cdr.js';
import { agentsNeeded } from './erlang-c.js';
import { dayOf, dayStart, kpiDay, kpiIntervals, staffingAdvice, waitMs, type KpiCounts } from './kpi.js';

// Every expected figure below is worked out by hand from the CDRs built here, in the comments
// beside it; none comes from the code under test.

const H = 3_600_000;
const M = 60_000;
const S = 1000;
const CHINA = 8 * H;
/** 2025-05-06 00:00 in China (UTC+8). */
const DAY = Date.UTC(2025, 4, 5, 16);
/** Local time of 2025-05-06 in China. */
const at = (h: number, m = 0, s = 0, ms = 0) => DAY + h * H + m * M + s * S + ms;

let n = 0;
function call(result: CallResult, arrivedAt: number, o: Partial<Cdr> = {}): Cdr {
  return { id: `c${n++}`, line: { kind: 'fxo', port: 0 }, calling: '13800000000', called: '12345', agent: null, arrivedAt, offeredAt: null, answeredAt: null, endedAt: arrivedAt + M, result, reason: null, hungUpBy: 'caller', cause: null, ...o };
}
/** A call that joined the queue at `enteredAt` and left it at `leftAt`. */
const inQueue = (enteredAt: number, leftAt: number) => ({ id: 'main', enteredAt, leftAt, position: 1 });

/** Counts all zero but those given. */
function counts(o: Partial<KpiCounts>): KpiCounts {
  const zero: KpiCounts = {
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
  return { ...zero, ...o };
}

const quarter = (cdrs: Cdr[], start: number) => kpiIntervals(cdrs, { from: start, to: start + 15 * M, utcOffsetMs: CHINA })[0]!;

t.test('every definition, on one quarter hour of hand-built calls', async (t) => {
  const cdrs = [
    // A: waited 15 s in the queue exactly (within 15 s), talked 180 s; a repeat caller.
    call('answered', at(9, 0, 0), { queue: inQueue(at(9, 0, 10), at(9, 0, 25)), answeredAt: at(9, 0, 25), endedAt: at(9, 3, 25), repeat: true }),
    // B: waited 15.001 s (not within 15 s), talked 60 s.
    call('answered', at(9, 1, 0), { queue: inQueue(at(9, 1, 10), at(9, 1, 25, 1)), answeredAt: at(9, 1, 25, 1), endedAt: at(9, 2, 25, 1) }),
    // C: no queue field (a CDR from before the queue): waited from arrival, 8 s; talked 120 s.
    call('answered', at(9, 2, 0), { answeredAt: at(9, 2, 8), endedAt: at(9, 4, 8) }),
    // D: hung up after 40 s in the queue.
    call('abandoned', at(9, 2, 50), { queue: inQueue(at(9, 3, 0), at(9, 3, 40)), endedAt: at(9, 3, 40) }),
    // E: hung up 5 s after arriving, before joining the queue.
    call('abandoned', at(9, 4, 0), { endedAt: at(9, 4, 5) }),
    // F: heard the bulletin and hung up: not offered; a repeat caller.
    call('deflected', at(9, 5, 0), { bulletin: { heardMs: 20 * S, skipped: false }, endedAt: at(9, 5, 20), repeat: true }),
    // G: 120 s in the queue, then overflowed: the longest wait.
    call('overflowed', at(9, 5, 50), { queue: inQueue(at(9, 6, 0), at(9, 8, 0)), endedAt: at(9, 8, 0) }),
    // H: left a callback request after 30 s in the queue (while G waited: two in the queue).
    call('callback', at(9, 6, 50), { queue: inQueue(at(9, 7, 0), at(9, 7, 30)), callback: 'cb1', endedAt: at(9, 7, 40) }),
    // I: nobody could take it, no queue: offered, no wait.
    call('no-agent', at(9, 8, 0)),
    // J: the line failed before the queue: not offered.
    call('failed', at(9, 8, 30), { reason: 'no loop current', hungUpBy: null }),
    // K: failed after 20 s in the queue: offered.
    call('failed', at(9, 8, 40), { queue: inQueue(at(9, 9, 0), at(9, 9, 20)), reason: 'line lost', hungUpBy: null }),
    // L: the test line answering: left out entirely, its repeat flag too.
    call('test-line', at(9, 9, 30), { answeredAt: at(9, 9, 31), repeat: true }),
    // M: a callback the box placed, answered: a callback completed, nothing else.
    call('answered', at(9, 10, 0), { direction: 'out', answeredAt: at(9, 10, 10), callback: 'cb0' }),
    // N: a callback placed nobody answered: counts nowhere.
    call('abandoned', at(9, 11, 0), { direction: 'out', callback: 'cb2' }),
  ];
  const q = quarter(cdrs, at(9));
  t.equal(q.from, at(9));
  t.equal(q.to, at(9, 15));
  t.same(
    q.counts,
    counts({
      inbound: 11, // A to K
      offered: 9, // 11 less F (deflected) and J (failed before the queue)
      answered: 3,
      answeredIn15s: 2, // A (15 s) and C (8 s)
      abandoned: 2,
      abandonedIn15s: 1, // E (5 s)
      abandonedWaitMs: 45_000, // 40 s + 5 s
      longestAbandonedWaitMs: 40_000,
      deflected: 1,
      overflowed: 1,
      callbacksCaptured: 1,
      callbacksCompleted: 1,
      noAgent: 1,
      failed: 2,
      failedInQueue: 1,
      repeatCallers: 2, // A and F
      answeredWaitMs: 38_001, // 15 000 + 15 001 + 8 000
      talkMs: 360_000, // 180 s + 60 s + 120 s
      longestWaitMs: 120_000, // G
      peakQueue: 2, // G and H from 09:07:00 to 09:07:30
    }),
  );
  t.equal(q.rates.answerRate, 3 / 9);
  t.equal(q.rates.sl15, 2 / 3);
  t.equal(q.rates.sl, 2 / 9);
  t.equal(q.rates.sl2, 2 / 8, 'offered less the abandon within 15 s');
  t.equal(q.rates.asaMs, 38_001 / 3);
  t.equal(q.rates.ahtMs, 120_000);
  // The identities the definitions give.
  const c = q.counts;
  t.equal(c.offered, c.answered + c.abandoned + c.overflowed + c.callbacksCaptured + c.noAgent + c.failedInQueue);
  t.equal(c.inbound, c.offered + c.deflected + (c.failed - c.failedInQueue));
});

t.test('the wait of a call: from the queue (else arrival) to answer (else leaving the queue)', async (t) => {
  t.equal(waitMs(call('answered', at(9), { queue: inQueue(at(9, 0, 12), at(9, 0, 20)), answeredAt: at(9, 0, 20) })), 8000, 'the welcome before the queue is not waiting');
  t.equal(waitMs(call('answered', at(9), { answeredAt: at(9, 0, 20) })), 20_000);
  t.equal(waitMs(call('answered', at(9), { endedAt: at(9, 0, 30) })), 30_000, 'an answered CDR without answeredAt: answered at its end');
  t.equal(waitMs(call('overflowed', at(9), { queue: inQueue(at(9, 0, 5), at(9, 3, 5)), endedAt: at(9, 3, 6) })), 180_000);
  t.equal(waitMs(call('abandoned', at(9), { endedAt: at(9, 0, 7) })), 7000);
  t.equal(waitMs(call('no-agent', at(9))), null);
  t.equal(waitMs(call('callback', at(9))), null, 'an after-hours callback request never waited');
  t.equal(waitMs(call('answered', at(9), { answeredAt: at(9) - 2000 })), 0, 'a clock stepped back: no wait, not a negative one');
});

t.test('a call belongs to the quarter hour it arrived in, in local time', async (t) => {
  const cdrs = [
    call('answered', at(9, 14, 59, 999), { answeredAt: at(9, 15, 5), endedAt: at(9, 40) }), // arrived in 09:00, ended in 09:30
    call('abandoned', at(9, 15), { endedAt: at(9, 15, 3) }), // 09:15 to the ms
  ];
  const [q0, q1, q2] = kpiIntervals(cdrs, { from: at(9), to: at(9, 45), utcOffsetMs: CHINA });
  t.equal(q0!.counts.answered, 1);
  t.equal(q0!.counts.offered, 1);
  t.equal(q1!.counts.abandoned, 1);
  t.equal(q1!.counts.offered, 1);
  t.same(q2!.counts, counts({}), 'the interval it ended in has nothing of it');

  // 2025-05-06 00:00 in China is 2025-05-05 16:00 UTC.
  const midnight = [call('answered', DAY, { answeredAt: DAY + 4000 }), call('abandoned', DAY - 1)];
  const day = kpiDay(midnight, '2025-05-06', CHINA);
  t.equal(day.intervals.length, 96);
  t.equal(day.intervals[0]!.from, Date.UTC(2025, 4, 5, 16));
  t.equal(day.intervals[95]!.to, Date.UTC(2025, 4, 6, 16));
  t.equal(day.totals.counts.answered, 1);
  t.equal(day.totals.counts.abandoned, 0, 'one ms before midnight is the day before');
  t.equal(kpiDay(midnight, '2025-05-05', CHINA).totals.counts.abandoned, 1);
  const utc = kpiDay(midnight, '2025-05-05', 0);
  t.equal(utc.intervals[64]!.counts.answered, 1, 'in UTC the same call came at 16:00, the 65th quarter hour');
  t.equal(utc.intervals[63]!.counts.abandoned, 1);

  // Nepal (UTC+5:45): local quarter hours are still UTC quarter hours; local hours are not.
  const nepal = 5 * H + 45 * M;
  const hours = kpiIntervals([], { from: Date.UTC(2025, 4, 6, 3, 20), to: Date.UTC(2025, 4, 6, 4, 20), intervalMs: H, utcOffsetMs: nepal });
  t.same(
    hours.map((h) => h.from),
    [Date.UTC(2025, 4, 6, 3, 15), Date.UTC(2025, 4, 6, 4, 15)],
    'hours start at :15 UTC (09:00 local)',
  );
});

t.test('every interval from `from` to `to` comes back, the empty ones too', async (t) => {
  const cdrs = [call('answered', at(9, 20), { answeredAt: at(9, 20, 3) })];
  const qs = kpiIntervals(cdrs, { from: at(9, 7), to: at(9, 38), utcOffsetMs: CHINA });
  t.same(
    qs.map((q) => [q.from, q.counts.answered]),
    [
      [at(9, 0), 0],
      [at(9, 15), 1],
      [at(9, 30), 0],
    ],
  );
  t.same(kpiIntervals(cdrs, { from: at(9, 7), to: at(9, 7), utcOffsetMs: CHINA }), [], 'an empty range has no interval');
  t.equal(kpiIntervals(cdrs, { from: at(9), to: at(9, 15), utcOffsetMs: CHINA }).length, 1, 'to is not included');

  const empty = kpiDay([], '2025-05-06', CHINA);
  t.equal(empty.intervals.length, 96);
  for (const p of [...empty.intervals, empty.totals]) {
    t.same(p.counts, counts({}));
    t.same(p.rates, { answerRate: null, sl15: null, sl: null, sl2: null, asaMs: null, ahtMs: null });
  }
});

t.test('rates are null only when their denominator is 0', async (t) => {
  // Two callers who hung up within 15 s: offered 2, answered 0.
  const q = quarter([call('abandoned', at(9), { endedAt: at(9, 0, 3) }), call('abandoned', at(9, 1), { endedAt: at(9, 1, 9) })], at(9));
  t.same(q.rates, { answerRate: 0, sl15: null, sl: 0, sl2: null, asaMs: null, ahtMs: null });
  // Only deflected callers: nobody asked for a person.
  const d = quarter([call('deflected', at(9))], at(9));
  t.equal(d.counts.inbound, 1);
  t.equal(d.rates.answerRate, null);
});

t.test('peak queue: overlaps count, touching stays do not, a wait from the interval before does', async (t) => {
  const stay = (from: number, to: number) => call('abandoned', from, { queue: inQueue(from, to), endedAt: to });
  const cdrs = [
    // 09:00: three at once from 09:01:30 to 09:02.
    stay(at(9, 0), at(9, 5)),
    stay(at(9, 1), at(9, 2)),
    stay(at(9, 1, 30), at(9, 3)),
    // 09:15: one leaves at 09:21 as the next joins: never two.
    stay(at(9, 20), at(9, 21)),
    stay(at(9, 21), at(9, 22)),
    // Arrived in 09:15, still waiting into 09:30, where one more joins at 09:30:30.
    stay(at(9, 29), at(9, 31)),
    stay(at(9, 30, 30), at(9, 32)),
    // Arrived in 09:30 and left at 09:45 exactly: not in 09:45's queue.
    stay(at(9, 44), at(9, 45)),
    // 09:45: one joined and left at the same instant: never in the queue.
    stay(at(9, 50), at(9, 50)),
    // Outbound and test-line calls are never in the queue for this count.
    call('answered', at(9, 50), { direction: 'out', queue: inQueue(at(9, 50), at(9, 55)) }),
    call('test-line', at(9, 50), { queue: inQueue(at(9, 50), at(9, 55)) }),
  ];
  const qs = kpiIntervals(cdrs, { from: at(9), to: at(10), utcOffsetMs: CHINA });
  t.same(
    qs.map((q) => q.counts.peakQueue),
    [3, 1, 2, 0],
  );
  t.same(
    qs.map((q) => q.counts.offered),
    [3, 3, 2, 1],
    'the peak crosses intervals; the calls stay where they arrived',
  );
  t.equal(kpiDay(cdrs, '2025-05-06', CHINA).totals.counts.peakQueue, 3);
});

t.test('bad input is refused with what to give instead', async (t) => {
  t.throws(() => kpiDay([], '2025-02-30', CHINA), { name: 'RangeError', message: /give a date as YYYY-MM-DD/ });
  t.throws(() => kpiDay([], '2025-5-6', CHINA), { message: /YYYY-MM-DD/ });
  t.throws(() => kpiDay([], 'today', CHINA), { message: /YYYY-MM-DD/ });
  t.throws(() => kpiIntervals([], { from: at(9), to: at(10), intervalMs: 7 * M, utcOffsetMs: CHINA }), { message: /divides a day/ });
  t.throws(() => kpiIntervals([], { from: at(10), to: at(9), utcOffsetMs: CHINA }), { message: /from no later than to/ });
  t.throws(() => kpiIntervals([], { from: 0, to: 3e12, utcOffsetMs: CHINA }), { message: /or fewer/ });
  t.throws(() => kpiDay([], '2025-05-06', 15 * H), { message: /UTC offset/ });
  t.throws(() => staffingAdvice([], '2025-05-06', CHINA, { targetSl: 1 }), { message: /between 0 and 1/ });
  t.throws(() => staffingAdvice([], '2025-05-06', CHINA, { targetMs: -1 }), { message: /0 ms or more/ });
  t.equal(dayStart('2025-05-06', CHINA), DAY);
  t.equal(dayOf(DAY, CHINA), '2025-05-06');
  t.equal(dayOf(DAY - 1, CHINA), '2025-05-05');
});

t.test('staffing: the measured hour beside what Erlang C says it needed', async (t) => {
  const cdrs: Cdr[] = [];
  // 10:00-11:00: 200 calls, 180 s of talk each; 150 waited 5 s, 50 waited 30 s.
  for (let i = 0; i < 200; i++) {
    const arrived = at(10, 0, i * 18);
    const answeredAt = arrived + (i < 150 ? 5 * S : 30 * S);
    cdrs.push(call('answered', arrived, { queue: inQueue(arrived, answeredAt), answeredAt, endedAt: answeredAt + 180 * S }));
  }
  // 11:00-12:00: 10 callers who all hung up: no AHT of its own.
  for (let i = 0; i < 10; i++) cdrs.push(call('abandoned', at(11, i), { queue: inQueue(at(11, i), at(11, i, 40)), endedAt: at(11, i, 40) }));

  const advice = staffingAdvice(cdrs, '2025-05-06', CHINA);
  t.equal(advice.hours.length, 24);
  t.equal(advice.dayAhtMs, 180_000);
  const [ten, eleven] = [advice.hours[10]!, advice.hours[11]!];
  t.equal(ten.from, at(10));
  t.equal(ten.callsPerHour, 200);
  t.equal(ten.ahtMs, 180_000);
  // 200 calls/h at 180 s is 10 erlangs: 13 agents give 77.8 % within 15 s, 14 give 87.5 %.
  t.equal(ten.agentsNeeded, 14);
  t.equal(ten.sl, 150 / 200);
  t.equal(eleven.callsPerHour, 10);
  t.equal(eleven.ahtMs, null);
  t.equal(eleven.handleMs, 180_000, "the day's AHT");
  // A = 10 · 180 / 3600 = 0.5. One agent (M/M/1): 1 − 0.5·e^(−0.5·15/180) = 52.0 %. Two:
  // B(2, 0.5) = 1/13, C = (2/13)/(2 − 0.5·12/13) = 0.1, SL = 1 − 0.1·e^(−1.5·15/180) = 91.2 %.
  t.equal(eleven.agentsNeeded, 2);
  t.equal(eleven.sl, 0);
  t.equal(advice.hours[12]!.agentsNeeded, 0, 'no call, no agent');
  t.equal(advice.hours[12]!.sl, null);

  // Another target: within 30 s every answered caller of 10:00 was in time.
  t.equal(staffingAdvice(cdrs, '2025-05-06', CHINA, { targetMs: 30_000 }).hours[10]!.sl, 1);
  // Wrap-up holds the agent: 210 s per call is 11.7 erlangs, which 14 agents cannot carry at 80 %.
  const wrapped = staffingAdvice(cdrs, '2025-05-06', CHINA, { wrapUpMs: 30_000 }).hours[10]!;
  t.equal(wrapped.handleMs, 210_000);
  t.equal(wrapped.agentsNeeded, agentsNeeded({ callsPerHour: 200, meanHandleSeconds: 210 }, { serviceLevel: 0.8, answerWithinSeconds: 15 }));
  t.ok(wrapped.agentsNeeded > 14);

  // A day that answered nobody: 3 min per call. A = 4 · 180 / 3600 = 0.2; one agent gives
  // 1 − 0.2·e^(−0.8·15/180) = 81.3 %.
  const quiet = staffingAdvice([0, 1, 2, 3].map((i) => call('abandoned', at(8, i * 10), { endedAt: at(8, i * 10, 20) })), '2025-05-06', CHINA);
  t.equal(quiet.dayAhtMs, null);
  t.equal(quiet.hours[8]!.handleMs, 180_000);
  t.equal(quiet.hours[8]!.agentsNeeded, 1);
});

// --- random CDR sets ---------------------------------------------------------------------

const RESULTS: CallResult[] = ['answered', 'abandoned', 'deflected', 'overflowed', 'callback', 'no-agent', 'failed', 'test-line'];

function randomCdrs(random: () => number, count: number): Cdr[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  return Array.from({ length: count }, () => {
    const arrivedAt = DAY - H + Math.floor(random() * 26 * H);
    const result = pick(RESULTS);
    const queued = result !== 'deflected' && random() < 0.7;
    const enteredAt = arrivedAt + Math.floor(random() * 20 * S);
    const leftAt = enteredAt + Math.floor(random() * 5 * M);
    const answeredAt = result === 'answered' || result === 'test-line' ? leftAt : null;
    return call(result, arrivedAt, {
      answeredAt,
      endedAt: (answeredAt ?? leftAt) + Math.floor(random() * 10 * M),
      ...(queued && { queue: inQueue(enteredAt, leftAt) }),
      ...(random() < 0.2 && { repeat: true }),
      ...(random() < 0.1 && { direction: 'out' as const }),
    });
  });
}

/** The most stays holding one moment of [from, to), by trying every moment a stay begins. */
function bruteForcePeak(cdrs: Cdr[], from: number, to: number): number {
  const stays = cdrs.filter((c) => c.queue && c.direction !== 'out' && c.result !== 'test-line').map((c) => c.queue!);
  const moments = [from, ...stays.map((s) => s.enteredAt).filter((m) => m >= from && m < to)];
  return Math.max(...moments.map((m) => stays.filter((s) => s.enteredAt <= m && m < s.leftAt).length));
}

t.test('over random CDR sets the identities hold in every interval and the day is their sum', async (t) => {
  const random = seededRandom(12345);
  for (let round = 0; round < 40; round++) {
    const cdrs = randomCdrs(random, 1 + Math.floor(random() * 300));
    const day = kpiDay(cdrs, '2025-05-06', CHINA);
    let broken = 0;
    for (const p of [...day.intervals, day.totals]) {
      const c = p.counts;
      if (c.offered !== c.answered + c.abandoned + c.overflowed + c.callbacksCaptured + c.noAgent + c.failedInQueue) broken++;
      if (c.inbound !== c.offered + c.deflected + (c.failed - c.failedInQueue)) broken++;
      if (c.answeredIn15s > c.answered || c.abandonedIn15s > c.abandoned || c.failedInQueue > c.failed) broken++;
      if (c.peakQueue !== bruteForcePeak(cdrs, p.from, p.to)) broken++;
    }
    t.equal(broken, 0, `round ${round}: ${cdrs.length} CDRs`);
    // The day recounted straight from the CDRs, without the intervals.
    const ofDay = cdrs.filter((c) => c.arrivedAt >= DAY && c.arrivedAt < DAY + 24 * H && c.result !== 'test-line');
    const inbound = ofDay.filter((c) => !c.direction);
    t.equal(day.totals.counts.inbound, inbound.length);
    t.equal(day.totals.counts.offered, inbound.filter((c) => c.result !== 'deflected' && !(c.result === 'failed' && !c.queue)).length);
    t.equal(day.totals.counts.callbacksCompleted, ofDay.filter((c) => c.direction === 'out' && c.result === 'answered').length);
    t.equal(day.totals.counts.repeatCallers, inbound.filter((c) => c.repeat).length);
  }
});
