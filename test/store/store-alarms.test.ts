// Alarms from boxes and from central: one active per (box, source, type), held by the
// database itself; clears, acknowledgement, history and paging. On SQLite and on PostgreSQL
// (a throwaway cluster for this file).
import Database from 'better-sqlite3';
import pg from 'pg';
import t from 'tap';
import type { StoreLocation } from '../../control-plane/src/store/dialect.js';
import { forEachStore } from '../../control-plane/test-support/stores.js';
import { alarm, twoBoxes } from './fixtures.js';

t.test('a box alarm is raised, updated and cleared by its id', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    t.equal(await store.applyBoxAlarm('a', { bdSeq: 1, seq: 1 }, 'raised', alarm()), 'applied');
    const [raised] = await store.listAlarms({ state: 'active' });
    t.match(raised, { boxId: 'a', origin: 'box', boxAlarmId: '1000-1', source: 'span/0', type: 'span-red', severity: 'critical', state: 'active', cause: 'LOS', causeCode: 'span-defects', causeArgs: ['LOS'], raisedAt: 1_000, lastRaisedAt: 1_000, clearedAt: null, count: 1, ackedAt: null });

    t.equal(await store.applyBoxAlarm('a', { bdSeq: 1, seq: 2 }, 'updated', alarm({ count: 2, lastRaisedAt: 2_000, cause: 'LOS, AIS', causeArgs: ['LOS', 'AIS'] })), 'applied');
    t.equal(await store.applyBoxAlarm('a', { bdSeq: 1, seq: 2 }, 'updated', alarm({ count: 9, lastRaisedAt: 9_000 })), 'duplicate');
    t.match(await store.getAlarm(raised!.id), { state: 'active', count: 2, lastRaisedAt: 2_000, cause: 'LOS, AIS', causeArgs: ['LOS', 'AIS'] });

    await store.applyBoxAlarm('a', { bdSeq: 1, seq: 3 }, 'cleared', alarm({ count: 2, lastRaisedAt: 2_000, state: 'cleared', clearedAt: 3_000 }));
    t.match(await store.getAlarm(raised!.id), { state: 'cleared', clearedAt: 3_000, count: 2 });
    t.same(await store.listAlarms({ state: 'active' }), []);

    // The raise that got lost and is stored late does not bring the cleared alarm back.
    t.equal(await store.applyBoxAlarm('a', { bdSeq: 1, seq: 0 }, 'raised', alarm()), 'applied');
    t.match(await store.getAlarm(raised!.id), { state: 'cleared', clearedAt: 3_000, count: 2 });
    t.equal((await store.listAlarms({})).length, 1);
  }),
);

t.test('a clear central never saw raised is kept in history', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    await store.applyBoxAlarm('a', { bdSeq: 1, seq: 5 }, 'cleared', alarm({ id: '500-3', state: 'cleared', raisedAt: 500, lastRaisedAt: 700, clearedAt: 800, count: 2 }));
    t.match(await store.listAlarms({}), [{ boxAlarmId: '500-3', state: 'cleared', raisedAt: 500, lastRaisedAt: 700, clearedAt: 800, count: 2, origin: 'box' }]);
  }),
);

t.test('a new box alarm for a key still active moves the older one to history', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    await store.applyBoxAlarm('a', { bdSeq: 1, seq: 1 }, 'raised', alarm({ id: '1000-1' }));
    await store.applyBoxAlarm('a', { bdSeq: 2, seq: 9 }, 'raised', alarm({ id: '5000-2', raisedAt: 5_000, lastRaisedAt: 5_000 }));
    t.same(
      (await store.listAlarms({})).map((a) => [a.boxAlarmId, a.state, a.clearedAt]),
      [
        ['5000-2', 'active', null],
        ['1000-1', 'cleared', 5_000],
      ],
    );
    // The same key on another box is another alarm.
    await store.applyBoxAlarm('b', { bdSeq: 1, seq: 1 }, 'raised', alarm({ id: '1000-1' }));
    t.equal((await store.listAlarms({ state: 'active' })).length, 2);
  }),
);

