import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import t, { type Test } from 'tap';
import { main, type CliIo } from '../cli/cli.js';
import { CountylineError } from '../errors.js';
import { provision } from './provision.js';
import { CITY_CA } from '../../test-support/city-ca.js';

// `countyline provision` against a real HTTP server that answers as central's enrolment
// route does (control-plane/src/api/enrol-route.ts): the codes it refuses with, and the
// credentials it hands out.

const CREDENTIALS = { boxId: 'north-1', mqtt: { url: 'mqtts://central.example:8883', username: 'north-1', password: 'pw-0123456789' } };

const ANSWERS: Record<string, [number, unknown]> = {
  good: [200, CREDENTIALS],
  used: [410, { error: 'enrolment-used', message: 'this enrolment token was already used; ...' }],
  expired: [410, { error: 'enrolment-expired', message: 'this enrolment token has expired; ...' }],
  unknown: [401, { error: 'enrolment-unknown', message: 'this enrolment token is not known; ...' }],
  busy: [429, { error: 'rate-limited', message: 'too many requests from this address; try again in 10 s' }],
  odd: [200, { boxId: 'north-1' }],
};

async function fakeCentral(t: Test) {
  const requests: { url: string; body: unknown }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as { token: string };
      requests.push({ url: `${req.method} ${req.url}`, body });
      if (body.token === 'moved') return void res.writeHead(301, { location: 'https://central.example/api/v1/enrol' }).end();
      const [status, answer] = ANSWERS[body.token] ?? [500, { error: 'internal', message: 'central failed to answer; its log has the details' }];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const BOX_CONFIG = { card: { path: '/dev/ttyS1' }, dataDir: '/var/lib/countyline', control: { socket: '/run/countyline/control.sock' }, central: { caFile: '/etc/countyline/ca.pem' } };

async function configFile(t: Test, content = `${JSON.stringify(BOX_CONFIG, null, 2)}\n`) {
  const dir = await mkdtemp(join(tmpdir(), 'provision-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'config.json');
  await writeFile(path, content, { mode: 0o644 });
  return path;
}

function cli() {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
    env: { LANG: 'C' },
    connect: () => {
      throw new Error('provision must not need the firmware');
    },
    runFirmware: async () => {
      throw new Error('not in this test');
    },
    now: () => 0,
    sleep: async () => {},
  };
  return { out, run: (...argv: string[]) => main(argv, io) };
}

t.test('the token buys credentials, written into the central section; other keys stay; mode 0600', async (t) => {
  const central = await fakeCentral(t);
  const path = await configFile(t);
  const { out, run } = cli();
  t.equal(await run('provision', '--central', central.url, '--token', 'good', '--config', path), 0);
  t.same(central.requests, [{ url: 'POST /api/v1/enrol', body: { token: 'good' } }]);
  t.same(JSON.parse(await readFile(path, 'utf8')), {
    ...BOX_CONFIG,
    central: { caFile: '/etc/countyline/ca.pem', url: 'mqtts://central.example:8883', boxId: 'north-1', password: 'pw-0123456789' },
  });
  t.equal((await stat(path)).mode & 0o777, 0o600, 'the password is readable by the owner only');
  t.equal(out.stdout, `box north-1 is enrolled with central (broker mqtts://central.example:8883); its credentials are in ${path}. Restart the firmware to connect.\n`);
  t.notMatch(out.stdout, /pw-0123456789/, 'the password is not printed');
});

t.test('--json and --lang zh; a central under a path prefix', async (t) => {
  const central = await fakeCentral(t);
  const path = await configFile(t, '{"card": {"path": "/dev/ttyS1"}}');
  const json = cli();
  t.equal(await json.run('provision', '--central', `${central.url}/central/`, '--token', 'good', '--config', path, '--json'), 0);
  t.same(JSON.parse(json.out.stdout), { boxId: 'north-1', mqttUrl: 'mqtts://central.example:8883', config: path });
  t.equal(central.requests[0]!.url, 'POST /central/api/v1/enrol');
  t.same(JSON.parse(await readFile(path, 'utf8')).central, { url: 'mqtts://central.example:8883', boxId: 'north-1', password: 'pw-0123456789' }, 'the section is created');
  const zh = cli();
  t.equal(await zh.run('provision', '--central', central.url, '--token', 'good', '--config', path, '--lang', 'zh'), 0);
  t.match(zh.out.stdout, /^本机 north-1 已在中心注册/);
});

t.test("each of central's refusals: a clear error in the reader's language, the config untouched", async (t) => {
  const central = await fakeCentral(t);
  const path = await configFile(t);
  const before = await readFile(path, 'utf8');
  const cases: [string, number, string, RegExp][] = [
    ['used', 2, 'countyline: this enrolment token was already used; ask central for a new one for this box\n', /此注册令牌已被使用/],
    ['expired', 2, 'countyline: this enrolment token has expired; ask central for a new one for this box\n', /此注册令牌已过期/],
    ['unknown', 2, 'countyline: central does not know this enrolment token; check it was copied whole, or ask central for a new one\n', /中心不认识此注册令牌/],
    ['busy', 1, `countyline: central at ${central.url} did not enrol this box (HTTP 429: too many requests from this address; try again in 10 s)\n`, /未能为本机注册 \(状态码 429/],
    ['broken', 1, `countyline: central at ${central.url} did not enrol this box (HTTP 500: central failed to answer; its log has the details)\n`, /状态码 500/],
    ['odd', 1, `countyline: central at ${central.url} did not enrol this box (HTTP 200: the answer is not an enrolment: {"boxId":"north-1"})\n`, /状态码 200/],
    ['moved', 1, `countyline: central at ${central.url} did not enrol this box (HTTP 301: redirected to https://central.example/api/v1/enrol; give --central the address central answers at)\n`, /状态码 301/],
  ];
  for (const [token, exit, en, zh] of cases) {
    const a = cli();
    t.equal(await a.run('provision', '--central', central.url, '--token', token, '--config', path), exit, token);
    t.equal(a.out.stderr, en);
    const b = cli();
    await b.run('provision', '--central', central.url, '--token', token, '--config', path, '--lang', 'zh');
    t.match(b.out.stderr, zh);
  }
  t.equal(await readFile(path, 'utf8'), before);
});

t.test('central unreachable: says where it tried and that the token is still good', async (t) => {
  const central = await fakeCentral(t);
  const path = await configFile(t);
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const { out, run } = cli();
  t.equal(await run('provision', '--central', `http://127.0.0.1:${port}`, '--token', 'good', '--config', path), 1);
  t.equal(out.stderr, `countyline: cannot reach central at http://127.0.0.1:${port} (ECONNREFUSED); check the address given to --central and the box's network. The enrolment token was not used.\n`);
  t.equal(central.requests.length, 0);
});

t.test('a config that cannot be written: refused before the token is spent, or said to be spent', async (t) => {
  const central = await fakeCentral(t);
  const path = await configFile(t);
  const before = await readFile(path, 'utf8');
  const readOnly = Object.assign(new Error('read-only file system'), { code: 'EROFS' });
  await t.rejects(
    provision({ central: central.url, token: 'good', configPath: path, access: async () => Promise.reject(readOnly) }),
    new CountylineError('config-unwritable', { file: path, detail: 'EROFS', tokenUsed: false }),
  );
  t.equal(central.requests.length, 0, 'central was not asked: the token still works');

  await t.rejects(
    provision({ central: central.url, token: 'good', configPath: path, ops: { rename: async () => Promise.reject(readOnly) } }),
    new CountylineError('config-unwritable', { file: path, detail: 'EROFS', tokenUsed: true }),
  );
  t.equal(central.requests.length, 1);
  t.equal(await readFile(path, 'utf8'), before, 'the old config is intact');
  t.match(new CountylineError('config-unwritable', { file: path, detail: 'EROFS', tokenUsed: true }).message, /ask central for a new one before trying again/);
});

t.test('usage: a missing option, a URL that is not http(s), a config that is missing or not JSON', async (t) => {
  const central = await fakeCentral(t);
  const path = await configFile(t);
  const missing = cli();
  t.equal(await missing.run('provision', '--central', central.url, '--config', path), 2);
  t.match(missing.out.stderr, /^countyline: provision needs --central <url> and --token <token>\n/);
  const ftp = cli();
  t.equal(await ftp.run('provision', '--central', 'ftp://central.example', '--token', 'good', '--config', path), 2);
  t.match(ftp.out.stderr, /^countyline: --central ftp:\/\/central\.example: use central's address, http\(s\):\/\/host\[:port\]/);
  const none = cli();
  t.equal(await none.run('provision', '--central', central.url, '--token', 'good', '--config', `${path}.missing`), 2);
  t.equal(none.out.stderr, `countyline: config ${path}.missing: no such file; pass --config <file>\n`);
  const garbled = await configFile(t, '{"card": ');
  const bad = cli();
  t.equal(await bad.run('provision', '--central', central.url, '--token', 'good', '--config', garbled), 2);
  t.match(bad.out.stderr, /not valid JSON/);
  t.equal(central.requests.length, 0, 'no token was spent on any of these');
});

// The CA itself, and central's TLS with it, are in ca-file.test.ts and
// test/peers/provision-https.test.ts; here, what --ca-file does to the config.
t.test('--ca-file: written as central.caFile, absolute, in place of the one before; said in the output', async (t) => {
  const central = await fakeCentral(t);
  const path = await configFile(t);
  const ca = join(path, '..', 'city-ca.pem');
  await writeFile(ca, `${CITY_CA}\n`);
  const given = relative(process.cwd(), ca);
  const { out, run } = cli();
  // Over http the CA is not needed for enrolment, but the broker it hands out may be mqtts.
  t.equal(await run('provision', '--central', central.url, '--token', 'good', '--ca-file', given, '--config', path), 0);
  t.same(JSON.parse(await readFile(path, 'utf8')).central, { caFile: ca, url: 'mqtts://central.example:8883', boxId: 'north-1', password: 'pw-0123456789' });
  t.equal(out.stdout.split('\n')[1], `central.caFile is ${ca}: the box trusts central's broker (mqtts) by the same CA.`);
  const json = cli();
  t.equal(await json.run('provision', '--central', central.url, '--token', 'good', '--ca-file', ca, '--config', path, '--json'), 0);
  t.same(JSON.parse(json.out.stdout), { boxId: 'north-1', mqttUrl: 'mqtts://central.example:8883', config: path, caFile: ca });
});

t.test('--ca-file that is not a CA file: refused before the token is spent, the config untouched', async (t) => {
  const central = await fakeCentral(t);
  const path = await configFile(t);
  const before = await readFile(path, 'utf8');
  const garbage = join(path, '..', 'notes.txt');
  await writeFile(garbage, 'not a certificate\n');
  for (const [file, why] of [[garbage, 'it holds no PEM certificate'], [`${garbage}.missing`, 'cannot read it (ENOENT)']] as const) {
    const { out, run } = cli();
    t.equal(await run('provision', '--central', central.url, '--token', 'good', '--ca-file', file, '--config', path), 2);
    t.match(out.stderr, `countyline: --ca-file ${file}: ${why}`);
    t.match(out.stderr, /The enrolment token was not used\.\n$/);
    const zh = cli();
    await zh.run('provision', '--central', central.url, '--token', 'good', '--ca-file', file, '--config', path, '--lang', 'zh');
    t.match(zh.out.stderr, /注册令牌未被使用。\n$/);
  }
  t.equal(central.requests.length, 0, 'central was not asked');
  t.equal(await readFile(path, 'utf8'), before);
});
