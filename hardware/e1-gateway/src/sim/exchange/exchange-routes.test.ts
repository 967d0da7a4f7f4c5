import t, { type Test } from 'tap';
import { buildControlApi, closeControlApi, listenControlApi } from '../control-api.js';
import { InMemoryBench } from '../in-memory-bench.js';
import { parseExchangeConfig } from './exchange-config.js';
import { FarEndExchange } from './far-end-exchange.js';
import { decodeMsu, encodeIsupMsu, type IsupMessage } from './isup/index.js';

/** The card simulator with the exchange behind link 0, the box played by the bench's host end. */
async function setup(t: Test, withExchange = true) {
  const bench = new InMemoryBench();
  // The host end plays the box by hand and answers no link test: the exchange must not wait for one.
  if (withExchange) bench.sim.setExchange(new FarEndExchange({ clock: bench.clock, config: parseExchangeConfig({ linkTest: { required: false } }) }));
  bench.sim.start();
  await bench.run(10);
  // Every answer is checked against its route's response schema: one that does not match is a 500.
  const server = buildControlApi({ sim: bench.sim, checkResponses: true });
  const { url } = await listenControlApi(server, 0);
  t.teardown(() => closeControlApi(server));
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  /** What the exchange sent the box, decoded, as `TYPE cic`. */
  const fromExchange = () => bench.of('msu').flatMap((m) => {
    const msu = decodeMsu(m.data, 'itu');
    return msu.kind === 'isup' ? [msu.message] : [];
  });
  const trace = () => fromExchange().map((m) => `${m.type} ${m.cic}`);
  /** The box sends an ISUP message to the exchange. */
  const boxSends = async (message: IsupMessage) => {
    bench.host.notify({ type: 'msu', link: 0, data: encodeIsupMsu({ variant: 'itu', ni: 'national', dpc: 2000, opc: 1000 }, message) });
    await bench.run(10);
  };
  const linkUp = async () => {
    await bench.request({ type: 'linkConfig', link: 0, span: 0, timeslot: 16, mode: 'mtp2' });
    await bench.request({ type: 'linkControl', link: 0, action: 'start' });
    await bench.run(700);
  };
  return { bench, call, trace, fromExchange, boxSends, linkUp };
}

t.test('the exchange through the control API, with the card in between', async (t) => {
  const { bench, call, trace, fromExchange, boxSends, linkUp } = await setup(t);
  let r = await call('GET', '/state');
  t.match(r.body.exchange, { pointCode: 2000, peerPointCode: 1000, link: 0, linkInService: false, readyCircuits: 0, counts: { total: 30 } });
  r = await call('POST', '/exchange/circuits/2/block', { on: true });
  t.same([r.status, r.body], [409, { error: 'link 0 is not in service, so the exchange cannot send BLO; start the link from the box first', code: 'conflict' }]);

  await linkUp();
  t.same(trace(), ['GRS 1'], 'link in service: the exchange resets its group');
  await boxSends({ type: 'GRA', cic: 1, rangeAndStatus: { range: 29, status: new Array<boolean>(30).fill(false) } });
  await boxSends({ type: 'GRS', cic: 1, rangeAndStatus: { range: 29 } });
  t.same(trace(), ['GRS 1', 'GRA 1']);
  r = await call('GET', '/exchange');
  t.equal(r.status, 200);
  t.match(r.body, { linkInService: true, readyCircuits: 30, config: { variant: 'itu', pointCode: 2000, cics: [{ firstCic: 1 }] }, traffic: { callsPerMinute: 0, holdSeconds: 60, glareRatio: 0 } });
  t.equal(r.body.circuits.length, 30);
  t.match(r.body.circuits[15], { cic: 16, span: 0, timeslot: 17, call: 'idle', maintenance: 'none', hardware: 'none', controlledBy: 'us', ready: true, loopback: false, exchangeCall: null });
  t.match(r.body.counters, { maintenanceSent: { GRS: 1, GRA: 1 }, maintenanceReceived: { GRA: 1, GRS: 1 }, glaresWon: 0, glaresLost: 0, malformedMsus: 0 });

  bench.clear();
  r = await call('POST', '/traffic', { callsPerMinute: 60, holdSeconds: 1 });
  t.same(r.body, { callsPerMinute: 60, holdSeconds: 1, glareRatio: 0 });
  await bench.run(10_000);
  await call('POST', '/traffic', { callsPerMinute: 0 });
  const iams = fromExchange().filter((m) => m.type === 'IAM');
  t.ok(iams.length > 0, `${iams.length} calls placed through the card`);
  r = await call('GET', '/exchange');
  t.equal(r.body.counters.callsOriginated, iams.length);
  t.ok(r.body.circuits.some((c: any) => c.exchangeCall?.state === 'out-setup'), 'the circuit list shows the calls');

  r = await call('POST', '/glare', { ratio: 1 });
  t.same([r.status, r.body.glareRatio], [200, 1]);

  bench.clear();
  r = await call('POST', '/exchange/circuits/30/block', { on: true });
  t.match(r.body, { cic: 30, maintenance: 'local' });
  r = await call('POST', '/exchange/circuits/29/reset');
  t.match(r.body, { cic: 29, ready: false });
  r = await call('POST', '/exchange/group-block', { firstCic: 25, count: 3, on: true });
  t.same(
    r.body.map((c: any) => [c.cic, c.maintenance]),
    [
      [25, 'local'],
      [26, 'local'],
      [27, 'local'],
    ],
  );
  r = await call('POST', '/exchange/reset-all');
  t.match(r.body, { readyCircuits: 0, pending: [{ type: 'BLO', cic: 30 }, { type: 'RSC', cic: 29 }, { type: 'CGB', cic: 25, count: 3 }, { type: 'GRS', cic: 1, count: 30 }] });
  await bench.run(10);
  t.same(trace().filter((m) => !/^(REL|IAM)/.test(m)), ['BLO 30', 'RSC 29', 'CGB 25', 'GRS 1']);
  r = await call('GET', '/state');
  t.match(r.body.exchange, { readyCircuits: 0, counters: { maintenanceSent: { BLO: 1, RSC: 1, CGB: 1, GRS: 2 } } });
});

