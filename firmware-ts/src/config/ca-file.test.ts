import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import t, { type Test } from 'tap';
import { CountylineError, EXIT } from '../errors.js';
import { CITY_CA } from '../../test-support/city-ca.js';
import { readCaFile } from './ca-file.js';

// The file given to `countyline provision --ca-file`, checked before the token is spent.
// The certificates were made once with openssl (EC P-256, valid to 2126); the reader does not
// look at dates, the TLS handshake does.

/** central's server certificate, signed by CITY_CA (CA:FALSE, DNS:central.city.example). */
const CENTRAL = `-----BEGIN CERTIFICATE-----
MIIBqTCCAU6gAwIBAgIUW2wlCz29TmwJPHf8yGs+PwHVUXQwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMQ2l0eSBUZXN0IENBMCAXDTI2MTIwMTIzNTk0MFoYDzIxMjYx
MTA3MjM1OTQwWjAfMR0wGwYDVQQDDBRjZW50cmFsLmNpdHkuZXhhbXBsZTBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABM3YeQayqAmLPzD6R+vj2hHbMKPxpccFesyD
sVf+Rrkhh0yffeFK1MTSjPKTK1GcPa2v1J4CiDEDXjAsiV9VpmijbjBsMAkGA1Ud
EwQCMAAwHwYDVR0RBBgwFoIUY2VudHJhbC5jaXR5LmV4YW1wbGUwHQYDVR0OBBYE
FGyZUJso7qumz6PhzertdcQcASvJMB8GA1UdIwQYMBaAFATCo4fUd7v09XK11ohE
UDkKRXKIMAoGCCqGSM49BAMCA0kAMEYCIQDBOEocBUnoPBKiyhZTfnQXgwSNowMl
M1vd1ILex2YuxAIhALLexVCv2RSpTDd1hYbVbIoMSfmOUlacTghMI/G90EZj
-----END CERTIFICATE-----`;

/** A server certificate signed by itself (CA:FALSE, IP:127.0.0.1): trusted as it is. */
const SELF_SIGNED = `-----BEGIN CERTIFICATE-----
MIIBjTCCATOgAwIBAgIUEuOrlYDnldLFTFFg2P+GMQFGWsQwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwMTIzNTk0MFoYDzIxMjYxMTA3
MjM1OTQwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAS3devvIwwTjMNKYx+E77Vf6J0nEIGPYhF7m/e8EsNNJWvVT6fyglk2
gnEIaPPcwthdNQ4tatBo3C34nf6E6cGYo2EwXzAdBgNVHQ4EFgQU7ZwB89Q5XkYx
QKzu5dJcEzuUAc8wHwYDVR0jBBgwFoAU7ZwB89Q5XkYxQKzu5dJcEzuUAc8wDAYD
VR0TAQH/BAIwADAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUCIGJt
err97ktCzI1ZOGNiC6Kq28fK+08krIkYC4jVjSPwAiEAp0q+fS/aYkM6RetyGm4w
VpvQ4FIDoydyHbvLHpc2pmw=
-----END CERTIFICATE-----`;

async function file(t: Test, content: string | null, name = 'ca.pem') {
  const dir = await mkdtemp(join(tmpdir(), 'cl-ca-file-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  if (content !== null) await writeFile(path, content);
  return { dir, path };
}

async function refusal(t: Test, path: string): Promise<CountylineError<'ca-file-unusable'>> {
  const err = await readCaFile(path).then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(err instanceof CountylineError, 'a coded error');
  const e = err as CountylineError<'ca-file-unusable'>;
  t.equal(e.code, 'ca-file-unusable');
  t.equal(e.exitCode, EXIT.usage);
  return e;
}

const HINT = "; give the PEM file of the CA that signed central's certificate (the city's own CA). The enrolment token was not used.";

t.test("a CA's PEM file: its certificate, and the absolute path for the config", async (t) => {
  const { path } = await file(t, `${CITY_CA}\n`);
  const given = relative(process.cwd(), path);
  t.not(given, path, 'given relative to the working directory');
  t.same(await readCaFile(given), { path, certificates: [CITY_CA] });
});

t.test('a bundle as openssl prints it: text between blocks and a key are left out, every certificate kept', async (t) => {
  const key = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----';
  const { path } = await file(t, `subject=CN = central.city.example\r\n${CENTRAL.replaceAll('\n', '\r\n')}\r\n${key}\nsubject=CN = City Test CA\n${CITY_CA}\n`);
  const read = await readCaFile(path);
  t.equal(read.certificates.length, 2);
  t.equal(read.certificates[1], CITY_CA);
  t.match(read.certificates[0], /^-----BEGIN CERTIFICATE-----\r\n[\s\S]*-----END CERTIFICATE-----$/);
});

t.test('a self-signed server certificate is taken: TLS trusts it as it is', async (t) => {
  const { path } = await file(t, SELF_SIGNED);
  t.same((await readCaFile(path)).certificates, [SELF_SIGNED]);
});

t.test('a missing file, or a folder: cannot read it, with the reason', async (t) => {
  const { dir, path } = await file(t, null);
  const missing = await refusal(t, path);
  t.equal(missing.message, `--ca-file ${path}: cannot read it (ENOENT)${HINT}`);
  t.equal(missing.text('zh'), `--ca-file ${path}: 无法读取 (ENOENT); 请指定签发中心证书的根证书 (市里自建的根证书) 的 PEM 文件。注册令牌未被使用。`);
  t.equal((await refusal(t, dir)).message, `--ca-file ${dir}: cannot read it (EISDIR)${HINT}`);
});

t.test('no certificate in it: garbage, an empty file, a key alone', async (t) => {
  for (const content of ['this is the password list, not a CA\n', '', '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n', CITY_CA.replace('BEGIN CERTIFICATE', 'BEGIN X509 CRL')]) {
    const { path } = await file(t, content);
    t.equal((await refusal(t, path)).message, `--ca-file ${path}: it holds no PEM certificate (-----BEGIN CERTIFICATE-----)${HINT}`, JSON.stringify(content.slice(0, 30)));
  }
});

t.test('a damaged certificate is named by its place in the file', async (t) => {
  const cut = CENTRAL.split('\n');
  const { path } = await file(t, `${CITY_CA}\n${[...cut.slice(0, 4), ...cut.slice(-1)].join('\n')}\n`);
  const e = await refusal(t, path);
  t.equal(e.message, `--ca-file ${path}: its certificate 2 is damaged${HINT}`);
  t.match(e.text('zh'), /其中第 2 个证书已损坏/);
});

t.test("central's own certificate given for the CA: refused, naming it", async (t) => {
  const { path } = await file(t, CENTRAL, 'central.pem');
  t.equal((await refusal(t, path)).message, `--ca-file ${path}: it holds a server's certificate (CN=central.city.example), not a CA's${HINT}`);
  const { path: withCa } = await file(t, `${CENTRAL}\n${CITY_CA}\n`, 'chain.pem');
  t.equal((await readCaFile(withCa)).certificates.length, 2, "the server's chain with its CA is taken");
});
