import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

const cdrBody = (id: string) => ({
  cdr: { id, line: { kind: 'fxo' as const, port: 0 }, calling: '1', called: '2', agent: null, arrivedAt: 0, offeredAt: null, answeredAt: null, endedAt: 1, result: 'abandoned' as const, reason: null, hungUpBy: 'caller' as const, cause: null },
});

const tick = () => new Promise<void>((r) => setImmediate(r));

/** The link writes its bdSeq to disk before it connects: wait for the real file I/O. */
async function settled(check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  return check();
}

async function setup(t: Test, logged: ({ msg: string } & Record<string, unknown>)[] = [], o: { caFile?: string } = {}) {
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
    ...o,
    connect: (url, options) => {
      const c = new FakeClient(url, options);
      clients.push(c);
      return c as unknown as MqttClient;
    },
  });
  const refused: number[] = [];
  link.on('refused', (_kind, seq) => refused.push(seq));
  const openFailures: string[] = [];
  link.on('open-failed', (reason) => openFailures.push(reason));
  link.start();
  await settled(() => clients.length === 1 || openFailures.length === 1);
  return { clock, outbox, link, clients, refused, openFailures, last: () => clients.at(-1)! };
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

t.test('a connection closed on a message waiting for its PUBACK is counted as a refusal and never drops it', async (t) => {
  // Central closes the connection unacknowledged when it cannot store a message (its database
  // restarting): however many times that happens, the CDR goes again, first, once it can.
  const logged: { msg: string }[] = [];
  const s = await setup(t, logged);
  await s.outbox.create('cdr', cdrBody('call-1'));
  await s.outbox.create('event', { type: 'after', data: {} });
  const sent = () => s.last().published.filter((p) => !p.topic.endsWith('/status'));
  for (let attempt = 1; attempt <= 6; attempt++) {
    s.last().emit('connect');
    t.match(sent(), [{ topic: 'cl/v1/box-1/cdr', body: { seq: 1, cdr: { id: 'call-1' } } }], `attempt ${attempt}: the CDR first, nothing after it`);
    s.last().emit('close');
    t.same(s.refused, Array(attempt).fill(1), `close ${attempt} counted as a refusal`);
    t.equal(s.link.state, 'connecting');
    // Backoff with random 0.5: 500 ms, 1 s, 2 s, 4 s ...: a PUBACK, not a connect, resets it.
    const clients = s.clients.length;
    s.clock.advance(500 * 2 ** (attempt - 1) - 1);
    t.notOk(await settled(() => s.clients.length > clients, 100), 'not before the backoff');
    s.clock.advance(1);
    t.ok(await settled(() => s.clients.length === clients + 1), 'reconnected after the backoff');
  }
  t.same(
    s.outbox.waiting().map((e) => e.kind),
    ['cdr', 'event'],
    'both still waiting',
  );
  t.same(s.outbox.stats().droppedByKind, {}, 'nothing dropped');
  t.equal(logged.filter((l) => /sending it again after the reconnect/.test(l.msg)).length, 6, 'each close logged');
  s.last().emit('connect');
  s.last().puback();
  await tick();
  t.match(sent().at(-1), { topic: 'cl/v1/box-1/event', body: { type: 'after' } }, 'the CDR acknowledged at last, the next follows');
  s.last().puback();
  await tick();
  t.equal(s.outbox.stats().messages, 0);
});

t.test('an unreadable caFile is logged with what to do, counted and retried after the backoff; nothing crashes', async (t) => {
  const logged: (Record<string, unknown> & { msg: string })[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'cl-link-ca-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const caFile = join(dir, 'ca.pem');
  const s = await setup(t, logged, { caFile });
  t.same(s.openFailures, ['ca-file'], 'counted');
  t.equal(s.clients.length, 0, 'no connection tried without the CA');
  t.match(logged, [{ caFile, err: /ENOENT/, retryInMs: 500, msg: /cannot read central\.caFile; put the PEM of the CA .* or remove central\.caFile/ }]);
  t.equal(s.link.state, 'connecting');
  s.clock.advance(500);
  t.ok(await settled(() => s.openFailures.length === 2), 'tried again after the backoff');
  t.equal(logged.at(-1)!.retryInMs, 1000, 'the backoff grows');
  await writeFile(caFile, 'PEM');
  s.clock.advance(1000);
  t.ok(await settled(() => s.clients.length === 1), 'the file back: the connection is made');
  t.equal(s.last().options.ca?.toString(), 'PEM', 'with the CA read');
  await s.link.stop();
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
