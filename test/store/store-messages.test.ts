// Durable box messages (CDRs, KPI intervals, events) are stored once per (box, bdSeq, seq),
// searched, and pruned; on SQLite and on PostgreSQL (a throwaway cluster for this file).
import t from 'tap';
import { forEachStore } from '../../control-plane/test-support/stores.js';
import type { KpiInterval } from '../../control-plane/src/store/store.js';
import { StoreNotFoundError } from '../../control-plane/src/store/store.js';
import { cdr, twoBoxes } from './fixtures.js';

const kpi = (intervalStart: number, offered: number): KpiInterval => ({ intervalStart, intervalMs: 900_000, offered, answered: offered - 1, answeredIn15s: offered - 2, abandoned: 1, noAgent: 0, failed: 0 });

t.test('a repeated message is a duplicate and changes nothing', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    t.equal(await store.addCdr('a', { bdSeq: 1, seq: 1 }, cdr('c1', 1_000)), 'applied');
    t.equal(await store.addCdr('a', { bdSeq: 1, seq: 1 }, cdr('c1', 1_000)), 'duplicate');
    t.equal(await store.addCdr('a', { bdSeq: 1, seq: 1 }, cdr('c9', 9_000)), 'duplicate', 'the key decides, whatever the payload');
    t.equal(await store.addCdr('b', { bdSeq: 1, seq: 1 }, cdr('c1', 1_000)), 'applied', 'another box, its own keys');
    t.equal(await store.addCdr('a', { bdSeq: 2, seq: 2 }, cdr('c1', 1_000)), 'duplicate', 'the same CDR id from the same box under a new key');
    t.same(
      (await store.searchCdrs({})).map((c) => [c.boxId, c.id]),
      [
        ['b', 'c1'],
        ['a', 'c1'],
      ],
      'two CDRs, newest stored first when they arrived together',
    );
    t.equal((await store.searchCdrs({ boxId: 'a' })).length, 1);

    t.equal(await store.addKpi('a', { bdSeq: 1, seq: 3 }, kpi(0, 10)), 'applied');
    t.equal(await store.addKpi('a', { bdSeq: 1, seq: 3 }, kpi(0, 99)), 'duplicate');
    t.same(await store.listKpis('a', 0, 1), [kpi(0, 10)]);

    t.equal(await store.addEvent('a', { bdSeq: 1, seq: 4 }, 'restart', { why: 'power' }, 5_000), 'applied');
    t.equal(await store.addEvent('a', { bdSeq: 1, seq: 4 }, 'restart', { why: 'power' }, 5_000), 'duplicate');
    t.same(await store.prune({ cdrsBefore: 0, historyBefore: 5_001 }), { cdrs: 0, events: 1, kpis: 1, alarms: 0 }, 'one event and one interval were stored');
    t.same(await store.lastSeq('a'), { bdSeq: 1, seq: 4 });
    await t.rejects(store.addCdr('nope', { bdSeq: 1, seq: 1 }, cdr('x', 1)), new StoreNotFoundError('box nope'));
  }),
);

t.test('two identical messages at once store one row', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.addCdr('a', { bdSeq: 1, seq: 7 }, cdr('c1', 1_000))));
    t.same(results.filter((r) => r === 'applied').length, 1, 'one applied');
    t.same(results.filter((r) => r === 'duplicate').length, 7, 'the others are duplicates');
    t.equal((await store.searchCdrs({})).length, 1);
    const events = await Promise.all(Array.from({ length: 8 }, () => store.addEvent('a', { bdSeq: 1, seq: 8 }, 'restart', {}, 1)));
    t.equal(events.filter((r) => r === 'applied').length, 1);
    t.same(await store.prune({ cdrsBefore: 0, historyBefore: 2 }), { cdrs: 0, events: 1, kpis: 0, alarms: 0 }, 'one event row');
  }),
);

t.test('lastSeq: the highest seq stored, with its bdSeq; an older message arriving late does not move it back', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    t.equal(await store.lastSeq('a'), null);
    await store.addCdr('a', { bdSeq: 1, seq: 5 }, cdr('c5', 5));
    await store.addEvent('a', { bdSeq: 2, seq: 9 }, 'x', {});
    await store.addCdr('a', { bdSeq: 1, seq: 6 }, cdr('c6', 6));
    t.same(await store.lastSeq('a'), { bdSeq: 2, seq: 9 });
    t.equal(await store.lastSeq('b'), null);
  }),
);

