import t from 'tap';
import { apiRig } from '../../test-support/api-test-app.js';
import { verifyPassword } from '../auth/secrets.js';

// A box exchanges its enrolment token for MQTT credentials, once, within the token's life.

async function boxWithToken(rig: Awaited<ReturnType<typeof apiRig>>) {
  const res = await rig.app.inject({ method: 'POST', url: '/api/v1/boxes', headers: rig.as('admin'), payload: { id: 'north-1', site: 'north', name: 'North 1' } });
  return res.json().enrolmentToken as string;
}

t.test('the token buys the broker address, the box id as user name and a password whose hash only is kept', async (t) => {
  const rig = await apiRig(t);
  const token = await boxWithToken(rig);
  const res = await rig.app.inject({ method: 'POST', url: '/api/v1/enrol', payload: { token } });
  t.equal(res.statusCode, 200);
  const { boxId, mqtt } = res.json();
  t.equal(boxId, 'north-1');
  t.equal(mqtt.url, 'mqtt://central.example:1883');
  t.equal(mqtt.username, 'north-1');
  t.match(mqtt.password, /^[0-9a-f]{64}$/);
  const stored = (await rig.store.boxCredential('north-1'))!;
  t.not(stored, mqtt.password);
  t.ok(await verifyPassword(mqtt.password, stored), 'the stored hash checks the password');
  t.equal((await rig.store.getBox('north-1'))!.enrolled, true);
  t.match(await rig.metrics.metrics(), /countyline_central_enrolments_total\{result="ok"\} 1/);
});

t.test('a used token is 410 enrolment-used, and the first credentials stay', async (t) => {
  const rig = await apiRig(t);
  const token = await boxWithToken(rig);
  t.equal((await rig.app.inject({ method: 'POST', url: '/api/v1/enrol', payload: { token } })).statusCode, 200);
  const first = await rig.store.boxCredential('north-1');
  const again = await rig.app.inject({ method: 'POST', url: '/api/v1/enrol', payload: { token } });
  t.equal(again.statusCode, 410);
  t.same(again.json(), { error: 'enrolment-used', message: 'this enrolment token was already used; ask central for a new one (POST /api/v1/boxes/<id>/enrolment)' });
  t.equal(await rig.store.boxCredential('north-1'), first);
});

t.test('an expired token is 410 enrolment-expired; one a moment before its expiry still works', async (t) => {
  const rig = await apiRig(t);
  const token = await boxWithToken(rig);
  rig.clock.time += 3_600_000 + 1;
  const late = await rig.app.inject({ method: 'POST', url: '/api/v1/enrol', payload: { token } });
  t.equal(late.statusCode, 410);
  t.equal(late.json().error, 'enrolment-expired');
  t.equal(await rig.store.boxCredential('north-1'), null);

  const renewed = (await rig.app.inject({ method: 'POST', url: '/api/v1/boxes/north-1/enrolment', headers: rig.as('admin') })).json();
  rig.clock.time += 3_600_000 - 1;
  t.equal((await rig.app.inject({ method: 'POST', url: '/api/v1/enrol', payload: { token: renewed.enrolmentToken } })).statusCode, 200);
});

t.test('an unknown token is 401 enrolment-unknown; a missing one is 400; all counted', async (t) => {
  const rig = await apiRig(t);
  const res = await rig.app.inject({ method: 'POST', url: '/api/v1/enrol', payload: { token: 'guess' } });
  t.equal(res.statusCode, 401);
  t.equal(res.json().error, 'enrolment-unknown');
  const none = await rig.app.inject({ method: 'POST', url: '/api/v1/enrol', payload: {} });
  t.equal(none.statusCode, 400);
  t.equal(none.json().message, 'the request is not valid: body.token is missing');
  t.match(await rig.metrics.metrics(), /countyline_central_enrolments_total\{result="unknown"\} 1/);
});

t.test('too many tries from one address: 429 with Retry-After, other addresses unaffected, allowed again later', async (t) => {
  const rig = await apiRig(t, { enrolRateLimit: { burst: 3, perMinute: 6 } });
  const tryFrom = (remoteAddress: string) => rig.app.inject({ method: 'POST', url: '/api/v1/enrol', payload: { token: 'guess' }, remoteAddress });
  for (let i = 0; i < 3; i++) t.equal((await tryFrom('10.0.0.1')).statusCode, 401);
  const limited = await tryFrom('10.0.0.1');
  t.equal(limited.statusCode, 429);
  t.equal(limited.json().error, 'rate-limited');
  t.equal(limited.headers['retry-after'], '10');
  t.equal((await tryFrom('10.0.0.2')).statusCode, 401, 'another address has its own bucket');
  rig.clock.time += 10_000;
  t.equal((await tryFrom('10.0.0.1')).statusCode, 401, 'one more after 10 s (6 a minute)');
  t.equal((await tryFrom('10.0.0.1')).statusCode, 429);
  t.match(await rig.metrics.metrics(), /countyline_central_api_rate_limited_total\{route="\/api\/v1\/enrol"\} 2/);
});

t.test('behind a trusted proxy the limit is per forwarded address', async (t) => {
  const rig = await apiRig(t, { enrolRateLimit: { burst: 1, perMinute: 1 }, trustProxy: '127.0.0.1' });
  const tryAs = (box: string) => rig.app.inject({ method: 'POST', url: '/api/v1/enrol', payload: { token: 'guess' }, remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': box } });
  t.equal((await tryAs('10.1.1.1')).statusCode, 401);
  t.equal((await tryAs('10.1.1.2')).statusCode, 401, 'another box through the same proxy');
  t.equal((await tryAs('10.1.1.1')).statusCode, 429);
});
