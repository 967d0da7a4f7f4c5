import { FakeClock, TypedEmitter } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t from 'tap';
import { encodeAlaw } from '../media/alaw.js';
import { FRAME_OCTETS, type MediaChannel, type MediaHighway } from '../media/media-channel.js';
import { RINGBACK_TONE, toneFrame } from '../media/tones.js';
import { UdpHighway } from '../media/udp-highway.js';
import { CallMediaPath } from './call-media-path.js';
import type { LineLeg, LineLegEvents } from './line-leg.js';

// The card's media commands for one line, as two calls on the same circuit race: the first
// ends while its audio is being opened, and a new call takes the circuit.

class Leg extends TypedEmitter<LineLegEvents> implements LineLeg {
  readonly calling = '';
  readonly called = '';
  readonly arrivedAt = 0;
  readonly earlyMedia = true;
  constructor(
    private readonly card: number[],
    readonly line: LineLeg['line'] = { kind: 'e1', span: 0, timeslot: 7, cic: 7 },
  ) {
    super();
  }
  alert(): void {}
  answer(): void {}
  release(): void {}
  async connectMedia(port: number): Promise<void> {
    // The card's answer takes a moment, as over the serial link.
    await new Promise((r) => setTimeout(r, 5));
    this.card.push(port);
  }
}

t.test('a call ended while its audio opened neither connects nor disconnects the line a newer call took', async (t) => {
  const card: number[] = [];
  const path = new CallMediaPath({ highway: new UdpHighway({ logger: pino({ level: 'silent' }) }), clock: new FakeClock(0), logger: pino({ level: 'silent' }), rtp: null });
  const first = path.open(new Leg(card));
  const second = path.open(new Leg(card)); // the same circuit, a new call, before the first is connected
  await t.rejects(first, /a newer call took the line/);
  const media = await second;
  t.teardown(() => media.close());
  t.equal(card.length, 1, 'one connect went to the card');
  t.not(card[0], 0, 'to the new call\'s port');
  media.close();
  await new Promise((r) => setTimeout(r, 30));
  t.same(card.slice(1), [0], 'the new call\'s end disconnects the line');
});

t.test('a call that ended after it connected: the next call on the line re-points it, no disconnect between', async (t) => {
  const card: number[] = [];
  const path = new CallMediaPath({ highway: new UdpHighway({ logger: pino({ level: 'silent' }) }), clock: new FakeClock(0), logger: pino({ level: 'silent' }), rtp: null });
  const one = await path.open(new Leg(card));
  one.close();
  const two = await path.open(new Leg(card));
  t.teardown(() => two.close());
  t.equal(card.length, 2, 'a connect each (the card moves a connected line to the new port)');
  t.ok(card[0] !== 0 && card[1] !== 0 && card[0] !== card[1], `to ${card[0]}, then to ${card[1]}`);
});

// In-band keys: the caller's audio from an E1 timeslot goes through a DTMF receiver; an FXO
// port's keys come from the card's own receiver instead (the leg's 'digit'), never from here.

/** A highway whose channels the test feeds by hand, as the card would, frame by frame. */
class HandHighway implements MediaHighway {
  readonly channels: HandChannel[] = [];
  async open(): Promise<HandChannel> {
    const channel = new HandChannel(4000 + this.channels.length);
    this.channels.push(channel);
    return channel;
  }
}

class HandChannel implements MediaChannel {
  private readonly listeners: ((frame: Buffer) => void)[] = [];
  constructor(readonly port: number) {}
  send(): void {}
  onFrame(listener: (frame: Buffer) => void): void {
    this.listeners.push(listener);
  }
  onClose(): void {}
  close(): void {}
  /** What the line sends the box. */
  receive(frame: Buffer): void {
    for (const l of this.listeners) l(frame);
  }
}

/** Q.23 key pairs (low, high), computed here rather than taken from the detector. */
const PAIRS: Record<string, [number, number]> = { '1': [697, 1209], '5': [770, 1336], '9': [852, 1477], '#': [941, 1477], '0': [941, 1336] };
/** G.711: 0 dBm0 is 3.14 dB below the A-law overload point. */
const PEAK_10_DBM0 = 32768 * 10 ** (-3.14 / 20) * 10 ** (-10 / 20);

/** A-law frames of the keys, each 80 ms of its two tones at -10 dBm0 then 80 ms of silence. */
function keyFrames(keys: string): Buffer[] {
  const samples: number[] = [];
  for (const k of keys) {
    const [low, high] = PAIRS[k]!;
    for (let n = 0; n < 640; n++) samples.push(PEAK_10_DBM0 * (Math.sin((2 * Math.PI * low * n) / 8000) + Math.sin((2 * Math.PI * high * n) / 8000)));
    for (let n = 0; n < 640; n++) samples.push(0);
  }
  const audio = encodeAlaw(samples);
  const frames: Buffer[] = [];
  for (let at = 0; at < audio.length; at += FRAME_OCTETS) frames.push(audio.subarray(at, at + FRAME_OCTETS));
  return frames;
}

