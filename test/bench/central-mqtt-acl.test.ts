// Issue 9 "done when": central's access control tried with Debian's mosquitto-clients
// (mosquitto_pub / mosquitto_sub, MQTT 3.1.1) against the embedded broker: a box's
// credentials cannot publish as another box, cannot read another box's commands or $SYS; a
// wrong password is refused; garbage from an authenticated box is rejected and counted while
// another box's data keeps arriving.
import t, { type Test } from 'tap';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '@countyline/firmware/telemetry';
import { startTestCentral } from '../../control-plane/test-support/start-test-central.js';
import { alarmRecord, cdr, header } from '../../control-plane/test-support/box-messages.js';
import { counterValue } from '../../control-plane/test-support/capture-log.js';

for (const tool of ['mosquitto_pub', 'mosquitto_sub']) {
  if (spawnSync(tool, ['--help']).error) throw new Error(`${tool} not found: install Debian's mosquitto-clients (apt-get install mosquitto-clients, or npm run setup)`);
}

type Box = 'box-a' | 'box-b';
type Result = { code: number; stdout: string; stderr: string };

/** Runs a mosquitto client to its end (10 s at most). */
function run(tool: string, args: string[]): Promise<Result> {
  return new Promise((resolve) =>
    execFile(tool, args, { timeout: 10_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr })),
  );
}

async function setup(t: Test) {
  const c = await startTestCentral(t);
  t.teardown(c.close);
  const as = (box: Box, password = c.passwords[box]) => ['-h', '127.0.0.1', '-p', String(c.central.port), '-V', 'mqttv311', '-i', box, '-u', box, '-P', password];
  const refused = (reason: string) => counterValue(c.registry, 'countyline_central_mqtt_refused_total', { reason });
  return { c, as, refused };
}

t.test('a wrong password is refused at CONNACK', async (t) => {
  const { as, refused } = await setup(t);
  const r = await run('mosquitto_pub', [...as('box-a', 'not-the-password'), '-t', 'cl/v1/box-a/cdr', '-m', JSON.stringify(cdr(1)), '-q', '1']);
  t.not(r.code, 0);
  t.match(r.stderr, /Connection Refused: bad user name or password/);
  t.equal(await refused('bad-credentials'), 1);
});

