import { atLeast, bytesOf, coding, CODING, int, lastOfGroup, type CodingStandard, type IeCodec } from './q931-ies.js';

// The Q.931 cause information element; the values and locations it carries are Q.850's (../q850.ts).
export { causeText, locationText, Q850_CAUSE, Q850_LOCATION, type Q850CauseName } from '../q850.js';

/**
 * Cause, Q.931 4.5.12 (identifier 0x08), values and locations from Q.850 (`q931-cause.ts`):
 *
 *          8     7 6        5       4 3 2 1
 *     3  | ext | coding   | spare | location |
 *     3a | 1   | recommendation (only when ext of 3 is 0) |
 *     4  | 1   | cause value (7 bits)                     |
 *     5..  diagnostics (kept as bytes)
 */
export interface Cause {
  codingStandard: CodingStandard;
  location: number;
  recommendation?: number;
  value: number;
  diagnostics: Uint8Array;
}

export const CAUSE: IeCodec<Cause> = {
  id: 0x08,
  label: 'cause',
  maxLength: 30,
  encode(v, where) {
    const out = [(v.recommendation === undefined ? 0x80 : 0) | (coding(v.codingStandard, where) << 5) | int(v.location, 0, 0x0f, `${where}.location`)];
    if (v.recommendation !== undefined) out.push(0x80 | int(v.recommendation, 0, 0x7f, `${where}.recommendation`));
    out.push(0x80 | int(v.value, 0, 0x7f, `${where}.value`), ...bytesOf(v.diagnostics, `${where}.diagnostics`));
    return out;
  },
  decode(bytes, start, length) {
    atLeast('cause', start, length, 2);
    const o3 = bytes[start]!;
    let at = start + 1;
    let recommendation: number | undefined;
    if ((o3 & 0x80) === 0) {
      atLeast('cause', start, length, 3);
      recommendation = lastOfGroup(bytes, at, 'cause: recommendation');
      at += 1;
    }
    const value: Cause = { codingStandard: CODING[(o3 >> 5) & 3]!, location: o3 & 0x0f, value: lastOfGroup(bytes, at, 'cause: cause value'), diagnostics: Uint8Array.from(bytes.subarray(at + 1, start + length)) };
    if (recommendation !== undefined) value.recommendation = recommendation;
    return value;
  },
};
