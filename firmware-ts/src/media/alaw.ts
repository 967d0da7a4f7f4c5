/**
 * G.711 A-law (ITU-T G.711 (11/88) 3 and Table 1a): the one codec on our media path, used
 * here only to generate tones toward the line. Linear samples are 16-bit signed; A-law
 * quantises their top 13 bits (sign + 12-bit magnitude) into 8 segments of 16 steps.
 *
 *   octet: S C C C Q Q Q Q   S sign (1 = positive), CCC segment, QQQQ step in the segment,
 *                            then the even bits inverted (XOR 0x55) as G.711 3 requires.
 *
 * So +0 encodes to 0xD5, the idle (silence) octet of an A-law channel.
 */

/** The A-law octet of silence (+0). */
export const ALAW_SILENCE = 0xd5;

/** Upper bound of each segment's 12-bit magnitude (Table 1a/G.711: 32, 64, 128, ..., 4096). */
const SEGMENT_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

/** One 16-bit linear sample (clamped to -32768..32767) to its A-law octet. */
export function linearToAlaw(sample: number): number {
  const s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  let magnitude = s >> 3;
  let mask: number;
  if (magnitude >= 0) {
    mask = 0xd5; // sign bit set (positive), even bits inverted
  } else {
    mask = 0x55;
    magnitude = -magnitude - 1;
  }
  let segment = 0;
  while (segment < 8 && magnitude > SEGMENT_END[segment]!) segment++;
  if (segment === 8) return 0x7f ^ mask; // beyond the overload point: the largest code
  // Segments 0 and 1 share the step size 2; each later segment doubles it.
  const step = segment < 2 ? (magnitude >> 1) & 0x0f : (magnitude >> segment) & 0x0f;
  return ((segment << 4) | step) ^ mask;
}

/** One A-law octet to the 16-bit linear value at the middle of its step (the decoder output of Table 1a). */
export function alawToLinear(octet: number): number {
  const a = (octet ^ 0x55) & 0xff;
  const segment = (a & 0x70) >> 4;
  let value = (a & 0x0f) << 4;
  if (segment === 0) value += 8;
  else value = (value + 0x108) << (segment - 1);
  return a & 0x80 ? value : -value;
}

/** A frame of linear samples to A-law octets. */
export function encodeAlaw(samples: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = linearToAlaw(samples[i]!);
  return out;
}
