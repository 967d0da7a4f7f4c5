import t from 'tap';
import { ALAW_SILENCE, alawDecodeFrame } from './g711.js';
import { measureAlaw, measureSamples, SILENCE_DBM0 } from './measure.js';
import { ToneGenerator } from './tone.js';

function frames(hz: number, dbm0: number, count: number): Buffer[] {
  const tone = new ToneGenerator({ hz, dbm0 });
  return Array.from({ length: count }, () => tone.nextFrame());
}

t.test('a pure tone: frequency within 1 Hz, level within 0.5 dB, over one second', async (t) => {
  for (const hz of [300, 425, 697, 1000, 1004, 2000, 2100, 3400, 3900]) {
    for (const dbm0 of [3, 0, -10, -30, -50]) {
      const m = measureAlaw(frames(hz, dbm0, 50))!;
      if (m.hz === null || Math.abs(m.hz - hz) > 1 || Math.abs(m.dbm0 - dbm0) > 0.5) t.fail(`${hz} Hz at ${dbm0} dBm0 measured ${JSON.stringify(m)}`);
    }
  }
  const m = measureAlaw(frames(1004, -10, 50))!;
  t.match(m, { hz: 1004, silent: false, samples: 8000 }, 'to the tenth of a Hz');
  t.ok(Math.abs(m.dbm0 + 10) <= 0.05, `level ${m.dbm0}`);
});

t.test('short windows: one frame still names the tone within a few Hz', async (t) => {
  for (const hz of [450, 1000, 2100]) {
    const m = measureAlaw(frames(hz, -10, 1))!;
    t.ok(m.hz !== null && Math.abs(m.hz - hz) <= 3, `one frame of ${hz} Hz: ${m.hz}`);
    t.ok(Math.abs(m.dbm0 + 10) < 0.5, `level ${m.dbm0}`);
  }
});

t.test('the stronger of two tones is the dominant one', async (t) => {
  // Mixed on the linear scale, as a DTMF digit is: 697 Hz 8 dB below 1209 Hz.
  const low = new ToneGenerator({ hz: 697, dbm0: -20 });
  const high = new ToneGenerator({ hz: 1209, dbm0: -12 });
  const linear: number[] = [];
  for (let i = 0; i < 25; i++) {
    const x = alawDecodeFrame(low.nextFrame());
    const y = alawDecodeFrame(high.nextFrame());
    x.forEach((v, j) => linear.push(v + y[j]!));
  }
  const m = measureSamples(linear)!;
  t.ok(m.hz !== null && Math.abs(m.hz - 1209) < 1, `dominant ${m.hz}`);
});

t.test('silence: A-law idle, and a tone below -60 dBm0', async (t) => {
  const idle = Array.from({ length: 50 }, () => Buffer.alloc(160, ALAW_SILENCE));
  const m = measureAlaw(idle)!;
  t.match(m, { silent: true, hz: null });
  t.ok(m.dbm0 < SILENCE_DBM0, `idle channel at ${m.dbm0} dBm0`);
  t.match(measureAlaw(frames(1000, -65, 50)), { silent: true, hz: null });
  t.match(measureAlaw(frames(1000, -55, 50)), { silent: false, hz: 1000 });
  t.equal(measureAlaw([]), null, 'nothing to measure');
  t.equal(measureAlaw([Buffer.alloc(0)]), null);
});
