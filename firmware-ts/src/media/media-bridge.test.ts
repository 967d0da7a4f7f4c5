import t, { type Test } from 'tap';
import { pino } from 'pino';
import { MediaBridge } from './media-bridge.js';
import { encodeRtp, parseRtp, PT_PCMA } from './rtp-packet.js';
import { RtpPorts } from './rtp-ports.js';
import { RtpSession } from './rtp-session.js';
import { UdpHighway } from './udp-highway.js';
import { UdpTestPeer, until } from './udp-test-peer.js';

// A call's media end to end over real sockets on 127.0.0.1: a test socket plays the card on
// the PCM highway, another the phone.

async function call(t: Test) {
  const logger = pino({ level: 'silent' });
  const min = 40_000 + 2 * Math.floor(Math.random() * 10_000);
  const line = await new UdpHighway({ logger }).open();
  const phone = await RtpSession.open({ ports: new RtpPorts({ min, max: min + 3 }), logger, address: '127.0.0.1' });
  const card = await UdpTestPeer.open();
  const handset = await UdpTestPeer.open();
  t.teardown(() => [line, phone, card, handset].forEach((x) => x.close()));
  phone.setRemote({ address: '127.0.0.1', port: handset.port, telephoneEventPt: 101 });
  const bridge = new MediaBridge(line, phone);
  let sequence = 0;
  return {
    line,
    phone,
    card,
    handset,
    bridge,
    fromCard: (fill: number) => card.send(Buffer.alloc(160, fill), line.port),
    fromHandset: (fill: number) => handset.send(encodeRtp({ marker: false, payloadType: PT_PCMA, sequence: sequence++, timestamp: sequence * 160, ssrc: 7 }, Buffer.alloc(160, fill)), phone.port),
  };
}

const rtpOf = (datagram: Buffer) => {
  const r = parseRtp(datagram);
  if (!r.ok) throw new Error(r.detail);
  return r.packet;
};

t.test('a frame from the card arrives at the phone as a PCMA packet with the frame as payload', async (t) => {
  const c = await call(t);
  await c.fromCard(0x12);
  const [datagram] = await c.handset.waitFor(1);
  const p = rtpOf(datagram!);
  t.match(p, { payloadType: 8, marker: true });
  t.same(p.payload, Buffer.alloc(160, 0x12));
  t.match(c.bridge.counters(), { toPhone: 1 });
});

t.test('RTP from the phone reaches the card as a 160-octet frame', async (t) => {
  const c = await call(t);
  await c.fromCard(0x01); // the highway learns the card's address from its first frame
  await c.handset.waitFor(1);
  await c.fromHandset(0x34);
  const [frame] = await c.card.waitFor(1);
  t.same(frame, Buffer.alloc(160, 0x34));
  t.match(c.bridge.counters(), { toLine: 1 });
});

t.test('on hold the line hears A-law silence, one frame per frame from the line, even when the phone is quiet', async (t) => {
  const c = await call(t);
  await c.fromCard(0x01);
  await c.handset.waitFor(1);
  c.bridge.hold(true);
  await c.fromHandset(0x77); // music or noise from the holding phone: not for the caller
  await until(() => c.bridge.counters().heldFromPhone === 1, 'the phone’s frame dropped');
  await c.fromCard(0x02);
  await c.fromCard(0x03);
  const toLine = await c.card.waitFor(2);
  t.same(toLine, [Buffer.alloc(160, 0xd5), Buffer.alloc(160, 0xd5)]);
  await c.handset.waitFor(3);
  t.equal(rtpOf(c.handset.received[2]!.datagram).payload[0], 0x03, 'the caller’s voice still reaches the phone');

  c.bridge.hold(false);
  await c.fromHandset(0x56);
  await c.card.waitFor(3);
  t.same(c.card.received[2]!.datagram, Buffer.alloc(160, 0x56), 'taken back: the phone is heard again');
  t.match(c.bridge.counters(), { toPhone: 3, toLine: 1, silenceToLine: 2, heldFromPhone: 1 });
});

t.test('stop() ends the forwarding both ways; closing the line stops it too', async (t) => {
  const c = await call(t);
  await c.fromCard(0x01);
  await c.handset.waitFor(1);
  c.bridge.stop();
  await c.fromCard(0x02);
  await c.fromHandset(0x03);
  await until(() => c.line.counters().framesIn === 2 && c.phone.counters().packetsIn === 1, 'both frames arrived');
  t.match(c.bridge.counters(), { toPhone: 1, toLine: 0 });

  const d = await call(t);
  d.line.close();
  await d.fromHandset(0x04);
  await until(() => d.phone.counters().packetsIn === 1, 'the phone’s frame arrived');
  t.match(d.bridge.counters(), { toLine: 0 });
});
