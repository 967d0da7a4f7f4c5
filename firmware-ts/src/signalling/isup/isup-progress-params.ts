import { IsupCodecError } from './isup-codec-error.js';
import { bitsParam, checkBool, minLength, namedOctetParam, type ParamCodec, type ParamValue } from './param-codec.js';

/**
 * The parameters of call progress (CPG), overlap sending (SAM) and suspend/resume (SUS, RES).
 */

/**
 * Event information, Q.763 3.21 (code 0x24, 1 octet, CPG):
 *
 *     H                         | G F E D C B A
 *     presentation restricted   | event indicator
 *
 * Event codes 1-6 are named; 0 and 7-127 are spare (`bad-value`; the call layer decides).
 */
export const EVENT_INFORMATION = bitsParam(0x24, 'event information', 1, [
  ['event', 0, 7, [null, 'alerting', 'progress', 'inband-information', 'forwarded-on-busy', 'forwarded-on-no-reply', 'forwarded-unconditional']],
  ['presentationRestricted', 7, 1, 'bool'],
]);
export type EventInformation = ParamValue<typeof EVENT_INFORMATION>;
export type CallEvent = EventInformation['event'];

/**
 * Suspend/resume indicators, Q.763 3.52 (code 0x22, 1 octet, SUS and RES): bit A, 0 the
 * ISDN subscriber asked, 1 the network did; bits B-H spare.
 */
export const SUSPEND_RESUME_INDICATORS = namedOctetParam(0x22, 'suspend/resume indicators', 1, ['subscriber-initiated', 'network-initiated']);
export type SuspendResume = ParamValue<typeof SUSPEND_RESUME_INDICATORS>;

/**
 * Subsequent number, Q.763 3.51 (code 0x05, SAM):
 *
 *          8     7 6 5 4 3 2 1
 *     1  | O/E | spare          |
 *     2  | 2nd address sig | 1st address sig |
 *     :  ...                                    filler (0000) when O/E = odd
 *
 * Address signals as in the called party number ('0'-'9', 'B', 'C'); ST (1111) only as the
 * last signal, as the flag `endOfPulsing`: the number is complete.
 */
export interface SubsequentNumber {
  digits: string;
  endOfPulsing: boolean;
}

const ST = 0x0f;
const SIGNAL_CODE: Readonly<Record<string, number>> = { B: 11, C: 12 };
const SIGNAL_CHAR: Readonly<Record<number, string>> = { 11: 'B', 12: 'C' };

export const SUBSEQUENT_NUMBER: ParamCodec<SubsequentNumber> = {
  code: 0x05,
  label: 'subsequent number',
  encode(value, where) {
    if (typeof value.digits !== 'string') throw new TypeError(`${where}.digits: expected a string of digits`);
    const signals = Array.from(value.digits, (ch) => {
      const n = ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : SIGNAL_CODE[ch];
      if (n === undefined) throw new RangeError(`${where}.digits: '${ch}' is not an address signal (0-9, B, C)`);
      return n;
    });
    if (checkBool(value.endOfPulsing, `${where}.endOfPulsing`)) signals.push(ST);
    const out = [signals.length % 2 === 1 ? 0x80 : 0];
    for (let i = 0; i < signals.length; i += 2) out.push(signals[i]! | ((signals[i + 1] ?? 0) << 4));
    return out;
  },
  decode(bytes, start, length) {
    minLength('subsequent number', start, length, 1);
    const odd = (bytes[start]! & 0x80) !== 0;
    const count = (length - 1) * 2 - (odd ? 1 : 0);
    if (count < 0) throw new IsupCodecError('bad-value', 'subsequent number: odd indicator set but no address signals', start);
    let digits = '';
    let endOfPulsing = false;
    for (let i = 0; i < count; i++) {
      const at = start + 1 + (i >> 1);
      const nibble = i % 2 === 0 ? bytes[at]! & 0x0f : bytes[at]! >> 4;
      if (nibble <= 9) digits += String(nibble);
      else if (SIGNAL_CHAR[nibble] !== undefined) digits += SIGNAL_CHAR[nibble];
      else if (nibble === ST && i === count - 1) endOfPulsing = true;
      else if (nibble === ST) throw new IsupCodecError('bad-value', 'subsequent number: ST before the last address signal', at);
      else throw new IsupCodecError('bad-value', `subsequent number: address signal code ${nibble} is spare`, at);
    }
    return { digits, endOfPulsing };
  },
};
