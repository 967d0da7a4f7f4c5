import t, { type Test } from 'tap';
import { pino } from 'pino';
import { bindUdp } from './udp-bind.js';
import { UdpHighway, type UdpChannel } from './udp-highway.js';
import { UdpTestPeer, until } from './udp-test-peer.js';

// The "card" is a real UDP socket on loopback, as the simulator's is on the bench.

async function setUp(t: Test) {
  const highway = new UdpHighway({ logger: pino({ level: 'silent' }) });
  const channel: UdpChannel = await highway.open();
  const card = await UdpTestPeer.open();
  t.teardown(() => {
    channel.close();
    card.close();
  });
  const frames: Buffer[] = [];
  channel.onFrame((f) => frames.push(f));
  return { channel, card, frames };
}

const frame = (fill: number, octets = 160) => Buffer.alloc(octets, fill);

t.test('frames from the card reach the listeners; the channel answers to where the card sends from', async (t) => {
  const { channel, card, frames } = await setUp(t);
  t.ok(channel.port > 0, 'bound on an ephemeral port');
  await card.send(frame(0x11), channel.port);
  await until(() => frames.length === 1, 'the first frame');
  t.same(frames[0], frame(0x11));
  t.same(channel.card, { address: '127.0.0.1', port: card.port }, 'latched to the card');

  channel.send(frame(0x22));
  const [back] = await card.waitFor(1);
  t.same(back, frame(0x22));
  t.match(channel.counters(), { framesIn: 1, framesOut: 1, wrongSize: 0, sentBeforeLatch: 0 });
});

t.test('send() before the card has sent anything is dropped and counted', async (t) => {
  const { channel, card, frames } = await setUp(t);
  channel.send(frame(0x33));
  t.equal(channel.counters().sentBeforeLatch, 1);
  await card.send(frame(0x44), channel.port);
  await until(() => frames.length === 1, 'the first frame');
  channel.send(frame(0x55));
  const [first] = await card.waitFor(1);
  t.same(first, frame(0x55), 'the card gets the frame sent after latching, not the one before');
});

t.test('datagrams that are not one frame are dropped and counted; they do not latch', async (t) => {
  const { channel, card, frames } = await setUp(t);
  const stranger = await UdpTestPeer.open();
  t.teardown(() => stranger.close());
  await card.send(frame(0x01, 80), channel.port);
  await card.send(frame(0x02, 161), channel.port);
  await until(() => channel.counters().wrongSize === 2, 'both bad sizes counted');
  t.equal(channel.card, undefined, 'no latch on a bad frame');
  await stranger.send(frame(0x03), channel.port);
  await until(() => frames.length === 1, 'the valid frame');
  t.equal(channel.card?.port, stranger.port, 'the first valid frame latches');
  await card.send(frame(0x04), channel.port);
  await until(() => channel.counters().foreign === 1, 'the other source counted');
  t.equal(frames.length, 1, 'frames from another source are not passed on');
});

t.test('close() frees the port, tells the close listeners, and later sends are ignored', async (t) => {
  const { channel, card, frames } = await setUp(t);
  let closes = 0;
  channel.onClose(() => closes++);
  await card.send(frame(0x01), channel.port);
  await until(() => frames.length === 1, 'the first frame');
  channel.close();
  channel.close();
  t.equal(closes, 1, 'close listeners called once');
  channel.send(frame(0x02));
  let late = 0;
  channel.onClose(() => late++);
  t.equal(late, 1, 'a listener added after the close is called at once');
  const rebound = await bindUdp('127.0.0.1', channel.port);
  rebound.close();
  t.pass('the port is free again: another socket could bind it');
});
