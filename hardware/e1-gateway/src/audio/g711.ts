/**
 * G.711 A-law (ITU-T G.711, 1988, Tables 1a/1b and 2): 13-bit linear samples compressed to
 * one octet in eight segments of 16 steps, the even bits inverted on the line.
 *
 * Linear samples here are 16-bit (-32768..32767): G.711's 13-bit value times 8, the scale
 * most audio code uses. So the smallest decoder output, G.711's "1" on its 4096 scale, is 8,
 * and the largest, 4032, is 32256.
 *
 *   octet:  S | E E E | M M M M      (after XOR 0x55, the even-bit inversion of Table 1b)
 *           sign (1 = positive), segment 0..7, step 0..15 within the segment
 */

/** A-law of the smallest positive value: what an idle channel carries (G.711 Table 1b, 0xD5). */
export const ALAW_SILENCE = 0xd5;

/** Upper end of each segment on the 13-bit magnitude scale (G.711 Table 1a decision values). */
const SEGMENT_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff] as const;

/** Encodes one 16-bit linear sample (clipped to -32768..32767, rounded toward -infinity by 8). */
export function alawEncode(sample: number): number {
  let pcm = Math.max(-32768, Math.min(32767, Math.floor(sample))) >> 3;
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5; // sign bit 1 (positive), even bits inverted
  } else {
    mask = 0x55;
    // Negative values mirror the positive ones: -1 is in the first step as +0 is.
    pcm = -pcm - 1;
  }
  let segment = 0;
  while (segment < 8 && pcm > SEGMENT_END[segment]!) segment++;
  if (segment === 8) return 0x7f ^ mask; // past the last decision value: the largest code
  // Segments 0 and 1 have the same step (2 on the 13-bit scale); each later one doubles it.
  const step = segment < 2 ? (pcm >> 1) & 0x0f : (pcm >> segment) & 0x0f;
  return ((segment << 4) | step) ^ mask;
}

/** Decodes one A-law octet to a 16-bit linear sample: the middle of its interval (Table 1a). */
export function alawDecode(octet: number): number {
  const a = (octet & 0xff) ^ 0x55;
  const segment = (a >> 4) & 0x07;
  let magnitude = (a & 0x0f) << 4;
  if (segment === 0) magnitude += 8;
  else magnitude = (magnitude + 0x108) << (segment - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

const DECODE_TABLE = Int16Array.from({ length: 256 }, (_, octet) => alawDecode(octet));

/** Decodes a buffer of A-law octets to 16-bit linear samples. */
export function alawDecodeFrame(frame: Uint8Array): Int16Array {
  const out = new Int16Array(frame.length);
  for (let i = 0; i < frame.length; i++) out[i] = DECODE_TABLE[frame[i]!]!;
  return out;
}

/** Encodes 16-bit linear samples to A-law octets. */
export function alawEncodeFrame(samples: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = alawEncode(samples[i]!);
  return out;
}
