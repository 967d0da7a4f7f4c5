import { encodeAlaw } from './alaw.js';
import { FRAME_OCTETS } from './media-channel.js';

/**
 * Tones the box plays toward a line, as cadences of single frequencies, generated sample by
 * sample from the start of the tone so a segment may begin and end inside a 20 ms frame.
 */
export interface ToneSegment {
  /** Hz; none: silence. */
  frequency?: number;
  ms: number;
}

export interface Tone {
  name: string;
  /** Level of each frequency, in dBm0. */
  dbm0: number;
  /** Played in turn, then again from the first. */
  cadence: readonly ToneSegment[];
}

const SAMPLE_RATE = 8000;
/** G.711: a sine wave at +3.14 dBm0 just reaches the A-law overload point (full scale). */
const OVERLOAD_DBM0 = 3.14;

/**
 * The special information tone (ITU-T E.180/Q.35): 950, 1400 and 1800 Hz, 330 ms each,
 * then 1 s of silence, repeated. We play it when no agent can take a call. The level is our
 * choice, a moderate one; E.180 leaves it to the network.
 */
export const SPECIAL_INFORMATION_TONE: Tone = {
  name: 'special-information',
  dbm0: -15,
  cadence: [
    { frequency: 950, ms: 330 },
    { frequency: 1400, ms: 330 },
    { frequency: 1800, ms: 330 },
    { ms: 1000 },
  ],
};

/**
 * The test tone of a test-line answer: 1004 Hz at -10 dBm0, steady. 1004 Hz rather than
 * 1000 Hz because 1000 Hz divides 8 kHz: its samples would repeat every eight and test only
 * eight codes of the codec.
 */
export const TEST_TONE_1004: Tone = { name: 'test-1004', dbm0: -10, cadence: [{ frequency: 1004, ms: 1000 }] };

/**
 * Ringback as Chinese exchanges give it: 450 Hz, 1 s on and 4 s off. A caller waiting in the
 * queue hears it between announcements, so the line never sounds dead.
 */
export const RINGBACK_TONE: Tone = { name: 'ringback', dbm0: -13, cadence: [{ frequency: 450, ms: 1000 }, { ms: 4000 }] };

/** The A-law frame number `index` (from 0) of a tone. */
export function toneFrame(tone: Tone, index: number): Buffer {
  const cycleSamples = tone.cadence.reduce((sum, s) => sum + (s.ms * SAMPLE_RATE) / 1000, 0);
  const peak = 32768 * 10 ** ((tone.dbm0 - OVERLOAD_DBM0) / 20);
  const samples = new Float64Array(FRAME_OCTETS);
  for (let i = 0; i < FRAME_OCTETS; i++) {
    const n = index * FRAME_OCTETS + i;
    let inCycle = n % cycleSamples;
    for (const segment of tone.cadence) {
      const length = (segment.ms * SAMPLE_RATE) / 1000;
      if (inCycle < length) {
        // Phase from the start of the tone, so a steady tone is one continuous sine across frames.
        if (segment.frequency !== undefined) samples[i] = peak * Math.sin((2 * Math.PI * segment.frequency * n) / SAMPLE_RATE);
        break;
      }
      inCycle -= length;
    }
  }
  return encodeAlaw(samples);
}
