import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { HTTP_ERROR_CODES } from '../errors.js';
import { buildControlApi, closeControlApi, listenControlApi, parseJson } from './control-api.js';
import { InMemoryBench } from './in-memory-bench.js';
import type { SimState } from './sim-state.js';

async function setup(t: Test) {
  const bench = new InMemoryBench({ sim: { card: { spans: 2 } } });
  bench.sim.start();
  await bench.run(10);
  const faults: string[] = [];
  bench.sim.on('fault', (f) => faults.push(f));
  const logs: { level: number; msg: string; code?: string; error?: string }[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(JSON.parse(chunk.toString()));
        done();
      },
    }),
  );
  // Every answer is checked against its route's response schema: one that does not match is a 500.
  const server = buildControlApi({ sim: bench.sim, logger, checkResponses: true });
  const { url } = await listenControlApi(server, 0);
  t.teardown(() => closeControlApi(server));
  const call = async (method: string, path: string, body?: unknown) => {
    const send = body !== undefined && method !== 'GET';
    const res = await fetch(url + path, { method, body: send ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as any, headers: res.headers };
  };
  return { bench, call, url, faults, logs };
}

t.test('GET /state shows the whole card, and no refused requests yet', async (t) => {
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
  t.same(body.control.rejected, Object.fromEntries(HTTP_ERROR_CODES.map((c) => [c, 0])));
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
  r = await call('POST', '/spans/0/errors', { crc4PerSecond: 400, seconds: 2 });
  t.equal(r.status, 200);
  bench.clear();
  await bench.run(3000);
  t.same(
    bench.of('spanCounters').filter((c) => c.span === 0).map((c) => c.crc4Errors),
    [400, 400, 0],
    '`seconds` reaches the simulator: a burst of two seconds',
  );
  r = await call('POST', '/spans/0/timeslots/16/loopback-fault', { broken: true });
  t.same(r.body.timeslots.brokenLoopbacks, [16]);
  t.same(faults, ['span-defects', 'span-defects', 'span-errors', 'span-errors', 'loopback-fault']);
});

t.test('FXO routes: line, ring, hangup, polarity', async (t) => {
  const { bench, call } = await setup(t);
  let r = await call('POST', '/fxo/2/line', { plugged: false });
  t.same([r.status, r.body.plugged, r.body.voltage], [200, false, 0]);
  r = await call('POST', '/fxo/2/ring', { callerId: '95598' });
  t.same([r.status, r.body.code], [409, 'conflict']);
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
  t.same([r.status, r.body.ringing], [200, false], 'an empty body reads as {}');
  r = await call('POST', '/fxo/2/hangup');
  t.same([r.status, r.body.code], [409, 'conflict'], 'nothing left to hang up');
  r = await call('POST', '/fxo/0/polarity');
  t.same([r.status, r.body.polarity, r.body.voltage], [200, 'reversed', 48]);
  r = await call('POST', '/fxo/0/polarity', { reversed: false });
  t.same([r.body.polarity, r.body.voltage], ['normal', -48]);
});

t.test('ring: caller ID and name limits as the card takes them', async (t) => {
  const { call } = await setup(t);
  // 32 characters, each two UTF-16 units: the limit counts characters.
  let r = await call('POST', '/fxo/0/ring', { callerId: 'P', name: '📞'.repeat(32) });
  t.equal(r.status, 200, '32 characters outside the BMP are a name of 32');
  await call('POST', '/fxo/0/hangup');
  r = await call('POST', '/fxo/1/ring', { name: 'a'.repeat(33) });
  t.same([r.status, r.body.code], [400, 'bad-body']);
  t.equal(r.body.error, `"name" is "${'a'.repeat(33)}"; it must be a name of up to 32 characters, no control characters`);
  r = await call('POST', '/fxo/1/ring', { name: 'ZHANG\u0007SAN' });
  t.match(r.body.error, /"name" is "ZHANG\\u0007SAN"; it must be a name of up to 32 characters, no control characters/);
  r = await call('POST', '/fxo/1/ring', { callerId: '138-0013' });
  t.equal(r.body.error, '"callerId" is "138-0013"; it must be a number of 1 to 32 digits (also * # + and letters)');
  r = await call('POST', '/fxo/1/ring', { callerId: '1'.repeat(32), maxRings: 255 });
  t.equal(r.status, 200, 'the longest number and the most rings');
});