t.test("a birth's alarm list: listed alarms raised or updated by id, other box alarms cleared, central's own left alone", (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    await store.applyBoxAlarm('a', { bdSeq: 1, seq: 1 }, 'raised', alarm({ id: '1000-1' }));
    await store.applyBoxAlarm('a', { bdSeq: 1, seq: 2 }, 'raised', alarm({ id: '1100-2', source: 'fxo/0', type: 'fxo-no-battery', severity: 'major', raisedAt: 1_100, lastRaisedAt: 1_100 }));
    await store.applyBoxAlarm('b', { bdSeq: 1, seq: 1 }, 'raised', alarm({ id: '1000-1' }));
    const offline = await store.raiseCentralAlarm({ boxId: 'a', source: 'central', type: 'telemetry-gap', severity: 'major', cause: 'silent', at: 1_500 });

    await store.syncBoxAlarms(
      'a',
      [
        alarm({ id: '1000-1', count: 3, lastRaisedAt: 4_000, cause: 'LOS, AIS', causeArgs: ['LOS', 'AIS'] }),
        alarm({ id: '3000-3', source: 'span/1', type: 'span-yellow', severity: 'minor', raisedAt: 3_000, lastRaisedAt: 3_000, cause: 'RAI', causeArgs: ['RAI'] }),
      ],
      5_000,
    );
    const a = await store.listAlarms({ boxId: 'a' });
    const state = (boxAlarmId: string | null) => a.find((x) => x.boxAlarmId === boxAlarmId);
    t.match(state('1000-1'), { state: 'active', count: 3, lastRaisedAt: 4_000, raisedAt: 1_000, cause: 'LOS, AIS' }, 'a listed alarm central has is updated in place');
    t.match(state('3000-3'), { state: 'active', origin: 'box', source: 'span/1', type: 'span-yellow', severity: 'minor', raisedAt: 3_000 }, 'a listed alarm central never saw is raised');
    t.match(state('1100-2'), { state: 'cleared', clearedAt: 5_000 }, 'a box alarm the birth does not list is cleared at the birth');
    t.match(await store.getAlarm(offline.id), { state: 'active', clearedAt: null }, "central's own alarm is central's to clear");
    t.equal(a.length, 4, 'no alarm made twice');
    t.match(await store.listAlarms({ boxId: 'b' }), [{ boxAlarmId: '1000-1', state: 'active' }], "another box's alarms are its own");

    await store.syncBoxAlarms('a', [], 6_000);
    t.same(
      (await store.listAlarms({ boxId: 'a', state: 'active' })).map((x) => x.type),
      ['telemetry-gap'],
      'an empty list clears every box alarm of the box',
    );
    t.match((await store.listAlarms({ boxId: 'a' })).find((x) => x.boxAlarmId === '1000-1'), { state: 'cleared', clearedAt: 6_000 });
  }),
);

t.test('a birth listing an alarm id central has seen cleared does not bring it back', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    await store.applyBoxAlarm('a', { bdSeq: 1, seq: 1 }, 'raised', alarm());
    await store.applyBoxAlarm('a', { bdSeq: 1, seq: 2 }, 'cleared', alarm({ state: 'cleared', clearedAt: 2_000 }));
    await store.syncBoxAlarms('a', [alarm({ count: 2, lastRaisedAt: 1_500 })], 3_000);
    t.match(await store.listAlarms({ boxId: 'a' }), [{ boxAlarmId: '1000-1', state: 'cleared', clearedAt: 2_000, count: 1 }], 'the id names one occurrence, and it is over');
  }),
);

t.test('a birth alarm list for a box central does not know is refused', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    await t.rejects(store.syncBoxAlarms('nobody', [alarm()], 1_000), { name: 'StoreNotFoundError', message: 'box nobody does not exist' });
    await t.rejects(store.syncBoxAlarms('nobody', [], 1_000), { name: 'StoreNotFoundError', message: 'box nobody does not exist' }, 'an empty list too');
    t.same(await store.listAlarms({}), []);
  }),
);

t.test('central alarms: a repeat while active counts, a clear closes, the next raise is a new alarm', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    const first = await store.raiseCentralAlarm({ boxId: 'a', source: 'central', type: 'box-offline', severity: 'major', cause: 'offline since 10:00', at: 1_000 });
    t.match(first, { origin: 'central', boxAlarmId: null, state: 'active', count: 1, raisedAt: 1_000, lastRaisedAt: 1_000, causeCode: null, causeArgs: null });
    const again = await store.raiseCentralAlarm({ boxId: 'a', source: 'central', type: 'box-offline', severity: 'critical', cause: 'offline for 1 h', causeCode: 'offline', causeArgs: [60], at: 2_000 });
    t.match(again, { id: first.id, count: 2, severity: 'critical', cause: 'offline for 1 h', causeCode: 'offline', causeArgs: [60], raisedAt: 1_000, lastRaisedAt: 2_000 });
    t.match(await store.clearCentralAlarm('a', 'central', 'box-offline', 3_000), { id: first.id, state: 'cleared', clearedAt: 3_000 });
    t.equal(await store.clearCentralAlarm('a', 'central', 'box-offline', 3_500), null, 'nothing active to clear');
    const next = await store.raiseCentralAlarm({ boxId: 'a', source: 'central', type: 'box-offline', severity: 'major', cause: 'offline', at: 4_000 });
    t.not(next.id, first.id);
    t.match(next, { count: 1, state: 'active' });
  }),
);

