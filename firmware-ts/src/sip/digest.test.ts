import { FakeClock } from '@countyline/e1-gateway';
import t from 'tap';
import { challengeText, DigestAuth, digestResponse, type Credentials } from './digest.js';

// RFC 7616 section 3.9.1: the worked example, an oracle independent of this code.
const rfc = {
  username: 'Mufasa',
  realm: 'http-auth@example.org',
  password: 'Circle of Life',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  nc: '00000001',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  qop: 'auth' as const,
};

t.test('RFC 7616 3.9.1 example: the MD5 and SHA-256 responses', async (t) => {
  t.equal(digestResponse({ ...rfc, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
  t.equal(digestResponse({ ...rfc, algorithm: 'SHA-256' }), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
});

const REALM = 'box.example';
const users: Record<string, string> = { alice: 'wonderland' };
const password = (u: string) => users[u];

function setup(ttl = 300_000) {
  const clock = new FakeClock(1_700_000_000_000);
  const auth = new DigestAuth({ realm: REALM, nonceTtlMs: ttl, clock });
  const challenge = auth.challenges().map(challengeText);
  const nonce = /nonce="([^"]+)"/.exec(challenge[0]!)![1]!;
  /** Credentials as a phone computes them from the challenge. */
  const answer = (over: Partial<Credentials & { password: string; algorithm: 'MD5' | 'SHA-256' }> = {}): Credentials => {
    const d = { algorithm: over.algorithm ?? 'SHA-256', username: over.username ?? 'alice', realm: over.realm ?? REALM, password: over.password ?? 'wonderland', method: 'REGISTER', uri: over.uri ?? 'sip:box.example', nonce: over.nonce ?? nonce, nc: over.nc ?? '00000001', cnonce: 'c0ffee', qop: 'auth' as const };
    return { username: d.username, realm: d.realm, nonce: d.nonce, uri: d.uri, response: digestResponse(d), algorithm: d.algorithm, cnonce: d.cnonce, qop: 'auth', nc: d.nc, opaque: auth.opaque };
  };
  return { clock, auth, challenge, nonce, answer };
}

t.test('the challenge: SHA-256 first, then MD5, same nonce, qop=auth, opaque', async (t) => {
  const { challenge, nonce, auth } = setup();
  t.equal(challenge.length, 2);
  t.match(challenge[0], /^Digest realm="box\.example", nonce="[A-Za-z0-9_-]+", opaque="[A-Za-z0-9_-]+", algorithm=SHA-256, qop="auth"$/);
  t.match(challenge[1], /algorithm=MD5, qop="auth"$/);
  t.equal(/nonce="([^"]+)"/.exec(challenge[1]!)![1], nonce);
  t.not(setup().nonce, nonce, 'nonces differ');
  t.match(challengeText(auth.challenges(true)[0]!), /, stale=true$/);
});

t.test('a right answer passes with either algorithm; the same nonce count again is a replay', async (t) => {
  const { auth, answer } = setup();
  t.same(auth.verify(answer(), 'REGISTER', 'sip:box.example', password), { ok: true, username: 'alice' });
  t.match(auth.verify(answer(), 'REGISTER', 'sip:box.example', password), { ok: false, reason: 'replay' });
  t.same(auth.verify(answer({ nc: '00000002', algorithm: 'MD5' }), 'REGISTER', 'sip:box.example', password), { ok: true, username: 'alice' });
  t.match(auth.verify(answer({ nc: '00000002' }), 'REGISTER', 'sip:box.example', password), { ok: false, reason: 'replay' }, 'a lower or equal count is refused');
  t.same(auth.verify(answer({ nc: '00000003' }), 'REGISTER', 'sip:box.example', password), { ok: true, username: 'alice' });
});

t.test('wrong password, wrong realm, wrong uri, unknown user', async (t) => {
  const { auth, answer } = setup();
  t.match(auth.verify(answer({ password: 'looking-glass' }), 'REGISTER', 'sip:box.example', password), { ok: false, reason: 'wrong-password', username: 'alice' });
  t.match(auth.verify(answer({ realm: 'other' }), 'REGISTER', 'sip:box.example', password), { ok: false, reason: 'wrong-realm' });
  t.match(auth.verify(answer({ uri: 'sip:elsewhere' }), 'REGISTER', 'sip:box.example', password), { ok: false, reason: 'wrong-uri' });
  t.match(auth.verify(answer({ username: 'mallory' }), 'REGISTER', 'sip:box.example', password), { ok: false, reason: 'unknown-user', username: 'mallory' });
  t.match(auth.verify(answer(), 'INVITE', 'sip:box.example', password), { ok: false, reason: 'wrong-password' }, 'the method is signed');
  t.match(auth.verify({ ...answer(), qop: undefined }, 'REGISTER', 'sip:box.example', password), { ok: false, reason: 'malformed' });
});

t.test('an expired nonce with a right answer is stale; a wrong answer with it stays wrong', async (t) => {
  const { auth, answer, clock } = setup(10_000);
  clock.advance(10_000);
  t.same(auth.verify(answer(), 'REGISTER', 'sip:box.example', password), { ok: true, username: 'alice' }, 'still good at the TTL');
  clock.advance(1);
  t.same(auth.verify(answer({ nc: '00000002' }), 'REGISTER', 'sip:box.example', password), { ok: false, reason: 'stale', username: 'alice' });
  t.match(auth.verify(answer({ nc: '00000002', password: 'x' }), 'REGISTER', 'sip:box.example', password), { reason: 'wrong-password' });
});

t.test('a forged nonce (not made by this box) is never accepted', async (t) => {
  const { auth, answer, nonce } = setup();
  const raw = Buffer.from(nonce, 'base64url');
  raw.writeBigUInt64BE(raw.readBigUInt64BE(0) + 1_000_000n, 0); // extend its life
  const forged = raw.toString('base64url');
  t.match(auth.verify(answer({ nonce: forged }), 'REGISTER', 'sip:box.example', password), { ok: false, reason: 'stale' });
  const other = new DigestAuth({ realm: REALM, nonceTtlMs: 300_000, clock: new FakeClock(1_700_000_000_000) });
  const theirs = /nonce="([^"]+)"/.exec(challengeText(other.challenges()[0]!))![1]!;
  t.match(auth.verify(answer({ nonce: theirs }), 'REGISTER', 'sip:box.example', password), { ok: false, reason: 'stale' }, "another process's nonce");
});

t.test('sip.digestAlgorithms: only the configured algorithms are offered and accepted, in that order', async (t) => {
  const auth = new DigestAuth({ realm: REALM, nonceTtlMs: 300_000, clock: new FakeClock(1_700_000_000_000), algorithms: ['MD5'] });
  const challenges = auth.challenges();
  t.same(challenges.map((c) => c.algorithm), ['MD5']);
  const nonce = challenges[0]!.nonce.slice(1, -1);
  const d = { username: 'alice', realm: REALM, password: 'wonderland', method: 'REGISTER', uri: 'sip:box.example', nonce, nc: '00000001', cnonce: 'c', qop: 'auth' as const };
  const creds = (algorithm: 'MD5' | 'SHA-256'): Credentials => ({ ...d, algorithm, response: digestResponse({ ...d, algorithm }) });
  t.match(auth.verify(creds('SHA-256'), 'REGISTER', 'sip:box.example', password), { ok: false, reason: 'malformed' });
  t.same(auth.verify(creds('MD5'), 'REGISTER', 'sip:box.example', password), { ok: true, username: 'alice' });
});
