// The store's sites, boxes, enrolment and what boxes say about themselves, on SQLite and on
// PostgreSQL (a throwaway cluster for this file).
import t from 'tap';
import { openStore } from '../../control-plane/src/store/sql-store.js';
import { StoreConflictError, StoreNotFoundError } from '../../control-plane/src/store/store.js';
import { forEachStore } from '../../control-plane/test-support/stores.js';
import { birth, cdr, twoBoxes } from './fixtures.js';

t.test('migrate runs once: again, and from a second process, changes nothing and keeps the data', (t) =>
  forEachStore(t, async (t, store, location) => {
    await twoBoxes(store);
    await store.migrate();
    const other = openStore(location);
    t.teardown(() => other.close());
    await other.migrate();
    t.same((await other.listBoxes()).map((b) => b.id), ['a', 'b']);
  }),
);

t.test('sites and boxes: created, listed, refused when the id is taken or the site unknown', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    await store.createSite({ id: 's2', name: 'South', county: 'Vale County' });
    await store.createBox({ id: 'c', site: 's2', name: 'Box C', createdAt: 30 });
    t.same(
      (await store.listSites()).map((s) => [s.id, s.county]),
      [
        ['s1', 'Hill County'],
        ['s2', 'Vale County'],
      ],
    );
    t.same((await store.listBoxes({ site: 's2' })).map((b) => b.id), ['c']);
    t.same((await store.listBoxes()).map((b) => b.id), ['a', 'b', 'c']);
    t.match(await store.getBox('a'), { id: 'a', site: 's1', name: 'Box A', createdAt: 10, enrolled: false, online: false, onlineChangedAt: null, birth: null, bdSeq: null });
    t.equal(await store.getBox('nope'), null);

    await t.rejects(store.createSite({ id: 's1', name: 'Again', county: 'X' }), new StoreConflictError('site s1'));
    await t.rejects(store.createBox({ id: 'a', site: 's1', name: 'Again', createdAt: 1 }), new StoreConflictError('box a'));
    await t.rejects(store.createBox({ id: 'd', site: 'nowhere', name: 'D', createdAt: 1 }), new StoreNotFoundError('site nowhere'));
    t.equal((await store.listBoxes()).length, 3, 'nothing stored by the refused calls');
  }),
);

t.test('enrolment: a token works once; used, expired and unknown tokens are refused with the reason', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    await store.setEnrolment('a', 'hash-a', 1_000);
    t.equal(await store.boxCredential('a'), null, 'no credential before enrolment');

    t.same(await store.redeemEnrolment('hash-a', 'pw-a', 1_000), { ok: false, reason: 'expired' }, 'expired at its expiry time');
    t.same(await store.redeemEnrolment('hash-a', 'pw-a', 999), { ok: true, boxId: 'a' });
    t.equal(await store.boxCredential('a'), 'pw-a');
    t.equal((await store.getBox('a'))?.enrolled, true);
    t.same(await store.redeemEnrolment('hash-a', 'pw-other', 999), { ok: false, reason: 'used' });
    t.equal(await store.boxCredential('a'), 'pw-a', 'a used token changes nothing');
    t.same(await store.redeemEnrolment('never-issued', 'pw', 999), { ok: false, reason: 'unknown' });

    // A new token replaces the box's earlier one.
    await store.setEnrolment('b', 'first', 5_000);
    await store.setEnrolment('b', 'second', 5_000);
    t.same(await store.redeemEnrolment('first', 'pw-b', 100), { ok: false, reason: 'unknown' });
    t.same(await store.redeemEnrolment('second', 'pw-b', 100), { ok: true, boxId: 'b' });
    await t.rejects(store.setEnrolment('nope', 'h', 1), new StoreNotFoundError('box nope'));
  }),
);

t.test('enrolment: the same token redeemed at once succeeds once', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    await store.setEnrolment('a', 'hash-a', 10_000);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => store.redeemEnrolment('hash-a', `pw-${i}`, 1)));
    const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
    t.equal(winners.length, 1, 'one redeem won');
    t.same(
      results.filter((r) => !r.ok),
      Array.from({ length: 5 }, () => ({ ok: false, reason: 'used' })),
    );
    t.equal(await store.boxCredential('a'), `pw-${winners[0]}`, 'the winner set the credential');
  }),
);