t.test('central alarms raised at once make one active alarm', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    const raised = await Promise.all(Array.from({ length: 8 }, (_, i) => store.raiseCentralAlarm({ boxId: 'a', source: 'central', type: 'telemetry-gap', severity: 'minor', cause: 'gap', at: 1_000 + i })));
    t.equal(new Set(raised.map((a) => a.id)).size, 1);
    const active = await store.listAlarms({ state: 'active' });
    t.equal(active.length, 1);
    t.equal(active[0]?.count, 8);
  }),
);

t.test('the database itself refuses a second active alarm for a key', (t) =>
  forEachStore(t, async (t, store, location) => {
    await twoBoxes(store);
    await store.raiseCentralAlarm({ boxId: 'a', source: 'central', type: 'box-offline', severity: 'major', cause: 'x', at: 1 });
    const insert = `INSERT INTO alarms (box_id, origin, source, type, severity, state, cause, raised_at, last_raised_at, count) VALUES ('a', 'central', 'central', 'box-offline', 'major', '%s', 'x', 2, 2, 1)`;
    await t.rejects(rawExec(location, insert.replace('%s', 'active')), /UNIQUE constraint failed|duplicate key value violates unique constraint "alarms_one_active"/);
    await rawExec(location, insert.replace('%s', 'cleared'));
    t.equal((await store.listAlarms({})).length, 2, 'cleared ones are history, as many as there were');
  }),
);

async function rawExec(location: StoreLocation, statement: string): Promise<void> {
  if (location.kind === 'sqlite') {
    const db = new Database(location.file);
    try {
      db.exec(statement);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: location.url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

t.test('ack: who and why are kept, the first ack stands, an unknown alarm answers null', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    const a = await store.raiseCentralAlarm({ boxId: 'a', source: 'central', type: 'box-offline', severity: 'major', cause: 'x', at: 1 });
    t.match(await store.ackAlarm(a.id, 'duty-lead', 'calling the county', 10), { ackedAt: 10, ackedBy: 'duty-lead', ackComment: 'calling the county', state: 'active' });
    t.match(await store.ackAlarm(a.id, 'someone-else', 'me too', 20), { ackedAt: 10, ackedBy: 'duty-lead', ackComment: 'calling the county' });
    t.equal(await store.ackAlarm(a.id + 1000, 'x', 'y', 1), null);
    // Acked stays with the alarm through its clear.
    t.match(await store.clearCentralAlarm('a', 'central', 'box-offline', 30), { state: 'cleared', ackedBy: 'duty-lead' });
    const b = await store.raiseCentralAlarm({ boxId: 'a', source: 'central', type: 'box-offline', severity: 'major', cause: 'x', at: 40 });
    t.match(await store.ackAlarm(b.id, 'ops', '', 50), { ackedBy: 'ops', ackComment: '' }, 'a new occurrence is acked anew');
  }),
);

t.test('list: filters, newest first, paging with before and limit', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    const raise = (boxId: string, type: string, severity: 'critical' | 'major' | 'minor', at: number) => store.raiseCentralAlarm({ boxId, source: 'central', type, severity, cause: type, at });
    await raise('a', 't1', 'critical', 100);
    await raise('a', 't2', 'major', 200);
    const t3 = await raise('b', 't3', 'critical', 300);
    await raise('b', 't4', 'minor', 400);
    await store.clearCentralAlarm('a', 'central', 't1', 500);
    await store.ackAlarm(t3.id, 'ops', 'seen', 600);
    const types = async (filter: Parameters<typeof store.listAlarms>[0]) => (await store.listAlarms(filter)).map((a) => a.type);
    t.same(await types({}), ['t4', 't3', 't2', 't1']);
    t.same(await types({ state: 'active' }), ['t4', 't3', 't2']);
    t.same(await types({ state: 'cleared' }), ['t1']);
    t.same(await types({ boxId: 'a' }), ['t2', 't1']);
    t.same(await types({ severity: 'critical' }), ['t3', 't1']);
    t.same(await types({ acked: true }), ['t3']);
    t.same(await types({ acked: false, state: 'active' }), ['t4', 't2']);
    t.same(await types({ limit: 2 }), ['t4', 't3'], 'the first page');
    t.same(await types({ limit: 2, before: 300 }), ['t2', 't1'], 'the next page');
    t.same(await types({ limit: 2, before: 100 }), []);
  }),
);

