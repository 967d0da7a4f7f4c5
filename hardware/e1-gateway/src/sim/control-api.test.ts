import t, { type Test } from 'tap';
import { buildControlApi, closeControlApi, listenControlApi } from './control-api.js';
import { InMemoryBench } from './in-memory-bench.js';
import type { SimState } from './sim-state.js';

async function setup(t: Test) {
  const bench = new InMemoryBench({ sim: { card: { spans: 2 } } });
  bench.sim.start();
  await bench.run(10);
  const faults: string[] = [];
  bench.sim.on('fault', (f) => faults.push(f));
  const server = buildControlApi({ sim: bench.sim });
  const { url } = await listenControlApi(server, 0);
  t.teardown(() => closeControlApi(server));
  const call = async (method: string, path: string, body?: unknown) => {
    const send = body !== undefined && method !== 'GET';
    const res = await fetch(url + path, { method, body: send ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as any, headers: res.headers };
  };
  return { bench, call, url, faults };
}

t.test('GET /state shows the whole card', async (t) => {
  const { call } = await setup(t);
  const { status, body } = await call('GET', '/state');
  const state = body as SimState;
  t.equal(status, 200);
  t.match(state.card, { model: 'CL-E1F-108', serial: 'SIM-0001', firmware: 'sim-1.0', protocolVersion: 1, resetting: false, silent: false });
  t.equal(state.spans.length, 2);
  t.match(state.spans[0], { span: 0, crc4: true, clock: 'line', sendingRai: false, defects: { los: false }, errors: { crc4PerSecond: 0 } });
  t.equal(state.fxo.length, 5);
  t.match(state.fxo[0], { port: 0, plugged: true, voltage: -48, loopCurrent: 0, offHook: false, ringing: false, polarity: 'normal', tone: 'none' });
  t.equal(state.links.length, 2);
  t.match(state.serial, { noiseRatio: 0, corruptedBytes: 0, link: { framesSent: Number } });
});

t.test('span routes: defects (partial), errors, loopback fault', async (t) => {
  const { bench, call, faults } = await setup(t);
  let r = await call('POST', '/spans/1/defects', { los: true, rai: true });
  t.equal(r.status, 200);
  t.same(r.body.defects, { los: true, lof: false, lmfa: false, ais: false, rai: true, ts16mfl: false });
  r = await call('POST', '/spans/1/defects', { los: false });
  t.same(r.body.defects, { los: false, lof: false, lmfa: false, ais: false, rai: true, ts16mfl: false }, 'other defects untouched');
  await bench.run(10);
  t.same(
    bench.of('spanStatus').map((s) => [s.span, s.defects.los]),
    [
      [1, true],
      [1, false],
    ],
    'the host hears about it',
  );
  r = await call('POST', '/spans/0/errors', { crc4PerSecond: 5, slipsPerMinute: 2 });
  t.equal(r.status, 200);
  t.same(r.body.errors, { crc4PerSecond: 5, eBitsPerSecond: 0, lineCodeViolationsPerSecond: 0, slipsPerMinute: 2 });
  r = await call('POST', '/spans/0/timeslots/16/loopback-fault', { broken: true });
  t.same(r.body.timeslots.brokenLoopbacks, [16]);
  t.same(faults, ['span-defects', 'span-defects', 'span-errors', 'loopback-fault']);
});

t.test('FXO routes: line, ring, hangup, polarity', async (t) => {
  const { bench, call } = await setup(t);
  let r = await call('POST', '/fxo/2/line', { plugged: false });
  t.same([r.status, r.body.plugged, r.body.voltage], [200, false, 0]);
  r = await call('POST', '/fxo/2/ring', { callerId: '95598' });
  t.equal(r.status, 409);
  t.match(r.body.error, /unplugged/);
  await call('POST', '/fxo/2/line', { plugged: true });
  r = await call('POST', '/fxo/2/ring', { callerId: '95598', name: '供电所' });
  t.same([r.status, r.body.ringing], [200, true]);
  await bench.run(2000);
  t.same(
    bench.of('fxoCallerId').map((c) => [c.port, c.number, c.name]),
    [[2, '95598', '供电所']],
  );
  r = await call('POST', '/fxo/2/hangup');
  t.same([r.status, r.body.ringing], [200, false]);
  r = await call('POST', '/fxo/2/hangup');
  t.equal(r.status, 409, 'nothing left to hang up');
  r = await call('POST', '/fxo/0/polarity');
  t.same([r.status, r.body.polarity, r.body.voltage], [200, 'reversed', 48]);
  r = await call('POST', '/fxo/0/polarity', { reversed: false });
  t.same([r.body.polarity, r.body.voltage], ['normal', -48]);
});

t.test('card and serial routes', async (t) => {
  const { bench, call } = await setup(t);
  let r = await call('POST', '/card/silence', { on: true });
  t.same([r.status, r.body.silent], [200, true]);
  r = await call('POST', '/card/silence', { on: false });
  t.equal(r.body.silent, false);
  r = await call('POST', '/card/protocol-version', { version: 2 });
  t.same([r.status, r.body.protocolVersion], [200, 2]);
  await call('POST', '/card/protocol-version', { version: 1 });
  r = await call('POST', '/serial/noise', { ratio: 0.25 });
  t.same([r.status, r.body.noiseRatio], [200, 0.25]);
  await call('POST', '/serial/noise', { ratio: 0 });
  r = await call('POST', '/card/reset');
  t.same([r.status, r.body.resetting], [200, true]);
  bench.clear();
  await bench.run(1600);
  t.same(
    bench.of('cardStarted').map((c) => c.reason),
    ['reset'],
  );
});

t.test('400: bad JSON, unknown fields, wrong types, missing fields; the server carries on', async (t) => {
  const { call } = await setup(t);
  const bad = async (path: string, body: unknown, message: RegExp) => {
    const r = await call('POST', path, body);
    t.equal(r.status, 400, `${path} ${String(body)}`);
    t.match(r.body.error, message);
  };
  await bad('/spans/0/defects', '{"los": tru', /not valid JSON/);
  await bad('/spans/0/defects', '[1,2]', /must be a JSON object with fields "los"/);
  await bad('/spans/0/defects', { los: 1 }, /"los" must be true or false/);
  await bad('/spans/0/defects', { lost: true }, /unknown field "lost"; accepted: fields "los", "lof", "lmfa", "ais", "rai", "ts16mfl"/);
  await bad('/spans/0/errors', { crc4PerSecond: -1 }, /"crc4PerSecond" is -1/);
  await bad('/spans/0/errors', { slipsPerMinute: '3' }, /must be a number/);
  await bad('/fxo/0/line', {}, /missing "plugged"/);
  await bad('/fxo/0/ring', { callerId: '' }, /"callerId" must be a number of 1 to 32 digits/);
  await bad('/fxo/0/ring', { callerId: '1', maxRings: 0 }, /"maxRings" is 0/);
  await bad('/fxo/0/hangup', { now: true }, /unknown field "now"; accepted: no fields/);
  await bad('/card/silence', 'null', /must be a JSON object/);
  await bad('/card/protocol-version', { version: 1.5 }, /whole number from 0 to 255/);
  await bad('/serial/noise', { ratio: 2 }, /"ratio" is 2; it must be a number from 0 to 1/);
  await bad('/spans/0/timeslots/5/loopback-fault', { broken: 'yes' }, /"broken" must be true or false/);
  const r = await call('GET', '/state');
  t.equal(r.status, 200, 'still up');
  t.equal(r.body.serial.noiseRatio, 0, 'nothing was changed by a bad request');
});

t.test('404 for unknown routes, spans, ports and timeslots; 405 for the wrong method', async (t) => {
  const { call } = await setup(t);
  const notFound = async (method: string, path: string, message: RegExp, body: unknown = {}) => {
    const r = await call(method, path, body);
    t.equal(r.status, 404, path);
    t.match(r.body.error, message);
  };
  await notFound('GET', '/nope', /no route GET \/nope; routes: GET \/state, POST \/spans\/<n>\/defects/);
  await notFound('POST', '/spans/x/defects', /no route/);
  await notFound('POST', '/spans/2/defects', /span 2 does not exist; this card has spans 0..1/);
  await notFound('POST', '/spans/2/errors', /span 2 does not exist/);
  await notFound('POST', '/fxo/5/line', /FXO port 5 does not exist; this card has ports 0..4/, { plugged: false });
  await notFound('POST', '/fxo/99/ring', /FXO port 99 does not exist/);
  await notFound('POST', '/spans/0/timeslots/0/loopback-fault', /timeslot 0 does not exist; use 1..31/, { broken: true });
  await notFound('POST', '/spans/0/timeslots/32/loopback-fault', /timeslot 32/, { broken: true });
  let r = await call('GET', '/card/reset');
  t.equal(r.status, 405);
  t.equal(r.headers.get('allow'), 'POST');
  r = await call('POST', '/state', {});
  t.equal(r.status, 405);
  t.equal(r.headers.get('allow'), 'GET');
  r = await call('DELETE', '/fxo/0/ring');
  t.equal(r.status, 405);
  t.equal((await call('GET', '/state/')).status, 200, 'a trailing slash is fine');
});

t.test('bodies over the cap get 413', async (t) => {
  const { call } = await setup(t);
  const r = await call('POST', '/serial/noise', JSON.stringify({ ratio: 0, pad: 'x'.repeat(100_000) }));
  t.equal(r.status, 413);
  t.match(r.body.error, /larger than 65536 bytes/);
  t.equal((await call('GET', '/state')).status, 200);
});
