import { IsupCodecError } from './isup-codec-error.js';

/**
 * How the contents of one ISUP parameter (Q.763 clause 3) become a value and back. The
 * parameter name code, the pointer and the length indicator belong to the message codec;
 * a parameter codec sees only the contents.
 */
export interface ParamCodec<T> {
  /** Parameter name code (Q.763 Table 5); also the tag when the parameter is optional. */
  readonly code: number;
  /** Name used in error messages. */
  readonly label: string;
  /** Contents length of a fixed-length parameter, else undefined (variable length). */
  readonly length?: number;
  /** The contents; throws TypeError/RangeError on a value that does not fit. */
  encode(value: T, where: string): number[];
  /** Reads the `length` contents octets at `start` (the caller has checked they are there). */
  decode(bytes: Uint8Array, start: number, length: number): T;
}

/** The value type a parameter codec reads and writes. */
export type ParamValue<C> = C extends ParamCodec<infer T> ? T : never;

/**
 * One bit field of an indicators parameter: name, position of its lowest bit counted from
 * bit A of the first octet (bit A of octet 2 is position 8), width, and kind:
 * `bool`, `uint`, or a list of names by code where `null` marks a spare code; for a list, the
 * name a spare code is read as where Q.763 gives the field a default (Q.764 2.9.5.3).
 */
export type BitSpec = readonly [name: string, shift: number, width: number, kind: 'bool' | 'uint' | readonly (string | null)[], spareReadAs?: string];

type BitValue<K> = K extends 'bool' ? boolean : K extends 'uint' ? number : K extends readonly (infer E)[] ? Exclude<E, null> : never;

/** The object an indicators parameter decodes to. */
export type BitsValue<S extends readonly BitSpec[]> = { -readonly [P in S[number] as P[0]]: BitValue<P[3]> };

/**
 * A fixed-length parameter made of bit fields (nature of connection, forward and backward
 * call indicators...). Bits no field covers are spare: sent as 0 and not looked at on
 * receipt (Q.763 1.10). A spare code in a named field is read as the field's default where
 * the spec names one, else refused (`bad-value`): the message layer then drops an optional
 * parameter, and the call layer refuses a message whose mandatory parameter it is.
 */
export function bitsParam<const S extends readonly BitSpec[]>(code: number, label: string, length: number, spec: S): ParamCodec<BitsValue<S>> {
  return {
    code,
    label,
    length,
    encode(value, where) {
      if (typeof value !== 'object' || value === null) throw new TypeError(`${where}: expected an object`);
      let n = 0;
      for (const [name, shift, width, kind] of spec) {
        const v = (value as Record<string, unknown>)[name];
        const at = `${where}.${name}`;
        let raw: number;
        if (kind === 'bool') {
          if (typeof v !== 'boolean') throw new TypeError(`${at}: expected a boolean`);
          raw = v ? 1 : 0;
        } else if (kind === 'uint') {
          raw = checkInt(v, 0, 2 ** width - 1, at);
        } else {
          raw = typeof v === 'string' ? kind.indexOf(v) : -1;
          if (raw < 0) throw new RangeError(`${at}: ${String(v)} is not one of ${kind.filter((k) => k !== null).join(', ')}`);
        }
        n += raw * 2 ** shift;
      }
      return Array.from({ length }, (_, i) => Math.floor(n / 2 ** (8 * i)) & 0xff);
    },
    decode(bytes, start) {
      let n = 0;
      for (let i = 0; i < length; i++) n += bytes[start + i]! * 2 ** (8 * i);
      const value: Record<string, unknown> = {};
      for (const [name, shift, width, kind, spareReadAs] of spec) {
        const raw = Math.floor(n / 2 ** shift) % 2 ** width;
        if (kind === 'bool') value[name] = raw === 1;
        else if (kind === 'uint') value[name] = raw;
        else {
          const named = kind[raw];
          if (named !== null && named !== undefined) value[name] = named;
          else if (spareReadAs !== undefined) value[name] = spareReadAs;
          else throw new IsupCodecError('bad-value', `${label}: ${name} code ${raw} is spare`, start + (shift >> 3));
        }
      }
      return value as BitsValue<S>;
    },
  };
}

/** A one-octet parameter whose value is its code (calling party's category, TMR). */
export function octetParam(code: number, label: string): ParamCodec<number> {
  return {
    code,
    label,
    length: 1,
    encode: (value, where) => [checkInt(value, 0, 0xff, where)],
    decode: (bytes, start) => bytes[start]!,
  };
}

/**
 * A one-octet parameter whose low `width` bits name one thing (continuity indicators,
 * circuit group supervision message type); the other bits are spare.
 */
export function namedOctetParam<const N extends readonly (string | null)[]>(code: number, label: string, width: number, names: N): ParamCodec<Exclude<N[number], null>> {
  return {
    code,
    label,
    length: 1,
    encode(value, where) {
      const raw = typeof value === 'string' ? names.indexOf(value) : -1;
      if (raw < 0) throw new RangeError(`${where}: ${String(value)} is not one of ${names.filter((k) => k !== null).join(', ')}`);
      return [raw];
    },
    decode(bytes, start) {
      const raw = bytes[start]! & (2 ** width - 1);
      const named = names[raw];
      if (named === null || named === undefined) throw new IsupCodecError('bad-value', `${label}: code ${raw} is spare`, start);
      return named as Exclude<N[number], null>;
    },
  };
}

export function checkInt(v: unknown, min: number, max: number, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${where}: expected an integer, got ${String(v)}`);
  if (v < min || v > max) throw new RangeError(`${where}: ${v} is outside ${min}..${max}`);
  return v;
}

export function checkBool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${where}: expected a boolean`);
  return v;
}

export function checkBytes(v: unknown, where: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${where}: expected a Uint8Array`);
  return v;
}

/** Refuses contents shorter than `min` octets (`bad-length` at the first contents octet). */
export function minLength(label: string, start: number, length: number, min: number): void {
  if (length < min) throw new IsupCodecError('bad-length', `${label}: ${length} octet(s), at least ${min} expected`, start);
}
