import t, { type Test } from 'tap';
import { pino } from 'pino';
import { encodeRtp, parseRtp, PT_PCMA, type RtpPacket } from './rtp-packet.js';
import { RtpPorts } from './rtp-ports.js';
import { RtpSession } from './rtp-session.js';
import { encodeTelephoneEvent } from './telephone-event.js';
import { UdpTestPeer, until } from './udp-test-peer.js';

// The phone is a real UDP socket on 127.0.0.1. Each test takes a few RTP ports at a random
// place high in the range, so test files running at once do not meet.

const TE = 101;

async function setUp(t: Test, random: number[] = [0x11223344, 0xfffe, 0xffffff00]) {
  const min = 40_000 + 2 * Math.floor(Math.random() * 10_000);
  const ports = new RtpPorts({ min, max: min + 7 });
  const values = [...random];
  const session = await RtpSession.open({ ports, logger: pino({ level: 'silent' }), address: '127.0.0.1', random32: () => values.shift() ?? 0 });
  const phone = await UdpTestPeer.open();
  t.teardown(() => {
    session.close();
    phone.close();
  });
  const frames: Buffer[] = [];
  const digits: [string, number][] = [];
  session.on('frame', (f) => frames.push(f));
  session.on('dtmf', (digit, ms) => digits.push([digit, ms]));
  return { ports, session, phone, frames, digits };
}

const frame = (fill: number, octets = 160) => Buffer.alloc(octets, fill);
const parsed = (datagram: Buffer): RtpPacket => {
  const r = parseRtp(datagram);
  if (!r.ok) throw new Error(`not RTP: ${r.detail}`);
  return r.packet;
};
const rtp = (sequence: number, payload: Buffer, more: { payloadType?: number; timestamp?: number; marker?: boolean; ssrc?: number } = {}) =>
  encodeRtp({ marker: more.marker ?? false, payloadType: more.payloadType ?? PT_PCMA, sequence, timestamp: more.timestamp ?? sequence * 160, ssrc: more.ssrc ?? 0xabcdef01 }, payload);

t.test('frames to the phone: PCMA, random SSRC/sequence/timestamp, +1 and +160 a frame, marker on the first only', async (t) => {
  const { session, phone } = await setUp(t);
  session.setRemote({ address: '127.0.0.1', port: phone.port, telephoneEventPt: TE });
  session.send(frame(0x01));
  session.send(frame(0x02));
  session.send(frame(0x03));
  const packets = (await phone.waitFor(3)).map(parsed);
  t.same(
    packets.map((p) => [p.marker, p.payloadType, p.ssrc, p.sequence, p.timestamp, p.payload[0]]),
    [
      [true, 8, 0x11223344, 0xfffe, 0xffffff00, 0x01],
      [false, 8, 0x11223344, 0xffff, 0xffffffa0, 0x02],
      [false, 8, 0x11223344, 0x0000, 0x00000040, 0x03], // both wrap
    ],
  );
  t.equal(packets[0]!.payload.length, 160);
  t.equal(session.counters().packetsOut, 3);
});

t.test('without random32, SSRC and first sequence differ between sessions', async (t) => {
  const min = 40_000 + 2 * Math.floor(Math.random() * 10_000);
  const ports = new RtpPorts({ min, max: min + 7 });
  const phone = await UdpTestPeer.open();
  const a = await RtpSession.open({ ports, logger: pino({ level: 'silent' }), address: '127.0.0.1' });
  const b = await RtpSession.open({ ports, logger: pino({ level: 'silent' }), address: '127.0.0.1' });
  t.teardown(() => [a, b, phone].forEach((x) => x.close()));
  for (const s of [a, b]) {
    s.setRemote({ address: '127.0.0.1', port: phone.port });
    s.send(frame(0));
  }
  const [p, q] = (await phone.waitFor(2)).map(parsed);
  t.not(p!.ssrc, q!.ssrc);
});

t.test('frames from the phone are passed on; the session answers to where they come from', async (t) => {
  const { session, phone, frames } = await setUp(t);
  // The SDP says one port, the phone sends from another (NAT, or a second socket).
  session.setRemote({ address: '127.0.0.1', port: 9, telephoneEventPt: TE });
  const latched: unknown[] = [];
  session.on('latched', (s) => latched.push(s));
  await phone.send(rtp(1, frame(0x42)), session.port);
  await until(() => frames.length === 1, 'the first frame');
  t.same(frames[0], frame(0x42));
  t.same(latched, [{ address: '127.0.0.1', port: phone.port }]);
  t.same(session.remote, { address: '127.0.0.1', port: phone.port });
  session.send(frame(0x07));
  const [back] = await phone.waitFor(1);
  t.equal(parsed(back!).payload[0], 0x07, 'our audio goes to the source of the phone’s, not to the SDP port');
});

