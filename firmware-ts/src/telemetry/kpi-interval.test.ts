import { TypeCompiler } from '@sinclair/typebox/compiler';
import t from 'tap';
import type { Cdr } from '../calls/cdr.js';
import { KPI_GRACE_MS, KPI_REVISE_MS, KpiReporter } from './kpi-interval.js';
import { KpiPayload } from './schema.js';

const Q = 15 * 60_000;
/** 09:00 in China, a quarter hour of UTC too. */
const T0 = Date.UTC(2025, 4, 6, 1, 0);
let n = 0;
function cdr(result: Cdr['result'], arrivedAt: number, o: Partial<Cdr> = {}): Cdr {
  return { id: `c${n++}`, line: { kind: 'fxo', port: 0 }, calling: '1', called: '2', agent: null, arrivedAt, offeredAt: null, answeredAt: null, endedAt: arrivedAt + 60_000, result, reason: null, hungUpBy: 'caller', cause: null, ...o };
}
const queue = (enteredAt: number, leftAt: number) => ({ id: 'main', enteredAt, leftAt, position: 1 });
const header = { v: 1 as const, seq: 1, ts: T0, bdSeq: 0 };
const check = TypeCompiler.Compile(KpiPayload);

t.test('a call counts in the interval it arrived in, by the definitions of queue/kpi.ts', async (t) => {
  const r = new KpiReporter(T0 + 5 * 60_000);
  // Arrived at 09:14:50, waited 10 s in the queue from 09:14:55, talked into the next interval.
  r.add(cdr('answered', T0 + Q - 10_000, { queue: queue(T0 + Q - 5000, T0 + Q + 5000), answeredAt: T0 + Q + 5000, endedAt: T0 + Q + 305_000 }));
  r.add(cdr('abandoned', T0 + 60_000, { queue: queue(T0 + 62_000, T0 + 82_000), endedAt: T0 + 82_000, repeat: true }));
  r.add(cdr('deflected', T0 + 120_000));
  r.add(cdr('failed', T0 + 130_000, { reason: 'no loop current' }));
  r.add(cdr('test-line', T0 + 140_000, { answeredAt: T0 + 141_000 }));
  t.same(r.due(T0 + Q + KPI_GRACE_MS - 1), [], 'not before the grace after the end');
  t.equal(r.nextDueAt(), T0 + Q + KPI_GRACE_MS);
  const [body, ...more] = r.due(T0 + Q + KPI_GRACE_MS);
  t.same(more, []);
  t.same(body, {
    intervalStart: T0,
    intervalMs: Q,
    offered: 2, // the answered and the abandoned call; not the deflected, the failed before the queue, the test line
    answered: 1,
    answeredIn15s: 1, // 10 s from joining the queue (15 s from arrival)
    abandoned: 1,
    noAgent: 0,
    failed: 1,
    inbound: 4,
    abandonedIn15s: 0, // waited 20 s
    abandonedWaitMs: 20_000,
    longestAbandonedWaitMs: 20_000,
    deflected: 1,
    overflowed: 0,
    callbacksCaptured: 0,
    forwarded: 0,
    callbacksCompleted: 0,
    failedInQueue: 0,
    repeatCallers: 1,
    answeredWaitMs: 10_000,
    talkMs: 300_000,
    longestWaitMs: 20_000,
    peakQueue: 1,
  });
  t.ok(check.Check({ ...header, ...body }), 'the body matches the schema');
  t.same(Object.keys(body!).sort(), Object.keys(KpiPayload.properties).filter((k) => !(k in header)).sort(), 'every field of the schema, no other');
});

t.test('an interval goes out again, corrected, at the next quarter hour after a later CDR changed it', async (t) => {
  const r = new KpiReporter(T0);
  const [first] = r.due(T0 + Q + KPI_GRACE_MS);
  t.match(first, { intervalStart: T0, offered: 0, answered: 0 }, 'an interval without calls goes out too');
  // Arrived at 09:10, answered at 09:10:20, ended at 09:40: after 09:00's went out.
  r.add(cdr('answered', T0 + 600_000, { queue: queue(T0 + 600_000, T0 + 620_000), answeredAt: T0 + 620_000, endedAt: T0 + 2 * Q + 600_000 }));
  const later = r.due(T0 + 2 * Q + KPI_GRACE_MS);
  t.same(
    later.map((b) => [b.intervalStart, b.offered, b.answered, b.answeredIn15s, b.peakQueue]),
    [
      [T0, 1, 1, 0, 1], // 20 s: not within 15 s
      [T0 + Q, 0, 0, 0, 0],
    ],
  );
  t.same(
    r.due(T0 + 3 * Q + KPI_GRACE_MS).map((b) => b.intervalStart),
    [T0 + 2 * Q],
    'a corrected interval goes out once, not at every quarter hour',
  );
});

