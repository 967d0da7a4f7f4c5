import { seededRandom } from '@countyline/e1-gateway';
import t from 'tap';
import { request } from '../../test-support/sip-phone.js';
import { register } from '../../test-support/sip-register.js';
import { sipRig } from '../../test-support/sip-service-rig.js';

// 10,000 mutated SIP messages at the box's SIP port (seeded, so a failure replays): the
// process must not crash, every datagram must be counted as received or as malformed, and a
// phone must still register with digest afterwards.

const SEED = 0x5195eed;
const COUNT = Number(process.env.FUZZ_COUNT ?? 10_000);

const seeds = (port: number) => [
  request(['REGISTER sip:127.0.0.1 SIP/2.0', `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKfz;rport`, 'Max-Forwards: 70', 'To: <sip:alice@127.0.0.1>', 'From: <sip:alice@127.0.0.1>;tag=f1', 'Call-ID: fuzz@x', 'CSeq: 1 REGISTER', `Contact: <sip:alice@127.0.0.1:${port}>;expires=600`, 'Authorization: Digest username="alice", realm="box.test", nonce="AAAA", uri="sip:127.0.0.1", response="00", algorithm=SHA-256, cnonce="c", qop=auth, nc=00000001']),
  request(['OPTIONS sip:box@127.0.0.1 SIP/2.0', `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKfo;rport`, 'To: "Box" <sip:box@127.0.0.1>', 'From: "张三" <sip:13800138000@127.0.0.1>;tag=f2', 'Call-ID: fuzz2@x', 'CSeq: 2 OPTIONS', 'Max-Forwards: 70']),
  request(['INVITE sip:alice@127.0.0.1 SIP/2.0', `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKfi;rport`, 'To: <sip:alice@127.0.0.1>', 'From: <sip:x@127.0.0.1>;tag=f3', 'Call-ID: fuzz3@x', 'CSeq: 3 INVITE', 'Content-Type: application/sdp'], 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n'),
  ['SIP/2.0 200 OK', `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKnone`, 'To: <sip:a@b>;tag=1', 'From: <sip:c@d>;tag=2', 'Call-ID: r@x', 'CSeq: 1 OPTIONS', 'Content-Length: 0', '', ''].join('\r\n'),
];

type Mutation = (m: Buffer, rnd: () => number) => Buffer;

const pick = <T>(a: readonly T[], rnd: () => number): T => a[Math.floor(rnd() * a.length)]!;
const lines = (m: Buffer) => m.toString('latin1').split('\r\n');
/** A header line to work on (never the start line); -1 when the message has none. */
const someLine = (l: string[], rnd: () => number) => (l.length < 3 ? -1 : 1 + Math.floor(rnd() * (l.length - 2)));
const join = (l: string[]) => Buffer.from(l.join('\r\n'), 'latin1');

const MUTATIONS: Record<string, Mutation> = {
  bitFlips: (m, rnd) => {
    const b = Buffer.from(m);
    for (let i = 0, n = 1 + Math.floor(rnd() * 8); i < n; i++) b[Math.floor(rnd() * b.length)]! ^= 1 << Math.floor(rnd() * 8);
    return b;
  },
  truncate: (m, rnd) => m.subarray(0, Math.floor(rnd() * m.length)),
  duplicateHeader: (m, rnd) => {
    const l = lines(m);
    const i = someLine(l, rnd);
    if (i < 0) return m;
    l.splice(i, 0, ...Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => l[i]!));
    return join(l);
  },
  hugeValue: (m, rnd) => {
    const l = lines(m);
    const i = someLine(l, rnd);
    if (i < 0) return m;
    const size = pick([100, 1000, 10_000, 20_000], rnd);
    l[i] = `${l[i]!.split(':')[0]}: ${pick(['a', '9', '<', ';', '"', ' ', ','], rnd).repeat(size)}`;
    return join(l);
  },
  hugeNumber: (m, rnd) => Buffer.from(m.toString('latin1').replace(/\d+/, pick(['99999999999999999999', '-1', '4294967296', 'NaN', '1e9'], rnd)), 'latin1'),
  badUtf8: (m, rnd) => {
    const l = lines(m);
    const i = Math.max(0, someLine(l, rnd));
    const bad = pick(['\xc3\x28', '\xa0\xa1', '\xe2\x28\xa1', '\xf0\x28\x8c\xbc', '\xff\xfe', '\x00'], rnd);
    l[i] = l[i]!.slice(0, 5) + bad + l[i]!.slice(5);
    return join(l);
  },
  dropMandatory: (m, rnd) => {
    const name = pick(['Via', 'To', 'From', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Length'], rnd);
    return join(lines(m).filter((l) => !l.startsWith(`${name}:`)));
  },
  garbage: (_m, rnd) => Buffer.from(Array.from({ length: Math.floor(rnd() * 1500) }, () => Math.floor(rnd() * 256))),
  protoNames: (m, rnd) => {
    const l = lines(m);
    l.splice(1, 0, `${pick(['__proto__', 'constructor', 'hasOwnProperty', 'toString'], rnd)}: x`);
    const via = l.findIndex((x) => x.startsWith('Via:'));
    if (via >= 0) l[via] += pick([';__proto__', ';hasOwnProperty=1', ';constructor'], rnd);
    return join(l);
  },
  lineEnds: (m, rnd) => Buffer.from(m.toString('latin1').replace(/\r\n/g, pick(['\n', '\r', '\r\n\r\n', ' \r\n'], rnd)), 'latin1'),
};

t.test('10,000 mutated messages: no crash, all counted, registration still works', async (t) => {
  const { phone, port, metric, newPhone, service, clock } = await sipRig(t);
  const rnd = seededRandom(SEED);
  const bases = seeds(phone.port).map((s) => Buffer.from(s, 'utf8'));
  const names = Object.keys(MUTATIONS);
  const counted = async () => {
    let sum = 0;
    for (const kind of ['request', 'response']) sum += await metric(`countyline_sip_received_total{kind="${kind}"}`);
    for (const reason of ['too-large', 'unparsable', 'missing-header', 'bad-header', 'bad-version', 'bad-content-length']) sum += await metric(`countyline_sip_malformed_total{reason="${reason}"}`);
    return sum;
  };
  // Sent in batches the socket's receive buffer holds (Linux's default is about 208 KiB):
  // past it the kernel drops datagrams before the box could count them.
  const BATCH_BYTES = 64 * 1024;
  for (let sent = 0; sent < COUNT; ) {
    for (let bytes = 0; bytes < BATCH_BYTES && sent < COUNT; sent++) {
      let m: Buffer = pick(bases, rnd);
      for (let k = 0, n = 1 + Math.floor(rnd() * 2); k < n; k++) m = MUTATIONS[pick(names, rnd)]!(m, rnd);
      if (m.length === 0) m = Buffer.from('x');
      m = m.subarray(0, 60_000);
      bytes += m.length;
      await phone.send(m, port);
    }
    // Wait until the box has counted the batch.
    const end = Date.now() + 10_000;
    while ((await counted()) < sent && Date.now() < end) await new Promise((r) => setImmediate(r));
    if ((await counted()) !== sent) t.fail(`after ${sent} datagrams the counters add up to ${await counted()}`);
  }
  t.equal(await counted(), COUNT, 'every datagram counted once: received or malformed');
  t.ok((await metric('countyline_sip_malformed_total{reason="unparsable"}')) > 0, 'some were unparsable');
  t.ok((await metric('countyline_sip_received_total{kind="request"}')) > 0, 'some still made sense');

  const clean = await newPhone();
  // The fuzzed REGISTERs with bad credentials came from 127.0.0.1 too, so that address is
  // refused for a minute (loginFailuresPerMinute); after it, a phone there registers.
  t.ok((await metric('countyline_sip_login_failed_total{reason="wrong-password"}')) + (await metric('countyline_sip_login_failed_total{reason="malformed"}')) > 0, 'fuzzed credentials failed');
  t.equal((await register(clean, port, { user: 'alice', password: 'wonderland' })).status, 403, 'the address is refused meanwhile');
  clock.advance(60_000);
  t.equal((await register(clean, port, { user: 'alice', password: 'wonderland', cseq: 10 })).status, 200, 'digest registration still succeeds');
  t.equal(service.agents.get('alice')!.registered, true);
});
