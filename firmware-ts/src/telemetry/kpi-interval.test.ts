import t from 'tap';
import type { Cdr } from '../calls/cdr.js';
import { KPI_INTERVAL_MS, KpiInterval } from './kpi-interval.js';

const start = 1_700_000_100_000 - (1_700_000_100_000 % KPI_INTERVAL_MS);
let n = 0;
function cdr(result: Cdr['result'], o: Partial<Cdr> = {}): Cdr {
  return { id: `c${n++}`, line: { kind: 'fxo', port: 0 }, calling: '1', called: '2', agent: null, arrivedAt: start + 1000, offeredAt: start + 1000, answeredAt: null, endedAt: start + 60_000, result, reason: null, hungUpBy: 'caller', cause: null, ...o };
}

t.test('counts each result; answered within 15 s of arrival; test-line calls are not offered', async (t) => {
  const k = KpiInterval.at(start + 5 * 60_000);
  t.equal(k.start, start);
  k.add(cdr('answered', { answeredAt: start + 1000 + 15_000 }));
  k.add(cdr('answered', { answeredAt: start + 1000 + 15_001 }));
  k.add(cdr('abandoned'));
  k.add(cdr('no-agent'));
  k.add(cdr('failed'));
  k.add(cdr('test-line'));
  t.same(k.body(), { intervalStart: start, intervalMs: KPI_INTERVAL_MS, offered: 5, answered: 2, answeredIn15s: 1, abandoned: 1, noAgent: 1, failed: 1 });
});

t.test('a call belongs to the interval it ended in', async (t) => {
  const k = new KpiInterval(start);
  t.equal(k.add(cdr('answered', { endedAt: start - 1 })), false);
  t.equal(k.add(cdr('answered', { endedAt: start + KPI_INTERVAL_MS })), false);
  t.equal(k.add(cdr('answered', { endedAt: start + KPI_INTERVAL_MS - 1 })), true);
  t.equal(k.body().offered, 1);
});
