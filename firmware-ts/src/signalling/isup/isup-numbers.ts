import { IsupCodecError } from './isup-codec-error.js';
import { bitsParam, checkBool, checkInt, minLength, type BitSpec, type ParamCodec } from './param-codec.js';

/**
 * The address parameters of Q.763 3.9 (called), 3.10 (calling), 3.39 (original called) and
 * 3.44 (redirecting number). All share the layout:
 *
 *          8     7 6 5 4 3 2 1
 *        +-----+---------------------------+
 *     1  | O/E | nature of address (7 bits) |
 *        +-----+---------------------------+
 *     2  |      per-parameter indicators     |   numbering plan always in bits 7-5
 *        +-----------------+-----------------+
 *     3  | 2nd address sig | 1st address sig |
 *        :        ...      :       ...       :
 *     n  | filler (0000)   | last address sig |   filler only when O/E = odd
 *        +-----------------+-----------------+
 *
 * Address signals are BCD, first signal in the low nibble. `digits` uses '0'-'9' and 'B',
 * 'C' for code 11 and 12 (the letters Wireshark prints). The end-of-pulsing signal ST
 * (1111) exists only in the called party number, only as the last signal, and is the
 * flag `endOfPulsing`. The other codes (1010, 1101, 1110, and 1111 elsewhere) are spare
 * and refused. O/E counts ST as a signal. The filler nibble is sent as 0000 and not
 * looked at on receipt.
 */

export const PRESENTATION = ['allowed', 'restricted', 'not-available', null] as const;
export type Presentation = Exclude<(typeof PRESENTATION)[number], null>;
export const SCREENING = ['user-provided-not-verified', 'user-provided-verified-passed', 'user-provided-verified-failed', 'network-provided'] as const;
export type Screening = (typeof SCREENING)[number];

/** Common nature of address codes (Q.763 3.9 b). */
export const NATURE_OF_ADDRESS = { subscriber: 1, unknown: 2, national: 3, international: 4 } as const;
/** Numbering plan ISDN/telephony E.164 (Q.763 3.9 d). */
export const NUMBERING_PLAN_ISDN = 1;

export interface CalledPartyNumber {
  natureOfAddress: number;
  /** INN indicator: whether routing to an internal network number is allowed. */
  inn: 'allowed' | 'not-allowed';
  numberingPlan: number;
  digits: string;
  /** ST follows the digits: the number is complete (en-bloc). */
  endOfPulsing: boolean;
}

export interface CallingPartyNumber {
  natureOfAddress: number;
  /** NI: the number is incomplete. */
  numberIncomplete: boolean;
  numberingPlan: number;
  presentation: Presentation;
  screening: Screening;
  digits: string;
}

/** Original called number and redirecting number: no screening, no NI. */
export interface RedirectionNumber {
  natureOfAddress: number;
  numberingPlan: number;
  presentation: Presentation;
  digits: string;
}

const NPI: BitSpec = ['numberingPlan', 4, 3, 'uint'];
// Q.763 (12/1999) 3.10 e): code 11 is reserved for restriction by the network: read as restricted.
const APRI: BitSpec = ['presentation', 2, 2, PRESENTATION, 'restricted'];

export const CALLED_PARTY_NUMBER = addressParam<CalledPartyNumber>(0x04, 'called party number', [['inn', 7, 1, ['allowed', 'not-allowed']], NPI], true);
export const CALLING_PARTY_NUMBER = addressParam<CallingPartyNumber>(
  0x0a,
  'calling party number',
  [['numberIncomplete', 7, 1, 'bool'], NPI, APRI, ['screening', 0, 2, SCREENING]],
  false,
);
export const ORIGINAL_CALLED_NUMBER = addressParam<RedirectionNumber>(0x28, 'original called number', [NPI, APRI], false);
export const REDIRECTING_NUMBER = addressParam<RedirectionNumber>(0x0b, 'redirecting number', [NPI, APRI], false);

const SIGNAL_CODE: Readonly<Record<string, number>> = { B: 11, C: 12 };
const SIGNAL_CHAR: Readonly<Record<number, string>> = { 11: 'B', 12: 'C' };
const ST = 0x0f;

function addressParam<T extends { natureOfAddress: number; digits: string }>(code: number, label: string, octet2: readonly BitSpec[], withSt: boolean): ParamCodec<T> {
  const second = bitsParam(code, label, 1, octet2);
  return {
    code,
    label,
    encode(value, where) {
      const signals = encodeDigits(value.digits, `${where}.digits`);
      if (withSt && checkBool((value as Record<string, unknown>).endOfPulsing, `${where}.endOfPulsing`)) signals.push(ST);
      const odd = signals.length % 2 === 1;
      const out = [(odd ? 0x80 : 0) | checkInt(value.natureOfAddress, 0, 0x7f, `${where}.natureOfAddress`), ...second.encode(value as never, where)];
      for (let i = 0; i < signals.length; i += 2) out.push(signals[i]! | ((signals[i + 1] ?? 0) << 4));
      return out;
    },
    decode(bytes, start, length) {
      minLength(label, start, length, 2);
      const first = bytes[start]!;
      const odd = (first & 0x80) !== 0;
      const count = (length - 2) * 2 - (odd ? 1 : 0);
      if (count < 0) throw new IsupCodecError('bad-value', `${label}: odd indicator set but no address signals`, start);
      let digits = '';
      let endOfPulsing = false;
      for (let i = 0; i < count; i++) {
        const at = start + 2 + (i >> 1);
        const nibble = i % 2 === 0 ? bytes[at]! & 0x0f : bytes[at]! >> 4;
        if (nibble <= 9) digits += String(nibble);
        else if (SIGNAL_CHAR[nibble] !== undefined) digits += SIGNAL_CHAR[nibble];
        else if (withSt && nibble === ST && i === count - 1) endOfPulsing = true;
        else if (withSt && nibble === ST) throw new IsupCodecError('bad-value', `${label}: ST before the last address signal`, at);
        else throw new IsupCodecError('bad-value', `${label}: address signal code ${nibble} is spare`, at);
      }
      const value: Record<string, unknown> = { natureOfAddress: first & 0x7f, ...second.decode(bytes, start + 1, 1), digits };
      if (withSt) value.endOfPulsing = endOfPulsing;
      return value as T;
    },
  };
}

function encodeDigits(digits: unknown, where: string): number[] {
  if (typeof digits !== 'string') throw new TypeError(`${where}: expected a string of digits`);
  return Array.from(digits, (ch) => {
    const n = ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : SIGNAL_CODE[ch];
    if (n === undefined) throw new RangeError(`${where}: '${ch}' is not an address signal (0-9, B, C)`);
    return n;
  });
}
