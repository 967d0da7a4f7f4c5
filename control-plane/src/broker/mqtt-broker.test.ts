import t from 'tap';
import { connect as netConnect } from 'node:net';
import { connectAsync, type MqttClient } from 'mqtt';
import { SCHEMA_VERSION, type Command } from '@countyline/firmware/telemetry';
import { startTestCentral } from '../../test-support/start-test-central.js';
import { birth, cdr, json, status } from '../../test-support/box-messages.js';
import { counterValue } from '../../test-support/capture-log.js';

/** Resolves when the client's connection ends (the broker dropped it). */
function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => (client.connected ? client.once('close', () => resolve()) : resolve()));
}

t.test('a box logs in with its password; its publish is acknowledged only once stored', async (t) => {
  const c = await startTestCentral(t);
  t.teardown(c.close);
  const box = await c.connect('box-a');
  await box.publishAsync('cl/v1/box-a/cdr', json(cdr(1)), { qos: 1 });
  t.same((await c.store.searchCdrs({ boxId: 'box-a' })).map((r) => r.id), ['cdr-1'], 'in the store by the time the PUBACK came');
  t.equal(c.central.boxLink.isConnected('box-a'), true);
  t.equal(c.central.boxLink.connectedCount(), 1);
});

t.test('a wrong password, an unknown box, or a client id not the user name is refused at CONNACK', async (t) => {
  const c = await startTestCentral(t);
  t.teardown(c.close);
  const opts = { protocolVersion: 4 as const, reconnectPeriod: 0, connectTimeout: 10_000 };
  await t.rejects(connectAsync(c.url, { ...opts, clientId: 'box-a', username: 'box-a', password: 'guess' }), /Bad username or password/);
  await t.rejects(connectAsync(c.url, { ...opts, clientId: 'box-z', username: 'box-z', password: c.passwords['box-a'] }), /Bad username or password/);
  await t.rejects(connectAsync(c.url, { ...opts, clientId: 'box-b', username: 'box-a', password: c.passwords['box-a'] }), /Identifier rejected/);
  t.equal(await counterValue(c.registry, 'countyline_central_mqtt_refused_total', { reason: 'bad-credentials' }), 2);
  t.equal(await counterValue(c.registry, 'countyline_central_mqtt_refused_total', { reason: 'client-id-mismatch' }), 1);
  t.ok(c.lines.some((l) => l.reason === 'bad-credentials' && l.box === 'box-a'), 'the refusal is logged with the box');
});

t.test("a publish on another box's topic drops the connection and stores nothing", async (t) => {
  const c = await startTestCentral(t);
  t.teardown(c.close);
  const box = await c.connect('box-a');
  const gone = closed(box);
  box.publish('cl/v1/box-b/cdr', json(cdr(1)), { qos: 1 });
  await gone;
  t.same(await c.store.searchCdrs({}), []);
  t.equal(await counterValue(c.registry, 'countyline_central_mqtt_refused_total', { reason: 'not-own-topic' }), 1);
});

t.test('a retained publish is refused except for status and birth', async (t) => {
  const c = await startTestCentral(t);
  t.teardown(c.close);
  const box = await c.connect('box-a');
  await box.publishAsync('cl/v1/box-a/birth', json(birth(1, 1)), { qos: 1, retain: true });
  t.equal((await c.store.getBox('box-a'))?.online, true, 'the retained birth was taken');
  const gone = closed(box);
  box.publish('cl/v1/box-a/cdr', json(cdr(2)), { qos: 1, retain: true });
  await gone;
  t.equal(await counterValue(c.registry, 'countyline_central_mqtt_refused_total', { reason: 'retain-not-allowed' }), 1);
});

