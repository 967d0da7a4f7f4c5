import t from 'tap';
import { apiRig } from '../../test-support/api-test-app.js';
import { birth } from '../../test-support/api-fixtures.js';
import { hashToken } from '../auth/secrets.js';

// Sites and boxes as central's staff use them: create, list, one box's state.

t.test('sites: an admin creates one, everyone lists them, a repeated id is 409', async (t) => {
  const { app, as } = await apiRig(t);
  const created = await app.inject({ method: 'POST', url: '/api/v1/sites', headers: as('admin'), payload: { id: 'south', name: 'South county office', county: 'South' } });
  t.equal(created.statusCode, 201);
  t.match(created.json(), { id: 'south', name: 'South county office', county: 'South', createdAt: Number });
  const list = await app.inject({ method: 'GET', url: '/api/v1/sites', headers: as('viewer') });
  t.same(
    list.json().sites.map((s: { id: string }) => s.id),
    ['north', 'south'],
  );
  const again = await app.inject({ method: 'POST', url: '/api/v1/sites', headers: as('admin'), payload: { id: 'south', name: 'x', county: 'y' } });
  t.equal(again.statusCode, 409);
  t.same(again.json(), { error: 'conflict', message: 'site south already exists' });
  const missing = await app.inject({ method: 'POST', url: '/api/v1/sites', headers: as('admin'), payload: { id: 'east', name: 'East' } });
  t.equal(missing.statusCode, 400);
  t.same(missing.json(), { error: 'bad-request', message: 'the request is not valid: body.county is missing' });
});

t.test('creating a box gives a one-time enrolment token that expires; only its hash is stored', async (t) => {
  const { app, store, as, clock } = await apiRig(t);
  const res = await app.inject({ method: 'POST', url: '/api/v1/boxes', headers: as('admin'), payload: { id: 'north-1', site: 'north', name: 'North 1' } });
  t.equal(res.statusCode, 201);
  const body = res.json();
  t.match(body.box, { id: 'north-1', site: 'north', name: 'North 1', enrolled: false, online: false, lastBirthAt: null, worstAlarm: null });
  t.equal(body.expiresAt, clock.now() + 3_600_000);
  t.match(body.enrolmentToken, /^[0-9a-f]{64}$/);
  // The token works once; the store was given its hash, not the token.
  t.same(await store.redeemEnrolment(body.enrolmentToken, 'h', clock.now()), { ok: false, reason: 'unknown' });
  t.same(await store.redeemEnrolment(hashToken(body.enrolmentToken), 'h', clock.now()), { ok: true, boxId: 'north-1' });
});

t.test('box refusals: a repeated id 409, an unknown site 400, an id that cannot name a topic 400', async (t) => {
  const { app, as } = await apiRig(t);
  const post = (payload: object) => app.inject({ method: 'POST', url: '/api/v1/boxes', headers: as('admin'), payload });
  t.equal((await post({ id: 'north-1', site: 'north', name: 'North 1' })).statusCode, 201);
  const dup = await post({ id: 'north-1', site: 'north', name: 'again' });
  t.equal(dup.statusCode, 409);
  t.equal(dup.json().message, 'box north-1 already exists');
  const site = await post({ id: 'west-1', site: 'west', name: 'West 1' });
  t.equal(site.statusCode, 400);
  t.same(site.json(), { error: 'unknown-site', message: 'there is no site west; create it first with POST /api/v1/sites' });
  for (const id of ['north/1', 'north+', 'a'.repeat(65), '']) {
    const bad = await post({ id, site: 'north', name: 'x' });
    t.equal(bad.statusCode, 400, `id ${JSON.stringify(id)}`);
    t.match(bad.json(), { error: 'bad-request', message: /body\.id/ });
  }
  const extra = await post({ id: 'north-2', site: 'north', name: 'x', colour: 'red' });
  t.equal(extra.statusCode, 400);
  t.equal(extra.json().message, 'the request is not valid: body.colour is not a known field');
});

