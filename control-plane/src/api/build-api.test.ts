import t from 'tap';
import { Counter } from 'prom-client';
import { apiRig } from '../../test-support/api-test-app.js';

// What central serves besides the routes: its OpenAPI document, metrics, health, and the
// shape of its errors.

t.test('the OpenAPI document lists every route with its methods, and the UI is served', async (t) => {
  const { app } = await apiRig(t);
  const res = await app.inject({ method: 'GET', url: '/api/docs/json' });
  t.equal(res.statusCode, 200);
  const doc = res.json();
  t.match(doc.openapi, /^3\./);
  const routes = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
  t.same(routes.sort(), [
    'GET /api/v1/alarms',
    'GET /api/v1/boxes',
    'GET /api/v1/boxes/{id}',
    'GET /api/v1/boxes/{id}/circuits',
    'GET /api/v1/boxes/{id}/config',
    'GET /api/v1/boxes/{id}/kpis',
    'GET /api/v1/boxes/{id}/queue',
    'GET /api/v1/boxes/{id}/trunks',
    'GET /api/v1/cdrs',
    'GET /api/v1/commands/{id}',
    'GET /api/v1/events',
    'GET /api/v1/health',
    'GET /api/v1/sites',
    'GET /metrics',
    'POST /api/v1/alarms/{id}/ack',
    'POST /api/v1/boxes',
    'POST /api/v1/boxes/{id}/commands',
    'POST /api/v1/boxes/{id}/enrolment',
    'POST /api/v1/bulletins',
    'POST /api/v1/enrol',
    'POST /api/v1/sites',
    'POST /api/v1/tokens',
    'PUT /api/v1/boxes/{id}/config',
  ]);
  // Each route documents its answers; the refusals carry the error shape.
  const ack = doc.paths['/api/v1/alarms/{id}/ack'].post;
  t.same(Object.keys(ack.responses).sort(), ['200', '400', '401', '403', '404']);
  t.same(Object.keys(ack.responses['403'].content['application/json'].schema.properties).sort(), ['error', 'message']);
  t.same(ack.security, [{ bearer: [] }]);
  t.notOk(doc.paths['/api/v1/enrol'].post.security, 'enrolment needs no bearer token');
  const ui = await app.inject({ method: 'GET', url: '/api/docs/' });
  t.equal(ui.statusCode, 200);
  t.match(ui.body, /swagger-ui/i);
});

t.test('/metrics serves the registry as Prometheus text without a token; health answers', async (t) => {
  const { app, metrics, boxLink } = await apiRig(t);
  new Counter({ name: 'countyline_central_messages_in_total', help: 'test', registers: [metrics] }).inc(3);
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  t.match(res.body, /^countyline_central_messages_in_total 3$/m);
  boxLink.connected.add('north-1');
  const health = await app.inject({ method: 'GET', url: '/api/v1/health' });
  t.same(health.json(), { ok: true, boxesConnected: 1 });
});

t.test('errors are JSON with a code and a message: unknown route, body not JSON, a failing store', async (t) => {
  const { app, store, as } = await apiRig(t);
  const missing = await app.inject({ method: 'GET', url: '/api/v1/trunks?x=1', headers: as('viewer') });
  t.equal(missing.statusCode, 404);
  t.same(missing.json(), { error: 'not-found', message: 'GET /api/v1/trunks does not exist' });
  const garbled = await app.inject({ method: 'POST', url: '/api/v1/sites', headers: { ...as('admin'), 'content-type': 'application/json' }, payload: '{"id": ' });
  t.equal(garbled.statusCode, 400);
  t.equal(garbled.json().error, 'bad-request');
  store.listSites = async () => {
    throw new Error('database is locked');
  };
  const failed = await app.inject({ method: 'GET', url: '/api/v1/sites', headers: as('viewer') });
  t.equal(failed.statusCode, 500);
  t.same(failed.json(), { error: 'internal', message: 'central failed to answer; its log has the details' }, 'the detail goes to the log, not to the caller');
});

t.test('bad requests are counted per route', async (t) => {
  const { app, metrics, as } = await apiRig(t);
  await app.inject({ method: 'POST', url: '/api/v1/sites', headers: as('admin'), payload: { id: 'x' } });
  t.match(await metrics.metrics(), /countyline_central_api_bad_requests_total\{route="\/api\/v1\/sites"\} 1/);
});
