import { Q850_LOCATION } from '../q850.js';
import { IsupCodecError } from './isup-codec-error.js';
import { checkBytes, checkInt, minLength, type ParamCodec } from './param-codec.js';

/**
 * Cause indicators, Q.763 3.12 (code 0x12), coded as in Q.850 clause 2:
 *
 *          8     7 6        5       4 3 2 1
 *        +-----+----------+-------+----------+
 *     1  | ext | coding   | spare | location |
 *        +-----+----------+-------+----------+
 *     1a | 1   | recommendation (only when octet 1 ext = 0)
 *        +-----+-------------------------------+
 *     2  | 1   | cause value (7 bits)          |
 *        +-----+-------------------------------+
 *     3.. diagnostics (kept as bytes)
 *
 * Mandatory (variable) in REL, optional in ACM and RLC.
 */
export interface CauseIndicators {
  codingStandard: CodingStandard;
  /** Q.850 location: 0 user, 1 private local, 2 public local, 3 transit, 4 public remote... */
  location: number;
  /** Octet 1a, present only when the sender put it there. */
  recommendation?: number;
  /** Q.850 cause value, e.g. 16 normal call clearing. */
  causeValue: number;
  diagnostics: Uint8Array;
}

const CODING = ['itu-t', 'iso-iec', 'national', 'network-specific'] as const;
export type CodingStandard = (typeof CODING)[number];

/** Q.850 cause values a hotline meets. */
export const CAUSE = {
  unallocatedNumber: 1,
  normalClearing: 16,
  userBusy: 17,
  noUserResponding: 18,
  noAnswer: 19,
  callRejected: 21,
  destinationOutOfOrder: 27,
  invalidNumberFormat: 28,
  normalUnspecified: 31,
  noCircuitAvailable: 34,
  temporaryFailure: 41,
  switchingEquipmentCongestion: 42,
  requestedCircuitUnavailable: 44,
  resourceUnavailable: 47,
  invalidMessage: 95,
  messageTypeNonExistent: 97,
  parameterNonExistentDiscarded: 99,
  invalidParameterContents: 100,
  recoveryOnTimerExpiry: 102,
  protocolError: 111,
} as const;

/** Q.850 location codes. */
export const CAUSE_LOCATION = Q850_LOCATION;

export const CAUSE_INDICATORS: ParamCodec<CauseIndicators> = {
  code: 0x12,
  label: 'cause indicators',
  encode(value, where) {
    const coding = CODING.indexOf(value.codingStandard);
    if (coding < 0) throw new RangeError(`${where}.codingStandard: ${String(value.codingStandard)} is not one of ${CODING.join(', ')}`);
    const location = checkInt(value.location, 0, 0x0f, `${where}.location`);
    const out = [(value.recommendation === undefined ? 0x80 : 0) | (coding << 5) | location];
    if (value.recommendation !== undefined) out.push(0x80 | checkInt(value.recommendation, 0, 0x7f, `${where}.recommendation`));
    out.push(0x80 | checkInt(value.causeValue, 0, 0x7f, `${where}.causeValue`));
    for (const b of checkBytes(value.diagnostics, `${where}.diagnostics`)) out.push(b);
    return out;
  },
  decode(bytes, start, length) {
    minLength('cause indicators', start, length, 2);
    const first = bytes[start]!;
    let at = start + 1;
    const value: CauseIndicators = { codingStandard: CODING[(first >> 5) & 3]!, location: first & 0x0f, causeValue: 0, diagnostics: new Uint8Array() };
    if ((first & 0x80) === 0) {
      minLength('cause indicators', start, length, 3);
      value.recommendation = lastOctet(bytes, at, 'recommendation');
      at += 1;
    }
    value.causeValue = lastOctet(bytes, at, 'cause value');
    value.diagnostics = Uint8Array.from(bytes.subarray(at + 1, start + length));
    return value;
  },
};

/** Octets 1a and 2 end their group: the extension bit must be 1. */
function lastOctet(bytes: Uint8Array, at: number, what: string): number {
  const octet = bytes[at]!;
  if ((octet & 0x80) === 0) throw new IsupCodecError('bad-value', `cause indicators: ${what} octet has extension bit 0`, at);
  return octet & 0x7f;
}
