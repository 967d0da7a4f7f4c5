/** Sequence numbers run modulo 128 (Q.703 5.2: seven-bit FSN and BSN). */
export const SEQUENCE_MODULUS = 128;

/** The number after `n`. */
export function nextSequence(n: number): number {
  return (n + 1) & 0x7f;
}

/** How many steps forward from `from` to `to`, 0..127. */
export function sequenceDistance(from: number, to: number): number {
  return (to - from) & 0x7f;
}
