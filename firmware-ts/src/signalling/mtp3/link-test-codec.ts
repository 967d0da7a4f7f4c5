import { IsupCodecError, need } from '../isup/isup-codec-error.js';
import { checkBytes } from '../isup/param-codec.js';

/**
 * Signalling link test messages (Q.707 clause 5), service indicator 1 (or 2, special), as
 * they follow the routing label. The label's SLS field carries the signalling link code
 * (SLC) of the link under test.
 *
 *       octet 0          octet 1                          octets 2..
 *     +------+------+  +---------------------+-------+  +---------------------+
 *     | H1   | H0   |  | length indicator    | spare |  | test pattern        |
 *     | 8..5 | 4..1 |  | 8..5 (octets, 0-15) | 4..1  |  | (length octets)     |
 *     +------+------+  +---------------------+-------+  +---------------------+
 *
 *     H0 = 0001 (test messages); H1 = 0001 SLTM (test), 0010 SLTA (acknowledgement)
 *
 * The spare bits are sent as 0 and not looked at on receipt; octets after the test pattern
 * are ignored (fill some networks add).
 */
export type LinkTestType = 'SLTM' | 'SLTA';

export interface LinkTestMessage {
  type: LinkTestType;
  /** 0 to 15 octets (we send 1 to 15, as Q.707 asks; a pattern of 0 is read without fault). */
  pattern: Uint8Array;
}

const H0_TEST = 0x1;
const H1: Readonly<Record<LinkTestType, number>> = { SLTM: 0x1, SLTA: 0x2 };
export const MAX_TEST_PATTERN = 15;

/** The octets after the routing label. Throws TypeError/RangeError on a bad value. */
export function encodeLinkTest(message: LinkTestMessage): Uint8Array {
  const h1 = H1[message.type];
  if (h1 === undefined) throw new TypeError(`link test message type ${String(message.type)} is not SLTM or SLTA`);
  const pattern = checkBytes(message.pattern, `${message.type}.pattern`);
  if (pattern.length < 1 || pattern.length > MAX_TEST_PATTERN) throw new RangeError(`${message.type}.pattern: ${pattern.length} octets, 1..${MAX_TEST_PATTERN} allowed`);
  const out = new Uint8Array(2 + pattern.length);
  out[0] = (h1 << 4) | H0_TEST;
  out[1] = pattern.length << 4;
  out.set(pattern, 2);
  return out;
}

/**
 * Reads the link test message that starts at `start` (just after the routing label). Error
 * offsets count from the start of `bytes`. Throws only IsupCodecError.
 */
export function decodeLinkTest(bytes: Uint8Array, start = 0): LinkTestMessage {
  need(bytes, start, 2, 'link test heading and length octets');
  const heading = bytes[start]!;
  const h0 = heading & 0x0f;
  const h1 = heading >> 4;
  const type = (Object.keys(H1) as LinkTestType[]).find((k) => H1[k] === h1);
  if (h0 !== H0_TEST || type === undefined) {
    throw new IsupCodecError('unknown-message', `unknown link test message H0 ${h0} H1 ${h1} (Q.707: H0 1, H1 1 SLTM or 2 SLTA)`, start);
  }
  const length = bytes[start + 1]! >> 4;
  need(bytes, start + 2, length, `${type} test pattern of ${length} octet(s)`);
  return { type, pattern: Uint8Array.from(bytes.subarray(start + 2, start + 2 + length)) };
}
