import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import { method, request, type Received, type SipPhone } from '../../test-support/sip-phone.js';
import { authorization, challengesOf } from '../../test-support/sip-register.js';
import { sipRig } from '../../test-support/sip-service-rig.js';
import type { FeatureAction, FeatureCodeVerdict } from './feature-codes.js';

// A phone offering PCMU first, then PCMA and telephone-event, as most desk phones do.
const OFFER = ['v=0', 'o=phone 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0 8 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=sendrecv', ''].join('\r\n');

interface Dial {
  /** The Request-URI user as the phone writes it (`*21`, `%2A21`, `100`). */
  dialled: string;
  /** Who authenticates, and with which password. */
  user: string;
  password: string;
  /** The From user (default: `user`). */
  from?: string;
  callId?: string;
  /** The SDP body (default: OFFER). */
  offer?: string;
}

const isFinal = (m: { status?: number }) => m.status !== undefined && m.status >= 200;

function inviteText(phone: SipPhone, d: Dial, cseq: number, branch: string, auth?: string): string {
  const offer = d.offer ?? OFFER;
  return request(
    [
      `INVITE sip:${d.dialled}@127.0.0.1 SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${phone.port};branch=${branch};rport`,
      'Max-Forwards: 70',
      `To: <sip:${d.dialled}@127.0.0.1>`,
      `From: "Phone" <sip:${d.from ?? d.user}@127.0.0.1>;tag=ph${phone.port}`,
      `Call-ID: ${d.callId ?? 'fc-1'}@phone`,
      `CSeq: ${cseq} INVITE`,
      `Contact: <sip:${d.user}@127.0.0.1:${phone.port}>`,
      'Content-Type: application/sdp',
      ...(auth ? [`Authorization: ${auth}`] : []),
    ],
    offer,
  );
}

/** The ACK a phone sends for a final response (same branch for a 3xx-6xx, RFC 3261 17.1.1.3). */
function ackText(phone: SipPhone, final: Received, branch: string, uri: string): string {
  const head = final.text.split('\r\n\r\n')[0]!.split('\r\n');
  const copied = head.filter((l) => /^(To|From|Call-ID):/i.test(l));
  const cseq = /CSeq: (\d+)/.exec(final.text)![1];
  return request([`ACK ${uri} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${phone.port};branch=${branch};rport`, 'Max-Forwards: 70', ...copied, `CSeq: ${cseq} ACK`]);
}

const newBranch = () => `z9hG4bK${randomBytes(6).toString('hex')}`;

/**
 * Dials as a phone does: INVITE, the 401 ACKed, INVITE again with digest credentials (the
 * digest computed by the test, not by the box's code). Returns the challenge and the final answer.
 */
async function dial(phone: SipPhone, port: number, d: Dial): Promise<{ challenge: Received; final: Received }> {
  const first = newBranch();
  await phone.send(inviteText(phone, d, 1, first), port);
  const challenge = await phone.next(isFinal);
  if (challenge.message.status !== 401) return { challenge, final: challenge };
  await phone.send(ackText(phone, challenge, first, `sip:${d.dialled}@127.0.0.1`), port);
  const c = challengesOf(challenge.text).find((x) => x.algorithm === 'SHA-256')!;
  const second = newBranch();
  await phone.send(inviteText(phone, d, 2, second, authorization({ user: d.user, password: d.password }, c, 'INVITE', `sip:${d.dialled}@127.0.0.1`)), port);
  const final = await phone.next(isFinal);
  if (final.message.status !== 200) await phone.send(ackText(phone, final, second, `sip:${d.dialled}@127.0.0.1`), port);
  return { challenge, final };
}

/** A rig whose handler records each call and answers with `verdict`. */
async function featureRig(t: Test, verdict: FeatureCodeVerdict = { ok: true }) {
  const rig = await sipRig(t);
  const seen: Array<[string, FeatureAction]> = [];
  rig.service.setFeatureCodeHandler((user, action) => {
    seen.push([user, action]);
    return verdict;
  });
  return { ...rig, seen };
}

const header = (text: string, name: string) => new RegExp(`\r\n${name}: *([^\r]*)`, 'i').exec(text)?.[1];