t.test('keys on an FXO line: only once the box has answered; the card reports one fxoDtmf every 100 ms', async (t) => {
  const { bench, call, faults } = await setup(t);
  const refused = async (digits: string, message: string) => {
    const r = await call('POST', '/fxo/1/dtmf', { digits });
    t.same([r.status, r.body], [409, { error: message, code: 'conflict' }]);
  };
  const onHook = (state: string) => `FXO port 1 is on-hook (${state}); the caller's keys reach the card only once the box has answered (gone off-hook)`;
  await refused('1', onHook('idle'));
  await call('POST', '/fxo/1/ring');
  await refused('1', onHook('ringing'));
  await bench.request({ type: 'fxoHook', port: 1, offHook: true });
  bench.clear();
  const at = bench.clock.now();
  const r = await call('POST', '/fxo/1/dtmf', { digits: '0*#9' });
  t.same([r.status, r.body], [200, { line: 'fxo/1', digits: '0*#9', startsAt: at, endsAt: at + 400, fxoDtmfEvents: true }]);
  await bench.run(1000);
  t.same(
    bench.of('fxoDtmf').map((e) => [e.at - at, e.port, e.digit]),
    [
      [50, 1, '0'],
      [150, 1, '*'],
      [250, 1, '#'],
      [350, 1, '9'],
    ],
    "each key reported as its 50 ms tone ends, one every 100 ms, in the caller's order",
  );
  t.ok(faults.includes('caller-keys'));

  await call('POST', '/fxo/1/hangup');
  await refused('1', "FXO port 1: the far end has hung up (open-loop); there is no caller to press keys");
  await bench.run(1000);
  await refused('1', "FXO port 1: the far end has hung up (released); there is no caller to press keys");
  await bench.request({ type: 'fxoHook', port: 1, offHook: false });
  await bench.request({ type: 'fxoHook', port: 1, offHook: true });
  await call('POST', '/fxo/1/line', { plugged: false });
  await refused('1', 'FXO port 1 is unplugged; plug the line in (POST /fxo/1/line) and answer a call first');
  t.equal(bench.of('fxoDtmf').length, 4, 'no report for a refused key');
});

t.test('keys on a timeslot: in band only, and only while it carries audio', async (t) => {
  const { bench, call } = await setup(t);
  let r = await call('POST', '/spans/1/timeslots/7/dtmf', { digits: '5' });
  t.same([r.status, r.body], [409, { error: 'timeslot e1/1/7 is not connected to a media port (tsConnect); the keys would reach nobody', code: 'conflict' }]);
  await bench.request({ type: 'tsConnect', span: 1, timeslot: 7, mediaPort: 40107 });
  bench.clear();
  r = await call('POST', '/spans/1/timeslots/7/dtmf', { digits: '5A' });
  t.same([r.status, r.body.line, r.body.endsAt - r.body.startsAt, r.body.fxoDtmfEvents], [200, 'e1/1/7', 200, false]);
  await bench.run(500);
  t.same(bench.of('fxoDtmf'), [], 'no card-side receiver on E1: no events');
  await call('POST', '/spans/1/defects', { los: true });
  r = await call('POST', '/spans/1/timeslots/7/dtmf', { digits: '5' });
  t.same([r.status, r.body], [409, { error: 'timeslot e1/1/7 carries no audio: its span is out of frame (LOS, LOF or AIS)', code: 'conflict' }]);
});

