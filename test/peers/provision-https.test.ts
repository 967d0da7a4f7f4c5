// `countyline provision --ca-file` against a central whose certificates a city's own CA
// signed, the CA and certificates made by the real openssl in a temp folder. The CLI runs as
// its own process, as a technician runs it.
//
// First a small node:https server answering `POST /api/v1/enrol` as central does
// (control-plane/src/api/enrol-route.ts): central's own API speaks plain HTTP, TLS in front of
// it is the city's (a reverse proxy). Then the real central, its broker on mqtts with the
// city-signed certificate and its API behind such a TLS proxy: the CA file provision writes
// into the config is what lets the box's MQTT link trust the broker.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { FIRMWARE_CLI, waitFor } from '../../scripts/lib/bench-rig.mjs';
import { startCentral } from '../../scripts/lib/central-rig.mjs';
import { loadConfig } from '../../firmware-ts/src/config/load-config.js';
import { Backoff } from '../../firmware-ts/src/telemetry/backoff.js';
import { MqttLink } from '../../firmware-ts/src/telemetry/mqtt-link.js';
import { Outbox } from '../../firmware-ts/src/telemetry/outbox.js';

const BOX_CONFIG = { card: { path: '/dev/ttyS1' }, dataDir: 'data', control: { socket: 'control.sock' } };
const NOT_USED = 'The enrolment token was not used.';

function openssl(dir: string, args: string[]): void {
  const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error('openssl is not installed (needed to make the test CA and certificates): apt-get install openssl');
  if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (${run.status ?? run.error?.message}): ${run.stderr}`);
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A CA as a city runs one: `<name>.pem` and `<name>.key` in `dir`. */
function makeCa(dir: string, name: string, commonName: string): void {
  openssl(dir, ['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${commonName}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/** A server certificate for `names` (subjectAltName syntax) signed by the CA `ca`: `<name>.pem`, `<name>.key`. */
async function makeServerCert(dir: string, ca: string, name: string, names: string): Promise<{ key: Buffer; cert: Buffer; keyFile: string; certFile: string }> {
  openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=countyline central']);
  await writeFile(join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${names}\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.pem`);
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), keyFile, certFile };
}

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cl-provision-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function listen(t: Test, server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

/** Answers the enrolment route as central does: each token once, then 410 enrolment-used. */
async function httpsCentral(t: Test, tls: { key: Buffer; cert: Buffer }, tokens: Record<string, string>) {
  const requests: { route: string; token: unknown }[] = [];
  const used = new Set<string>();
  const server = createServer(tls, (req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const token = (JSON.parse(text) as { token?: unknown }).token;
      requests.push({ route: `${req.method} ${req.url}`, token });
      const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method !== 'POST' || req.url !== '/api/v1/enrol') return reply(404, { error: 'not-found', message: 'no such route' });
      const boxId = typeof token === 'string' && Object.hasOwn(tokens, token) ? tokens[token]! : null;
      if (boxId === null) return reply(401, { error: 'enrolment-unknown', message: 'this enrolment token is not known' });
      if (used.has(boxId)) return reply(410, { error: 'enrolment-used', message: 'this enrolment token was already used' });
      used.add(boxId);
      reply(200, { boxId, mqtt: { url: 'mqtts://central.city.example:8883', username: boxId, password: `pw-${boxId}` } });
    });
  });
  const port = await listen(t, server);
  return { port, requests };
}