t.test('*21: challenged, then the handler logs alice in; 200 with a no-media answer, the ACK, then the box hangs up', async (t) => {
  const { phone, port, seen, metric, clock } = await featureRig(t);
  const { challenge, final } = await dial(phone, port, { dialled: '*21', user: 'alice', password: 'wonderland' });
  t.equal(challenge.message.status, 401, 'the INVITE is challenged like a REGISTER');
  t.match(header(challenge.text, 'To'), /^<sip:\*21@127\.0\.0\.1>;tag=[0-9a-f]{16}$/, 'the 401 carries a To tag (RFC 3261 8.2.6.2)');
  t.same(seen, [['alice', 'login']]);
  t.equal(final.message.status, 200);
  const toTag = /tag=([0-9a-f]+)/.exec(header(final.text, 'To')!)![1]!;
  t.match(header(final.text, 'Contact'), new RegExp(`^<sip:countyline@127\\.0\\.0\\.1:${port}>$`));
  t.equal(header(final.text, 'Content-Type'), 'application/sdp');
  // RFC 3264: one m-line, a format the phone offered (its first), a valid port, no media either way.
  const body = final.text.split('\r\n\r\n')[1]!;
  t.match(body, /\r\nc=IN IP4 127\.0\.0\.1\r\n/);
  t.match(body, /\r\nm=audio 9 RTP\/AVP 0\r\na=rtpmap:0 PCMU\/8000\r\na=inactive\r\n$/);
  t.ok(await phone.nothing(method('BYE'), 200), 'no BYE before the ACK (RFC 3261 section 15)');

  // RFC 3261 13.2.2.4: the 2xx ACK is a new transaction, to the Contact of the 200.
  await phone.send(ackText(phone, final, newBranch(), `sip:countyline@127.0.0.1:${port}`), port);
  const bye = await phone.next(method('BYE'));
  t.match(bye.text, new RegExp(`^BYE sip:alice@127\\.0\\.0\\.1:${phone.port} SIP/2\\.0\r\n`), 'to the INVITE Contact');
  t.match(header(bye.text, 'From'), new RegExp(`^<sip:\\*21@127\\.0\\.0\\.1>;tag=${toTag}$`));
  t.match(header(bye.text, 'To'), new RegExp(`^"Phone" <sip:alice@127\\.0\\.0\\.1>;tag=ph${phone.port}$`));
  t.equal(header(bye.text, 'Call-ID'), 'fc-1@phone');
  clock.advance(500);
  t.ok(await phone.nothing((m) => m.status === 200, 200), 'the ACK stopped the 200 being resent');
  await phone.send(bye.text.split('\r\n\r\n')[0]!.replace(/^BYE [^\r]*/, 'SIP/2.0 200 OK').replace(/\r\nContent-Length: \d+/i, '') + '\r\nContent-Length: 0\r\n\r\n', port);
  t.equal(await metric('countyline_sip_feature_codes_total{action="login",result="ok"}'), 1);
});

t.test('a phone that sends %2A for * is understood; *22 and *23 are logout and break', async (t) => {
  const { phone, port, seen } = await featureRig(t);
  t.equal((await dial(phone, port, { dialled: '%2A21', user: 'alice', password: 'wonderland', callId: 'a' })).final.message.status, 200);
  t.equal((await dial(phone, port, { dialled: '%2a22', user: 'alice', password: 'wonderland', callId: 'b' })).final.message.status, 200);
  t.equal((await dial(phone, port, { dialled: '*23', user: 'alice', password: 'wonderland', callId: 'c' })).final.message.status, 200);
  t.same(seen, [
    ['alice', 'login'],
    ['alice', 'logout'],
    ['alice', 'break'],
  ]);
});

t.test('a wrong password is challenged again and counted as a failed login; the limiter then refuses the address', async (t) => {
  const { phone, port, seen, metric } = await featureRig(t);
  const wrong = await dial(phone, port, { dialled: '*21', user: 'alice', password: 'guess', callId: 'w1' });
  t.equal(wrong.final.message.status, 401, 'challenged again');
  t.equal(await metric('countyline_sip_login_failed_total{reason="wrong-password"}'), 1);
  for (const callId of ['w2', 'w3']) t.equal((await dial(phone, port, { dialled: '*21', user: 'alice', password: 'guess', callId })).final.message.status, 401);
  // Three failures (loginFailuresPerMinute in the rig): the next INVITE is refused unchecked.
  const blocked = await dial(phone, port, { dialled: '*21', user: 'alice', password: 'wonderland', callId: 'w4' });
  t.equal(blocked.challenge.message.status, 403);
  t.match(blocked.challenge.text, /^SIP\/2\.0 403 Forbidden \(too many failed logins; try again in a minute\)\r\n/);
  t.same(seen, [], 'the handler never heard of it');
  t.equal(await metric('countyline_sip_feature_codes_total{action="login",result="ok"}'), 0);
});

t.test('the handler refuses: 403 with the reason, ASCII in the phrase, the full text in a Warning', async (t) => {
  const { phone, port, seen, metric } = await featureRig(t, { ok: false, reason: 'alice is in a call; log out after it ends' });
  const { final } = await dial(phone, port, { dialled: '*22', user: 'alice', password: 'wonderland' });
  t.same(seen, [['alice', 'logout']]);
  t.match(final.text, /^SIP\/2\.0 403 Forbidden \(alice is in a call; log out after it ends\)\r\n/);
  t.equal(header(final.text, 'Warning'), '399 127.0.0.1 "alice is in a call; log out after it ends"');
  t.match(header(final.text, 'To'), /;tag=[0-9a-f]{16}$/);
  t.ok(await phone.nothing(method('BYE'), 200), 'no call, so no BYE');
  t.equal(await metric('countyline_sip_feature_codes_total{action="logout",result="refused"}'), 1);
});

