import t from 'tap';
import { encodeAlaw } from './alaw.js';
import { DtmfDetector, detectDigits } from './dtmf-detector.js';
import { FRAME_OCTETS } from './media-channel.js';
import { TEST_TONE_1004, toneFrame } from './tones.js';

// The audio is made here, sample by sample, and A-law encoded with alaw.ts's encoder: the
// detector's own tables and filters make none of it.

const RATE = 8000;
/** G.711: 0 dBm0 is 3.14 dB below the A-law overload point (full scale, 32768). */
const ZERO_DBM0_PEAK = 32768 * 10 ** (-3.14 / 20);
/** Q.23: rows (low group) and columns (high group) of the keypad. */
const ROWS = [697, 770, 852, 941];
const COLUMNS = [1209, 1336, 1477, 1633];
const PAD = ['123A', '456B', '789C', '*0#D'];
const ALL_KEYS = PAD.join('');

interface Tone {
  hz: number;
  dbm0: number;
}
interface Segment {
  ms: number;
  tones: Tone[];
}

interface KeyOptions {
  ms?: number;
  /** Level of the low tone; the high one is `highDb` above it. */
  dbm0?: number;
  highDb?: number;
  /** Frequency offsets, as fractions (0.015 = 1.5 % high). */
  lowOff?: number;
  highOff?: number;
}

/** The two tones of a key. */
function key(k: string, o: KeyOptions = {}): Segment {
  const row = PAD.findIndex((r) => r.includes(k));
  const low = ROWS[row]!;
  const high = COLUMNS[PAD[row]!.indexOf(k)]!;
  const dbm0 = o.dbm0 ?? -10;
  return {
    ms: o.ms ?? 60,
    tones: [
      { hz: low * (1 + (o.lowOff ?? 0)), dbm0 },
      { hz: high * (1 + (o.highOff ?? 0)), dbm0: dbm0 + (o.highDb ?? 0) },
    ],
  };
}

const silence = (ms: number): Segment => ({ ms, tones: [] });

/** Samples of the segments in turn, after `lead` samples of silence. */
function samples(segments: Segment[], lead = 0): Float64Array {
  const total = lead + segments.reduce((sum, s) => sum + Math.round((s.ms * RATE) / 1000), 0);
  const out = new Float64Array(total);
  let n = lead;
  for (const s of segments) {
    const end = n + Math.round((s.ms * RATE) / 1000);
    for (; n < end; n++) for (const tone of s.tones) out[n] = out[n]! + ZERO_DBM0_PEAK * 10 ** (tone.dbm0 / 20) * Math.sin((2 * Math.PI * tone.hz * n) / RATE);
  }
  return out;
}

/** A-law frames of 160 octets, the last one filled up with silence (0xD5). */
function frames(linear: Float64Array, size = FRAME_OCTETS): Buffer[] {
  const alaw = encodeAlaw(linear);
  const out: Buffer[] = [];
  for (let at = 0; at < alaw.length; at += size) {
    const frame = Buffer.alloc(size, 0xd5);
    alaw.copy(frame, 0, at, Math.min(at + size, alaw.length));
    out.push(frame);
  }
  return out;
}

/** The digits heard in the segments, with 100 ms of silence after them. */
const heard = (segments: Segment[], lead = 0) => detectDigits(frames(samples([...segments, silence(100)], lead)));

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;

/** Keys for which `make` is heard as that key and nothing else. */
const taken = (make: (k: string) => Segment) => [...ALL_KEYS].filter((k) => heard([silence(30), make(k)]) === k).join('');

/** Where a tone begins inside the first frame: its first sample's place, 0 to 159. */
const LEADS = [0, 23, 53, 80, 111, 140];

function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Uniform white noise at `dbm0` (its mean power). */
function whiteNoise(seconds: number, dbm0: number, seed: number): Float64Array {
  const next = random(seed);
  // A uniform variable on [-a, a] has mean power a^2 / 3; a 0 dBm0 sine's is peak^2 / 2.
  const a = ZERO_DBM0_PEAK * 10 ** (dbm0 / 20) * Math.sqrt(3 / 2);
  return Float64Array.from({ length: seconds * RATE }, () => (2 * next() - 1) * a);
}

/**
 * Something like talk: syllables of 120-300 ms with gaps of 30-150 ms between them; in each a
 * voice whose pitch glides between two values in 85-245 Hz, its harmonics (falling 3 dB an
 * octave) shaped by three formants that move (300-800, 900-2200 and 2200-3000 Hz, each 180 Hz
 * wide). Harmonics often fall near a DTMF pair, and formants sometimes lift two of them.
 */
