import { alawDecodeFrame } from './g711.js';
import { rmsToDbm0, SAMPLE_RATE } from './level.js';

/** Below this level a signal is silence: no frequency is named for it. */
export const SILENCE_DBM0 = -60;

export interface AudioMeasurement {
  /** RMS level in dBm0 over all the samples (G.711 A-law idle, 0xD5 throughout, is about -66). */
  dbm0: number;
  /** The strongest frequency in Hz, to a tenth; null for silence. */
  hz: number | null;
  /** The level is below SILENCE_DBM0. */
  silent: boolean;
  /** How many samples were measured. */
  samples: number;
}

/** Measures A-law frames joined end to end; null when there are no samples at all. */
export function measureAlaw(frames: readonly Uint8Array[]): AudioMeasurement | null {
  const total = frames.reduce((n, f) => n + f.length, 0);
  const samples = new Float64Array(total);
  let at = 0;
  for (const frame of frames) {
    samples.set(alawDecodeFrame(frame), at);
    at += frame.length;
  }
  return measureSamples(samples);
}

/** Measures 16-bit linear samples at 8 kHz; null when there are none. */
export function measureSamples(samples: ArrayLike<number>): AudioMeasurement | null {
  const n = samples.length;
  if (n === 0) return null;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    sum += samples[i]!;
    squares += samples[i]! ** 2;
  }
  const dbm0 = rmsToDbm0(Math.sqrt(squares / n));
  const silent = !(dbm0 >= SILENCE_DBM0);
  const hz = silent || n < 16 ? null : dominantFrequency(samples, sum / n);
  return { dbm0: round(dbm0, 100), hz: hz === null ? null : round(hz, 10), silent, samples: n };
}

/**
 * The frequency of the strongest spectral peak. A Hann window keeps one tone's energy from
 * leaking into the bins of another; the search runs coarse on the first 512 samples, then
 * bin by bin on all of them around the coarse peak, then a parabola through the log power of
 * the best bin and its neighbours places the peak between bins (for a Hann window the error
 * stays within a few hundredths of a bin: 0.05 Hz over a second of audio).
 */
function dominantFrequency(samples: ArrayLike<number>, mean: number): number {
  const n = samples.length;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = (samples[i]! - mean) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));

  const m = Math.min(n, 512);
  const coarseStep = SAMPLE_RATE / m;
  // A Hann-windowed prefix of the (already windowed) signal would be windowed twice; the
  // coarse pass windows its own prefix instead.
  const prefix = new Float64Array(m);
  for (let i = 0; i < m; i++) prefix[i] = (samples[i]! - mean) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (m - 1)));
  let coarse = coarseStep;
  let best = -1;
  for (let f = coarseStep; f < SAMPLE_RATE / 2; f += coarseStep) {
    const p = goertzel(prefix, f);
    if (p > best) [best, coarse] = [p, f];
  }

  const step = SAMPLE_RATE / n;
  let peak = coarse;
  best = -1;
  for (let f = Math.max(step, coarse - 2 * coarseStep); f <= Math.min(SAMPLE_RATE / 2 - step, coarse + 2 * coarseStep); f += step) {
    const p = goertzel(x, f);
    if (p > best) [best, peak] = [p, f];
  }
  const below = Math.log(goertzel(x, peak - step) + 1e-12);
  const at = Math.log(best + 1e-12);
  const above = Math.log(goertzel(x, peak + step) + 1e-12);
  const curvature = below - 2 * at + above;
  const offset = curvature < 0 ? (0.5 * (below - above)) / curvature : 0;
  return peak + Math.max(-0.5, Math.min(0.5, offset)) * step;
}

/** Power of `x` at frequency `hz` (Goertzel's recursion, any frequency, not only bin centres). */
export function goertzel(x: ArrayLike<number>, hz: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / SAMPLE_RATE);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s = x[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

function round(value: number, per: number): number {
  return Math.round(value * per) / per;
}