t.test("box-a's credentials cannot publish as box-b: the messages reach neither box-b nor the store", async (t) => {
  const { c, as, refused } = await setup(t);
  // box-b listens to its commands; -C 1: it ends after the first message it gets. stdbuf -oL:
  // its output line by line, to see the SUBACK before it ends.
  const sub = spawn('stdbuf', ['-oL', 'mosquitto_sub', ...as('box-b'), '-t', 'cl/v1/box-b/cmd/+', '-q', '1', '-v', '-C', '1', '-d']);
  t.teardown(() => sub.kill());
  let out = '';
  sub.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const ended = new Promise<number | null>((resolve) => sub.once('exit', resolve));
  const deadline = Date.now() + 10_000;
  while (!out.includes('Subscribed (mid: 1): 1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.match(out, /Subscribed \(mid: 1\): 1/, 'box-b is subscribed to its own commands');

  const forgedCommand = await run('mosquitto_pub', [...as('box-a'), '-t', 'cl/v1/box-b/cmd/block', '-m', JSON.stringify({ v: SCHEMA_VERSION, id: 'forged', ts: 1, cic: 1 }), '-q', '1']);
  t.match(forgedCommand.stderr, /connection was lost/, 'the broker drops box-a for a command to box-b');
  const forgedAlarm = await run('mosquitto_pub', [...as('box-a'), '-t', 'cl/v1/box-b/alarm', '-m', JSON.stringify({ ...header(1), change: 'raised', alarm: alarmRecord() }), '-q', '1']);
  t.match(forgedAlarm.stderr, /connection was lost/, "and for an alarm in box-b's name");
  t.equal(await refused('not-own-topic'), 2);

  // The real command from central is the first and only message box-b gets.
  await c.central.boxLink.sendCommand('box-b', 'block', { v: SCHEMA_VERSION, id: 'real', ts: 2, cic: 7 });
  t.equal(await ended, 0);
  const messages = out.split('\n').filter((l) => l.startsWith('cl/v1/'));
  t.same(
    messages.map((l) => [l.split(' ')[0], JSON.parse(l.slice(l.indexOf(' ') + 1)).id]),
    [['cl/v1/box-b/cmd/block', 'real']],
  );
  t.same(await c.store.listAlarms({ boxId: 'box-b' }), [], 'no alarm stored for box-b');
});

t.test("box-a cannot subscribe to box-b's commands, to every box's, or to $SYS: SUBACK 0x80", async (t) => {
  const { as, refused } = await setup(t);
  for (const filter of ['cl/v1/box-b/cmd/+', 'cl/v1/+/cmd/+', '$SYS/#']) {
    const r = await run('mosquitto_sub', [...as('box-a'), '-t', filter, '-q', '1', '-W', '3', '-d']);
    t.match(r.stdout, /Subscribed \(mid: 1\): 128/, `${filter}: the SUBACK says 128 (failure, MQTT 3.1.1 3.9.3)`);
    t.match(r.stderr, /All subscription requests were denied/, filter);
  }
  t.equal(await refused('not-own-topic'), 2);
  t.equal(await refused('sys-topic'), 1);
  const own = await run('mosquitto_sub', [...as('box-a'), '-t', 'cl/v1/box-a/cmd/+', '-q', '1', '-W', '1', '-d']);
  t.match(own.stdout, /Subscribed \(mid: 1\): 1/, 'its own commands it gets');
});

t.test("garbage from an authenticated box is rejected and counted; the other box's data keeps arriving", async (t) => {
  const { c, as } = await setup(t);
  for (const garbage of ['not json at all', '{"v":1}', JSON.stringify({ ...cdr(1), v: 99 })]) {
    const r = await run('mosquitto_pub', [...as('box-a'), '-t', 'cl/v1/box-a/cdr', '-m', garbage, '-q', '1']);
    t.equal(r.code, 0, 'acknowledged (so the box does not send it forever) but not stored');
  }
  t.equal(await counterValue(c.registry, 'countyline_central_rejected_total', { reason: 'not-json' }), 1);
  t.equal(await counterValue(c.registry, 'countyline_central_rejected_total', { reason: 'schema' }), 2);
  t.same(await c.store.searchCdrs({ boxId: 'box-a' }), []);
  const good = await run('mosquitto_pub', [...as('box-b'), '-t', 'cl/v1/box-b/cdr', '-m', JSON.stringify(cdr(1, 'b-call')), '-q', '1']);
  t.equal(good.code, 0);
  t.same((await c.store.searchCdrs({ boxId: 'box-b' })).map((r) => r.id), ['b-call'], "box-b's CDR is stored (the PUBACK came after the store)");
  const again = await run('mosquitto_pub', [...as('box-a'), '-t', 'cl/v1/box-a/cdr', '-m', JSON.stringify(cdr(2, 'a-call')), '-q', '1']);
  t.equal(again.code, 0);
  t.same((await c.store.searchCdrs({ boxId: 'box-a' })).map((r) => r.id), ['a-call'], 'and box-a, once it sends something valid');
});

t.test('with a key and certificate the broker speaks MQTT over TLS only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'central-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=central', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
  t.equal(made.status, 0, `openssl made a certificate: ${made.stderr}`);
  const c = await startTestCentral(t, { tls: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) } });
  t.teardown(c.close);
  const as = (box: Box) => ['-h', '127.0.0.1', '-p', String(c.central.port), '-V', 'mqttv311', '-i', box, '-u', box, '-P', c.passwords[box]];
  const secure = await run('mosquitto_pub', [...as('box-a'), '--cafile', join(dir, 'cert.pem'), '-t', 'cl/v1/box-a/cdr', '-m', JSON.stringify(cdr(1, 'over-tls')), '-q', '1']);
  t.equal(secure.code, 0, secure.stderr);
  t.same((await c.store.searchCdrs({ boxId: 'box-a' })).map((r) => r.id), ['over-tls']);
  const plain = await run('mosquitto_pub', [...as('box-a'), '-t', 'cl/v1/box-a/cdr', '-m', JSON.stringify(cdr(2, 'in-clear')), '-q', '1']);
  t.not(plain.code, 0, 'plain MQTT gets nowhere');
  t.equal((await c.store.searchCdrs({ boxId: 'box-a' })).length, 1);
});
