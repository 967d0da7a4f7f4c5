import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { CountylineError } from '../errors.js';
import { postJson, untrustedReason } from './post-json.js';

// The one HTTP exchange of `countyline provision`, against a real loopback server: what
// arrives, and how a central that stalls or breaks off is reported. (Its TLS side, with real
// certificates: test/peers/provision-https.test.ts.)

async function server(t: Test, answer: (res: ServerResponse, body: string) => void) {
  const seen: { method: string; url: string; type: string | undefined; body: string }[] = [];
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, type: req.headers['content-type'], body });
      answer(res, body);
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    s.closeAllConnections();
    return new Promise<void>((resolve) => s.close(() => resolve()));
  });
  return { url: new URL(`http://127.0.0.1:${(s.address() as AddressInfo).port}/api/v1/enrol`), seen };
}

t.test('posts the JSON body and returns the status, text and a redirect target', async (t) => {
  const central = await server(t, (res) => res.writeHead(308, { location: 'https://central.example/api/v1/enrol' }).end('moved'));
  t.same(await postJson(central.url, { token: 'tok' }, { timeoutMs: 5000 }), { status: 308, text: 'moved', location: 'https://central.example/api/v1/enrol' });
  t.same(central.seen, [{ method: 'POST', url: '/api/v1/enrol', type: 'application/json', body: '{"token":"tok"}' }], 'not followed: one request');
});

t.test('a central that never answers, or stops halfway through its answer: no answer within the timeout', async (t) => {
  const silent = await server(t, () => {});
  const started = Date.now();
  await t.rejects(postJson(silent.url, { token: 'tok' }, { timeoutMs: 300 }), new CountylineError('central-unreachable', { url: silent.url.origin, detail: 'no answer within 0.3 s' }));
  t.ok(Date.now() - started < 5000, 'the timeout ends it');
  const halfway = await server(t, (res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"boxId":');
  });
  await t.rejects(postJson(halfway.url, { token: 'tok' }, { timeoutMs: 300 }), new CountylineError('central-unreachable', { url: halfway.url.origin, detail: 'no answer within 0.3 s' }));
});

t.test('a central whose answer is cut off: reported as not reached, not as an answer', async (t) => {
  const cut = await server(t, (res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"boxId":', () => res.socket?.destroy());
  });
  const err = await postJson(cut.url, { token: 'tok' }, { timeoutMs: 5000 }).then(
    () => null,
    (e: unknown) => e,
  );
  t.same(err, new CountylineError('central-unreachable', { url: cut.url.origin, detail: 'ECONNRESET' }));
});

t.test("which TLS failures say central's certificate is not trusted, and why", async (t) => {
  for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']) t.equal(untrustedReason(code), 'unknown-issuer', code);
  t.equal(untrustedReason('ERR_TLS_CERT_ALTNAME_INVALID'), 'wrong-name');
  t.equal(untrustedReason('CERT_HAS_EXPIRED'), 'expired');
  t.equal(untrustedReason('CERT_NOT_YET_VALID'), 'expired');
  for (const code of ['ECONNREFUSED', 'EPROTO', 'ECONNRESET', undefined]) t.equal(untrustedReason(code), null, `${code}: not about the certificate`);
});
