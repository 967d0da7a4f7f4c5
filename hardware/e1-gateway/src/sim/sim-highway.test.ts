import { boxSocket } from '../../test-support/box-socket.js';
import t, { type Test } from 'tap';
import { ALAW_SILENCE } from '../audio/g711.js';
import { sinePeak } from '../audio/level.js';
import { measureAlaw } from '../audio/measure.js';
import { ToneGenerator } from '../audio/tone.js';
import { FakeClock, systemClock, type Clock, type TimerHandle } from '../clock.js';
import type { DatagramSource, HighwaySocket, OpenHighwaySocket } from './highway-socket.js';
import { MediaLines, type LineKey } from './media-lines.js';
import { SimHighway } from './sim-highway.js';

/** In-memory sockets: what each sent, and a way to deliver a datagram to it. */
function memorySockets() {
  let nextPort = 50_000;
  const sockets: { port: number; sent: { at: number; port: number; data: Uint8Array }[]; closed: boolean; deliver: (data: Buffer, from: DatagramSource) => void }[] = [];
  let clock: Clock = systemClock;
  const open: OpenHighwaySocket = async (onMessage) => {
    const entry = { port: nextPort++, sent: [] as { at: number; port: number; data: Uint8Array }[], closed: false, deliver: onMessage };
    sockets.push(entry);
    const socket: HighwaySocket = {
      port: entry.port,
      send: (data, port) => {
        if (!entry.closed) entry.sent.push({ at: clock.now(), port, data: Uint8Array.from(data) });
      },
      close: async () => {
        entry.closed = true;
      },
    };
    return socket;
  };
  return { open, sockets, useClock: (c: Clock) => (clock = c) };
}

function fakeRig(t: Test) {
  const clock = new FakeClock(0);
  const carrying = new Map<LineKey, boolean>();
  const lines = new MediaLines({ clock, carrying: (line) => carrying.get(line) ?? true });
  const net = memorySockets();
  net.useClock(clock);
  const highway = new SimHighway({ lines, clock, open: net.open });
  t.teardown(() => highway.close());
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { clock, lines, net, highway, carrying, settle };
}

/** A clock whose timers fire only when told, late: at the time it is moved to, as a busy event loop fires them. */
class LateClock implements Clock {
  private time = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.timers.set(this.nextId, { at: this.time + Math.max(0, ms), fn });
    return this.nextId++ as unknown as TimerHandle;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as unknown as number);
  }
  /** Moves to `time`, then fires every timer due by then, earliest first, all at `time`. */
  jumpTo(time: number): void {
    this.time = time;
    for (;;) {
      const due = [...this.timers].filter(([, x]) => x.at <= time).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) return;
      this.timers.delete(due[0]);
      due[1].fn();
    }
  }
}

t.test('one frame every 20 ms, scheduled from the start: late timers do not make it drift', async (t) => {
  const clock = new LateClock();
  const lines = new MediaLines({ clock, carrying: () => true });
  const net = memorySockets();
  net.useClock(clock);
  const highway = new SimHighway({ lines, clock, open: net.open });
  t.teardown(() => highway.close());
  lines.connect('fxo/0', 40_000);
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(net.sockets.length, 1, 'one socket for the line');
  // The event loop is busy now and then: timers fire late, once 55 ms late.
  for (const at of [7, 23, 41, 95, 98, 121, 1000]) clock.jumpTo(at);
  const sent = net.sockets[0]!.sent;
  t.same(
    sent.slice(0, 6).map((s) => s.at),
    [23, 41, 95, 95, 121, 121],
    'a late timer sends the frames it owes at once (those of 60 and 80 at 95, of 100 and 120 at 121)',
  );
  t.equal(sent.length, 50, 'exactly 50 frames in the first second');
  t.ok(sent.every((s) => s.port === 40_000 && s.data.length === 160), '160 octets each, to the media port');
  for (let at = 1013; at < 11_000; at += 13) clock.jumpTo(at);
  clock.jumpTo(11_000);
  t.equal(sent.length, 550, '50 a second, still, 10 seconds on');
});

t.test('what the line carries: silence while it carries nothing, else what the far end plays', async (t) => {
  const { clock, lines, net, carrying, settle } = fakeRig(t);
  lines.audio('e1/0/3').play({ tone: { hz: 1000, dbm0: -10 } });
  carrying.set('e1/0/3', false);
  lines.connect('e1/0/3', 40_003);
  await settle();
  clock.advance(100);
  const sent = net.sockets[0]!.sent;
  t.ok(sent.every((s) => s.data.every((o) => o === ALAW_SILENCE)), 'A-law silence while the span is out of frame');
  carrying.set('e1/0/3', true);
  clock.advance(200);
  const m = measureAlaw(sent.slice(5).map((s) => s.data))!;
  t.ok(!m.silent && Math.abs(m.hz! - 1000) < 1, `the tone once it carries audio: ${m.hz} Hz`);
  t.equal(lines.state('e1/0/3').framesSent, 15);
});

