import t from 'tap';
import { apiRig, TOKENS } from '../../test-support/api-test-app.js';
import { freshStore } from '../../test-support/stores.js';
import { hashToken } from '../auth/secrets.js';
import { ensureAdminToken } from './admin-token.js';

// Who may do what: no token or an unknown one is 401, a role too low is 403, and every
// refusal is counted for the operators.

t.test('without a token, with a malformed or unknown one: 401 with a code and what to do', async (t) => {
  const { app } = await apiRig(t);
  for (const [headers, why] of [
    [{}, /no API token/],
    [{ authorization: 'Basic YWRtaW46YWRtaW4=' }, /not a bearer token/],
    [{ authorization: 'Bearer not-a-token' }, /not known/],
  ] as const) {
    const res = await app.inject({ method: 'GET', url: '/api/v1/boxes', headers });
    t.equal(res.statusCode, 401);
    t.equal(res.json().error, 'unauthenticated');
    t.match(res.json().message, why);
    t.match(res.json().message, /Authorization: Bearer <token>/);
  }
});

t.test('a viewer reads but cannot acknowledge an alarm (403); an operator can', async (t) => {
  const { app, store, as } = await apiRig(t);
  await store.createBox({ id: 'box-1', site: 'north', name: 'North 1', createdAt: 0 });
  const alarm = await store.raiseCentralAlarm({ boxId: 'box-1', source: 'central', type: 'box-offline', severity: 'major', cause: 'no MQTT connection', at: 1000 });
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/alarms', headers: as('viewer') })).statusCode, 200);
  const refused = await app.inject({ method: 'POST', url: `/api/v1/alarms/${alarm.id}/ack`, headers: as('viewer'), payload: { comment: 'seen' } });
  t.equal(refused.statusCode, 403);
  t.same(refused.json(), { error: 'forbidden', message: 'this needs the operator role; the token is viewer' });
  t.equal((await store.listAlarms({}))[0]!.ackedAt, null, 'the alarm stays unacknowledged');
  const acked = await app.inject({ method: 'POST', url: `/api/v1/alarms/${alarm.id}/ack`, headers: as('operator'), payload: { comment: 'seen' } });
  t.equal(acked.statusCode, 200);
  t.equal(acked.json().ackedBy, 'operator');
});

t.test('an operator cannot create boxes or tokens; an admin can', async (t) => {
  const { app, as } = await apiRig(t);
  const box = { id: 'box-2', site: 'north', name: 'North 2' };
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/boxes', headers: as('operator'), payload: box })).statusCode, 403);
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: as('operator'), payload: { name: 'x', role: 'viewer' } })).statusCode, 403);
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/boxes', headers: as('admin'), payload: box })).statusCode, 201);
});

t.test('a token is checked before the body: no token and a bad body is 401, not 400', async (t) => {
  const { app } = await apiRig(t);
  const res = await app.inject({ method: 'POST', url: '/api/v1/boxes', payload: { id: 'bad/id' } });
  t.equal(res.statusCode, 401);
});

t.test('refused credentials are counted by reason in the metrics', async (t) => {
  const { app, metrics, as } = await apiRig(t);
  await app.inject({ method: 'GET', url: '/api/v1/boxes' });
  await app.inject({ method: 'GET', url: '/api/v1/boxes', headers: { authorization: 'Bearer wrong' } });
  await app.inject({ method: 'GET', url: '/api/v1/boxes', headers: { authorization: 'Bearer wrong' } });
  await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: as('viewer'), payload: { name: 'x', role: 'admin' } });
  const text = await metrics.metrics();
  t.match(text, /countyline_central_api_auth_failures_total\{reason="missing"\} 1/);
  t.match(text, /countyline_central_api_auth_failures_total\{reason="unknown-token"\} 2/);
  t.match(text, /countyline_central_api_auth_failures_total\{reason="role"\} 1/);
});

t.test('the first admin token: generated once and returned, or taken from the environment', async (t) => {
  const { store: fresh } = await freshStore(t, 'sqlite');
  const token = await ensureAdminToken(fresh);
  t.type(token, 'string');
  t.ok((await fresh.findApiToken(hashToken(token!)))?.role === 'admin', 'the returned token is an admin token');
  t.equal(await ensureAdminToken(fresh), null, 'a second start makes none');
  t.equal(await fresh.countApiTokens(), 1);

  const { store: fromEnv } = await freshStore(t, 'sqlite');
  t.equal(await ensureAdminToken(fromEnv, TOKENS.admin), null, 'nothing to print: the operator chose it');
  t.same(await fromEnv.findApiToken(hashToken(TOKENS.admin)), { id: 1, name: 'admin', role: 'admin', createdAt: (await fromEnv.findApiToken(hashToken(TOKENS.admin)))!.createdAt });
  t.equal(await ensureAdminToken(fromEnv, 'another'), null);
  t.equal(await fromEnv.findApiToken(hashToken('another')), null, 'the environment does not add a token once one exists');
});
