import t, { type Test } from 'tap';
import { pino } from 'pino';
import { FakeClock, type Clock } from '@countyline/e1-gateway';
import { TonePlayer } from './tone-player.js';
import { SPECIAL_INFORMATION_TONE, TEST_TONE_1004, toneFrame } from './tones.js';
import { UdpHighway, type UdpChannel } from './udp-highway.js';
import { UdpTestPeer, until } from './udp-test-peer.js';

// The channel is the bench highway on real sockets, the card a test socket; time is a
// FakeClock, so frames are sent when the test moves it.

async function setUp(t: Test) {
  const channel: UdpChannel = await new UdpHighway({ logger: pino({ level: 'silent' }) }).open();
  const card = await UdpTestPeer.open();
  t.teardown(() => {
    channel.close();
    card.close();
  });
  // The highway learns where the card is from the card's first frame.
  await card.send(Buffer.alloc(160, 0xd5), channel.port);
  await until(() => channel.card !== undefined, 'the channel to latch to the card');
  return { channel, card };
}

/** A clock whose timers all fire `lateMs` after they were due, like a busy event loop. */
function lateClock(inner: FakeClock, lateMs: number): Clock {
  return { now: () => inner.now(), setTimeout: (fn, ms) => inner.setTimeout(fn, ms + lateMs), clearTimeout: (h) => inner.clearTimeout(h) };
}

t.test('the special information tone reaches the card frame by frame, one every 20 ms', async (t) => {
  const { channel, card } = await setUp(t);
  const clock = new FakeClock(1_000_000);
  const player = new TonePlayer(channel, SPECIAL_INFORMATION_TONE, clock);
  player.start();
  t.equal(player.framesSent, 1, 'the first frame at once');
  clock.advance(19);
  t.equal(player.framesSent, 1);
  clock.advance(1);
  t.equal(player.framesSent, 2, 'the second 20 ms later');
  clock.advance(80);
  const received = await card.waitFor(6);
  t.same(
    received,
    Array.from({ length: 6 }, (_, k) => toneFrame(SPECIAL_INFORMATION_TONE, k)),
    'the tone’s frames, in order',
  );
});

t.test('timers that fire late do not make the tone drift', async (t) => {
  const { channel } = await setUp(t);
  const clock = new FakeClock(0);
  const player = new TonePlayer(channel, TEST_TONE_1004, lateClock(clock, 7));
  player.start();
  clock.advance(10_007);
  // Frames due at 0, 20, ..., 10 000 ms: 501, each 7 ms late. Re-arming 20 ms after each
  // send would have sent 371.
  t.equal(player.framesSent, 501);
  t.equal(player.skipped, 0);
});

t.test('after a long stall the player skips ahead instead of sending a burst', async (t) => {
  const { channel } = await setUp(t);
  const clock = new FakeClock(0);
  let stallNext = 0; // added to the next timer only
  const stalling: Clock = {
    now: () => clock.now(),
    setTimeout: (fn, ms) => {
      const handle = clock.setTimeout(fn, ms + stallNext);
      stallNext = 0;
      return handle;
    },
    clearTimeout: (h) => clock.clearTimeout(h),
  };
  const player = new TonePlayer(channel, TEST_TONE_1004, stalling);
  player.start();
  clock.advance(90); // frames 0-4; the timer for frame 5 is already set
  stallNext = 200; // so the one for frame 6 fires at 320 ms instead of 120
  clock.advance(230);
  // At 320 ms frames 6-16 are due: too many to send at once; only the current one goes.
  t.equal(player.framesSent, 17);
  t.equal(player.skipped, 10);
  clock.advance(20);
  t.equal(player.framesSent, 18, 'back on the 20 ms grid');
});

t.test('stop() ends the tone; closing the channel ends it too', async (t) => {
  const { channel } = await setUp(t);
  const clock = new FakeClock(0);
  const stops: string[] = [];
  const a = new TonePlayer(channel, TEST_TONE_1004, clock);
  a.on('stopped', (reason) => stops.push(reason));
  a.start();
  clock.advance(40);
  a.stop();
  a.stop();
  clock.advance(1000);
  t.equal(a.framesSent, 3, 'nothing after stop()');
  t.equal(clock.pending(), 0, 'no timer left behind');

  const b = new TonePlayer(channel, SPECIAL_INFORMATION_TONE, clock);
  b.on('stopped', (reason) => stops.push(reason));
  b.start();
  clock.advance(40);
  channel.close();
  clock.advance(1000);
  t.equal(b.framesSent, 3);
  t.equal(b.playing, false);
  t.same(stops, ['stop', 'channel-closed']);
  t.equal(clock.pending(), 0);
});
