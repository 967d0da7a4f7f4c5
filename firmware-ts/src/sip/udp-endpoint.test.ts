import { FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import { request, SipPhone, status } from '../../test-support/sip-phone.js';
import type { IncomingRequest } from './sip-endpoint.js';
import { UdpSipEndpoint } from './udp-endpoint.js';

async function setup(t: Test) {
  const clock = new FakeClock(1_000_000);
  const endpoint = new UdpSipEndpoint({ bind: '127.0.0.1', port: 0, address: '127.0.0.1', clock, logger: pino({ level: 'silent' }) });
  await endpoint.listen();
  const phone = await SipPhone.open();
  const requests: IncomingRequest[] = [];
  endpoint.onRequest((r) => requests.push(r));
  const registry = new Registry();
  for (const c of endpoint.counters) registry.registerMetric(c);
  t.teardown(async () => {
    await endpoint.close();
    await phone.close();
  });
  const counter = async (name: string, labels: string) => {
    const text = await registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  return { clock, endpoint, phone, requests, counter };
}

const options = (branch: string, extra: string[] = []) =>
  request([
    'OPTIONS sip:box@127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/UDP 127.0.0.1:{port};branch=${branch};rport`,
    'Max-Forwards: 70',
    'To: <sip:box@127.0.0.1>',
    'From: <sip:alice@127.0.0.1>;tag=a1',
    'Call-ID: opt-1@phone',
    'CSeq: 7 OPTIONS',
    ...extra,
  ]);

const until = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

t.test('binds port 0 and tells the port the system chose', async (t) => {
  const { endpoint } = await setup(t);
  t.ok(endpoint.port > 0 && endpoint.port < 65536, `bound to ${endpoint.port}`);
});

t.test('a request reaches the handler with its source; the response goes back with received and rport', async (t) => {
  const { endpoint, phone, requests } = await setup(t);
  await phone.send(options('z9hG4bKone'), endpoint.port);
  await until(() => requests.length === 1);
  t.same(requests[0]!.source, { address: '127.0.0.1', port: phone.port });
  requests[0]!.respond(200, 'OK', { toTag: 'box1', headers: { allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER' } });
  const ok = await phone.next(status(200));
  t.match(ok.text, /^SIP\/2\.0 200 OK\r\n/);
  t.match(ok.text, new RegExp(`Via: SIP/2.0/UDP 127.0.0.1:${phone.port};branch=z9hG4bKone;rport=${phone.port}`));
  t.match(ok.text, /To: +<sip:box@127.0.0.1>;tag=box1/);
  t.match(ok.text, /Call-ID: opt-1@phone/);
  t.match(ok.text, /CSeq: 7 OPTIONS/);

  // RFC 3261 17.2.2: the retransmitted request gets the same response again, not the handler.
  await phone.send(options('z9hG4bKone'), endpoint.port);
  const again = await phone.next(status(200));
  t.equal(again.text, ok.text, 'the same response is sent again');
  t.equal(requests.length, 1, 'the retransmission is not passed up');
});

t.test('malformed datagrams: 400 when a response can be built, dropped otherwise, all counted', async (t) => {
  const { endpoint, phone, requests, counter } = await setup(t);
  // CSeq method differs from the request's: malformed, but Via/From/To/Call-ID/CSeq are there.
  await phone.send(options('z9hG4bKbad').replace('CSeq: 7 OPTIONS', 'CSeq: 7 INVITE'), endpoint.port);
  const bad = await phone.next(status(400));
  t.match(bad.text, /^SIP\/2\.0 400 Bad Request \(CSeq method INVITE differs from OPTIONS\)/);
  // No Via: nowhere to answer; garbage: not SIP at all.
  await phone.send(options('z9hG4bKnovia').replace(/Via:[^\n]*\n/, ''), endpoint.port);
  await phone.send(Buffer.from([0xff, 0x00, 0x13, 0x37]), endpoint.port);
  const end = Date.now() + 3000;
  while ((await counter('countyline_sip_malformed_total', 'reason="missing-header"')) + (await counter('countyline_sip_malformed_total', 'reason="unparsable"')) < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  t.equal(await counter('countyline_sip_malformed_total', 'reason="bad-header"'), 1);
  t.equal(await counter('countyline_sip_malformed_total', 'reason="missing-header"'), 1);
  t.equal(await counter('countyline_sip_malformed_total', 'reason="unparsable"'), 1);
  t.ok(await phone.nothing(() => true, 300), 'nothing answers the two that cannot be answered');
  t.equal(requests.length, 0);
});

t.test('client transaction: Timer E retransmits, a late 200 is reported once, silence becomes a 408', async (t) => {
  const { clock, endpoint, phone } = await setup(t);
  const seen: number[] = [];
  const tx = endpoint.request(
    { address: '127.0.0.1', port: phone.port },
    { method: 'OPTIONS', uri: `sip:alice@127.0.0.1:${phone.port}`, headers: { to: { uri: 'sip:alice@127.0.0.1', params: {} }, from: { uri: 'sip:box@127.0.0.1', params: { tag: 'b1' } }, 'call-id': 'ka-1', cseq: { seq: 1, method: 'OPTIONS' } } },
    (r) => seen.push(r.status),
  );
  const first = await phone.next((m) => m.method === 'OPTIONS');
  t.match(first.text, new RegExp(`Via: SIP/2.0/UDP 127.0.0.1:${endpoint.port};branch=${tx.branch};rport`));
  t.match(tx.branch, /^z9hG4bK[0-9a-f]{24}$/);
  clock.advance(500); // Timer E = T1
  const second = await phone.next((m) => m.method === 'OPTIONS');
  t.equal(second.text, first.text, 'retransmitted unchanged');
  const answer = first.text.replace(/^OPTIONS [^\r]*/, 'SIP/2.0 200 OK');
  await phone.send(answer, endpoint.port);
  await phone.send(answer, endpoint.port);
  await until(() => seen.length >= 1);
  await new Promise((r) => setTimeout(r, 100));
  t.same(seen, [200], 'reported once');

  const lost: number[] = [];
  endpoint.request(
    { address: '127.0.0.1', port: phone.port },
    { method: 'OPTIONS', uri: 'sip:bob@127.0.0.1', headers: { to: { uri: 'sip:bob@127.0.0.1', params: {} }, from: { uri: 'sip:box@127.0.0.1', params: { tag: 'b2' } }, 'call-id': 'ka-2', cseq: { seq: 1, method: 'OPTIONS' } } },
    (r) => lost.push(r.status),
  );
  clock.advance(31_999);
  t.same(lost, []);
  clock.advance(1); // Timer F = 64*T1
  t.same(lost, [408]);
});