function speechLike(seconds: number, dbm0: number, seed: number): Float64Array {
  const next = random(seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * next();
  const out = new Float64Array(seconds * RATE);
  let phase = 0;
  for (let n = 0; n < out.length; ) {
    const length = Math.round(between(0.12, 0.3) * RATE);
    const f0 = [between(85, 245), between(85, 245)];
    const formants = [
      [between(300, 800), between(300, 800)],
      [between(900, 2200), between(900, 2200)],
      [between(2200, 3000), between(2200, 3000)],
    ];
    for (let i = 0; i < length && n < out.length; i++, n++) {
      const u = i / length;
      const pitch = f0[0]! + (f0[1]! - f0[0]!) * u;
      phase += (2 * Math.PI * pitch) / RATE;
      let v = 0;
      for (let h = 1; h * pitch < 3600; h++) {
        let gain = 0;
        for (const [from, to] of formants) gain += 1 / (1 + ((h * pitch - (from! + (to! - from!) * u)) / 90) ** 2);
        v += (gain * Math.sin(h * phase)) / Math.sqrt(h);
      }
      out[n] = v * Math.sin(Math.PI * u);
    }
    n += Math.round(between(0.03, 0.15) * RATE);
  }
  const power = out.reduce((sum, x) => sum + x * x, 0) / out.length;
  const scale = (ZERO_DBM0_PEAK * 10 ** (dbm0 / 20)) / Math.sqrt(2 * power);
  return out.map((x) => x * scale);
}

t.test('every key at -10 dBm0 per tone is heard, in order', async (t) => {
  const segments = [...ALL_KEYS].flatMap((k) => [key(k, { ms: 60 }), silence(60)]);
  t.equal(heard(segments), ALL_KEYS);
});

t.test('a key of 50 ms is taken and one of 20 ms is not, wherever the tone falls in the frames (Q.24: 40 ms / 20 ms)', async (t) => {
  for (const lead of LEADS) {
    t.equal([...ALL_KEYS].map((k) => heard([key(k, { ms: 50 })], lead)).join(''), ALL_KEYS, `50 ms, tone from sample ${lead}`);
    t.equal([...ALL_KEYS].map((k) => heard([key(k, { ms: 20 })], lead)).join(''), '', `20 ms, tone from sample ${lead}`);
  }
});

t.test('one press is one digit', async (t) => {
  t.equal(heard([key('1', { ms: 500 })]), '1', 'a tone of 500 ms: one digit');
  t.equal(heard([key('#', { ms: 3000 })]), '#', 'one of 3 s: one digit');
  for (const lead of LEADS) {
    t.equal(heard([key('1', { ms: 50 }), silence(50), key('1', { ms: 50 })], lead), '11', `"1 1" with 50 ms between: two digits (tone from sample ${lead})`);
    t.equal(heard([key('5', { ms: 100 }), silence(15), key('5', { ms: 100 })], lead), '5', `a break of 15 ms in a press: still one digit (tone from sample ${lead})`);
  }
  t.equal(heard([key('1', { ms: 80 }), key('2', { ms: 80 })]), '12', 'another key straight after: a new digit');
});

t.test('frequency: tones 1.5 % off are taken, 3.5 % off are not (Q.24), nor 3 %', async (t) => {
  for (const off of [0.015, -0.015]) {
    t.equal(taken((k) => key(k, { lowOff: off, highOff: off })), ALL_KEYS, `both tones ${percent(off)}`);
    t.equal(taken((k) => key(k, { lowOff: off, highOff: -off })), ALL_KEYS, `low ${percent(off)}, high ${percent(-off)}`);
  }
  for (const off of [0.035, -0.035]) {
    t.equal(taken((k) => key(k, { lowOff: off })), '', `low tone ${percent(off)}`);
    t.equal(taken((k) => key(k, { highOff: off })), '', `high tone ${percent(off)}`);
    t.equal(taken((k) => key(k, { lowOff: off, highOff: off })), '', `both ${percent(off)}`);
    // The high tone 8 dB stronger carries most of the energy: the low one's offset must still tell.
    t.equal(taken((k) => key(k, { lowOff: off, highDb: 8 })), '', `low tone ${percent(off)}, 8 dB below the high`);
  }
  for (const off of [0.03, -0.03]) {
    t.equal(taken((k) => key(k, { lowOff: off, highDb: 8 })), '', `low tone ${percent(off)}, 8 dB below the high`);
    t.equal(taken((k) => key(k, { highOff: off, highDb: -4 })), '', `high tone ${percent(off)}, 4 dB below the low`);
  }
});

t.test('twist: the high tone 4 dB below to 8 dB above the low is taken, 7 dB below or 12 dB above is not', async (t) => {
  for (const highDb of [-4, 0, 8]) t.equal(taken((k) => key(k, { highDb })), ALL_KEYS, `high ${highDb} dB`);
  // At the limits, at the lowest level taken and off frequency too.
  t.equal(taken((k) => key(k, { dbm0: -25, highDb: 8, lowOff: -0.015, highOff: -0.015 })), ALL_KEYS, 'high 8 dB above, low at -25 dBm0, both 1.5 % low');
  t.equal(taken((k) => key(k, { dbm0: -21, highDb: -4, lowOff: 0.015, highOff: 0.015 })), ALL_KEYS, 'high 4 dB below, at -25 dBm0, both 1.5 % high');
  t.equal(taken((k) => key(k, { highDb: -7 })), '', 'high 7 dB below');
  t.equal(taken((k) => key(k, { dbm0: -16, highDb: 12 })), '', 'high 12 dB above');
});

t.test('level: -24 dBm0 per tone is taken, -30 dBm0 and below is not', async (t) => {
  t.equal(taken((k) => key(k, { dbm0: -24 })), ALL_KEYS, '-24 dBm0');
  t.equal(taken((k) => key(k, { dbm0: -25 })), ALL_KEYS, '-25 dBm0');
  for (const dbm0 of [-30, -35, -45]) t.equal(taken((k) => key(k, { dbm0 })), '', `${dbm0} dBm0`);
  t.equal(taken((k) => key(k, { dbm0: -3 })), ALL_KEYS, '-3 dBm0 per tone (the pair\'s peaks just below the overload point)');
});

t.test('no digits from other sounds', async (t) => {
  const testTone = Array.from({ length: 250 }, (_, i) => toneFrame(TEST_TONE_1004, i));
  t.equal(detectDigits(testTone), '', '1004 Hz test tone at -10 dBm0, 5 s');
  t.equal(heard([{ ms: 5000, tones: [{ hz: 450, dbm0: -10 }] }]), '', '450 Hz dial tone, 5 s');
  const busy = Array.from({ length: 8 }, () => [{ ms: 350, tones: [{ hz: 450, dbm0: -10 }] }, silence(350)]).flat();
  t.equal(heard(busy), '', '450 Hz busy tone, 350 ms on and off');
  t.equal(heard([{ ms: 5000, tones: [{ hz: 425, dbm0: 0 }] }]), '', '425 Hz at 0 dBm0');
  t.equal(heard([{ ms: 2000, tones: [{ hz: 941, dbm0: -10 }] }, { ms: 2000, tones: [{ hz: 1209, dbm0: -10 }] }]), '', 'one tone of a pair alone');
  t.equal(heard([{ ms: 500, tones: [...key('1').tones, ...key('5').tones] }]), '', 'two keys at once');
  // The high tone 6 dB up carries most of the energy; the third tone is what must tell.
  t.equal(heard([{ ms: 500, tones: [...key('5', { dbm0: -16, highDb: 6 }).tones, { hz: 852, dbm0: -20 }] }]), '', "a key with the next row's tone 4 dB below its own");
  for (const dbm0 of [-30, -20, -10, 0]) t.equal(detectDigits(frames(whiteNoise(5, dbm0, 17))), '', `white noise at ${dbm0} dBm0, 5 s`);
  for (const [seed, dbm0] of [-25, -15, -5].entries()) t.equal(detectDigits(frames(speechLike(60, dbm0, seed + 1))), '', `speech-like sound at ${dbm0} dBm0, 60 s`);
  // Chords: three notes of the equal-tempered scale from 220 Hz, a new chord every 250 ms.
  const next = random(7);
  const chords = Array.from({ length: 80 }, () => {
    const root = Math.floor(next() * 24);
    return { ms: 250, tones: [0, 4, 7].map((step) => ({ hz: 220 * 2 ** ((root + step) / 12), dbm0: -15 })) };
  });
  t.equal(heard(chords), '', 'chords, 20 s');
});

t.test('frames of any length give the same digits', async (t) => {
  const audio = samples([silence(30), ...[...'0*#9'].flatMap((k) => [key(k, { ms: 50 }), silence(50)])]);
  t.equal(detectDigits(frames(audio)), '0*#9', 'frames of 160 octets');
  t.equal(detectDigits(frames(audio, 37)), '0*#9', 'frames of 37 octets');
  t.equal(detectDigits([encodeAlaw(audio)]), '0*#9', 'all in one');
  const detector = new DtmfDetector();
  let digits = '';
  detector.on('digit', (d) => (digits += d));
  detector.push(Buffer.alloc(0));
  for (const frame of frames(audio)) detector.push(frame);
  t.equal(digits, '0*#9', 'an empty frame changes nothing');
});

t.test('speed: frames per second (a measurement, printed, not asserted)', async (t) => {
  // Mixed audio: keys, pauses and talk, one minute.
  const keys = samples([...ALL_KEYS].flatMap((k) => [key(k, { ms: 80 }), silence(920)]).concat(Array.from({ length: 44 }, () => silence(1000))));
  const talk = speechLike(60, -15, 3);
  const audio = frames(keys.map((x, i) => x + talk[i]! * 0.1));
  const detector = new DtmfDetector();
  let digits = '';
  detector.on('digit', (d) => (digits += d));
  for (const frame of audio) detector.push(frame); // warm-up, and the check below
  t.equal(digits, ALL_KEYS, 'the keys are heard through talk at -35 dBm0');
  const rounds = 5;
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const frame of audio) detector.push(frame);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const perSecond = (rounds * audio.length) / seconds;
  t.comment(`${Math.round(perSecond).toLocaleString('en-US')} frames/s (${((seconds * 1e6) / (rounds * audio.length)).toFixed(2)} us a frame): ${Math.round(perSecond / 50).toLocaleString('en-US')} calls in real time on one core of this machine`);
});