t.test('a reason with line breaks, quotes or non-ASCII cannot break the response', async (t) => {
  const { phone, port } = await featureRig(t, { ok: false, reason: 'on "break"\r\nX-Injected: 1 — 休息中' });
  const { final } = await dial(phone, port, { dialled: '*21', user: 'alice', password: 'wonderland' });
  t.equal(final.message.status, 403);
  t.notMatch(final.text, /\r\nX-Injected/, 'no header smuggled in');
  t.match(final.text, /^SIP\/2\.0 403 Forbidden \(on "break"\?\?X-Injected: 1 \? \?\?\?\)\r\n/, 'the phrase stays ASCII');
  const warning = Buffer.from(header(final.text, 'Warning')!, 'latin1').toString('utf8');
  t.equal(warning, '399 127.0.0.1 "on \\"break\\"X-Injected: 1 — 休息中"', 'the Warning keeps the text, UTF-8, quotes escaped');
});

t.test('refusals before the handler: a non-agent, an agent dialling as someone else, no handler installed', async (t) => {
  const { phone, port, service, seen, metric } = await featureRig(t);
  const mallory = await dial(phone, port, { dialled: '*21', user: 'mallory', password: 'x', callId: 'm' });
  t.equal(mallory.challenge.message.status, 401, 'challenged like everyone');
  t.equal(mallory.final.message.status, 403);
  t.equal(await metric('countyline_sip_login_failed_total{reason="unknown-user"}'), 1);

  const posing = await dial(phone, port, { dialled: '*21', user: 'alice', password: 'wonderland', from: 'bob', callId: 'p' });
  t.match(posing.final.text, /^SIP\/2\.0 403 Forbidden \(alice may not dial feature codes as bob\)\r\n/);
  t.equal(await metric('countyline_sip_feature_codes_total{action="login",result="forbidden"}'), 1);
  t.same(seen, [], 'the handler heard of neither');

  service.setFeatureCodeHandler(null);
  const off = await dial(phone, port, { dialled: '*23', user: 'alice', password: 'wonderland', callId: 'o' });
  t.match(off.final.text, /^SIP\/2\.0 403 Forbidden \(feature codes are not enabled on this box\)\r\n/);
  t.equal(header(off.final.text, 'Warning'), '399 127.0.0.1 "feature codes are not enabled on this box"');
  t.equal(await metric('countyline_sip_feature_codes_total{action="break",result="not-enabled"}'), 1);
});

t.test('an offer that cannot be answered is 488; a handler that throws is 500; neither takes the box down', async (t) => {
  const rig = await sipRig(t);
  let calls = 0;
  rig.service.setFeatureCodeHandler(() => {
    calls++;
    throw new Error('queue not ready');
  });
  const noMedia = await dial(rig.phone, rig.port, { dialled: '*21', user: 'alice', password: 'wonderland', callId: 'n', offer: 'v=0\r\ns=-\r\n' });
  t.match(noMedia.final.text, /^SIP\/2\.0 488 Not Acceptable Here \(no media stream in the SDP offer\)\r\n/);
  t.equal(header(noMedia.final.text, 'Warning'), '399 127.0.0.1 "no media stream in the SDP offer"');
  t.equal(calls, 0, 'refused before the handler is asked: nothing was done');
  t.equal(await rig.metric('countyline_sip_feature_codes_total{action="login",result="unacceptable"}'), 1);

  const thrown = await dial(rig.phone, rig.port, { dialled: '*21', user: 'alice', password: 'wonderland', callId: 't' });
  t.equal(thrown.final.message.status, 500);
  t.equal(await rig.metric('countyline_sip_feature_codes_total{action="login",result="failed"}'), 1);
  rig.service.setFeatureCodeHandler(() => ({ ok: true }));
  t.equal((await dial(rig.phone, rig.port, { dialled: '*21', user: 'alice', password: 'wonderland', callId: 'u' })).final.message.status, 200, 'the next one works');
});

t.test('any other number keeps the 403, unchallenged', async (t) => {
  const { phone, port, seen } = await featureRig(t);
  for (const dialled of ['100', '*2', '*210', '13800138000']) {
    const { challenge } = await dial(phone, port, { dialled, user: 'alice', password: 'wonderland', callId: dialled });
    t.match(challenge.text, /^SIP\/2\.0 403 Forbidden \(the box does not place calls for phones\)\r\n/, dialled);
  }
  t.same(seen, []);
});

t.test('no ACK for the 200: after 64*T1 the box hangs up all the same (RFC 3261 13.3.1.4)', async (t) => {
  const { phone, port, clock } = await featureRig(t);
  t.equal((await dial(phone, port, { dialled: '*21', user: 'alice', password: 'wonderland' })).final.message.status, 200);
  clock.advance(500);
  t.equal((await phone.next((m) => m.status === 200)).message.status, 200, 'the 200 is resent while no ACK comes');
  clock.advance(31_499);
  t.ok(await phone.nothing(method('BYE'), 200));
  clock.advance(1);
  const bye = await phone.next(method('BYE'));
  t.match(bye.text, /\r\nCSeq: 1 BYE\r\n/);
});
