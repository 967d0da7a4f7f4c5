import t from 'tap';
import { alawDecodeFrame } from './g711.js';
import { PEAK_0DBM0, rmsToDbm0, SAMPLE_RATE } from './level.js';
import { ToneGenerator } from './tone.js';

t.test('1 kHz at 0 dBm0 is the digital milliwatt of G.711 Table 5, octet for octet', async (t) => {
  // Table 5 starts a quarter step past a negative zero crossing: phase pi + pi/8.
  const tone = new ToneGenerator({ hz: 1000, dbm0: 0, phase: (9 * Math.PI) / 8 });
  const frame = tone.nextFrame();
  t.equal(frame.length, 160, 'one 20 ms frame');
  const period = [0x34, 0x21, 0x21, 0x34, 0xb4, 0xa1, 0xa1, 0xb4];
  t.strictSame([...frame], Array.from({ length: 160 }, (_, i) => period[i % 8]), 'the Table 5 sequence repeated');
});

t.test('the phase runs on across frames: frames joined are one sine', async (t) => {
  const hz = 1234.5;
  const framed = new ToneGenerator({ hz, dbm0: -3 });
  const joined = Buffer.concat([framed.nextFrame(), framed.nextFrame(), framed.nextFrame()]);
  const whole = new ToneGenerator({ hz, dbm0: -3 }).nextFrame(480);
  t.strictSame([...joined], [...whole], 'three frames equal one 60 ms block');
  // And against the sine itself: every decoded sample is within one A-law step of it.
  const peak = PEAK_0DBM0 * 10 ** (-3 / 20);
  const decoded = alawDecodeFrame(joined);
  let worst = 0;
  decoded.forEach((y, n) => (worst = Math.max(worst, Math.abs(y - peak * Math.sin((2 * Math.PI * hz * n) / SAMPLE_RATE)))));
  t.ok(worst <= 512, `worst error ${worst.toFixed(0)} (a step of the top segment is 1024)`);
});

t.test('the level follows dbm0', async (t) => {
  for (const dbm0 of [3, 0, -10, -20, -40]) {
    const s = alawDecodeFrame(new ToneGenerator({ hz: 1004, dbm0 }).nextFrame(8000));
    const rms = Math.sqrt(s.reduce((a, v) => a + v * v, 0) / s.length);
    t.ok(Math.abs(rmsToDbm0(rms) - dbm0) < 0.2, `${dbm0} dBm0 measures ${rmsToDbm0(rms).toFixed(2)}`);
  }
});

t.test('refuses what 8 kHz A-law cannot carry', async (t) => {
  t.throws(() => new ToneGenerator({ hz: 0, dbm0: -10 }), /use 1\.\.3999 Hz/);
  t.throws(() => new ToneGenerator({ hz: 4000, dbm0: -10 }), RangeError);
  t.throws(() => new ToneGenerator({ hz: Number.NaN, dbm0: -10 }), RangeError);
  t.throws(() => new ToneGenerator({ hz: 1000, dbm0: 3.5 }), /at most \+3\.14 dBm0/);
  t.doesNotThrow(() => new ToneGenerator({ hz: 3999, dbm0: 3.14 }));
});
