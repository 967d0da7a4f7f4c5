// The in-band DTMF receiver's cost: frames of 20 ms (160 A-law octets) analysed per second on
// one core, for the kinds of audio a call carries, and the memory one receiver takes. Against
// the compiled firmware (firmware-ts/dist). The box runs one receiver per E1 call, on every
// frame, so the figure to read is how many calls one core could listen to in real time
// (frames/s / 50).
//
// Run through `npm run bench` (builds first), or `node bench/run.mjs dtmf`.
import { PerformanceObserver } from 'node:perf_hooks';
import { encodeAlaw } from '../firmware-ts/dist/media/alaw.js';
import { DtmfDetector } from '../firmware-ts/dist/media/dtmf-detector.js';

export const title = 'DTMF receiver';

const RATE = 8000;
const FRAME = 160;
/** G.711: 0 dBm0 is 3.14 dB below the A-law overload point. */
const ZERO_DBM0_PEAK = 32768 * 10 ** (-3.14 / 20);
const ROWS = [697, 770, 852, 941];
const COLUMNS = [1209, 1336, 1477, 1633];
const KEYS = '123A456B789C*0#D';
const SECONDS = 60;

function random(seed) {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const peak = (dbm0) => ZERO_DBM0_PEAK * 10 ** (dbm0 / 20);

/** A key of 80 ms at -10 dBm0 per tone every second (KEYS in turn), silence between. */
function keys() {
  const out = new Float64Array(SECONDS * RATE);
  for (let s = 0; s < SECONDS; s++) {
    const k = s % 16;
    const low = ROWS[k >> 2];
    const high = COLUMNS[k & 3];
    for (let i = 0; i < 0.08 * RATE; i++) {
      const n = s * RATE + i;
      out[n] = peak(-10) * (Math.sin((2 * Math.PI * low * n) / RATE) + Math.sin((2 * Math.PI * high * n) / RATE));
    }
  }
  return out;
}

/** Vowels of 120-300 ms with gliding pitch and three formants, gaps between, at -15 dBm0. */
function talk() {
  const next = random(11);
  const between = (lo, hi) => lo + (hi - lo) * next();
  const out = new Float64Array(SECONDS * RATE);
  let phase = 0;
  for (let n = 0; n < out.length; ) {
    const length = Math.round(between(0.12, 0.3) * RATE);
    const f0 = [between(85, 245), between(85, 245)];
    const formants = [between(300, 800), between(900, 2200), between(2200, 3000)];
    for (let i = 0; i < length && n < out.length; i++, n++) {
      const u = i / length;
      const pitch = f0[0] + (f0[1] - f0[0]) * u;
      phase += (2 * Math.PI * pitch) / RATE;
      let v = 0;
      for (let h = 1; h * pitch < 3600; h++) {
        let gain = 0;
        for (const f of formants) gain += 1 / (1 + ((h * pitch - f) / 90) ** 2);
        v += (gain * Math.sin(h * phase)) / Math.sqrt(h);
      }
      out[n] = v * Math.sin(Math.PI * u);
    }
    n += Math.round(between(0.03, 0.15) * RATE);
  }
  const power = out.reduce((sum, x) => sum + x * x, 0) / out.length;
  const scale = peak(-15) / Math.sqrt(2 * power);
  return out.map((x) => x * scale);
}

function noise() {
  const next = random(5);
  const a = peak(-10) * Math.sqrt(3 / 2);
  return Float64Array.from({ length: SECONDS * RATE }, () => (2 * next() - 1) * a);
}

const silence = () => new Float64Array(SECONDS * RATE);

function framesOf(linear) {
  const alaw = encodeAlaw(linear);
  const out = [];
  for (let at = 0; at < alaw.length; at += FRAME) out.push(alaw.subarray(at, at + FRAME));
  return out;
}

const AUDIO = [
  { name: 'silence (idle channel)', make: silence, digits: '' },
  { name: 'talk, -15 dBm0', make: talk, digits: '' },
  { name: 'white noise, -10 dBm0', make: noise, digits: '' },
  { name: 'a key a second (80 ms, -10 dBm0)', make: keys, digits: Array.from({ length: SECONDS }, (_, s) => KEYS[s % 16]).join('') },
];

function median(xs) {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/** One detector over the audio, `rounds` times. */
function listen(detector, frames, rounds) {
  for (let r = 0; r < rounds; r++) for (const frame of frames) detector.push(frame);
}

/** Heap plus typed-array buffers after a full GC. */
async function memory() {
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 20));
  globalThis.gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export default async function run({ quick = false } = {}) {
  const repeats = quick ? 3 : 7;
  const rounds = quick ? 1 : 3;
  const sets = AUDIO.map((a) => ({ ...a, frames: framesOf(a.make()) }));
  const states = sets.map(() => {
    const detector = new DtmfDetector();
    const state = { detector, digits: '' };
    detector.on('digit', (d) => (state.digits += d));
    return state;
  });
  // Check that the receiver hears what the audio holds, and warm every set up.
  sets.forEach((s, i) => {
    listen(states[i].detector, s.frames, 1);
    if (states[i].digits !== s.digits) throw new Error(`${s.name}: heard "${states[i].digits}", expected "${s.digits}"`);
  });
  // Garbage collections while timing: the receiver should cause none.
  globalThis.gc?.();
  let collections = 0;
  const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
  observer.observe({ entryTypes: ['gc'] });
  // Repeats go round all sets, so a burst of load elsewhere hits them alike.
  const ns = sets.map(() => []);
  for (let rep = 0; rep < repeats; rep++) {
    sets.forEach((s, i) => {
      const t0 = process.hrtime.bigint();
      listen(states[i].detector, s.frames, rounds);
      ns[i].push(Number(process.hrtime.bigint() - t0) / (rounds * s.frames.length));
    });
  }
  await new Promise((resolve) => setTimeout(resolve, 20)); // let the observer hear of the last ones
  observer.disconnect();
  const framesTimed = repeats * rounds * sets.reduce((sum, s) => sum + s.frames.length, 0);
  const rows = sets.map((s, i) => {
    const nsPerFrame = median(ns[i]);
    return { name: s.name, nsPerFrame, framesPerSecond: 1e9 / nsPerFrame, calls: 1e9 / nsPerFrame / 50 };
  });

  const count = 1000;
  const before = await memory();
  const kept = Array.from({ length: count }, () => new DtmfDetector());
  const bytes = ((await memory()) - before) / count;
  if (kept.length !== count) throw new Error('lost a detector');

  const gc = { collections, framesTimed };
  return { title, text: text(rows, bytes, gc), markdown: markdown(rows, bytes, gc, { repeats, rounds }) };
}

const fmt = (v, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const HEAD = ['audio', 'frames/s', 'us/frame', 'calls in real time per core'];
const cells = (r) => [r.name, fmt(r.framesPerSecond), fmt(r.nsPerFrame / 1000, 2), fmt(r.calls)];

function text(rows, bytes, gc) {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(cells(r))), '', `memory per receiver: ${fmt(bytes)} bytes; garbage collections while ${fmt(gc.framesTimed)} frames were timed: ${gc.collections}`].join('\n');
}

function markdown(rows, bytes, gc, { repeats, rounds }) {
  return [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, c) => (c === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${cells(r).join(' | ')} |`),
    '',
    `- One receiver per row fed ${SECONDS} s of audio (${fmt(SECONDS * 50)} frames of 160 A-law octets) ${rounds} times per run; us/frame: median of ${repeats} runs, taken in turn across the rows after a warm-up that also checks the digits heard (none but the keys). Calls in real time per core: frames/s / 50.`,
    `- Memory per receiver: JS heap plus typed-array buffers of 1,000 receivers, after GC: ${fmt(bytes)} bytes each. Garbage collections while the ${fmt(gc.framesTimed)} frames were timed: ${gc.collections} (the receiver allocates nothing per frame).`,
  ].join('\n');
}
