import t from 'tap';
import { apiRig } from '../../test-support/api-test-app.js';

// Desired configuration per box, and API tokens.

t.test('an admin sets desired config: the next revision, published retained, shown with what the box reported', async (t) => {
  const { app, store, boxLink, as, clock } = await apiRig(t);
  await store.createBox({ id: 'north-1', site: 'north', name: 'North 1', createdAt: 0 });
  const put = (config: object, role: 'admin' | 'operator' = 'admin') => app.inject({ method: 'PUT', url: '/api/v1/boxes/north-1/config', headers: as(role), payload: { config } });
  const first = await put({ calls: { recent: 100 } });
  t.equal(first.statusCode, 200);
  t.same(first.json(), { revision: 1 });
  clock.time += 1000;
  t.same((await put({ calls: { recent: 50 } })).json(), { revision: 2 });
  t.same(
    boxLink.configs,
    [
      { boxId: 'north-1', desired: { v: 1, ts: clock.now() - 1000, revision: 1, config: { calls: { recent: 100 } } } },
      { boxId: 'north-1', desired: { v: 1, ts: clock.now(), revision: 2, config: { calls: { recent: 50 } } } },
    ],
    'sent even though the box is offline: the retained message waits for it',
  );
  await store.recordReportedConfig('north-1', 2, false, ['calls.recent: unknown key'], clock.now() + 500);
  const state = await app.inject({ method: 'GET', url: '/api/v1/boxes/north-1/config', headers: as('viewer') });
  t.same(state.json(), {
    desired: { revision: 2, config: { calls: { recent: 50 } }, at: clock.now() },
    reported: { revision: 2, applied: false, errors: ['calls.recent: unknown key'], at: clock.now() + 500 },
  });
  t.equal((await put({}, 'operator')).statusCode, 403);
  t.equal(boxLink.configs.length, 2);
  const notObject = await app.inject({ method: 'PUT', url: '/api/v1/boxes/north-1/config', headers: as('admin'), payload: { config: 'fast' } });
  t.equal(notObject.statusCode, 400);
  t.match(notObject.json().message, /body\.config/);
  t.equal((await app.inject({ method: 'PUT', url: '/api/v1/boxes/nobody/config', headers: as('admin'), payload: { config: {} } })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/boxes/nobody/config', headers: as('viewer') })).statusCode, 404);
  boxLink.failWith = new Error('broker closed');
  const failed = await put({ calls: { recent: 10 } });
  t.equal(failed.statusCode, 502);
  t.same(failed.json(), { error: 'send-failed', message: 'central could not publish to box north-1: broker closed' });
  boxLink.failWith = null;
  const none = await store.createBox({ id: 'north-2', site: 'north', name: 'North 2', createdAt: 0 });
  t.same((await app.inject({ method: 'GET', url: `/api/v1/boxes/${none.id}/config`, headers: as('viewer') })).json(), { desired: null, reported: null });
});

t.test('an admin creates a token: shown once, it works with its role', async (t) => {
  const { app, store, as } = await apiRig(t);
  const res = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: as('admin'), payload: { name: 'duty desk', role: 'operator' } });
  t.equal(res.statusCode, 201);
  const { token, ...stored } = res.json();
  t.match(stored, { name: 'duty desk', role: 'operator' });
  t.match(token, /^[0-9a-f]{64}$/);
  await store.createBox({ id: 'north-1', site: 'north', name: 'North 1', createdAt: 0 });
  const alarm = await store.raiseCentralAlarm({ boxId: 'north-1', source: 'central', type: 'box-offline', severity: 'major', cause: 'gone', at: 1 });
  const ack = await app.inject({ method: 'POST', url: `/api/v1/alarms/${alarm.id}/ack`, headers: { authorization: `Bearer ${token}` }, payload: { comment: '' } });
  t.equal(ack.json().ackedBy, 'duty desk');
  const refused = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: `Bearer ${token}` }, payload: { name: 'me', role: 'admin' } });
  t.equal(refused.statusCode, 403, 'an operator cannot make itself an admin');
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: as('admin'), payload: { name: 'x', role: 'root' } })).statusCode, 400);
});
