import { FakeClock } from '@countyline/e1-gateway';
import { Value } from '@sinclair/typebox/value';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { refusal } from '../test-support/refusal.js';
import type { Cdr, CallResult } from './calls/cdr.js';
import { CdrStore } from './calls/cdr-store.js';
import { ControlDispatcher } from './control/control-dispatcher.js';
import { CONTROL_METHODS } from './control/control-methods.js';
import { controlHandlers, type ControlTarget } from './firmware-control.js';

// `kpi` over the CDRs on disk: the store keeps only the latest call in memory, so a day's
// figures can only be right if they come from the file.

const H = 3_600_000;
const M = 60_000;
const CHINA = 8 * H;
/** 2026-12-01 00:00 in China (UTC+8). */
const DEC1 = Date.UTC(2026, 10, 30, 16);
const silent = pino({ level: 'silent' });

let n = 0;
function cdr(result: CallResult, arrivedAt: number, o: Partial<Cdr> = {}): Cdr {
  return { id: `k${n++}`, line: { kind: 'fxo', port: 0 }, calling: '13800000000', called: '12345', agent: null, arrivedAt, offeredAt: null, answeredAt: null, endedAt: arrivedAt + M, result, reason: null, hungUpBy: 'caller', cause: null, ...o };
}

async function rigWith(t: Test, cdrs: Cdr[], now: number) {
  const dir = await mkdtemp(join(tmpdir(), 'cl-kpi-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const clock = new FakeClock(now);
  const store = await CdrStore.open({ file: join(dir, 'cdr.jsonl'), logger: silent, clock, keepRecent: 1 });
  t.teardown(() => store.close());
  for (const c of cdrs) await store.append(c);
  const target = { clock, kpi: { cdrs: (from: number, to: number) => store.between(from, to), utcOffsetMs: CHINA, wrapUpMs: 30_000 } } as unknown as ControlTarget;
  return new ControlDispatcher(controlHandlers(target), silent);
}

const DAY_CALLS = [
  // 30 Nov, 23:50 local: the day before.
  cdr('answered', DEC1 - 10 * M, { answeredAt: DEC1 - 9 * M, endedAt: DEC1 - 5 * M }),
  // 1 Dec, 09:00: answered after 10 s, talked 2 min; 09:05 abandoned after 20 s in the queue.
  cdr('answered', DEC1 + 9 * H, { queue: { id: 'main', enteredAt: DEC1 + 9 * H, leftAt: DEC1 + 9 * H + 10_000, position: 1 }, answeredAt: DEC1 + 9 * H + 10_000, endedAt: DEC1 + 9 * H + 130_000, agent: '1001' }),
  cdr('abandoned', DEC1 + 9 * H + 5 * M, { queue: { id: 'main', enteredAt: DEC1 + 9 * H + 5 * M, leftAt: DEC1 + 9 * H + 5 * M + 20_000, position: 1 }, endedAt: DEC1 + 9 * H + 5 * M + 20_000 }),
  // 1 Dec, 23:59: a caller the bulletin answered, ended after midnight.
  cdr('deflected', DEC1 + 24 * H - M, { endedAt: DEC1 + 24 * H + M }),
  // 2 Dec, 08:00.
  cdr('no-agent', DEC1 + 32 * H),
];

t.test("kpi: the day's figures from every CDR on disk, not only the ones kept in memory", async (t) => {
  const d = await rigWith(t, DAY_CALLS, DEC1 + 40 * H); // now: 2 Dec 16:00 local
  const report = (await d.dispatch('kpi', { day: '2026-12-01' })) as { day: { day: string; totals: { counts: Record<string, number>; rates: Record<string, number | null> }; intervals: unknown[] }; staffing: { wrapUpMs: number } };
  t.same(Value.Errors(CONTROL_METHODS.kpi.result, report).First(), undefined, 'the answer fits its schema');
  t.equal(report.day.day, '2026-12-01');
  t.equal(report.day.intervals.length, 96);
  t.match(report.day.totals.counts, { inbound: 3, offered: 2, answered: 1, answeredIn15s: 1, abandoned: 1, deflected: 1, noAgent: 0, talkMs: 120_000 });
  t.equal(report.day.totals.rates.answerRate, 0.5);
  t.equal(report.staffing.wrapUpMs, 30_000, "the staffing advice adds the agents' wrap-up");

  const today = (await d.dispatch('kpi', {})) as typeof report;
  t.equal(today.day.day, '2026-12-02', 'no day: today by the box clock, in its time zone');
  t.match(today.day.totals.counts, { inbound: 1, noAgent: 1 });
});

t.test('kpi: a day that is no date is refused naming the field, in both languages', async (t) => {
  const d = await rigWith(t, [], DEC1);
  for (const day of ['2026-02-30', '2026/12/01', 'today']) {
    const err = await refusal(d.dispatch('kpi', { day }));
    t.equal(err.code, 'bad-params', day);
    t.equal(err.message, `day is ${JSON.stringify(day)}; it must be a date as YYYY-MM-DD, e.g. 2026-12-01`);
    t.equal(err.text('zh'), `day 为 ${JSON.stringify(day)}; 应为 YYYY-MM-DD 格式的日期, 如 2026-12-01`);
    t.equal(err.exitCode, 2);
  }
});