function pathOn(highway: HandHighway): CallMediaPath {
  return new CallMediaPath({ highway, clock: new FakeClock(0), logger: pino({ level: 'silent' }), rtp: null });
}

t.test('keys a caller presses on an E1 timeslot reach the digit listeners, once each', async (t) => {
  const highway = new HandHighway();
  const media = await pathOn(highway).open(new Leg([]));
  t.teardown(() => media.close());
  const heard: string[] = [];
  media.onDigit((digit) => heard.push(digit));
  for (const frame of keyFrames('159#0')) highway.channels[0]!.receive(frame);
  t.same(heard, ['1', '5', '9', '#', '0']);
});

t.test('an FXO port: the in-band tones are not reported a second time (the card reports them)', async (t) => {
  const highway = new HandHighway();
  const media = await pathOn(highway).open(new Leg([], { kind: 'fxo', port: 2 }));
  t.teardown(() => media.close());
  const heard: string[] = [];
  media.onDigit((digit) => heard.push(digit));
  for (const frame of keyFrames('159#')) highway.channels[0]!.receive(frame);
  t.same(heard, []);
});

t.test('the ringback tone on an E1 timeslot report no keys', async (t) => {
  const highway = new HandHighway();
  const media = await pathOn(highway).open(new Leg([]));
  t.teardown(() => media.close());
  const heard: string[] = [];
  media.onDigit((digit) => heard.push(digit));
  for (let i = 0; i < 100; i++) highway.channels[0]!.receive(toneFrame(RINGBACK_TONE, i));
  for (const frame of keyFrames('5')) highway.channels[0]!.receive(frame);
  t.same(heard, ['5'], 'only the key');
});

t.test("a callback's audio opens before its line: attach connects the line, close disconnects it, even a close during the attach", async (t) => {
  const card: number[] = [];
  const path = new CallMediaPath({ highway: new UdpHighway({ logger: pino({ level: 'silent' }) }), clock: new FakeClock(0), logger: pino({ level: 'silent' }), rtp: null });
  const fxo = { kind: 'fxo' as const, port: 4 };
  const one = await path.openPhoneFirst();
  t.same(card, [], 'no line yet');
  await one.attach(new Leg(card, fxo));
  t.equal(card.length, 1);
  t.not(card[0], 0, 'the line goes to the call\'s port');
  one.close();
  await new Promise((r) => setTimeout(r, 30));
  t.same(card.slice(1), [0], 'and is disconnected at the end');

  const two = await path.openPhoneFirst();
  const attaching = two.attach(new Leg(card, fxo));
  two.close(); // the agent hung up as the line was being connected
  await attaching;
  await new Promise((r) => setTimeout(r, 30));
  t.same(card.slice(2), [card[2], 0], 'connected, then disconnected at once: the line does not stay on a closed port');
  t.not(card[2], 0);
  await t.rejects(two.attach(new Leg(card, fxo)), /ended before its line/, 'a closed call takes no line');
});

// Voice messages: the caller's frames, from an FXO port as from an E1 timeslot, kept in one buffer.

t.test("recording an FXO line: the frames the caller sends, up to the longest message; close ends it with what came", async (t) => {
  const highway = new HandHighway();
  const path = new CallMediaPath({ highway, clock: new FakeClock(0), logger: pino({ level: 'silent' }), rtp: null });
  const media = await path.open(new Leg([], { kind: 'fxo', port: 0 }));
  const [channel] = highway.channels;
  const voice = (i: number) => toneFrame({ name: 'voice', dbm0: -10, cadence: [{ frequency: 1000, ms: 1000 }] }, i);
  channel!.receive(voice(0)); // before the recording: not in it
  const full = media.record(100); // five frames
  for (let i = 1; i <= 7; i++) channel!.receive(voice(i));
  const audio = await full;
  t.equal(audio.length, 5 * FRAME_OCTETS, 'ends at the longest message; frames past it are dropped');
  t.same(audio, Buffer.concat([1, 2, 3, 4, 5].map(voice)), 'the frames as the line sent them, in order');

  const cut = media.record(1000);
  channel!.receive(voice(8));
  channel!.receive(voice(9));
  media.close(); // the caller hung up
  t.same(await cut, Buffer.concat([voice(8), voice(9)]), 'what came before the hang-up is kept');
  t.equal((await media.record(1000)).length, 0, 'nothing is recorded on a closed call');
});

t.test('stopRecording leaves out the key that ended the message', async (t) => {
  const highway = new HandHighway();
  const path = new CallMediaPath({ highway, clock: new FakeClock(0), logger: pino({ level: 'silent' }), rtp: null });
  const media = await path.open(new Leg([]));
  t.teardown(() => media.close());
  const recording = media.record(5000);
  for (let i = 0; i < 20; i++) highway.channels[0]!.receive(Buffer.alloc(FRAME_OCTETS, i));
  media.stopRecording(200);
  const audio = await recording;
  t.equal(audio.length, 10 * FRAME_OCTETS, '400 ms less the last 200');
  t.equal(audio.at(-1), 9);
});