t.test("a wait that reaches into a sent interval corrects that interval's peak queue", async (t) => {
  const r = new KpiReporter(T0);
  r.add(cdr('abandoned', T0 + 60_000, { queue: queue(T0 + 60_000, T0 + 120_000), endedAt: T0 + 120_000 }));
  r.due(T0 + 2 * Q + KPI_GRACE_MS);
  // Arrived at 09:14, waited from 09:14 to 09:31, overflowed: its wait spans the three intervals.
  r.add(cdr('overflowed', T0 + Q - 60_000, { queue: queue(T0 + Q - 60_000, T0 + 2 * Q + 60_000), endedAt: T0 + 2 * Q + 60_000 }));
  const bodies = r.due(T0 + 3 * Q + KPI_GRACE_MS);
  t.same(
    bodies.map((b) => [b.intervalStart, b.offered, b.overflowed, b.peakQueue]),
    [
      [T0, 2, 1, 1], // it arrived here; at 09:01 the other one waited alone, so the peak stays 1
      [T0 + Q, 0, 0, 1], // nobody arrived, but it waited
      [T0 + 2 * Q, 0, 0, 1], // due now anyway
    ],
  );
});

t.test('intervals before the start are not sent; one older than a day is not corrected', async (t) => {
  const r = new KpiReporter(T0 + 60_000);
  // From the CDR journal at start: arrived before the interval the box started in.
  r.add(cdr('answered', T0 - 120_000, { answeredAt: T0 - 110_000, endedAt: T0 + 30_000 }));
  const [first] = r.due(T0 + Q + KPI_GRACE_MS);
  t.match(first, { intervalStart: T0, offered: 0 }, 'the interval before the start is the earlier firmware’s');
  const muchLater = T0 + KPI_REVISE_MS + 2 * Q;
  t.equal(r.due(muchLater + KPI_GRACE_MS).length, (KPI_REVISE_MS + Q) / Q, 'a late timer sends every interval it missed');
  r.add(cdr('answered', T0 + 60_000, { answeredAt: T0 + 70_000, endedAt: muchLater }));
  t.same(r.due(muchLater + Q + KPI_GRACE_MS).map((b) => b.intervalStart), [muchLater], 'no correction a day on');
});

t.test('central reads a body from a box before the queue as before', async (t) => {
  const old = { ...header, intervalStart: T0, intervalMs: Q, offered: 5, answered: 4, answeredIn15s: 3, abandoned: 1, noAgent: 0, failed: 0 };
  t.ok(check.Check(old));
  t.notOk(check.Check({ ...old, peakQueue: -1 }), 'a new field is checked when present');
});

t.test('the interval under way, with the calls ended so far: what central shows of the day before the quarter hour ends', async (t) => {
  const r = new KpiReporter(T0 + 60_000);
  t.match(r.current(T0 + 2 * 60_000), { intervalStart: T0, intervalMs: Q, offered: 0, answered: 0 }, 'no call yet');
  r.add(cdr('answered', T0 + 90_000, { queue: queue(T0 + 92_000, T0 + 100_000), offeredAt: T0 + 92_000, answeredAt: T0 + 100_000, endedAt: T0 + 160_000, agent: 'ann' }));
  r.add(cdr('abandoned', T0 + 120_000, { queue: queue(T0 + 122_000, T0 + 150_000), endedAt: T0 + 150_000 }));
  const now = r.current(T0 + 3 * 60_000);
  t.match(now, { intervalStart: T0, offered: 2, answered: 1, answeredIn15s: 1, abandoned: 1 });
  t.ok(check.Check({ ...header, ...now }), 'a kpi message as central takes it');
  t.same(r.due(T0 + 3 * 60_000), [], 'the interval itself is not due before it ends');
  t.same(r.due(T0 + Q + KPI_GRACE_MS), [now], 'its own message at the end says the same, replacing it at central');
  t.match(r.current(T0 + Q + 60_000), { intervalStart: T0 + Q, offered: 0 }, 'the next interval under way starts empty');
});