t.test('after latching, packets from elsewhere are dropped and counted; the same SDP again keeps the latch', async (t) => {
  const { session, phone, frames } = await setUp(t);
  const other = await UdpTestPeer.open();
  t.teardown(() => other.close());
  session.setRemote({ address: '127.0.0.1', port: other.port });
  await phone.send(rtp(1, frame(0x01)), session.port);
  await until(() => frames.length === 1, 'the first frame');
  await other.send(rtp(1, frame(0x02)), session.port);
  await until(() => session.counters().foreign === 1, 'the packet from elsewhere counted');
  t.equal(frames.length, 1);
  session.setRemote({ address: '127.0.0.1', port: other.port }); // a re-INVITE for hold, same SDP
  t.equal(session.remote?.port, phone.port, 'still latched');
  session.setRemote({ address: '127.0.0.1', port: 9 }); // moved
  t.same(session.remote, { address: '127.0.0.1', port: 9 }, 'a new SDP address drops the latch');
});

t.test('DTMF: one event per digit at its end, the three end packets counted once', async (t) => {
  const { session, phone, digits } = await setUp(t);
  session.setRemote({ address: '127.0.0.1', port: phone.port, telephoneEventPt: TE });
  let sequence = 100;
  const send = (event: number, timestamp: number, end: boolean, duration: number, marker = false) =>
    phone.send(rtp(sequence++, encodeTelephoneEvent({ event, end, volume: 10, duration }), { payloadType: TE, timestamp, marker }), session.port);
  // Digit 5 for 100 ms: start (M), continuing, then the end packet three times (RFC 4733 2.5.1.4).
  await send(5, 8000, false, 160, true);
  await send(5, 8000, false, 320);
  await send(5, 8000, false, 480);
  await send(5, 8000, true, 800);
  await send(5, 8000, true, 800);
  await send(5, 8000, true, 800);
  // Then #, 60 ms.
  await send(11, 9600, false, 160, true);
  await send(11, 9600, true, 480);
  await send(11, 9600, true, 480);
  await send(11, 9600, true, 480);
  await until(() => session.counters().packetsIn === 10, 'all ten packets taken in');
  t.same(digits, [
    ['5', 100],
    ['#', 60],
  ]);
  t.equal(session.counters().dtmfDigits, 2);
});

t.test('a telephone-event on a payload type the SDP did not give it is not DTMF', async (t) => {
  const { session, phone, digits } = await setUp(t);
  session.setRemote({ address: '127.0.0.1', port: phone.port }); // no telephone-event in the SDP
  await phone.send(rtp(1, encodeTelephoneEvent({ event: 1, end: true, volume: 10, duration: 800 }), { payloadType: TE }), session.port);
  await until(() => session.counters().unexpectedPayloadType === 1, 'counted as an unexpected payload type');
  t.same(digits, []);
});

t.test('gaps in the sequence are counted lost; non-RTP datagrams are counted by reason', async (t) => {
  const { session, phone, frames } = await setUp(t);
  session.setRemote({ address: '127.0.0.1', port: phone.port });
  for (const n of [1, 2, 5, 6]) await phone.send(rtp(n, frame(n)), session.port);
  await phone.send(Buffer.from([0x80, 0x08, 0x00]), session.port);
  await phone.send(rtp(7, frame(7), { payloadType: 0 }), session.port); // PCMU: not agreed
  await until(() => frames.length === 4 && session.counters().unexpectedPayloadType === 1 && session.counters().malformed['too-short'] === 1, 'all of them handled');
  t.match(session.counters(), { packetsIn: 4, lost: 2, malformed: { 'too-short': 1 }, unexpectedPayloadType: 1 });
});

t.test('audio in 30 ms packets is repacked into 20 ms frames', async (t) => {
  const { session, phone, frames } = await setUp(t);
  session.setRemote({ address: '127.0.0.1', port: phone.port });
  await phone.send(rtp(1, frame(0xaa, 240)), session.port);
  await phone.send(rtp(2, frame(0xbb, 240)), session.port);
  await until(() => frames.length === 3, 'three frames from two 240-octet packets');
  t.same(
    frames.map((f) => [f.length, f[0], f[159]]),
    [
      [160, 0xaa, 0xaa],
      [160, 0xaa, 0xbb], // 80 octets left from the first packet, then 80 of the second
      [160, 0xbb, 0xbb],
    ],
  );
  t.equal(session.counters().repacked, 2);
});

t.test('close() frees the port pair for the next session and emits closed', async (t) => {
  const { ports, session } = await setUp(t);
  t.equal(ports.inUse, 1);
  let closed = 0;
  session.on('closed', () => closed++);
  session.close();
  session.close();
  t.equal(closed, 1);
  t.equal(ports.inUse, 0);
  session.send(frame(0)); // ignored, never throws
});

t.test('before the phone\'s SDP nothing is taken; after it the first packet latches, even from another address', async (t) => {
  const { session, phone, frames } = await setUp(t);
  await phone.send(rtp(1, frame(1)), session.port);
  await until(() => session.counters().foreign === 1, 'the early packet refused');
  session.setRemote({ address: '127.0.0.2', port: phone.port + 1 }); // the SDP names another address
  await phone.send(rtp(2, frame(2)), session.port);
  await until(() => frames.length === 1, 'the phone\'s packet taken');
  t.same(session.remote, { address: '127.0.0.1', port: phone.port }, 'latched to where it came from');
});