t.test('birth, status and trunks: online state, a late will from an older connection is ignored', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    await store.recordBirth('a', birth(3, 40), 5_000);
    let box = await store.getBox('a');
    t.match(box, { online: true, onlineChangedAt: 5_000, lastBirthAt: 5_000, bdSeq: 3, trunksAt: 5_000 });
    t.same(box?.birth, birth(3, 40), 'the birth as the box sent it');
    const { list, ...counts } = birth(3, 40).circuits;
    t.same(box?.trunks, { spans: birth(3, 40).spans, fxo: birth(3, 40).fxo, circuits: counts, circuitList: list, agents: birth(3, 40).agents, queue: birth(3, 40).queue }, "the birth's state is the live view until a snapshot comes");
    t.same(await store.lastSeq('a'), { bdSeq: 3, seq: 40 }, 'a birth takes a seq');

    t.equal(await store.recordStatus('a', false, 2, 6_000), false, 'the will of connection 2 arrives after birth 3');
    t.match(await store.getBox('a'), { online: true, onlineChangedAt: 5_000 });
    t.equal(await store.recordStatus('a', true, 3, 6_500), true, 'online again on the same connection');
    t.match(await store.getBox('a'), { online: true, onlineChangedAt: 5_000 }, 'no change, so the time stays');
    t.equal(await store.recordStatus('a', false, 3, 7_000), true);
    t.match(await store.getBox('a'), { online: false, onlineChangedAt: 7_000 });

    // An older birth (a stale copy) does not replace the newer one.
    await store.recordBirth('a', birth(2, 30, 'stale'), 8_000);
    box = await store.getBox('a');
    t.match(box, { bdSeq: 3, lastBirthAt: 5_000, online: false });
    t.equal(box?.birth?.inventory.hostName, 'box-a');
    await store.recordBirth('a', birth(4, 41), 9_000);
    t.match(await store.getBox('a'), { bdSeq: 4, online: true, onlineChangedAt: 9_000 });

    const trunks = { spans: [{ span: 0, alarm: 'red', causes: ['LOS'] }], fxo: [], circuits: { total: 30, idle: 0, busy: 0, blocked: 30 } };
    await store.recordTrunks('a', trunks, 10_000, { bdSeq: 4, seq: 42 });
    t.match(await store.getBox('a'), { trunks, trunksAt: 10_000 });
    t.same(await store.lastSeq('a'), { bdSeq: 4, seq: 42 });
    t.equal(await store.recordStatus('nope', true, 1, 1), false, 'an unknown box');
    await t.rejects(store.recordBirth('nope', birth(1, 1), 1), new StoreNotFoundError('box nope'));
    await t.rejects(store.recordTrunks('nope', trunks, 1), new StoreNotFoundError('box nope'));
    t.equal(await store.getBox('b').then((b) => b?.online), false, 'the other box is untouched');
  }),
);

t.test('enrolment again: a wiped box counting from 1 is taken as new, and what it sent before stays', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    await store.setEnrolment('a', 'first', 10_000);
    await store.redeemEnrolment('first', 'pw-1', 1);
    t.equal(await store.recordBirth('a', birth(7, 40), 2), true);
    t.equal(await store.addCdr('a', { bdSeq: 7, seq: 41 }, cdr('old-call', 3)), 'applied');
    t.equal(await store.recordBirth('a', birth(6, 10), 4), false, 'before: an older birth is a late copy, ignored');

    // The box's disk is replaced: a new token, and the box starts again at bdSeq 1, seq 1.
    await store.setEnrolment('a', 'second', 10_000);
    t.same(await store.redeemEnrolment('second', 'pw-2', 5), { ok: true, boxId: 'a' });
    t.equal(await store.lastSeq('a'), null, 'its sequences start afresh');
    t.equal(await store.recordBirth('a', birth(1, 1), 6), true, 'its first birth is taken');
    t.equal((await store.getBox('a'))?.bdSeq, 1);
    t.equal(await store.addCdr('a', { bdSeq: 1, seq: 2 }, cdr('new-call', 7)), 'applied', 'its messages are new, not duplicates');
    t.same(
      (await store.searchCdrs({ boxId: 'a' })).map((c) => c.id).sort(),
      ['new-call', 'old-call'],
      'the CDRs from before the enrolment stay',
    );
  }),
);