t.test('a new enrolment token replaces the old one; unknown boxes are 404', async (t) => {
  const { app, store, as, clock } = await apiRig(t);
  const first = (await app.inject({ method: 'POST', url: '/api/v1/boxes', headers: as('admin'), payload: { id: 'north-1', site: 'north', name: 'North 1' } })).json();
  clock.time += 60_000;
  const again = await app.inject({ method: 'POST', url: '/api/v1/boxes/north-1/enrolment', headers: as('admin') });
  t.equal(again.statusCode, 201);
  t.equal(again.json().expiresAt, clock.now() + 3_600_000);
  t.not(again.json().enrolmentToken, first.enrolmentToken);
  t.same(await store.redeemEnrolment(hashToken(first.enrolmentToken), 'h', clock.now()), { ok: false, reason: 'unknown' }, 'the first token no longer works');
  const unknown = await app.inject({ method: 'POST', url: '/api/v1/boxes/nobody/enrolment', headers: as('admin') });
  t.equal(unknown.statusCode, 404);
  t.same(unknown.json(), { error: 'not-found', message: 'box nobody does not exist' });
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/boxes/nobody', headers: as('viewer') })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/boxes/nobody/trunks', headers: as('viewer') })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/boxes/nobody/circuits', headers: as('viewer') })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/boxes/nobody/kpis', headers: as('viewer') })).statusCode, 404);
});

t.test('the box list shows online state, last birth and the worst active alarm', async (t) => {
  const { app, store, as } = await apiRig(t);
  for (const id of ['north-1', 'north-2', 'north-3']) await store.createBox({ id, site: 'north', name: id, createdAt: 0 });
  await store.recordBirth('north-1', birth(5000), 5000);
  await store.raiseCentralAlarm({ boxId: 'north-1', source: 'central', type: 'answer-rate', severity: 'minor', cause: 'x', at: 6000 });
  await store.raiseCentralAlarm({ boxId: 'north-1', source: 'span/0', type: 'red', severity: 'critical', cause: 'LOS', at: 6100 });
  await store.raiseCentralAlarm({ boxId: 'north-2', source: 'central', type: 'box-offline', severity: 'major', cause: 'gone', at: 6200 });
  await store.raiseCentralAlarm({ boxId: 'north-2', source: 'span/0', type: 'red', severity: 'critical', cause: 'LOS', at: 6300 });
  await store.clearCentralAlarm('north-2', 'span/0', 'red', 6400);
  const res = await app.inject({ method: 'GET', url: '/api/v1/boxes', headers: as('viewer') });
  t.equal(res.statusCode, 200);
  const byId = Object.fromEntries(res.json().boxes.map((b: { id: string }) => [b.id, b]));
  t.match(byId['north-1'], { online: true, onlineChangedAt: 5000, lastBirthAt: 5000, worstAlarm: 'critical' });
  t.match(byId['north-2'], { online: false, lastBirthAt: null, worstAlarm: 'major' }, 'a cleared critical does not count');
  t.match(byId['north-3'], { worstAlarm: null });
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/boxes?site=south', headers: as('viewer') })).json().boxes.length, 0);
});

t.test('one box: its last birth, trunks and circuits from the birth, KPIs by interval', async (t) => {
  const { app, store, as, clock } = await apiRig(t);
  await store.createBox({ id: 'north-1', site: 'north', name: 'North 1', createdAt: 0 });
  const empty = await app.inject({ method: 'GET', url: '/api/v1/boxes/north-1/trunks', headers: as('viewer') });
  t.same(empty.json(), { at: null, spans: [], fxo: [], circuits: null }, 'a box that never reported');
  await store.recordBirth('north-1', birth(5000, 7), 5000);
  const one = await app.inject({ method: 'GET', url: '/api/v1/boxes/north-1', headers: as('viewer') });
  t.equal(one.statusCode, 200);
  t.match(one.json(), { id: 'north-1', online: true, lastBirthAt: 5000, bdSeq: 7, birth: { seq: 41, software: { version: '0.1.0' }, spans: [{ span: 0, alarm: 'red', causes: ['LOS'] }] } });
  const trunks = await app.inject({ method: 'GET', url: '/api/v1/boxes/north-1/trunks', headers: as('viewer') });
  t.same(trunks.json(), { at: 5000, spans: [{ span: 0, alarm: 'red', causes: ['LOS'] }], fxo: [{ port: 0, line: 'present', voltage: -48 }], circuits: { total: 2, idle: 1, busy: 0, blocked: 1 } });
  const circuits = await app.inject({ method: 'GET', url: '/api/v1/boxes/north-1/circuits', headers: as('viewer') });
  t.equal(circuits.json().at, 5000);
  t.same(
    circuits.json().circuits.map((c: { cic: number; block: string }) => [c.cic, c.block]),
    [
      [1, 'none'],
      [2, 'local'],
    ],
  );

  const interval = { intervalMs: 900_000, offered: 10, answered: 9, answeredIn15s: 8, abandoned: 1, noAgent: 0, failed: 0 };
  const now = clock.now();
  let seq = 0;
  for (const start of [now - 2 * 86_400_000, now - 1_800_000, now - 900_000]) await store.addKpi('north-1', { bdSeq: 1, seq: ++seq }, { intervalStart: start, ...interval });
  const day = await app.inject({ method: 'GET', url: '/api/v1/boxes/north-1/kpis', headers: as('viewer') });
  t.same(
    day.json().intervals.map((k: { intervalStart: number }) => k.intervalStart),
    [now - 1_800_000, now - 900_000],
    'by default the last 24 hours',
  );
  const range = await app.inject({ method: 'GET', url: `/api/v1/boxes/north-1/kpis?from=${now - 3 * 86_400_000}&to=${now - 3_600_000}`, headers: as('viewer') });
  t.same(range.json(), { from: now - 3 * 86_400_000, to: now - 3_600_000, intervals: [{ intervalStart: now - 2 * 86_400_000, ...interval }] });
  const backwards = await app.inject({ method: 'GET', url: '/api/v1/boxes/north-1/kpis?from=10&to=5', headers: as('viewer') });
  t.equal(backwards.statusCode, 400);
  const word = await app.inject({ method: 'GET', url: '/api/v1/boxes/north-1/kpis?from=yesterday', headers: as('viewer') });
  t.equal(word.statusCode, 400);
  t.match(word.json().message, /querystring\.from/);
});