t.test('paging with the last alarm as cursor (before + beforeId) lists each alarm once, also many raised in one millisecond', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    // A birth lists a box's alarms at once: seven share raisedAt 1000, one before and one after.
    const same = Array.from({ length: 7 }, (_, i) => alarm({ id: `1000-${i}`, source: `fxo/${i}`, type: 'fxo-no-battery', severity: 'major' }));
    await store.syncBoxAlarms('a', [alarm({ id: '900-0', raisedAt: 900, lastRaisedAt: 900 }), ...same, alarm({ id: '1100-0', source: 'span/1', raisedAt: 1_100, lastRaisedAt: 1_100 })], 2_000);
    const all = (await store.listAlarms({})).map((a) => a.boxAlarmId);
    t.equal(all.length, 9);

    const pages: (string | null)[][] = [];
    let cursor: { before: number; beforeId: number } | undefined;
    for (;;) {
      const page = await store.listAlarms({ limit: 3, ...cursor });
      if (page.length === 0) break;
      pages.push(page.map((a) => a.boxAlarmId));
      const last = page[page.length - 1]!;
      cursor = { before: last.raisedAt, beforeId: last.id };
    }
    t.same(pages.flat(), all, 'every alarm once, in the list order');
    t.same(pages.map((p) => p.length), [3, 3, 3]);

    // `before` alone is "raised before this time": the rest of the millisecond is not in it.
    const first = await store.listAlarms({ limit: 3 });
    const timeOnly = await store.listAlarms({ limit: 10, before: first[2]!.raisedAt });
    t.same(timeOnly.map((a) => a.boxAlarmId), ['900-0'], 'paging by time alone would skip the five other alarms of 1000');
    await t.rejects(store.listAlarms({ beforeId: 5 }), { name: 'RangeError', message: /beforeId 5 without before/ }, 'beforeId without before says what is missing');
  }),
);

t.test('every active central alarm of a source is listed, past the 1,000 of a page', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    const n = 1_005;
    for (let i = 0; i < n; i++) await store.raiseCentralAlarm({ boxId: i % 2 ? 'a' : 'b', source: 'central', type: `rule-${i}`, severity: 'major', cause: 'x', at: 1_000 + i });
    // What must not be listed: a cleared one, another source, a box's alarm named `central`.
    await store.raiseCentralAlarm({ boxId: 'a', source: 'central', type: 'gone', severity: 'major', cause: 'x', at: 5 });
    await store.clearCentralAlarm('a', 'central', 'gone', 6);
    await store.raiseCentralAlarm({ boxId: 'a', source: 'probe', type: 'rule-0', severity: 'minor', cause: 'x', at: 7 });
    await store.applyBoxAlarm('a', { bdSeq: 1, seq: 1 }, 'raised', alarm({ id: 'own', source: 'central', type: 'span-red' }));

    const listed = await store.listActiveCentralAlarms('central');
    t.equal(listed.length, n);
    t.same(new Set(listed.map((a) => `${a.boxId}/${a.type}`)), new Set(Array.from({ length: n }, (_, i) => `${i % 2 ? 'a' : 'b'}/rule-${i}`)));
    t.ok(listed.every((a) => a.origin === 'central' && a.source === 'central' && a.state === 'active'));
    t.same((await store.listActiveCentralAlarms('probe')).map((a) => a.type), ['rule-0']);
    t.same(await store.listActiveCentralAlarms('nobody'), []);
  }),
);

t.test('active alarms counted by severity, box and central ones alike; cleared ones not', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    t.same(await store.countActiveAlarms(), { critical: 0, major: 0, minor: 0, warning: 0 }, 'every severity named, 0 when none');
    await store.applyBoxAlarm('a', { bdSeq: 1, seq: 1 }, 'raised', alarm({ id: 'r1' }));
    await store.applyBoxAlarm('b', { bdSeq: 1, seq: 1 }, 'raised', alarm({ id: 'r2' }));
    await store.applyBoxAlarm('a', { bdSeq: 1, seq: 2 }, 'raised', alarm({ id: 'u1', source: 'fxo/1', type: 'fxo-unplugged', severity: 'major' }));
    await store.raiseCentralAlarm({ boxId: 'b', source: 'box', type: 'telemetry-gap', severity: 'major', cause: 'silent', at: 5 });
    await store.applyBoxAlarm('b', { bdSeq: 1, seq: 2 }, 'cleared', alarm({ id: 'r2', state: 'cleared', clearedAt: 6 }));
    t.same(await store.countActiveAlarms(), { critical: 1, major: 2, minor: 0, warning: 0 });
  }),
);
