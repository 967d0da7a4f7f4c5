// The box's MQTT link against Debian's mosquitto: what an observer subscribed at the broker
// sees of the outbox, across a broker restart, and the will when the box process is killed.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '@countyline/e1-gateway';
import { connect, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { Backoff } from '../../firmware-ts/src/telemetry/backoff.js';
import { MqttLink } from '../../firmware-ts/src/telemetry/mqtt-link.js';
import { Outbox } from '../../firmware-ts/src/telemetry/outbox.js';
import { startMosquitto, type Mosquitto } from '../../firmware-ts/test-support/mosquitto.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Seen {
  topic: string;
  body: Record<string, unknown>;
  retain: boolean;
}

/** A subscriber at the broker with a session kept across restarts, recording what it gets. */
async function observe(t: Test, broker: Mosquitto, filter: string, id = 'observer') {
  const seen: Seen[] = [];
  const client: MqttClient = connect(broker.url, { protocolVersion: 4, clientId: id, clean: false, reconnectPeriod: 100, ...(broker.caFile ? { ca: readFileSync(broker.caFile) } : {}) });
  t.teardown(() => client.endAsync(true));
  client.on('message', (topic, payload, packet) => seen.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown>, retain: packet.retain }));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => client.subscribe(filter, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
    client.once('error', reject);
  });
  return seen;
}

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function boxOutbox(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'cl-link-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const outbox = await Outbox.open({ file: join(dir, 'outbox.jsonl'), boxId: 'box-1', maxBytes: 1 << 20, clock: systemClock, logger: pino({ level: 'silent' }) });
  t.teardown(() => outbox.close());
  return outbox;
}

function startLink(t: Test, broker: Mosquitto, outbox: Outbox, logger = pino({ level: 'silent' })) {
  const link = new MqttLink({ url: broker.url, ...(broker.caFile ? { caFile: broker.caFile } : {}), boxId: 'box-1', password: 'secret', outbox, clock: systemClock, logger, backoff: new Backoff({ baseMs: 100, capMs: 1000 }) });
  t.teardown(() => link.stop());
  link.start();
  return link;
}

const event = (n: number) => ({ type: 'test', data: { n } });

t.test('after connect: the retained status online, then the outbox in seq order, each once', async (t) => {
  const broker = await startMosquitto(t);
  const seen = await observe(t, broker, 'cl/v1/box-1/#');
  const outbox = await boxOutbox(t);
  for (let i = 1; i <= 3; i++) await outbox.create('event', event(i));
  const link = startLink(t, broker, outbox);
  await until('three events', () => seen.filter((m) => m.topic.endsWith('/event')).length >= 3);
  t.match(seen[0], { topic: 'cl/v1/box-1/status', body: { online: true, bdSeq: 1, seq: 3 } }, 'status first');
  t.same(
    seen.filter((m) => m.topic.endsWith('/event')).map((m) => m.body.seq),
    [1, 2, 3],
  );
  await until('the PUBACKs noted', () => outbox.stats().messages === 0);
  t.equal(link.state, 'connected');
  t.ok(link.lastPubackAt !== null);
});

t.test('messages created while the broker is down arrive after it is back, in order, once', async (t) => {
  const broker = await startMosquitto(t);
  const seen = await observe(t, broker, 'cl/v1/box-1/event');
  const outbox = await boxOutbox(t);
  const link = startLink(t, broker, outbox);
  await until('connected', () => link.state === 'connected');
  await outbox.create('event', event(1));
  await until('the first event', () => seen.length === 1);

  await broker.stop();
  await until('the link sees the broker gone', () => link.state === 'connecting');
  for (let i = 2; i <= 6; i++) await outbox.create('event', event(i));
  t.equal(outbox.stats().messages, 5, 'waiting on disk');
  // Each attempt to reconnect takes a new bdSeq (kept on disk before it dials), and the link
  // may try while these are written: each message keeps the bdSeq it was written with.
  const written = outbox.waiting().map((e) => (e.payload as { bdSeq: number }).bdSeq);
  await broker.start();
  await until('all six events', () => seen.length >= 6).catch((err: Error) => {
    throw new Error(`${err.message}: seen ${JSON.stringify(seen.map((m) => m.body.seq))}, link ${link.state}, broker said: ${broker.output()}`);
  });
  await until('the outbox empty', () => outbox.stats().messages === 0);
  // A duplicate would come after: give it the time of a few round trips to show.
  await new Promise((r) => setTimeout(r, 300));
  t.same(
    seen.map((m) => m.body.seq),
    [1, 2, 3, 4, 5, 6],
  );
  t.same(
    seen.map((m) => m.body.bdSeq),
    [1, ...written],
    'made while the first connection stood or while none did: the bdSeq stays what it was when written',
  );
});

t.test('a box process killed (SIGKILL) leaves the retained status online:false behind (the will)', async (t) => {
  const broker = await startMosquitto(t);
  const seen = await observe(t, broker, 'cl/v1/box-7/status');
  const dir = await mkdtemp(join(tmpdir(), 'cl-link-kill-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const script = `
    import { systemClock } from '@countyline/e1-gateway';
    import { pino } from 'pino';
    import { MqttLink } from './firmware-ts/dist/telemetry/mqtt-link.js';
    import { Outbox } from './firmware-ts/dist/telemetry/outbox.js';
    const outbox = await Outbox.open({ file: ${JSON.stringify(join(dir, 'outbox.jsonl'))}, boxId: 'box-7', maxBytes: 1 << 20, clock: systemClock, logger: pino({ level: 'silent' }) });
    const link = new MqttLink({ url: ${JSON.stringify(broker.url)}, boxId: 'box-7', password: 'x', outbox, clock: systemClock, logger: pino({ level: 'silent' }) });
    link.on('connected', () => console.log('connected'));
    link.start();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await until('the box connected', () => out.includes('connected'));
  await until('status online', () => seen.some((m) => m.body.online === true));
  child.kill('SIGKILL');
  await until('the will', () => seen.some((m) => m.body.online === false), 30_000);
  const will = seen.find((m) => m.body.online === false)!;
  t.match(will.body, { v: 1, bdSeq: 1, seq: 0 });

  // A newcomer gets it too: it is retained.
  const late = await observe(t, broker, 'cl/v1/box-7/status', 'newcomer');
  await until('the retained status', () => late.length > 0);
  t.match(late[0], { retain: true, body: { online: false, bdSeq: 1 } });
});

t.test('mqtts: the link trusts the broker by caFile and publishes over TLS', async (t) => {
  const broker = await startMosquitto(t, { tls: true });
  t.match(broker.url, /^mqtts:/);
  const seen = await observe(t, broker, 'cl/v1/box-1/event');
  const outbox = await boxOutbox(t);
  await outbox.create('event', event(1));
  startLink(t, broker, outbox);
  await until('the event over TLS', () => seen.length === 1);
  t.match(seen[0]!.body, { seq: 1 });
});

t.test('mqtts without the CA: the certificate is refused and nothing is sent', async (t) => {
  const broker = await startMosquitto(t, { tls: true });
  const outbox = await boxOutbox(t);
  await outbox.create('event', event(1));
  const lines: { msg: string; err?: string }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string; err?: string }) });
  const link = startLink(t, { ...broker, caFile: null }, outbox, logger);
  await until('the certificate refused', () => lines.some((l) => /failed/.test(l.msg) && /certificate/i.test(l.err ?? '')));
  t.equal(link.state, 'connecting');
  t.equal(outbox.stats().messages, 1, 'still waiting');
});