t.test('re-pointing, disconnecting, and what is accepted from the box', async (t) => {
  const { clock, lines, net, highway, settle } = fakeRig(t);
  lines.connect('fxo/1', 40_001);
  await settle();
  const socket = net.sockets[0]!;
  t.equal(lines.state('fxo/1').localPort, socket.port, 'the state names the card-side port');
  clock.advance(40);
  lines.connect('fxo/1', 40_011);
  clock.advance(40);
  t.same(socket.sent.map((s) => s.port), [40_001, 40_001, 40_011, 40_011], 'the same socket, sending to the new port');
  t.equal(net.sockets.length, 1);

  const frame = Buffer.alloc(160, 0x34);
  socket.deliver(frame, { address: '127.0.0.1', port: 40_011 });
  socket.deliver(frame, { address: '127.0.0.1', port: 40_001 }); // the old port
  socket.deliver(frame, { address: '127.0.0.2', port: 40_011 });
  socket.deliver(Buffer.alloc(80), { address: '127.0.0.1', port: 40_011 });
  t.match(lines.state('fxo/1'), { framesReceived: 1, framesDropped: 3 });

  lines.connect('fxo/1', 0);
  t.equal(socket.closed, true, 'media port 0 closes the socket');
  t.equal(highway.lineCount, 0);
  t.equal(clock.pending(), 0, 'and no timer is left running');
  t.match(lines.state('fxo/1'), { connected: false, mediaPort: null, localPort: null });
  lines.connect('fxo/1', 40_001);
  lines.connect('fxo/1', 0);
  await settle();
  t.equal(net.sockets[1]?.closed, true, 'a line disconnected while its socket opened gets it closed');
});

t.test('closing the highway closes every socket', async (t) => {
  const { lines, net, highway, settle } = fakeRig(t);
  lines.connect('fxo/0', 40_000);
  lines.connect('e1/0/1', 40_001);
  await settle();
  await highway.close();
  t.same(net.sockets.map((s) => s.closed), [true, true]);
  lines.connect('fxo/2', 40_002);
  await settle();
  t.equal(net.sockets.length, 2, 'a closed highway opens nothing');
});

// --- real UDP on 127.0.0.1


async function waitFor(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Frequency from sign changes of the A-law octets (bit 7 is the sign), without decoding them. */
function zeroCrossingHz(octets: Uint8Array): number {
  let crossings = 0;
  for (let i = 1; i < octets.length; i++) if ((octets[i]! ^ octets[i - 1]!) & 0x80) crossings++;
  return crossings / 2 / (octets.length / 8000);
}

t.test('real UDP: the box hears the far end\'s tone, and the far end hears the box', async (t) => {
  const lines = new MediaLines({ clock: systemClock, carrying: () => true });
  const highway = new SimHighway({ lines });
  t.teardown(() => highway.close());
  const box = await boxSocket(t);
  lines.audio('fxo/0').play({ tone: { hz: 1000, dbm0: -10 } });
  lines.connect('fxo/0', box.port);

  await waitFor('25 frames at the box', () => box.frames.length >= 25);
  const frames = box.frames.slice(0, 25).map((f) => f.data);
  t.ok(frames.every((f) => f.length === 160), 'every datagram is one 160-octet frame');
  const cardPort = box.frames[0]!.from;
  t.equal(lines.state('fxo/0').localPort, cardPort, 'from the port the state names');
  const m = measureAlaw(frames)!;
  t.ok(Math.abs(m.hz! - 1000) <= 1 && Math.abs(m.dbm0 + 10) <= 0.5, `measured ${m.hz} Hz at ${m.dbm0} dBm0`);
  const joined = Buffer.concat(frames);
  const crossing = zeroCrossingHz(joined);
  t.ok(Math.abs(crossing - 1000) <= 4, `zero crossings say ${crossing} Hz`);
  // The level, without the decoder: the loudest octets are in the segment of the sine's peak.
  const peak13 = sinePeak(-10) / 8; // on G.711's 13-bit scale, about 902: segment 5 (512..1023)
  const topSegment = Math.max(...[...joined].map((o) => ((o ^ 0x55) >> 4) & 0x07));
  t.equal(topSegment, 5, `the peak (${peak13.toFixed(0)} of 4096) is in segment 5`);

  // The box answers to the address the frames came from.
  const back = new ToneGenerator({ hz: 2100, dbm0: -20 });
  for (let i = 0; i < 50; i++) box.socket.send(back.nextFrame(), cardPort, '127.0.0.1');
  await waitFor('50 frames at the far end', () => lines.state('fxo/0').framesReceived >= 50);
  const heard = lines.state('fxo/0').received;
  t.ok(Math.abs(heard.hz! - 2100) <= 1 && Math.abs(heard.dbm0! + 20) <= 0.5, `the far end hears ${heard.hz} Hz at ${heard.dbm0} dBm0`);

  const stranger = await boxSocket(t);
  stranger.socket.send(Buffer.alloc(160, 0x34), cardPort, '127.0.0.1');
  await waitFor('the stranger\'s frame counted', () => lines.state('fxo/0').framesDropped === 1);
  t.equal(lines.state('fxo/0').framesReceived, 50, 'and not heard');

  const other = await boxSocket(t);
  lines.connect('fxo/0', other.port);
  await waitFor('frames at the new port', () => other.frames.length >= 3);
  t.equal(other.frames[0]!.from, cardPort, 're-pointed: the same card-side socket');
});
