import t from 'tap';
import { ALAW_SILENCE, alawDecode } from '../audio/g711.js';
import { PEAK_0DBM0 } from '../audio/level.js';
import { DTMF_KEYS, DtmfSequence, dtmfPair } from './dtmf-tones.js';

const LOW = [697, 770, 852, 941];
const HIGH = [1209, 1336, 1477, 1633];

/**
 * Level in dBm0 of the sine at `hz` in 8 kHz samples: the Goertzel recurrence at that exact
 * frequency (not the nearest bin), the DFT magnitude scaled to the sine's peak.
 */
function levelAt(samples: readonly number[], hz: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  const peak = (2 * Math.sqrt(power)) / samples.length;
  return 20 * Math.log10(peak / PEAK_0DBM0);
}

function frames(sequence: DtmfSequence, count: number): Buffer {
  return Buffer.concat(Array.from({ length: count }, () => sequence.nextFrame()));
}

t.test("Q.23's keypad: each key's row and column frequency; anything else is refused", async (t) => {
  t.same(
    [...DTMF_KEYS].map((k) => [k, ...dtmfPair(k)]),
    [
      ['0', 941, 1336],
      ['1', 697, 1209],
      ['2', 697, 1336],
      ['3', 697, 1477],
      ['4', 770, 1209],
      ['5', 770, 1336],
      ['6', 770, 1477],
      ['7', 852, 1209],
      ['8', 852, 1336],
      ['9', 852, 1477],
      ['*', 941, 1209],
      ['#', 941, 1477],
      ['A', 697, 1633],
      ['B', 770, 1633],
      ['C', 852, 1633],
      ['D', 941, 1633],
    ],
  );
  for (const bad of ['a', 'E', '', '12', '+']) t.throws(() => dtmfPair(bad), RangeError, JSON.stringify(bad));
  t.throws(() => new DtmfSequence('1x'), /"x" is not a DTMF key; the keys are 0123456789\*#ABCD/);
});

t.test('each key: 50 ms of its two tones at -10 dBm0 each, the other six far below; then 50 ms of silence', async (t) => {
  for (const key of DTMF_KEYS) {
    const octets = frames(new DtmfSequence(key), 5);
    const tone = [...octets.subarray(0, 400)].map(alawDecode);
    const [low, high] = dtmfPair(key);
    for (const hz of [...LOW, ...HIGH]) {
      const dbm0 = levelAt(tone, hz);
      if (hz === low || hz === high) t.ok(Math.abs(dbm0 + 10) < 0.5, `${key}: ${hz} Hz at ${dbm0.toFixed(2)} dBm0`);
      else t.ok(dbm0 < -25, `${key}: ${hz} Hz only ${dbm0.toFixed(1)} dBm0, 15 dB or more below`);
    }
    t.ok(
      octets.subarray(400).every((o) => o === ALAW_SILENCE),
      `${key}: the pause is A-law silence`,
    );
  }
});

t.test('keys follow one another, keys pushed later join the end, and after the last comes silence', async (t) => {
  const sequence = new DtmfSequence('1');
  const first = frames(sequence, 3);
  sequence.push('#');
  const rest = frames(sequence, 7);
  t.ok(sequence.done);
  const all = [...Buffer.concat([first, rest])].map(alawDecode);
  const heard = (from: number) => [697, 941, 1209, 1477].map((hz) => levelAt(all.slice(from, from + 400), hz) > -11);
  t.same(heard(0), [true, false, true, false], '1: 697 and 1209 Hz');
  t.same(heard(800), [false, true, false, true], '#: 941 and 1477 Hz, 100 ms after the 1');
  t.same([...sequence.nextFrame()], new Array(160).fill(ALAW_SILENCE), 'done: silence');
});
