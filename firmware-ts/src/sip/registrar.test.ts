import t from 'tap';
import { status } from '../../test-support/sip-phone.js';
import { authorization, challengesOf, register, registerText } from '../../test-support/sip-register.js';
import { sipRig } from '../../test-support/sip-service-rig.js';

t.test('everyone is challenged alike: SHA-256 then MD5, before anything about the user is known', async (t) => {
  const { phone, port } = await sipRig(t);
  await phone.send(registerText(phone, { user: 'alice', password: '' }, 1), port);
  const known = await phone.next(status(401));
  await phone.send(registerText(phone, { user: 'mallory', password: '' }, 1), port);
  const unknown = await phone.next(status(401));
  for (const r of [known, unknown]) {
    const c = challengesOf(r.text);
    t.same(c.map((x) => x.algorithm), ['SHA-256', 'MD5']);
    t.equal(c[0]!.realm, 'box.test');
    t.equal(c[0]!.nonce, c[1]!.nonce);
    t.match(r.text, /WWW-Authenticate: Digest realm="box\.test",nonce="[^"]+",opaque="[^"]+",algorithm=SHA-256,qop="auth"\r\n/);
  }
});

t.test('an agent registers with SHA-256 or MD5 and becomes available', async (t) => {
  const { phone, port, service, newPhone } = await sipRig(t);
  const events: string[] = [];
  service.agents.on('available', (a) => events.push(`+${a.user}`));
  const ok = await register(phone, port, { user: 'alice', password: 'wonderland', expires: 600 });
  t.equal(ok.status, 200);
  t.match(ok.text, new RegExp(`Contact: +<sip:alice@127.0.0.1:${phone.port}>;expires=600\r\n`));
  t.match(service.agents.get('alice'), { registered: true, reachable: true, busy: false, contact: `sip:alice@127.0.0.1:${phone.port}`, target: { address: '127.0.0.1', port: phone.port } });
  const bobPhone = await newPhone();
  t.equal((await register(bobPhone, port, { user: 'bob', password: 'builder-42', algorithm: 'MD5' })).status, 200, 'MD5 works too');
  t.same(events, ['+alice', '+bob']);
  t.same(service.agents.available().map((a) => a.user), ['alice', 'bob']);
  service.agents.callEnded('alice', Date.UTC(2025, 0, 6, 9, 1));
  t.same(service.agents.available().map((a) => a.user), ['bob', 'alice'], 'longest idle first');
  service.agents.setBusy('bob', true);
  t.same(service.agents.available().map((a) => a.user), ['alice'], 'busy agents are not offered');
});

t.test('expiry: 423 below the minimum, cut to the maximum, the binding ends on time', async (t) => {
  const { phone, port, service, clock } = await sipRig(t);
  const brief = await register(phone, port, { user: 'alice', password: 'wonderland', expires: 30 });
  t.equal(brief.status, 423);
  t.match(brief.text, /Min-Expires: 60\r\n/);
  t.equal(service.agents.get('alice')!.registered, false);

  const long = await register(phone, port, { user: 'alice', password: 'wonderland', expires: 600, contactExpires: 7200, cseq: 10 });
  t.equal(long.status, 200);
  t.match(long.text, /;expires=3600\r\n/, 'the contact parameter wins over Expires and is cut to maxExpiresS');
  const gone: string[] = [];
  service.agents.on('unavailable', (a) => gone.push(a.user));
  clock.advance(3_600_000 - 1);
  t.equal(service.agents.get('alice')!.registered, true);
  clock.advance(1);
  t.equal(service.agents.get('alice')!.registered, false, 'expired on the second');
  t.same(gone, ['alice']);
});

t.test('Contact: * with Expires: 0 unregisters; with another Expires it is refused', async (t) => {
  const { phone, port, service } = await sipRig(t);
  t.equal((await register(phone, port, { user: 'alice', password: 'wonderland' })).status, 200);
  t.equal((await register(phone, port, { user: 'alice', password: 'wonderland', contact: '*', expires: 5, cseq: 10 })).status, 400);
  t.equal(service.agents.get('alice')!.registered, true);
  t.equal((await register(phone, port, { user: 'alice', password: 'wonderland', contact: '*', expires: 0, cseq: 20 })).status, 200);
  t.match(service.agents.get('alice'), { registered: false, contact: null });
});

t.test('failed logins: 401 again for a wrong password, 403 for an unknown user, counted, then the address is refused for a minute', async (t) => {
  const { phone, port, service, clock, metric } = await sipRig(t);
  const wrong = await register(phone, port, { user: 'alice', password: 'guess' });
  t.equal(wrong.status, 401, 'challenged again');
  t.equal(await metric('countyline_sip_login_failed_total{reason="wrong-password"}'), 1);
  t.equal((await register(phone, port, { user: 'mallory', password: 'x', cseq: 10 })).status, 403);
  t.equal(await metric('countyline_sip_login_failed_total{reason="unknown-user"}'), 1);
  t.equal((await register(phone, port, { user: 'alice', password: 'guess2', cseq: 20 })).status, 401);
  // Three failures (loginFailuresPerMinute) within the minute: the next is refused unchecked.
  await phone.send(registerText(phone, { user: 'alice', password: '' }, 30), port);
  const refused = await phone.next((m) => m.status !== undefined);
  t.equal(refused.message.status, 403, 'refused without a challenge');
  t.equal(await metric('countyline_sip_login_failed_total{reason="wrong-password"}'), 2, 'the refused request is not checked, so not counted');
  clock.advance(60_000);
  t.equal((await register(phone, port, { user: 'alice', password: 'wonderland', cseq: 40 })).status, 200, 'a minute later the address may log in');
  t.equal(service.agents.get('alice')!.registered, true);
});

t.test('a replayed REGISTER (same nonce count) is refused; a stale nonce gets stale=true', async (t) => {
  const { phone, port, service, clock } = await sipRig(t, { nonceTtlMs: 10_000 });
  await phone.send(registerText(phone, { user: 'alice', password: '' }, 1), port);
  const challenge = challengesOf((await phone.next(status(401))).text)[0]!;
  const auth = authorization({ user: 'alice', password: 'wonderland' }, challenge);
  await phone.send(registerText(phone, { user: 'alice', password: '' }, 2, auth), port);
  t.equal((await phone.next((m) => m.status !== undefined)).message.status, 200);
  // The same credentials in a new transaction (a new branch): an attacker replaying it.
  await phone.send(registerText(phone, { user: 'alice', password: '' }, 3, auth), port);
  t.equal((await phone.next((m) => m.status !== undefined)).message.status, 401, 'replay refused');
  clock.advance(10_001);
  await phone.send(registerText(phone, { user: 'alice', password: '' }, 4, authorization({ user: 'alice', password: 'wonderland', nc: '00000002' }, challenge)), port);
  const stale = await phone.next((m) => m.status !== undefined);
  t.equal(stale.message.status, 401);
  t.equal(challengesOf(stale.text)[0]!.stale, true);
  t.equal(service.agents.get('alice')!.registered, true, 'still registered from before');
});