t.test('CDR search: by box, time, result and calling number, newest first, limited', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    let seq = 0;
    const add = (box: string, id: string, at: number, over = {}) => store.addCdr(box, { bdSeq: 1, seq: ++seq }, cdr(id, at, over));
    await add('a', 'a1', 1_000);
    await add('a', 'a2', 2_000, { result: 'abandoned', answeredAt: null, calling: '5552000' });
    await add('a', 'a3', 3_000, { result: 'no-agent', answeredAt: null });
    await add('b', 'b1', 2_500, { calling: '5552000' });
    const ids = async (filter: Parameters<typeof store.searchCdrs>[0]) => (await store.searchCdrs(filter)).map((c) => c.id);
    t.same(await ids({}), ['a3', 'b1', 'a2', 'a1']);
    t.same(await ids({ boxId: 'a' }), ['a3', 'a2', 'a1']);
    t.same(await ids({ from: 2_000, to: 3_000 }), ['b1', 'a2'], 'from inclusive, to exclusive, by arrival');
    t.same(await ids({ result: 'abandoned' }), ['a2']);
    t.same(await ids({ calling: '5552000' }), ['b1', 'a2']);
    t.same(await ids({ calling: '5552000', boxId: 'b' }), ['b1']);
    t.same(await ids({ limit: 2 }), ['a3', 'b1']);
    t.same(await store.searchCdrs({ boxId: 'b' }), [{ ...cdr('b1', 2_500, { calling: '5552000' }), boxId: 'b' }], 'the CDR comes back as the box sent it');
    await t.rejects(store.searchCdrs({ limit: 0 }), RangeError);
  }),
);

t.test('KPI intervals: one per box and interval start, a later message for it replaces it', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    await store.addKpi('a', { bdSeq: 1, seq: 1 }, kpi(900_000, 10));
    await store.addKpi('a', { bdSeq: 1, seq: 2 }, kpi(0, 5));
    await store.addKpi('b', { bdSeq: 1, seq: 1 }, kpi(0, 7));
    t.equal(await store.addKpi('a', { bdSeq: 2, seq: 3 }, kpi(900_000, 12)), 'applied');
    t.same(await store.listKpis('a', 0, 2_000_000), [kpi(0, 5), kpi(900_000, 12)], 'oldest first; the interval holds the later count');
    t.same(await store.listKpis('a', 0, 900_000), [kpi(0, 5)], 'to is exclusive');
    t.same(await store.listKpis('b', 0, 2_000_000), [kpi(0, 7)]);
  }),
);

t.test('prune: deletes what is older than the cut-offs, in batches, and forgets old message keys', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    // More than one batch (retention.ts deletes 500 at a time).
    let seq = 0;
    for (let i = 0; i < 1_203; i++) await store.addCdr('a', { bdSeq: 1, seq: ++seq }, cdr(`c${i}`, i));
    await store.addKpi('a', { bdSeq: 1, seq: ++seq }, kpi(100, 1));
    await store.addKpi('a', { bdSeq: 1, seq: ++seq }, kpi(2_000, 1));
    await store.addEvent('a', { bdSeq: 1, seq: ++seq }, 'old', {}, 100);
    await store.addEvent('a', { bdSeq: 1, seq: ++seq }, 'new', {}, 2_000);
    const oldAlarm = await store.raiseCentralAlarm({ boxId: 'a', source: 'central', type: 'offline', severity: 'major', cause: 'offline', at: 50 });
    await store.clearCentralAlarm('a', 'central', 'offline', 100);
    await store.raiseCentralAlarm({ boxId: 'a', source: 'central', type: 'gap', severity: 'minor', cause: 'gap', at: 60 });
    await store.raiseCentralAlarm({ boxId: 'b', source: 'central', type: 'offline', severity: 'major', cause: 'offline', at: 70 });
    await store.clearCentralAlarm('b', 'central', 'offline', 1_500);

    t.same(await store.prune({ cdrsBefore: 1_200, historyBefore: 1_000 }), { cdrs: 1_200, events: 1, kpis: 1, alarms: 1 });
    t.same(
      (await store.searchCdrs({})).map((c) => c.id),
      ['c1202', 'c1201', 'c1200'],
    );
    t.same(
      (await store.listKpis('a', 0, 10_000)).map((k) => k.intervalStart),
      [2_000],
    );
    t.equal(await store.getAlarm(oldAlarm.id), null, 'the alarm cleared before the cut-off went');
    t.same(
      (await store.listAlarms({})).map((a) => [a.boxId, a.type, a.state]),
      [
        ['b', 'offline', 'cleared'],
        ['a', 'gap', 'active'],
      ],
      'an active alarm stays however old; one cleared after the cut-off stays',
    );
    // The keys of pruned CDRs went with them; the kept ones still make a repeat a duplicate.
    t.equal(await store.addCdr('a', { bdSeq: 1, seq: 1_203 }, cdr('c1202', 1_202)), 'duplicate');
    t.equal(await store.addCdr('a', { bdSeq: 1, seq: 1 }, cdr('c0', 0)), 'applied', 'a key older than both cut-offs is forgotten');
    t.same(await store.prune({ cdrsBefore: 1_200, historyBefore: 1_000 }), { cdrs: 1, events: 0, kpis: 0, alarms: 0 });
  }),
);
