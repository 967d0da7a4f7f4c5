import t from 'tap';
import { apiRig } from '../../test-support/api-test-app.js';
import { cdr } from '../../test-support/api-fixtures.js';

// Alarms as the duty desk filters and acknowledges them, and the CDR search.

async function alarmsRig(t: Parameters<typeof apiRig>[0]) {
  const rig = await apiRig(t);
  for (const id of ['north-1', 'north-2']) await rig.store.createBox({ id, site: 'north', name: id, createdAt: 0 });
  const red = await rig.store.raiseCentralAlarm({ boxId: 'north-1', source: 'span/0', type: 'red', severity: 'critical', cause: 'LOS', at: 1000 });
  const offline = await rig.store.raiseCentralAlarm({ boxId: 'north-2', source: 'central', type: 'box-offline', severity: 'major', cause: 'gone', at: 2000 });
  const rate = await rig.store.raiseCentralAlarm({ boxId: 'north-1', source: 'central', type: 'answer-rate', severity: 'minor', cause: 'x', at: 3000 });
  await rig.store.clearCentralAlarm('north-1', 'central', 'answer-rate', 3500);
  return { ...rig, red, offline, rate };
}

t.test('alarms newest first, filtered by state, box, severity and acknowledgement, paged', async (t) => {
  const { app, as, red, offline, rate } = await alarmsRig(t);
  const ids = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/alarms${query}`, headers: as('viewer') });
    t.equal(res.statusCode, 200, query);
    return res.json().alarms.map((a: { id: number }) => a.id);
  };
  t.same(await ids(''), [rate.id, offline.id, red.id]);
  t.same(await ids('?state=active'), [offline.id, red.id]);
  t.same(await ids('?box=north-1'), [rate.id, red.id]);
  t.same(await ids('?severity=critical'), [red.id]);
  t.same(await ids('?limit=1'), [rate.id]);
  t.same(await ids('?before=3000'), [offline.id, red.id]);
  await app.inject({ method: 'POST', url: `/api/v1/alarms/${red.id}/ack`, headers: as('operator'), payload: { comment: 'telco called' } });
  t.same(await ids('?acked=true'), [red.id]);
  t.same(await ids('?acked=false&state=active'), [offline.id]);
  const bad = await app.inject({ method: 'GET', url: '/api/v1/alarms?severity=terrible', headers: as('viewer') });
  t.equal(bad.statusCode, 400);
  t.match(bad.json().message, /querystring\.severity/);
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/alarms?limit=5000', headers: as('viewer') })).statusCode, 400);
});

t.test('paging by (before, beforeId) goes past alarms raised in the same millisecond', async (t) => {
  const { app, as, store } = await alarmsRig(t);
  for (const type of ['a', 'b', 'c']) await store.raiseCentralAlarm({ boxId: 'north-2', source: 'central', type, severity: 'minor', cause: type, at: 2000 });
  const page = async (query: string, limit = 2) => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/alarms?limit=${limit}${query}`, headers: as('viewer') });
    t.equal(res.statusCode, 200, query);
    return res.json().alarms as { id: number; raisedAt: number }[];
  };
  const seen: number[] = [];
  let query = '';
  for (let p = await page(query); p.length > 0; p = await page(query)) {
    seen.push(...p.map((a) => a.id));
    const last = p[p.length - 1]!;
    query = `&before=${last.raisedAt}&beforeId=${last.id}`;
  }
  const all = (await page('', 100)).map((a) => a.id);
  t.equal(all.length, 6);
  t.same(seen, all, 'four alarms share raisedAt 2000; each comes once');
  const alone = await app.inject({ method: 'GET', url: '/api/v1/alarms?beforeId=3', headers: as('viewer') });
  t.equal(alone.statusCode, 400);
  t.same(alone.json(), { error: 'bad-request', message: "the request is not valid: querystring.beforeId needs before: pass the last alarm's raisedAt as before and its id as beforeId" });
});

t.test('an acknowledgement records the token name, the time and the comment; the first one stays', async (t) => {
  const { app, as, clock, red } = await alarmsRig(t);
  const first = await app.inject({ method: 'POST', url: `/api/v1/alarms/${red.id}/ack`, headers: as('operator'), payload: { comment: 'telco called' } });
  t.equal(first.statusCode, 200);
  t.match(first.json(), { id: red.id, state: 'active', ackedBy: 'operator', ackedAt: clock.now(), ackComment: 'telco called' });
  clock.time += 1000;
  const second = await app.inject({ method: 'POST', url: `/api/v1/alarms/${red.id}/ack`, headers: as('admin'), payload: { comment: 'me too' } });
  t.match(second.json(), { ackedBy: 'operator', ackComment: 'telco called' });
  const noComment = await app.inject({ method: 'POST', url: `/api/v1/alarms/${red.id + 10}/ack`, headers: as('operator'), payload: {} });
  t.equal(noComment.statusCode, 404);
  t.same(noComment.json(), { error: 'not-found', message: `alarm ${red.id + 10} does not exist` });
  const notNumber = await app.inject({ method: 'POST', url: '/api/v1/alarms/red/ack', headers: as('operator'), payload: {} });
  t.equal(notNumber.statusCode, 400);
  t.match(notNumber.json().message, /params\.id/);
});

t.test('CDRs by box, time, result and caller, newest first', async (t) => {
  const { app, store, as } = await alarmsRig(t);
  await store.addCdr('north-1', { bdSeq: 1, seq: 1 }, cdr('c1', 1000));
  await store.addCdr('north-1', { bdSeq: 1, seq: 2 }, cdr('c2', 2000, { result: 'abandoned', answeredAt: null, agent: null, calling: '13900000002' }));
  await store.addCdr('north-2', { bdSeq: 1, seq: 1 }, cdr('c3', 3000));
  const ids = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/cdrs${query}`, headers: as('viewer') });
    t.equal(res.statusCode, 200, query);
    return res.json().cdrs.map((c: { id: string }) => c.id);
  };
  t.same(await ids(''), ['c3', 'c2', 'c1']);
  t.same(await ids('?box=north-1'), ['c2', 'c1']);
  t.same(await ids('?from=1500&to=2500'), ['c2']);
  t.same(await ids('?result=abandoned'), ['c2']);
  t.same(await ids('?calling=13800000001'), ['c3', 'c1']);
  t.same(await ids('?limit=2'), ['c3', 'c2']);
  const one = (await app.inject({ method: 'GET', url: '/api/v1/cdrs?box=north-2', headers: as('viewer') })).json().cdrs[0];
  t.same(one, { boxId: 'north-2', ...cdr('c3', 3000) }, 'the whole record as the box sent it');
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/cdrs?result=great', headers: as('viewer') })).statusCode, 400);
});
