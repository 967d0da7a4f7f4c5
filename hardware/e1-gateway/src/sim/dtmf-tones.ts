import { ALAW_SILENCE, alawEncode } from '../audio/g711.js';
import { FRAME_SAMPLES, SAMPLE_RATE, sinePeak } from '../audio/level.js';

/**
 * The keys of a DTMF keypad and their two frequencies (ITU-T Q.23, Table 1): a low group
 * (rows) and a high group (columns).
 *
 *              1209  1336  1477  1633 Hz
 *      697 Hz    1     2     3     A
 *      770 Hz    4     5     6     B
 *      852 Hz    7     8     9     C
 *      941 Hz    *     0     #     D
 */
const LOW_HZ = [697, 770, 852, 941] as const;
const HIGH_HZ = [1209, 1336, 1477, 1633] as const;
const PAD = ['123A', '456B', '789C', '*0#D'] as const;

/** Every key a caller can press, for schemas and messages. */
export const DTMF_KEYS = '0123456789*#ABCD';

/** The two frequencies of a key, low group first; a RangeError for anything else. */
export function dtmfPair(key: string): readonly [low: number, high: number] {
  for (let row = 0; row < PAD.length; row++) {
    const col = PAD[row]!.indexOf(key);
    if (key.length === 1 && col >= 0) return [LOW_HZ[row]!, HIGH_HZ[col]!];
  }
  throw new RangeError(`"${key}" is not a DTMF key; the keys are ${DTMF_KEYS}`);
}

// Q.24 asks a receiver to take tones of 40 ms and pauses of 40 ms; 50 ms of each is a
// quick but realistic pace (an autodialler's), 10 keys a second.
export const DTMF_TONE_MS = 50;
export const DTMF_PAUSE_MS = 50;
export const DTMF_KEY_MS = DTMF_TONE_MS + DTMF_PAUSE_MS;
/** Level of each of the two tones; Q.23 sends about -7 dBm0, -10 leaves room for the pair's peaks. */
export const DTMF_DBM0 = -10;

const TONE_SAMPLES = (DTMF_TONE_MS * SAMPLE_RATE) / 1000;
const KEY_SAMPLES = (DTMF_KEY_MS * SAMPLE_RATE) / 1000;

/**
 * Keys pressed one after another as 8 kHz A-law: for each, 50 ms of its two tones, then 50 ms
 * of silence. Each sample is computed from its place in the sequence, so a tone starts at
 * phase 0 and never depends on how the frames were cut. Keys pressed while it plays join the
 * end of it.
 */
export class DtmfSequence {
  private keys = '';
  private position = 0;

  constructor(keys: string) {
    this.push(keys);
  }

  /** More keys after those still to play. */
  push(keys: string): void {
    for (const key of keys) dtmfPair(key);
    this.keys += keys;
  }

  get done(): boolean {
    return this.position >= this.keys.length * KEY_SAMPLES;
  }

  /** The next 20 ms; past the end of the last key, silence. */
  nextFrame(): Buffer {
    const out = Buffer.alloc(FRAME_SAMPLES, ALAW_SILENCE);
    const peak = sinePeak(DTMF_DBM0);
    for (let i = 0; i < FRAME_SAMPLES && !this.done; i++, this.position++) {
      const key = this.keys[Math.floor(this.position / KEY_SAMPLES)]!;
      const n = this.position % KEY_SAMPLES;
      if (n >= TONE_SAMPLES) continue;
      const [low, high] = dtmfPair(key);
      const t = (2 * Math.PI * n) / SAMPLE_RATE;
      out[i] = alawEncode(Math.round(peak * (Math.sin(low * t) + Math.sin(high * t))));
    }
    return out;
  }
}
