import { Ss7CodecError } from './ss7-codec-error.js';

/**
 * How one ISUP parameter's content (the octets after its name and length indicator) is read
 * and written. The message table (isup-messages.ts) places the parameter in the fixed,
 * variable or optional part; the codec only knows the content.
 */
export interface ParameterCodec<T> {
  /** Parameter name code (Q.763 Table 5); what the optional part carries before the length. */
  readonly code: number;
  /** The parameter's name in Q.763, for error messages. */
  readonly name: string;
  /** Least and most content octets. A fixed-part parameter has `min === max`. */
  readonly min: number;
  readonly max: number;
  /** `data` is exactly the content; `at` is the MSU offset of `data[0]`, for errors. */
  decode(data: Uint8Array, at: number): T;
  encode(value: T): number[];
}

/** The value a codec reads and writes. */
export type ValueOf<C> = C extends ParameterCodec<infer T> ? T : never;

/** A parameter of the optional part that the message table does not name, kept as it came. */
export interface RawParameter {
  code: number;
  data: Uint8Array;
}

export function parameter<T>(codec: ParameterCodec<T>): ParameterCodec<T> {
  return codec;
}

/**
 * A two-bit (or wider) indicator field whose codes have names, in code order. Decoding never
 * fails (every code has a name, spare ones included); encoding a name not in the list throws.
 */
export function codeNames<T extends string>(field: string, names: readonly T[]) {
  return {
    names,
    name(code: number): T {
      return names[code]!;
    },
    code(name: T): number {
      const code = names.indexOf(name);
      if (code < 0) throw new RangeError(`${field} ${JSON.stringify(name)} is not one of ${names.join(', ')}`);
      return code;
    },
  };
}

/** Checks a number field before it is written. */
export function bits(field: string, value: number, width: number): number {
  const max = 2 ** width - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${field} ${value} must be a whole number from 0 to ${max}`);
  return value;
}

export function flag(value: boolean): number {
  return value ? 1 : 0;
}

/**
 * Address signals, two to an octet, the first signal in bits 4-1 (Q.763, called party number
 * address signal and filler). Signals are written as hex digits: 0-9 are the digits, B and C
 * codes 11 and 12, F the end-of-pulsing signal ST where a parameter allows it.
 */
export function decodeSignals(data: Uint8Array, from: number, odd: boolean): string {
  let s = '';
  for (let i = from; i < data.length; i++) s += (data[i]! & 0x0f).toString(16) + (data[i]! >> 4).toString(16);
  // With an odd number of signals the last high nibble is the filler, not a signal.
  if (odd && s.length > 0) s = s.slice(0, -1);
  return s.toUpperCase();
}

export function encodeSignals(field: string, signals: string): { odd: boolean; octets: number[] } {
  if (!/^[0-9A-F]*$/.test(signals)) throw new RangeError(`${field} ${JSON.stringify(signals)} may hold only the address signals 0-9 and A-F`);
  const octets: number[] = [];
  for (let i = 0; i < signals.length; i += 2) {
    const low = parseInt(signals[i]!, 16);
    const high = i + 1 < signals.length ? parseInt(signals[i + 1]!, 16) : 0; // filler 0000
    octets.push((high << 4) | low);
  }
  return { odd: signals.length % 2 === 1, octets };
}

export function formatError(codec: { name: string }, message: string, at: number): Ss7CodecError {
  return new Ss7CodecError(`${codec.name}: ${message}`, at);
}