t.test('recording routes: empty until started; a start answers an empty recording', async (t) => {
  const { bench, call } = await setup(t);
  const none = { recording: false, startedAt: null, octets: 0, truncatedFrames: 0, alaw: '' };
  t.same((await call('GET', '/fxo/0/audio/recording')).body, none);
  t.same((await call('GET', '/spans/0/timeslots/1/audio/recording')).body, none);
  await bench.run(100);
  const started = { recording: true, startedAt: bench.clock.now(), octets: 0, truncatedFrames: 0, alaw: '' };
  const r = await call('POST', '/fxo/0/audio/record');
  t.same([r.status, r.body], [200, started]);
  t.same((await call('GET', '/fxo/0/audio/recording')).body, started);
  t.same((await call('POST', '/spans/1/timeslots/31/audio/record')).body, started);
  t.same((await call('GET', '/spans/0/timeslots/1/audio/recording')).body, none, 'each line has its own');
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

t.test('400 bad-body: bad JSON, unknown fields, wrong types, out of range, missing fields; the server carries on', async (t) => {
  const { call } = await setup(t);
  const bad = async (path: string, body: unknown, message: string | RegExp) => {
    const r = await call('POST', path, body);
    t.same([r.status, r.body.code], [400, 'bad-body'], `${path} ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    if (typeof message === 'string') t.equal(r.body.error, message);
    else t.match(r.body.error, message);
  };
  await bad('/spans/0/defects', '{"los": tru', /^body is not valid JSON \(.+\); send a JSON object$/);
  await bad('/spans/0/defects', '[1,2]', 'body must be a JSON object with fields "los", "lof", "lmfa", "ais", "rai", "ts16mfl"');
  await bad('/card/silence', 'null', 'body must be a JSON object with fields "on"');
  await bad('/card/silence', '"on"', 'body must be a JSON object with fields "on"');
  await bad('/spans/0/defects', { los: 1 }, '"los" is 1; it must be true or false');
  await bad('/spans/0/defects', { lost: true }, 'unknown field "lost"; accepted: fields "los", "lof", "lmfa", "ais", "rai", "ts16mfl"');
  await bad('/spans/0/errors', { crc4PerSecond: -1 }, '"crc4PerSecond" is -1; it must be a number from 0 to 9007199254740991');
  await bad('/spans/0/errors', { slipsPerMinute: '3' }, '"slipsPerMinute" is "3"; it must be a number from 0 to 9007199254740991');
  await bad('/spans/0/errors', '{"eBitsPerSecond": 1e999}', '"eBitsPerSecond" is Infinity; it must be a number from 0 to 9007199254740991');
  await bad('/spans/0/errors', { crc4PerSecond: 1, seconds: 0.5 }, '"seconds" is 0.5; it must be a whole number from 1 to 86400');
  await bad('/spans/0/errors', { crc4PerSecond: 1, seconds: 86_401 }, '"seconds" is 86401; it must be a whole number from 1 to 86400');
  await bad('/fxo/0/line', {}, 'missing "plugged"; accepted: fields "plugged"');
  await bad('/fxo/0/line', '', 'missing "plugged"; accepted: fields "plugged"');
  await bad('/fxo/0/ring', { callerId: '' }, '"callerId" is ""; it must be a number of 1 to 32 digits (also * # + and letters)');
  await bad('/fxo/0/ring', { callerId: '1', maxRings: 0 }, '"maxRings" is 0; it must be a whole number from 1 to 255');
  await bad('/fxo/0/hangup', { now: true }, 'unknown field "now"; accepted: no fields');
  await bad('/fxo/0/polarity', { reversed: 'yes' }, '"reversed" is "yes"; it must be true or false');
  await bad('/card/protocol-version', { version: 1.5 }, '"version" is 1.5; it must be a whole number from 0 to 255');
  await bad('/card/protocol-version', { version: 256 }, '"version" is 256; it must be a whole number from 0 to 255');
  await bad('/serial/noise', { ratio: 2 }, '"ratio" is 2; it must be a number from 0 to 1');
  await bad('/serial/noise', { ratio: 0.5, colour: 'red' }, 'unknown field "colour"; accepted: fields "ratio"');
  await bad('/spans/0/timeslots/5/loopback-fault', { broken: 'yes' }, '"broken" is "yes"; it must be true or false');
  const keys = 'it must be 1 to 32 keys, each one of 0-9, *, #, A-D';
  await bad('/fxo/0/dtmf', {}, 'missing "digits"; accepted: fields "digits"');
  await bad('/fxo/0/dtmf', { digits: '' }, `"digits" is ""; ${keys}`);
  await bad('/fxo/0/dtmf', { digits: '12e' }, `"digits" is "12e"; ${keys}`);
  await bad('/fxo/0/dtmf', { digits: '1 2' }, `"digits" is "1 2"; ${keys}`);
  await bad('/fxo/0/dtmf', { digits: 5 }, `"digits" is 5; ${keys}`);
  await bad('/fxo/0/dtmf', { digits: '1'.repeat(33) }, `"digits" is "${'1'.repeat(33)}"; ${keys}`);
  await bad('/spans/0/timeslots/5/dtmf', { digits: '#', tone: true }, 'unknown field "tone"; accepted: fields "digits"');
  await bad('/fxo/0/audio/record', { seconds: 10 }, 'unknown field "seconds"; accepted: no fields');
  const r = await call('GET', '/state');
  t.equal(r.status, 200, 'still up');
  t.equal(r.body.serial.noiseRatio, 0, 'nothing was changed by a bad request');
  t.same(r.body.spans[0].errors, { crc4PerSecond: 0, eBitsPerSecond: 0, lineCodeViolationsPerSecond: 0, slipsPerMinute: 0 }, 'a body refused in part changes nothing');
});

t.test('404: no route, a path number out of range (bad-path), no such span, port or timeslot (not-found); 405 for the wrong method', async (t) => {
  const { call } = await setup(t);
  const expect = async (method: string, path: string, status: number, code: string, message: string | RegExp, body: unknown = {}) => {
    const r = await call(method, path, body);
    t.same([r.status, r.body.code], [status, code], `${method} ${path}`);
    if (typeof message === 'string') t.equal(r.body.error, message);
    else t.match(r.body.error, message);
    return r;
  };
  await expect('GET', '/nope', 404, 'no-route', /^no route GET \/nope; routes: GET \/state, POST \/spans\/<span>\/defects, .*POST \/exchange\/reset-all$/);
  await expect('POST', '/spans/x/defects', 404, 'bad-path', 'in the path, "span" is "x"; it must be a whole number from 0 to 254');
  await expect('POST', '/spans/1.5/defects', 404, 'bad-path', 'in the path, "span" is "1.5"; it must be a whole number from 0 to 254');
  await expect('POST', '/spans/0x1/defects', 404, 'bad-path', /"span" is "0x1"/);
  await expect('POST', '/spans/255/defects', 404, 'bad-path', 'in the path, "span" is 255; it must be a whole number from 0 to 254');
  await expect('POST', '/spans/0/timeslots/0/loopback-fault', 404, 'bad-path', 'in the path, "timeslot" is 0; it must be a whole number from 1 to 31', { broken: true });
  await expect('POST', '/spans/0/timeslots/32/loopback-fault', 404, 'bad-path', /"timeslot" is 32/, { broken: true });
  await expect('POST', '/spans/2/defects', 404, 'not-found', 'span 2 does not exist; this card has spans 0..1');
  await expect('POST', '/spans/2/errors', 404, 'not-found', /span 2 does not exist/);
  await expect('POST', '/fxo/5/line', 404, 'not-found', 'FXO port 5 does not exist; this card has ports 0..4', { plugged: false });
  await expect('POST', '/fxo/99/ring', 404, 'not-found', /FXO port 99 does not exist/);
  let r = await expect('GET', '/card/reset', 405, 'wrong-method', '/card/reset takes POST, not GET');
  t.equal(r.headers.get('allow'), 'POST');
  r = await expect('POST', '/state', 405, 'wrong-method', '/state takes GET, not POST');
  t.equal(r.headers.get('allow'), 'GET');
  r = await expect('DELETE', '/fxo/0/ring', 405, 'wrong-method', /takes POST/);
  t.equal(r.headers.get('allow'), 'POST');
  t.equal((await call('GET', '/state/')).status, 200, 'a trailing slash is fine');
});

t.test('a request path that cannot be read is bad-path', async (t) => {
  const { url, call } = await setup(t);
  const { port } = new URL(url);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end('GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  t.match(answer, /^HTTP\/1\.1 404 /);
  t.match(answer, /\{"error":"cannot read the request path \\"\/\/\[\\"","code":"bad-path"\}$/);
  t.equal((await call('GET', '/state')).body.control.rejected['bad-path'], 1);
});

t.test('bodies over the cap get 413', async (t) => {
  const { call } = await setup(t);
  const r = await call('POST', '/serial/noise', JSON.stringify({ ratio: 0, pad: 'x'.repeat(100_000) }));
  t.same([r.status, r.body.code], [413, 'body-too-large']);
  t.match(r.body.error, /larger than 65536 bytes/);
  t.equal((await call('GET', '/state')).status, 200);
});

t.test('a fault inside the simulator is a 500 with code internal, logged as an error', async (t) => {
  const { bench, call, logs } = await setup(t);
  const state = bench.sim.state.bind(bench.sim);
  bench.sim.state = () => {
    throw new TypeError('boom');
  };
  const r = await call('GET', '/state');
  t.same([r.status, r.body], [500, { error: 'internal error in the simulator; see its log', code: 'internal' }]);
  t.match(
    logs.filter((l) => l.level === 50),
    [{ msg: 'control request failed', err: { message: 'boom' } }],
  );
  bench.sim.state = state;
  t.equal((await call('GET', '/state')).body.control.rejected.internal, 1);
});

t.test('refused requests are logged at warn with their code and counted by code in GET /state', async (t) => {
  const { call, logs } = await setup(t);
  await call('POST', '/serial/noise', { ratio: 2 });
  await call('POST', '/serial/noise', { colour: 'red' });
  await call('POST', '/fxo/9/line', { plugged: true });
  await call('GET', '/nope');
  await call('GET', '/card/reset');
  await call('POST', '/serial/noise', { ratio: 0.5 });
  const r = await call('GET', '/state');
  t.same(r.body.control.rejected, { ...Object.fromEntries(HTTP_ERROR_CODES.map((c) => [c, 0])), 'bad-body': 2, 'not-found': 1, 'no-route': 1, 'wrong-method': 1 });
  t.same(
    logs.filter((l) => l.level === 40).map((l) => [l.msg, l.code]),
    [
      ['control request refused', 'bad-body'],
      ['control request refused', 'bad-body'],
      ['control request refused', 'not-found'],
      ['control request refused', 'no-route'],
      ['control request refused', 'wrong-method'],
    ],
  );
  t.match(logs.find((l) => l.level === 40), { method: 'POST', url: '/serial/noise', error: '"ratio" is 2; it must be a number from 0 to 1' });
});

t.test('JSON parsing: empty is {}, garbage is a bad-body SimError', async (t) => {
  t.same(parseJson(''), {});
  t.same(parseJson(' \n'), {});
  t.same(parseJson(' {"a":1} '), { a: 1 });
  t.throws(() => parseJson('{"a":'), { name: 'SimError', code: 'bad-body', message: /^body is not valid JSON/ });
});
