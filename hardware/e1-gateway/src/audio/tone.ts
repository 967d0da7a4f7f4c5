import { alawEncode } from './g711.js';
import { ALAW_OVERLOAD_DBM0, FRAME_SAMPLES, SAMPLE_RATE, sinePeak } from './level.js';

/** The highest tone 8 kHz PCM can carry, below its 4 kHz Nyquist limit. */
export const MAX_TONE_HZ = 3999;

export interface ToneSpec {
  /** Frequency, 1..3999 Hz. */
  hz: number;
  /** Level of the sine in dBm0, at most +3.14 (G.711's overload point). */
  dbm0: number;
  /** Phase of the first sample in radians; default 0. */
  phase?: number;
}

/**
 * A sine tone as 20 ms A-law frames. The phase runs on from one frame to the next, so the
 * frames joined are one unbroken sine (a phase jump at every frame would be heard as a
 * 50 Hz buzz and smear the spectrum).
 */
export class ToneGenerator {
  readonly hz: number;
  readonly dbm0: number;
  private readonly peak: number;
  private readonly step: number;
  private phase = 0;

  constructor(spec: ToneSpec) {
    const { hz, dbm0, phase = 0 } = spec;
    if (!Number.isFinite(hz) || hz < 1 || hz > MAX_TONE_HZ) throw new RangeError(`tone of ${hz} Hz: use 1..${MAX_TONE_HZ} Hz (8 kHz PCM carries nothing at or above 4 kHz)`);
    if (!Number.isFinite(dbm0) || dbm0 > ALAW_OVERLOAD_DBM0) throw new RangeError(`tone at ${dbm0} dBm0: use at most +${ALAW_OVERLOAD_DBM0} dBm0 (A-law overloads above it)`);
    this.hz = hz;
    this.dbm0 = dbm0;
    this.peak = sinePeak(dbm0);
    this.step = (2 * Math.PI * hz) / SAMPLE_RATE;
    this.phase = phase;
  }

  /** The next `samples` samples (default one 20 ms frame), A-law encoded. */
  nextFrame(samples = FRAME_SAMPLES): Buffer {
    const out = Buffer.alloc(samples);
    for (let i = 0; i < samples; i++) {
      out[i] = alawEncode(Math.round(this.peak * Math.sin(this.phase)));
      this.phase += this.step;
    }
    // Kept within one turn so that precision does not wear away over a long tone.
    this.phase %= 2 * Math.PI;
    return out;
  }
}