t.test("a box subscribes to its own commands only: another box's and $SYS get 0x80", async (t) => {
  const c = await startTestCentral(t);
  t.teardown(c.close);
  const box = await c.connect('box-a');
  t.same(
    (await box.subscribeAsync({ 'cl/v1/box-a/cmd/+': { qos: 1 }, 'cl/v1/box-a/config/desired': { qos: 1 } })).map((g) => [g.topic, g.qos]),
    [
      ['cl/v1/box-a/cmd/+', 1],
      ['cl/v1/box-a/config/desired', 1],
    ],
  );
  // mqtt.js turns a SUBACK return code 0x80 into an error carrying the SUBACK.
  for (const filter of ['cl/v1/box-b/cmd/+', '$SYS/#', 'cl/v1/+/cmd/+', '#']) {
    const refused = await box.subscribeAsync(filter, { qos: 1 }).then(
      () => null,
      (err: { packet?: { granted?: number[] } }) => err.packet?.granted,
    );
    t.same(refused, [128], filter);
  }
  const got: string[] = [];
  box.on('message', (topic) => got.push(topic));
  const arrived = new Promise((resolve) => box.once('message', resolve));
  const cmd: Command<'block'> = { v: SCHEMA_VERSION, id: 'c1', ts: 1, cic: 5 };
  await c.central.boxLink.sendCommand('box-b', 'block', cmd);
  await c.central.boxLink.sendCommand('box-a', 'block', cmd);
  await arrived;
  t.same(got, ['cl/v1/box-a/cmd/block'], "box-b's command never reached box-a");
});

t.test('the desired config is retained: a box subscribing later gets it', async (t) => {
  const c = await startTestCentral(t);
  t.teardown(c.close);
  await c.central.boxLink.sendDesiredConfig('box-a', { v: SCHEMA_VERSION, ts: 1, revision: 3, config: { sip: { port: 5060 } } });
  const box = await c.connect('box-a');
  const message = new Promise<[string, Buffer, { retain: boolean }]>((resolve) => box.once('message', (topic, payload, packet) => resolve([topic, payload, packet])));
  await box.subscribeAsync('cl/v1/box-a/config/desired', { qos: 1 });
  const [topic, payload, packet] = await message;
  t.equal(topic, 'cl/v1/box-a/config/desired');
  t.equal(JSON.parse(payload.toString()).revision, 3);
  t.equal(packet.retain, true);
});

t.test('a box that reconnects is online after its new birth; when its connection dies, its will marks it offline', async (t) => {
  const c = await startTestCentral(t);
  t.teardown(c.close);
  const will = (bdSeq: number) => ({ topic: 'cl/v1/box-a/status', payload: json(status(false, bdSeq)), qos: 1 as const, retain: true });
  const first = await c.connect('box-a', { will: will(1) });
  await first.publishAsync('cl/v1/box-a/birth', json(birth(1, 1)), { qos: 1 });
  // The same box on a new connection: the broker closes the old one, whose will fires first.
  const second = await c.connect('box-a', { will: will(2) });
  await second.publishAsync('cl/v1/box-a/birth', json(birth(2, 2)), { qos: 1 });
  t.equal((await c.store.getBox('box-a'))?.online, true);
  t.equal(c.central.boxLink.isConnected('box-a'), true, "the old connection's end does not unlist the new one");
  second.stream.destroy();
  const deadline = Date.now() + 10_000;
  while ((await c.store.getBox('box-a'))?.online !== false && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.equal((await c.store.getBox('box-a'))?.online, false, 'the will (bdSeq 2) took the box offline');
  t.equal(c.central.boxLink.isConnected('box-a'), false);
});

t.test('connection attempts beyond the per-address burst are turned away before login', async (t) => {
  const c = await startTestCentral(t, { limits: { connectBurst: 2, connectsPerSecond: 0.001 } });
  t.teardown(c.close);
  await c.connect('box-a');
  await c.connect('box-b');
  await t.rejects(c.connect('box-a'));
  t.equal(await counterValue(c.registry, 'countyline_central_mqtt_refused_total', { reason: 'rate-limited' }), 1);
});

t.test('a packet announcing more than the maximum size closes the connection before its body', async (t) => {
  const c = await startTestCentral(t, { limits: { maxPacketBytes: 4096 } });
  t.teardown(c.close);
  const socket = netConnect(c.central.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const ended = new Promise((resolve) => socket.once('close', resolve));
  // CONNECT whose Remaining Length says 2 MiB (0x80 0x80 0x80 0x01).
  socket.write(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x01, 0x00]));
  await ended;
  t.equal(await counterValue(c.registry, 'countyline_central_mqtt_refused_total', { reason: 'packet-too-large' }), 1);
});

t.test('connections beyond the cap are closed at once and counted', async (t) => {
  const c = await startTestCentral(t, { limits: { maxConnections: 1 } });
  t.teardown(c.close);
  await c.connect('box-a');
  await t.rejects(c.connect('box-b'), /Couldn't connect/);
  t.equal(await counterValue(c.registry, 'countyline_central_mqtt_refused_total', { reason: 'too-many-connections' }), 1);
});
