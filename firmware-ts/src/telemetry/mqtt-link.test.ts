import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@countyline/e1-gateway';
import type { IClientOptions, MqttClient } from 'mqtt';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { Backoff } from './backoff.js';
import { MqttLink } from './mqtt-link.js';
import { Outbox } from './outbox.js';

/** Just what the link uses of an mqtt.js client; the test plays the broker. */
class FakeClient extends EventEmitter {
  readonly published: { topic: string; body: Record<string, unknown>; retain: boolean; cb?: (err?: Error) => void }[] = [];
  ended = false;
  constructor(
    readonly url: string,
    readonly options: IClientOptions,
  ) {
    super();
  }
  publish(topic: string, payload: string, opts: { retain?: boolean }, cb?: (err?: Error) => void) {
    this.published.push({ topic, body: JSON.parse(payload) as Record<string, unknown>, retain: opts.retain ?? false, cb });
    return this;
  }
  subscribe() {
    return this;
  }
  end(_force?: boolean, _opts?: object, cb?: () => void) {
    this.ended = true;
    cb?.();
    return this;
  }
  /** The broker's PUBACK for the last message published. */
  puback() {
    this.published.at(-1)!.cb?.();
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/** The link writes its bdSeq to disk before it connects: wait for the real file I/O. */
async function settled(check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  return check();
}

async function setup(t: Test, logged: { msg: string }[] = []) {
  const dir = await mkdtemp(join(tmpdir(), 'cl-link-unit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const clock = new FakeClock(1_700_000_000_000);
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line) as { msg: string }) });
  const outbox = await Outbox.open({ file: join(dir, 'outbox.jsonl'), boxId: 'box-1', maxBytes: 1 << 20, clock, logger });
  t.teardown(() => outbox.close());
  const clients: FakeClient[] = [];
  const link = new MqttLink({
    url: 'mqtt://central.test:1883',
    boxId: 'box-1',
    password: 'pw',
    outbox,
    clock,
    logger,
    backoff: new Backoff({ random: () => 0.5 }),
    connect: (url, options) => {
      const c = new FakeClient(url, options);
      clients.push(c);
      return c as unknown as MqttClient;
    },
  });
  const refused: number[] = [];
  link.on('refused', (_kind, seq) => refused.push(seq));
  link.start();
  await settled(() => clients.length === 1);
  return { clock, outbox, link, clients, refused, last: () => clients.at(-1)! };
}

t.test('connects as MQTT 3.1.1 with a clean session, no library queue or reconnect, and the will', async (t) => {
  const s = await setup(t);
  t.match(s.last().options, {
    protocolVersion: 4,
    clientId: 'box-1',
    username: 'box-1',
    password: 'pw',
    clean: true,
    reconnectPeriod: 0,
    queueQoSZero: false,
    will: { topic: 'cl/v1/box-1/status', qos: 1, retain: true },
  });
  t.match(JSON.parse(s.last().options.will!.payload.toString()), { v: 1, online: false, bdSeq: 1 });
});

t.test('one message in flight: the next goes only after the PUBACK', async (t) => {
  const s = await setup(t);
  await s.outbox.create('event', { type: 'a', data: {} });
  await s.outbox.create('event', { type: 'b', data: {} });
  s.last().emit('connect');
  const sent = () => s.last().published.filter((p) => p.topic.endsWith('/event')).map((p) => p.body.type);
  t.match(s.last().published[0], { topic: 'cl/v1/box-1/status', retain: true, body: { online: true, seq: 2, bdSeq: 1 } });
  t.same(sent(), ['a']);
  s.last().puback();
  await tick();
  t.same(sent(), ['a', 'b']);
  s.last().puback();
  await tick();
  t.equal(s.outbox.stats().messages, 0);
  t.equal(s.link.lastPubackAt, s.clock.now());
});

t.test('a connection closed on a message waiting for its PUBACK is a refusal; three in a row drop it', async (t) => {
  const s = await setup(t);
  await s.outbox.create('event', { type: 'poison', data: {} });
  await s.outbox.create('event', { type: 'fine', data: {} });
  for (let attempt = 1; attempt <= 3; attempt++) {
    s.last().emit('connect');
    t.equal(s.last().published.at(-1)!.body.type, 'poison');
    s.last().emit('close');
    t.same(s.refused, Array(attempt).fill(1), `refusal ${attempt} counted`);
    t.equal(s.link.state, 'connecting');
    // Backoff with random 0.5: 500 ms, 1000 ms, 2000 ms.
    const clients = s.clients.length;
    s.clock.advance(500 * 2 ** (attempt - 1) - 1);
    t.notOk(await settled(() => s.clients.length > clients, 100), 'not before the backoff');
    s.clock.advance(1);
    t.ok(await settled(() => s.clients.length === clients + 1), 'reconnected after the backoff');
  }
  t.same(
    s.outbox.waiting().map((e) => e.payload.type),
    ['fine'],
    'the poison message is dropped',
  );
  t.match(s.outbox.stats().droppedByKind, { event: 1 });
  s.last().emit('connect');
  t.equal(s.last().published.at(-1)!.body.type, 'fine');
});

t.test('a connection lost with a socket error is no refusal; the message goes again, first', async (t) => {
  const s = await setup(t);
  await s.outbox.create('event', { type: 'a', data: {} });
  s.last().emit('connect');
  s.last().emit('error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
  s.last().emit('close');
  t.same(s.refused, []);
  s.clock.advance(500);
  t.ok(await settled(() => s.clients.length === 2));
  s.last().emit('connect');
  t.equal(s.last().published.at(-1)!.body.type, 'a');
  t.equal(JSON.parse(s.last().options.will!.payload.toString()).bdSeq, 2, 'a new connection, a new bdSeq');
});

t.test('a message created while offline waits for the connection', async (t) => {
  const s = await setup(t);
  await s.outbox.create('event', { type: 'a', data: {} });
  await tick();
  t.same(s.last().published, []);
  s.last().emit('connect');
  t.equal(s.last().published.at(-1)!.body.type, 'a');
});

t.test('a broker refusing the credentials (CONNACK 5) is logged as what to check', async (t) => {
  const logged: { msg: string }[] = [];
  const s = await setup(t, logged);
  s.last().emit('error', Object.assign(new Error('Connection refused: Not authorized'), { code: 5 }));
  s.last().emit('close');
  t.match(logged, [{ msg: /refused the box id or password; check central\.boxId and central\.password/ }]);
  t.equal(s.link.state, 'connecting');
});
