import type { RawSipMessage } from 'sip';
import t, { type Test } from 'tap';
import { method, type Received, type SipPhone } from '../../test-support/sip-phone.js';
import { register } from '../../test-support/sip-register.js';
import { sipRig } from '../../test-support/sip-service-rig.js';
import type { AgentCall, AgentCallEvents } from './agent-call.js';

const ANSWER_SDP = (pts = '8 101', extra = '') =>
  ['v=0', 'o=phone 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio 40000 RTP/AVP ${pts}`, 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', extra || 'a=sendrecv', ''].join('\r\n');

/** A response to `req` as the phone writes it (its To tag `ph`). */
function reply(req: Received, code: string, body = '', withTag = true): string {
  const lines = req.text.split('\r\n\r\n')[0]!.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
  const head = lines.map((l) => (withTag && /^To:/i.test(l) && !/tag=/.test(l) ? `${l};tag=ph` : l));
  return [`SIP/2.0 ${code}`, ...head, `Contact: <sip:alice@127.0.0.1:{port}>`, ...(body ? ['Content-Type: application/sdp'] : []), `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

/** Records every event of a call in order. */
function record(call: AgentCall) {
  const events: Array<[keyof AgentCallEvents, unknown]> = [];
  call.on('ringing', () => events.push(['ringing', null]));
  call.on('answered', (m) => events.push(['answered', m]));
  call.on('hold', (h) => events.push(['hold', h]));
  call.on('ended', (e) => events.push(['ended', e]));
  return events;
}

async function ringing(t: Test, opts: { callerName?: string; ringTimeoutMs?: number } = {}) {
  const rig = await sipRig(t);
  t.equal((await register(rig.phone, rig.port, { user: 'alice', password: 'wonderland' })).status, 200);
  const call = rig.service.callAgent({ agent: 'alice', callerNumber: '13800138000', callerName: opts.callerName, localMedia: { address: '127.0.0.1', port: 20000 }, ringTimeoutMs: opts.ringTimeoutMs ?? 20_000 });
  const events = record(call);
  const invite = await rig.phone.next(method('INVITE'));
  return { ...rig, call, events, invite };
}

const send = (phone: SipPhone, port: number, text: string) => phone.send(text, port);
const isAck = (cseq: number) => (m: RawSipMessage) => m.method === 'ACK' && (m.headers.cseq as { seq: number }).seq === cseq;

t.test('INVITE: From with a UTF-8 display name, SDP offer PCMA and telephone-event, ptime 20', async (t) => {
  const { invite } = await ringing(t, { callerName: '张三' });
  const raw = invite.text;
  // The display name is UTF-8 on the wire (RFC 3261 section 7.1), not latin1.
  const fromLine = Buffer.from(raw, 'latin1').toString('utf8').split('\r\n').find((l) => l.startsWith('From:'))!;
  t.match(fromLine, /^From: "张三" <sip:13800138000@127\.0\.0\.1>;tag=[0-9a-f]{16}$/);
  t.match(raw, /^INVITE sip:alice@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);
  t.match(raw, /\r\nTo: +<sip:alice@127\.0\.0\.1>\r\n/);
  t.match(raw, /\r\nContact: +<sip:countyline@127\.0\.0\.1:\d+>\r\n/);
  t.match(raw, /\r\nCall-ID: [0-9a-f]{32}@127\.0\.0\.1\r\n/);
  t.match(raw, /m=audio 20000 RTP\/AVP 8 101\r\n/);
  t.match(raw, /a=rtpmap:8 PCMA\/8000\r\na=rtpmap:101 telephone-event\/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\n/);
});

t.test('180 rings, 200 answers with the remote media, the 2xx is ACKed, the agent hangs up with BYE', async (t) => {
  const { phone, port, invite, events } = await ringing(t);
  await send(phone, port, reply(invite, '180 Ringing'));
  await send(phone, port, reply(invite, '200 OK', ANSWER_SDP()));
  await phone.next(isAck(1));
  await send(phone, port, reply(invite, '200 OK', ANSWER_SDP())); // lost ACK: the phone resends
  await phone.next(isAck(1));
  t.same(events, [
    ['ringing', null],
    ['answered', { address: '127.0.0.1', port: 40000, payloadType: 8, telephoneEvent: 101 }],
  ]);
  const callId = /Call-ID: ([^\r]+)/.exec(invite.text)![1];
  const from = /\r\nFrom: ([^\r]+)/.exec(invite.text)![1];
  await send(phone, port, [`BYE sip:countyline@127.0.0.1:${port} SIP/2.0`, 'Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKbye1;rport', 'Max-Forwards: 70', 'From: <sip:alice@127.0.0.1>;tag=ph', `To: ${from}`, `Call-ID: ${callId}`, 'CSeq: 1 BYE', 'Content-Length: 0', '', ''].join('\r\n'));
  const ok = await phone.next((m) => m.status === 200);
  t.match(ok.text, /CSeq: 1 BYE/);
  t.same(events.at(-1), ['ended', { by: 'agent', reason: 'hangup' }]);
});

t.test('486 is busy, 603 rejected, 480 failed with its status; each ACKed by the transaction', async (t) => {
  for (const [code, end] of [
    ['486 Busy Here', { by: 'agent', reason: 'busy', status: 486 }],
    ['603 Decline', { by: 'agent', reason: 'rejected', status: 603 }],
    ['480 Temporarily Unavailable', { by: 'agent', reason: 'failed', status: 480 }],
  ] as const) {
    await t.test(code, async (t) => {
      const { phone, port, invite, events } = await ringing(t);
      await send(phone, port, reply(invite, code));
      const ack = await phone.next(isAck(1));
      t.match(ack.text, /To: +<sip:alice@127\.0\.0\.1>;tag=ph/);
      t.same(events, [['ended', end]]);
    });
  }
});

t.test('no answer within ringTimeoutMs: CANCEL, ended no-answer; the 487 is ACKed', async (t) => {
  const { phone, port, invite, events, clock } = await ringing(t, { ringTimeoutMs: 15_000 });
  await send(phone, port, reply(invite, '180 Ringing'));
  await new Promise((r) => setTimeout(r, 50));
  clock.advance(14_999);
  t.same(events, [['ringing', null]]);
  clock.advance(1);
  const cancel = await phone.next(method('CANCEL'));
  t.equal(/branch=([^;\r]+)/.exec(cancel.text)![1], /branch=([^;\r]+)/.exec(invite.text)![1], 'same branch as the INVITE (RFC 3261 9.1)');
  t.match(cancel.text, /CSeq: 1 CANCEL/);
  t.same(events.at(-1), ['ended', { by: 'box', reason: 'no-answer' }]);
  await send(phone, port, reply(cancel, '200 OK'));
  await send(phone, port, reply(invite, '487 Request Terminated'));
  await phone.next(isAck(1));
  t.equal(events.length, 2, 'nothing more reported');
});

t.test('hangUp crossing the 200: ACK, then BYE', async (t) => {
  const { phone, port, invite, events, call } = await ringing(t);
  await send(phone, port, reply(invite, '180 Ringing'));
  await new Promise((r) => setTimeout(r, 50));
  call.hangUp();
  await phone.next(method('CANCEL'));
  await send(phone, port, reply(invite, '200 OK', ANSWER_SDP()));
  await phone.next(isAck(1));
  const bye = await phone.next(method('BYE'));
  t.match(bye.text, /To: +<sip:alice@127\.0\.0\.1>;tag=ph/);
  t.same(events, [['ringing', null], ['ended', { by: 'box', reason: 'hangup' }]]);
});

t.test('an answer without PCMA: ACK, BYE, failed 488', async (t) => {
  const { phone, port, invite, events } = await ringing(t);
  await send(phone, port, reply(invite, '200 OK', ANSWER_SDP('0 101').replace('a=rtpmap:8 PCMA/8000', 'a=rtpmap:0 PCMU/8000')));
  await phone.next(isAck(1));
  await phone.next(method('BYE'));
  t.same(events, [['ended', { by: 'box', reason: 'failed', status: 488 }]]);
});

t.test('re-INVITE with sendonly puts the call on hold (answered recvonly); sendrecv takes it off', async (t) => {
  const { phone, port, invite, events, call } = await ringing(t);
  await send(phone, port, reply(invite, '200 OK', ANSWER_SDP()));
  await phone.next(isAck(1));
  const callId = /Call-ID: ([^\r]+)/.exec(invite.text)![1];
  const from = /\r\nFrom: ([^\r]+)/.exec(invite.text)![1];
  const reinvite = (cseq: number, dir: string) => {
    const body = ANSWER_SDP('8 101', dir);
    return [`INVITE sip:countyline@127.0.0.1:${port} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKre${cseq};rport`, 'Max-Forwards: 70', 'From: <sip:alice@127.0.0.1>;tag=ph', `To: ${from}`, `Call-ID: ${callId}`, `CSeq: ${cseq} INVITE`, 'Contact: <sip:alice@127.0.0.1:{port}>', 'Content-Type: application/sdp', `Content-Length: ${body.length}`, '', body].join('\r\n');
  };
  await send(phone, port, reinvite(2, 'a=sendonly'));
  const held = await phone.next((m) => m.status === 200);
  t.match(held.text, /a=recvonly/);
  await send(phone, port, reinvite(3, 'a=sendrecv'));
  const back = await phone.next((m) => m.status === 200);
  t.match(back.text, /a=sendrecv/);
  t.same(events.slice(1), [['hold', true], ['hold', false]]);
  call.hangUp();
  const bye = await phone.next(method('BYE'));
  t.match(bye.text, /CSeq: 2 BYE/);
  t.same(events.at(-1), ['ended', { by: 'box', reason: 'hangup' }]);
});

t.test('a 200 without a To tag, retransmitted: answered once, each copy ACKed, nothing thrown', async (t) => {
  const { phone, port, invite, events } = await ringing(t);
  await send(phone, port, reply(invite, '200 OK', ANSWER_SDP(), false));
  await phone.next(isAck(1));
  await send(phone, port, reply(invite, '200 OK', ANSWER_SDP(), false));
  await phone.next(isAck(1));
  t.same(events.map(([e]) => e), ['answered'], 'one answer');
});

t.test('an answer that holds at once (a=sendonly) is answered, then held', async (t) => {
  const { phone, port, invite, events } = await ringing(t);
  await send(phone, port, reply(invite, '200 OK', ANSWER_SDP('8 101', 'a=sendonly')));
  await phone.next(isAck(1));
  t.same(events.map(([e, v]) => (e === 'hold' ? `hold ${v}` : e)), ['answered', 'hold true']);
});
