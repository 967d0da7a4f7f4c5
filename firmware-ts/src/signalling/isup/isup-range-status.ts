import { IsupCodecError } from './isup-codec-error.js';
import { checkBool, checkInt, type ParamCodec } from './param-codec.js';

/**
 * Range and status, Q.763 3.43 (code 0x16):
 *
 *        8 7 6 5 4 3 2 1
 *     1  |     range     |   circuits affected - 1 (GRS 29 = 30 circuits)
 *     2  | status bits 7..0 |  bit 0 (bit A of octet 2) is the CIC of the message,
 *     :  |      ...       |  bit n is CIC + n; range + 1 bits in all
 *
 * GRS carries no status octets; CGB, CGU, CGBA, CGUA and GRA carry ceil((range + 1) / 8).
 * Status bits past range + 1 in the last octet are sent as 0 and not looked at.
 *
 * The codec accepts any range 0..255; the limits of Q.763 3.43 a) (at most 32 circuits,
 * range 0 reserved for these messages) are for the maintenance layer to apply, which can
 * then answer as Q.764 asks instead of dropping the message.
 */
export interface RangeOnly {
  range: number;
}

export interface RangeAndStatus {
  range: number;
  /** One entry per circuit, CIC first: `status.length === range + 1`. */
  status: boolean[];
}

/** The GRS form: the status subfield is absent. */
export const RANGE_ONLY: ParamCodec<RangeOnly> = {
  code: 0x16,
  label: 'range and status',
  encode: (value, where) => [checkInt(value.range, 0, 0xff, `${where}.range`)],
  decode(bytes, start, length) {
    if (length !== 1) throw new IsupCodecError('bad-length', `range and status: ${length} octets where only the range (1 octet) belongs`, start);
    return { range: bytes[start]! };
  },
};

export const RANGE_AND_STATUS: ParamCodec<RangeAndStatus> = {
  code: 0x16,
  label: 'range and status',
  encode(value, where) {
    const range = checkInt(value.range, 0, 0xff, `${where}.range`);
    if (!Array.isArray(value.status) || value.status.length !== range + 1) {
      throw new RangeError(`${where}.status: expected ${range + 1} entries (range + 1)`);
    }
    const out = [range, ...new Array<number>(statusOctets(range)).fill(0)];
    value.status.forEach((on, i) => {
      if (checkBool(on, `${where}.status[${i}]`)) out[1 + (i >> 3)]! |= 1 << (i & 7);
    });
    return out;
  },
  decode(bytes, start, length) {
    if (length < 1) throw new IsupCodecError('bad-length', 'range and status: empty', start);
    const range = bytes[start]!;
    if (length !== 1 + statusOctets(range)) {
      throw new IsupCodecError('bad-length', `range and status: range ${range} needs ${statusOctets(range)} status octet(s), got ${length - 1}`, start);
    }
    const status = Array.from({ length: range + 1 }, (_, i) => (bytes[start + 1 + (i >> 3)]! & (1 << (i & 7))) !== 0);
    return { range, status };
  },
};

function statusOctets(range: number): number {
  return Math.ceil((range + 1) / 8);
}
