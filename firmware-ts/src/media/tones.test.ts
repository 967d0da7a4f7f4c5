import t from 'tap';
import { alawToLinear } from './alaw.js';
import { SPECIAL_INFORMATION_TONE, TEST_TONE_1004, toneFrame } from './tones.js';

const decode = (frames: Buffer[]) => frames.flatMap((f) => [...f].map(alawToLinear));
const frames = (tone: typeof TEST_TONE_1004, first: number, count: number) => Array.from({ length: count }, (_, i) => toneFrame(tone, first + i));

/** Power of one frequency in a block of samples (Goertzel), relative to the block's total. */
function share(samples: number[], frequency: number): number {
  const w = (2 * Math.PI * frequency) / 8000;
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x + 2 * Math.cos(w) * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - 2 * Math.cos(w) * s1 * s2;
  const total = samples.reduce((sum, x) => sum + x * x, 0);
  return (2 * power) / (samples.length * total);
}

const dbm0 = (samples: number[]) => {
  const rms = Math.sqrt(samples.reduce((sum, x) => sum + x * x, 0) / samples.length);
  const zeroDbm0Rms = (32768 * 10 ** (-3.14 / 20)) / Math.SQRT2;
  return 20 * Math.log10(rms / zeroDbm0Rms);
};

t.test('1004 Hz test tone: one second is at -10 dBm0 and all of its power is at 1004 Hz', async (t) => {
  const second = decode(frames(TEST_TONE_1004, 0, 50));
  t.ok(Math.abs(dbm0(second) - -10) < 0.2, `level ${dbm0(second).toFixed(2)} dBm0`);
  t.ok(share(second, 1004) > 0.98, `share at 1004 Hz ${share(second, 1004).toFixed(3)}`);
  t.ok(share(second, 1000) < 0.05, 'not 1000 Hz');
});

t.test('special information tone: 950, 1400, 1800 Hz for 330 ms each, then silence, then again', async (t) => {
  // 330 ms is 16.5 frames: segments begin inside frames. Cycle: 1990 ms = 99.5 frames, so
  // take samples by time: 8 samples a millisecond.
  const samples = decode(frames(SPECIAL_INFORMATION_TONE, 0, 200));
  const at = (fromMs: number, toMs: number) => samples.slice(fromMs * 8, toMs * 8);
  t.ok(share(at(10, 320), 950) > 0.95, '950 Hz first');
  t.ok(share(at(340, 650), 1400) > 0.95, '1400 Hz second');
  t.ok(share(at(670, 980), 1800) > 0.95, '1800 Hz third');
  t.ok(
    at(990, 1990).every((x) => x === 8),
    'silence (A-law 0xD5) for the next second',
  );
  t.ok(share(at(2000, 2310), 950) > 0.95, 'then 950 Hz again');
  t.ok(Math.abs(dbm0(at(10, 320)) - SPECIAL_INFORMATION_TONE.dbm0) < 0.3, 'at its level');
});
