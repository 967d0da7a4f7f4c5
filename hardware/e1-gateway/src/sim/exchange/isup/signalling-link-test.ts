import { Ss7CodecError } from './ss7-codec-error.js';

/** H0 of the test messages group, and H1 of its two messages (Q.707 5.4). */
const H0_TEST = 0x1;
const H1 = { SLTM: 0x1, SLTA: 0x2 } as const;

/** The longest test pattern: the length indicator has 4 bits. */
export const MAX_TEST_PATTERN = 15;

/**
 * A signalling link test message (SLTM) or its acknowledgement (SLTA), Q.707 2.2. Service
 * indicator 1; the routing label's SLS field carries the SLC, the code of the link under test.
 */
export interface LinkTestMessage {
  type: 'SLTM' | 'SLTA';
  slc: number;
  /** Chosen by the end that tests; the SLTA gives it back unchanged. 0 to 15 octets. */
  pattern: Uint8Array;
}

/**
 * The SIF after the label (Q.707 5), the same in the ITU and China variants:
 *
 *     octet 1:   H1 (bits 8-5) | H0 (bits 4-1)       SLTM 0x11, SLTA 0x21
 *     octet 2:   length indicator (bits 8-5) | spare (bits 4-1)
 *     octet 3+:  test pattern, as many octets as the length indicator says
 */
export function encodeLinkTest(m: LinkTestMessage): Uint8Array {
  if (m.pattern.length > MAX_TEST_PATTERN) throw new RangeError(`test pattern of ${m.pattern.length} octets: at most ${MAX_TEST_PATTERN}`);
  return Uint8Array.from([(H1[m.type] << 4) | H0_TEST, m.pattern.length << 4, ...m.pattern]);
}

/** Which of the two messages the heading codes name, if either. */
export function linkTestType(sif: Uint8Array): LinkTestMessage['type'] | undefined {
  const h = sif[0];
  if (h === undefined || (h & 0x0f) !== H0_TEST) return undefined;
  return h >> 4 === H1.SLTM ? 'SLTM' : h >> 4 === H1.SLTA ? 'SLTA' : undefined;
}

/**
 * Reads an SLTM or SLTA; `slc` is the label's SLS, `at` the MSU offset of `sif[0]`. Any other
 * test and maintenance message, or a pattern shorter than its length indicator, throws.
 */
export function decodeLinkTest(sif: Uint8Array, slc: number, at = 0): LinkTestMessage {
  const type = linkTestType(sif);
  if (type === undefined) throw new Ss7CodecError(`test and maintenance message H0/H1 0x${(sif[0] ?? 0).toString(16).padStart(2, '0')} is neither SLTM (0x11) nor SLTA (0x21)`, at);
  if (sif.length < 2) throw new Ss7CodecError(`${type}: needs a length indicator after H0/H1`, at + sif.length);
  const length = sif[1]! >> 4;
  if (sif.length < 2 + length) throw new Ss7CodecError(`${type}: the length indicator says ${length} pattern octets, ${sif.length - 2} came`, at + 1);
  return { type, slc, pattern: sif.slice(2, 2 + length) };
}