t.test("the live snapshot: the circuits and the queue from the box's latest trunks message, else its birth", async (t) => {
  const { app, store, as } = await apiRig(t);
  await store.createBox({ id: 'north-1', site: 'north', name: 'North 1', createdAt: 0 });
  const get = async (what: string) => (await app.inject({ method: 'GET', url: `/api/v1/boxes/north-1/${what}`, headers: as('viewer') })).json();
  t.same(await get('queue'), { at: null, agents: null, queue: null, callbacks: null, callbacksPending: null }, 'a box that never reported');
  await store.recordBirth('north-1', birth(5000, 7), 5000);
  t.same(await get('queue'), { at: 5000, agents: null, queue: null, callbacks: null, callbacksPending: null }, 'the birth: no agents on this box');

  const queue = {
    waiting: 1,
    longestWaitMs: 12_000,
    callers: [{ calling: '13800000009', state: 'queued', position: 1, waitedMs: 12_000, agent: null }],
    agents: [{ id: 'li.wei', name: '李伟', status: 'available', state: 'in-call', phoneUp: true, callsAnswered: 3, stateSince: 5500 }],
  };
  const agents = [{ user: 'li.wei', name: '李伟', registered: true }];
  const circuitList = [
    { cic: 1, span: 0, timeslot: 1, call: 'incoming', block: 'none', controlledBy: 'us' },
    { cic: 2, span: 0, timeslot: 2, call: 'idle', block: 'local', controlledBy: 'peer' },
  ];
  const callbacks = [{ id: 'cb-1', number: '13900000005', reason: 'after-hours', requestedAt: 4000, requests: 2, attempts: 1, lastAttemptAt: 5000, lastOutcome: 'no-answer', message: true }];
  await store.recordTrunks('north-1', { spans: [], fxo: [], circuits: { total: 2, idle: 0, busy: 1, blocked: 1 }, circuitList, agents, queue, callbacks, callbacksPending: 1 }, 6000);
  t.same(await get('queue'), { at: 6000, agents, queue, callbacks, callbacksPending: 1 }, 'the live snapshot, newer than the birth');
  const list = (await app.inject({ method: 'GET', url: '/api/v1/boxes', headers: as('viewer') })).json();
  t.equal(list.boxes.find((b: { id: string }) => b.id === 'north-1').waiting, 1, 'the fleet list says how many wait');
  const circuits = await get('circuits');
  t.equal(circuits.at, 6000);
  t.same(circuits.circuits.map((c: { cic: number; call: string }) => [c.cic, c.call]), [[1, 'incoming'], [2, 'idle']], 'circuit 1 busy now, as the snapshot says');

  // Older firmware: a trunks message with counts only; the circuits and queue come from the birth.
  await store.recordTrunks('north-1', { spans: [], fxo: [], circuits: { total: 2, idle: 1, busy: 0, blocked: 1 } }, 7000);
  t.same(await get('queue'), { at: 5000, agents: null, queue: null, callbacks: null, callbacksPending: null });
  t.equal((await get('circuits')).at, 5000);
});
