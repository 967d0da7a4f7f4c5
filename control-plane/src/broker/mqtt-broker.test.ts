import t, { type Test } from 'tap';
import { connect as netConnect, type Socket } from 'node:net';
import { Registry } from 'prom-client';
import { connectAsync, type MqttClient } from 'mqtt';
import { SCHEMA_VERSION, type Command } from '@countyline/firmware/telemetry';
import { startTestCentral } from '../../test-support/start-test-central.js';
import { birth, cdr, json, status } from '../../test-support/box-messages.js';
import { captureLog, counterValue } from '../../test-support/capture-log.js';
import { enrolBox } from '../../test-support/enrol-box.js';
import { freshStore } from '../../test-support/stores.js';
import { verifyPassword } from '../auth/secrets.js';
import { systemClock } from '../alarms/clock.js';
import { startBroker, type BrokerOptions } from './mqtt-broker.js';

/** The bare broker with box-a enrolled, for tests that watch its hooks; closed at the test's end. */
async function startBare(t: Test, overrides: Partial<BrokerOptions> = {}) {
  const { store } = await freshStore(t, 'sqlite');
  const password = await enrolBox(store, 'box-a');
  const registry = new Registry();
  const { logger, lines } = captureLog();
  const broker = await startBroker({ store, logger, registry, clock: systemClock, port: 0, host: '127.0.0.1', onBoxPublish: async () => 'stored', ...overrides });
  const clients: MqttClient[] = [];
  t.teardown(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await broker.close();
  });
  const connect = async (boxId = 'box-a', secret = password) => {
    const client = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, { protocolVersion: 4, clientId: boxId, username: boxId, password: secret, reconnectPeriod: 0, connectTimeout: 10_000 }, false);
    clients.push(client);
    return client;
  };
  return { broker, registry, lines, connect };
}

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

t.test('a retained publish is refused except for status', async (t) => {
  const c = await startTestCentral(t);
  t.teardown(c.close);
  const box = await c.connect('box-a');
  await box.publishAsync('cl/v1/box-a/status', json(status(true, 1)), { qos: 1, retain: true });
  t.equal((await c.store.getBox('box-a'))?.online, true, 'the retained status was taken');
  const gone = closed(box);
  box.publish('cl/v1/box-a/birth', json(birth(1, 1)), { qos: 1, retain: true });
  await gone;
  t.equal(await counterValue(c.registry, 'countyline_central_mqtt_refused_total', { reason: 'retain-not-allowed' }), 1);
  const again = await c.connect('box-a');
  const goneAgain = closed(again);
  again.publish('cl/v1/box-a/cdr', json(cdr(2)), { qos: 1, retain: true });
  await goneAgain;
  t.equal(await counterValue(c.registry, 'countyline_central_mqtt_refused_total', { reason: 'retain-not-allowed' }), 2);
});

t.test('a retained status whose payload was rejected is acknowledged but not kept as the retained status', async (t) => {
  const b = await startBare(t, { onBoxPublish: async (_box, _kind, payload) => (payload.toString() === 'garbage' ? 'rejected' : 'stored') });
  const box = await b.connect();
  const good = json(status(true, 1));
  await box.publishAsync('cl/v1/box-a/status', good, { qos: 1, retain: true });
  await box.publishAsync('cl/v1/box-a/status', 'garbage', { qos: 1, retain: true });
  // One more round trip through the broker, so the garbage's own publish has run its course.
  await box.publishAsync('cl/v1/box-a/cdr', json(cdr(2)), { qos: 1 });
  t.equal(String(await b.broker.retained('cl/v1/box-a/status')), good.toString(), 'still the last good status');
});

t.test('the PUBACK waits for the store: none before it has the message, none when it fails', async (t) => {
  const gates: { open(): void; fail(err: Error): void }[] = [];
  let reached = () => {};
  const b = await startBare(t, {
    onBoxPublish: () =>
      new Promise((resolve, reject) => {
        gates.push({ open: () => resolve('stored'), fail: reject });
        reached();
      }),
  });
  const box = await b.connect();
  const pubacks: (number | undefined)[] = [];
  box.on('packetreceive', (packet) => {
    if (packet.cmd === 'puback') pubacks.push(packet.messageId);
  });
  const atStore = new Promise<void>((resolve) => (reached = resolve));
  const acked = box.publishAsync('cl/v1/box-a/cdr', json(cdr(1)), { qos: 1 });
  await atStore;
  // A broker that acknowledged on receipt would have answered well within this.
  await new Promise((r) => setTimeout(r, 300));
  t.same(pubacks, [], 'no PUBACK while the store has not answered');
  gates[0]!.open();
  await acked;
  t.equal(pubacks.length, 1, 'the PUBACK came once the store had it');

  const gone = closed(box);
  const atStoreAgain = new Promise<void>((resolve) => (reached = resolve));
  box.publishAsync('cl/v1/box-a/cdr', json(cdr(2)), { qos: 1 }).catch(() => undefined);
  await atStoreAgain;
  gates[1]!.fail(new Error('store down'));
  await gone;
  t.equal(pubacks.length, 1, 'no PUBACK for the message the store failed');
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

t.test('an unknown box id is checked against a hash all the same, so the CONNACK time does not tell it exists', async (t) => {
  const checked: string[] = [];
  const b = await startBare(t, {
    verifyPassword: (password, stored) => {
      checked.push(stored);
      return verifyPassword(password, stored);
    },
  });
  await t.rejects(b.connect('box-z', 'guess'), /Bad username or password/);
  t.equal(checked.length, 1, 'the unknown box cost a password check');
  t.match(checked[0], /^scrypt\$/, 'against a scrypt hash, as a known box');
  await t.rejects(b.connect('box-a', 'guess'), /Bad username or password/);
  t.equal(checked.length, 2);
  t.equal(await counterValue(b.registry, 'countyline_central_mqtt_refused_total', { reason: 'bad-credentials' }), 2);
});

t.test('one address holding sockets that never log in is capped; the boxes from other sockets still get in', async (t) => {
  const c = await startTestCentral(t, { limits: { maxConnectionsPerAddress: 3, connectTimeoutMs: 60_000 } });
  t.teardown(c.close);
  const idle: Socket[] = [];
  t.teardown(() => idle.forEach((s) => s.destroy()));
  for (let i = 0; i < 3; i++) {
    const socket = netConnect(c.central.port, '127.0.0.1');
    idle.push(socket);
    await new Promise((resolve) => socket.once('connect', resolve));
  }
  await t.rejects(c.connect('box-a'), /Couldn't connect/);
  t.equal(await counterValue(c.registry, 'countyline_central_mqtt_refused_total', { reason: 'too-many-from-address' }), 1);
  t.ok(c.lines.some((l) => l.reason === 'too-many-from-address' && l.address === '127.0.0.1'), 'logged with the address');
  idle.pop()!.destroy();
  // The broker sees the socket close a moment later; until then a box may still be turned away.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const box = await c.connect('box-a').catch(() => null);
    if (box) break;
    if (Date.now() > deadline) return t.fail('box-a never got in after a socket was freed');
    await new Promise((r) => setTimeout(r, 50));
  }
  t.equal(c.central.boxLink.isConnected('box-a'), true);
});

t.test('connections beyond the cap are closed at once and counted', async (t) => {
  const c = await startTestCentral(t, { limits: { maxConnections: 1 } });
  t.teardown(c.close);
  await c.connect('box-a');
  await t.rejects(c.connect('box-b'), /Couldn't connect/);
  t.equal(await counterValue(c.registry, 'countyline_central_mqtt_refused_total', { reason: 'too-many-connections' }), 1);
});