/** A TLS-terminating proxy in front of central's plain HTTP API, as a city puts one. */
async function tlsProxy(t: Test, tls: { key: Buffer; cert: Buffer }, upstream: string): Promise<number> {
  const server = createServer(tls, (req, res) => {
    const forward = httpRequest(new URL(req.url!, upstream), { method: req.method, headers: req.headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', (err) => res.writeHead(502).end(err.message));
    req.pipe(forward);
  });
  return listen(t, server);
}

/** `countyline <args>` as its own process in `cwd`, in English unless --lang says otherwise; killed at the test's end. */
async function countyline(t: Test, cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // No NODE_EXTRA_CA_CERTS or locale from the environment running the tests.
  const child = spawn(process.execPath, [FIRMWARE_CLI, ...args], { cwd, env: { PATH: process.env.PATH, LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

t.test('provision over https: trusted by --ca-file only, refused clearly otherwise, the token kept until it works', async (t) => {
  const dir = await tempDir(t);
  makeCa(dir, 'city-ca', 'Countyline test city CA');
  makeCa(dir, 'other-ca', 'Some other CA');
  const central = await httpsCentral(t, await makeServerCert(dir, 'city-ca', 'central', 'IP:127.0.0.1,DNS:localhost'), { 'tok-north': 'north-1', 'tok-south': 'south-1' });
  const misnamed = await httpsCentral(t, await makeServerCert(dir, 'city-ca', 'misnamed', 'DNS:central.city.example'), { 'tok-north': 'north-1' });
  await writeFile(join(dir, 'garbage.pem'), 'this is the ticket text, not a certificate\n');
  const config = join(dir, 'config.json');
  const before = `${JSON.stringify(BOX_CONFIG, null, 2)}\n`;
  await writeFile(config, before);
  const at = `https://127.0.0.1:${central.port}`;
  const provision = (...args: string[]) => countyline(t, dir, ['provision', '--central', at, '--token', 'tok-north', '--config', config, ...args]);

  await t.test('without --ca-file: not trusted, and how to trust it', async (t) => {
    const run = await provision();
    t.equal(run.code, 1);
    t.equal(
      run.stderr,
      `countyline: central's TLS certificate at ${at} is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): no CA known to this box signed it. If the city signs central's certificate with its own CA, pass --ca-file <that CA's PEM file>. ${NOT_USED}\n`,
    );
    const zh = await provision('--lang', 'zh');
    t.equal(zh.code, 1);
    t.match(zh.stderr, /的 TLS 证书不受信任 \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): 本机已知的根证书均未签发它。.*--ca-file .*注册令牌未被使用。\n$/);
  });

  await t.test('with the CA file of another CA: not trusted, and that this CA did not sign it', async (t) => {
    const run = await provision('--ca-file', 'other-ca.pem');
    t.equal(run.code, 1);
    t.equal(
      run.stderr,
      `countyline: central's TLS certificate at ${at} is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): the CA in ${join(dir, 'other-ca.pem')} did not sign it. Give --ca-file the CA that signed this central's certificate. ${NOT_USED}\n`,
    );
  });

  await t.test('with a file that is no certificate, or is missing: the CA file is unusable', async (t) => {
    const garbage = await provision('--ca-file', 'garbage.pem');
    t.equal(garbage.code, 2);
    t.equal(garbage.stderr, `countyline: --ca-file garbage.pem: it holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the PEM file of the CA that signed central's certificate (the city's own CA). ${NOT_USED}\n`);
    const zh = await provision('--ca-file', 'garbage.pem', '--lang', 'zh');
    t.equal(zh.stderr, 'countyline: --ca-file garbage.pem: 文件中没有 PEM 格式的证书; 请指定签发中心证书的根证书 (市里自建的根证书) 的 PEM 文件。注册令牌未被使用。\n');
    const missing = await provision('--ca-file', 'city-ca.pem.missing');
    t.equal(missing.code, 2);
    t.match(missing.stderr, /^countyline: --ca-file city-ca\.pem\.missing: cannot read it \(ENOENT\); /);
  });

  await t.test('the right CA, but a certificate made out for another name: says which', async (t) => {
    const wrong = `https://127.0.0.1:${misnamed.port}`;
    const run = await countyline(t, dir, ['provision', '--central', wrong, '--token', 'tok-north', '--ca-file', 'city-ca.pem', '--config', config]);
    t.equal(run.code, 1);
    t.equal(
      run.stderr,
      `countyline: central's TLS certificate at ${wrong} is not made out for that address (ERR_TLS_CERT_ALTNAME_INVALID; it is for DNS:central.city.example); give --central the name or address the certificate holds. ${NOT_USED}\n`,
    );
  });

  t.same(central.requests, [], 'no refused run reached the enrolment route');
  t.same(misnamed.requests, []);
  t.equal(await readFile(config, 'utf8'), before, 'nor changed the config');

  await t.test("with the city's CA: enrolled, the CA file written as central.caFile", async (t) => {
    const run = await provision('--ca-file', 'city-ca.pem');
    t.equal(run.code, 0, run.stderr);
    t.equal(
      run.stdout,
      `box north-1 is enrolled with central (broker mqtts://central.city.example:8883); its credentials are in ${config}. Restart the firmware to connect.\n` +
        `central.caFile is ${join(dir, 'city-ca.pem')}: the box trusts central's broker (mqtts) by the same CA.\n`,
    );
    t.same(central.requests, [{ route: 'POST /api/v1/enrol', token: 'tok-north' }], 'the token the refused runs carried, spent once now');
    t.same(JSON.parse(await readFile(config, 'utf8')), {
      ...BOX_CONFIG,
      central: { caFile: join(dir, 'city-ca.pem'), url: 'mqtts://central.city.example:8883', boxId: 'north-1', password: 'pw-north-1' },
    });
    const loaded = await loadConfig(config);
    t.equal(loaded.central?.caFile, join(dir, 'city-ca.pem'), 'the firmware reads it as written');
  });

  await t.test('by its DNS name too (localhost), with --json', async (t) => {
    const run = await countyline(t, dir, ['provision', '--central', `https://localhost:${central.port}`, '--token', 'tok-south', '--ca-file', join(dir, 'city-ca.pem'), '--config', config, '--json']);
    t.equal(run.code, 0, run.stderr);
    t.same(JSON.parse(run.stdout), { boxId: 'south-1', mqttUrl: 'mqtts://central.city.example:8883', config, caFile: join(dir, 'city-ca.pem') });
  });
});

t.test("the real central behind the city's TLS: the CA file provision writes is what the MQTT link trusts its broker by", async (t) => {
  const dir = await tempDir(t);
  makeCa(dir, 'city-ca', 'Countyline test city CA');
  const tls = await makeServerCert(dir, 'city-ca', 'central', 'IP:127.0.0.1,DNS:localhost');
  const central = await startCentral({ args: ['--tls-key', tls.keyFile, '--tls-cert', tls.certFile] });
  t.teardown(() => central.stop());
  t.match(central.mqttUrl, /^mqtts:\/\/127\.0\.0\.1:\d+$/, "central's broker speaks TLS with the city's certificate");
  const proxyPort = await tlsProxy(t, tls, central.httpUrl);
  await central.api('POST', '/api/v1/sites', { id: 'north', name: 'North county hotline office', county: 'North' });
  const { enrolmentToken } = await central.api('POST', '/api/v1/boxes', { id: 'north-1', site: 'north', name: 'North box 1' });

  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify(BOX_CONFIG));
  const run = await countyline(t, dir, ['provision', '--central', `https://127.0.0.1:${proxyPort}`, '--token', enrolmentToken, '--ca-file', 'city-ca.pem', '--config', config]);
  t.equal(run.code, 0, run.stderr);
  const { central: settings } = await loadConfig(config);
  t.match(settings, { url: central.mqttUrl, boxId: 'north-1', caFile: join(dir, 'city-ca.pem') });

  const outbox = await Outbox.open({ file: join(dir, 'outbox.jsonl'), boxId: 'north-1', maxBytes: 1 << 20, clock: systemClock, logger: pino({ level: 'silent' }) });
  t.teardown(() => outbox.close());
  const link = (caFile: string | undefined, logs: { msg: string; err?: string }[] = []) => {
    const logger = pino({ level: 'warn' }, { write: (line: string) => logs.push(JSON.parse(line) as { msg: string; err?: string }) });
    const l = new MqttLink({ url: settings!.url, boxId: settings!.boxId, password: settings!.password, ...(caFile ? { caFile } : {}), outbox, clock: systemClock, logger, backoff: new Backoff({ baseMs: 100, capMs: 500 }) });
    t.teardown(() => l.stop());
    l.start();
    return l;
  };

  // Without the CA file the broker's certificate is refused: the CA file is what makes the difference.
  const refusedLogs: { msg: string; err?: string }[] = [];
  const untrusting = link(undefined, refusedLogs);
  const refused = await waitFor('the link without the CA file to fail its TLS handshake', () => refusedLogs.find((l) => l.msg === 'telemetry: connection to central failed'), 20_000);
  t.match(refused.err, /unable to verify the first certificate/);
  t.equal(untrusting.state, 'connecting', 'not connected');
  untrusting.stop();

  const trusting = link(settings!.caFile);
  await waitFor('the link with central.caFile connected', () => trusting.state === 'connected', 20_000);
  const box = await waitFor('central to show the box online', async (seen) => seen(await central.api('GET', '/api/v1/boxes/north-1')).online === true, 20_000);
  t.ok(box, 'central shows the box online');
});