t.test('CCR: the far end loops the circuit, so the tone the box sends comes back until REL', async (t) => {
  const { bench, call, trace, boxSends, linkUp } = await setup(t);
  await linkUp();
  await boxSends({ type: 'CCR', cic: 5 });
  bench.clear();
  await bench.request({ type: 'tsTone', span: 0, timeslot: 5, frequency: 2000 });
  await bench.run(100);
  t.same(
    bench.of('tsToneDetect').map((d) => [d.timeslot, d.present]),
    [[5, true]],
    'tone back through the far-end loop',
  );
  await call('POST', '/spans/0/timeslots/5/loopback-fault', { broken: true });
  await bench.run(10);
  t.same(
    bench.of('tsToneDetect').map((d) => [d.timeslot, d.present]),
    [
      [5, true],
      [5, false],
    ],
    'a broken loop loses it',
  );
  await call('POST', '/spans/0/timeslots/5/loopback-fault', { broken: false });
  await bench.run(100);
  bench.clear();
  await boxSends({ type: 'REL', cic: 5, causeIndicators: { codingStandard: 'itu-t', location: 0, causeValue: 16, diagnostics: new Uint8Array() } });
  t.same(
    bench.of('tsToneDetect').map((d) => [d.timeslot, d.present]),
    [[5, false]],
    'REL removes the loop',
  );
  t.same(trace(), ['RLC 5']);
  t.equal((await call('GET', '/exchange')).body.counters.continuityChecks, 1);
});

t.test('bad requests to the exchange routes', async (t) => {
  const { call, linkUp } = await setup(t);
  await linkUp();
  const expect = async (method: string, path: string, body: unknown, status: number, code: string, error: string | RegExp) => {
    const r = await call(method, path, body);
    t.same([r.status, r.body.code], [status, code], `${method} ${path} ${JSON.stringify(body)}`);
    if (typeof error === 'string') t.equal(r.body.error, error);
    else t.match(r.body.error, error);
  };
  await expect('POST', '/traffic', { callsPerMinute: -1 }, 400, 'bad-body', '"callsPerMinute" is -1; it must be a number from 0 to 6000');
  await expect('POST', '/traffic', { callsPerMinute: 6001 }, 400, 'bad-body', '"callsPerMinute" is 6001; it must be a number from 0 to 6000');
  await expect('POST', '/traffic', { holdSeconds: 0 }, 400, 'bad-body', '"holdSeconds" is 0; it must be a number from 0.1 to 86400');
  await expect('POST', '/traffic', { rate: 1 }, 400, 'bad-body', 'unknown field "rate"; accepted: fields "callsPerMinute", "holdSeconds"');
  await expect('POST', '/glare', {}, 400, 'bad-body', 'missing "ratio"; accepted: fields "ratio"');
  await expect('POST', '/glare', { ratio: 1.5 }, 400, 'bad-body', '"ratio" is 1.5; it must be a number from 0 to 1');
  await expect('POST', '/exchange/circuits/99/block', { on: true }, 404, 'not-found', "CIC 99 is not in the exchange's circuit group (CICs 1..30)");
  await expect('POST', '/exchange/circuits/4096/block', { on: true }, 404, 'bad-path', 'in the path, "cic" is 4096; it must be a whole number from 0 to 4095');
  await expect('POST', '/exchange/circuits/3/block', {}, 400, 'bad-body', 'missing "on"; accepted: fields "on"');
  await expect('POST', '/exchange/circuits/3/reset', { now: true }, 400, 'bad-body', 'unknown field "now"; accepted: no fields');
  await expect('POST', '/exchange/group-block', { firstCic: 1, count: 1, on: true }, 400, 'bad-body', '"count" is 1; it must be a whole number from 2 to 32');
  await expect('POST', '/exchange/group-block', { firstCic: 1 }, 400, 'bad-body', 'missing "count", "on"; accepted: fields "firstCic", "count", "on"');
  await expect('POST', '/exchange/group-block', { firstCic: 4096, count: 2, on: true }, 400, 'bad-body', '"firstCic" is 4096; it must be a whole number from 0 to 4095');
  await expect('POST', '/exchange/group-block', { firstCic: 29, count: 3, on: true }, 404, 'not-found', /CIC 31/);
  await expect('GET', '/exchange/reset-all', undefined, 405, 'wrong-method', '/exchange/reset-all takes POST, not GET');
  const r = await call('GET', '/state');
  t.match(r.body.control.rejected, { 'bad-body': 11, 'not-found': 2, 'bad-path': 1, 'wrong-method': 1 }, 'each refusal counted by its code');
  t.match(r.body.exchange, { traffic: { callsPerMinute: 0, holdSeconds: 60, glareRatio: 0 }, counts: { maintenanceBlocked: 0 } }, 'and nothing changed');
});

t.test('without an exchange: the routes say so and /state shows null', async (t) => {
  const { call } = await setup(t, false);
  const r = await call('GET', '/exchange');
  t.same([r.status, r.body], [404, { error: 'this simulator runs without a far-end exchange; start it without --no-exchange', code: 'not-found' }]);
  t.same((await call('POST', '/traffic', { callsPerMinute: 1 })).body.code, 'not-found');
  t.same((await call('POST', '/exchange/reset-all')).body.code, 'not-found');
  t.equal((await call('GET', '/state')).body.exchange, null);
});
