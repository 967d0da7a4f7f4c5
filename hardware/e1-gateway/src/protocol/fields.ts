import { CardCodecError } from './codec-error.js';

/**
 * Field kinds of the card protocol. Every multi-octet number is big-endian (network order).
 *
 * - `u8`, `u16`, `u32`: unsigned integers;
 * - `dv`: a signed 16-bit count of tenths (voltage: -48.0 V is sent as -480);
 * - `dm`: an unsigned 16-bit count of tenths (loop current: 25.0 mA is sent as 250);
 * - `bool`: one octet, 0 or 1 (anything else is an error, not "true");
 * - `str`: one length octet, then that many octets of UTF-8;
 * - `bytes`: a 16-bit length, then that many octets;
 * - `{ enum: [...] }`: one octet, the index into the list;
 * - `{ bits: [...] }`: one octet, bit 0 for the first name, bit 1 for the next; unused bits 0.
 */
export type FieldKind =
  | 'u8'
  | 'u16'
  | 'u32'
  | 'dv'
  | 'dm'
  | 'bool'
  | 'str'
  | 'bytes'
  | { readonly enum: readonly string[] }
  | { readonly bits: readonly string[] };

export type Fields = readonly (readonly [name: string, kind: FieldKind])[];

type ValueOf<K> = K extends 'u8' | 'u16' | 'u32' | 'dv' | 'dm'
  ? number
  : K extends 'bool'
    ? boolean
    : K extends 'str'
      ? string
      : K extends 'bytes'
        ? Uint8Array
        : K extends { readonly enum: readonly (infer E)[] }
          ? E
          : K extends { readonly bits: readonly (infer B extends string)[] }
            ? Record<B, boolean>
            : never;

/** The object type a field list decodes to. */
export type FieldsValue<F extends Fields> = {
  -readonly [P in F[number] as P[0]]: ValueOf<P[1]>;
};

/** Appends fields to an output array; throws TypeError/RangeError on a value that does not fit. */
export function writeFields(out: number[], fields: Fields, value: Record<string, unknown>, what: string): void {
  for (const [name, kind] of fields) {
    const v = value[name];
    const where = `${what}.${name}`;
    if (typeof kind === 'object') {
      if ('enum' in kind) {
        const index = kind.enum.indexOf(v as string);
        if (index < 0) throw new RangeError(`${where}: ${String(v)} is not one of ${kind.enum.join(', ')}`);
        out.push(index);
      } else {
        if (typeof v !== 'object' || v === null) throw new TypeError(`${where}: expected an object of flags`);
        let octet = 0;
        kind.bits.forEach((bit, i) => {
          if ((v as Record<string, unknown>)[bit]) octet |= 1 << i;
        });
        out.push(octet);
      }
      continue;
    }
    switch (kind) {
      case 'u8':
        out.push(checkInt(v, 0, 0xff, where));
        break;
      case 'u16':
        pushU16(out, checkInt(v, 0, 0xffff, where));
        break;
      case 'u32': {
        const n = checkInt(v, 0, 0xffffffff, where);
        out.push(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
        break;
      }
      case 'dv':
        pushU16(out, checkInt(Math.round(checkNumber(v, where) * 10), -0x8000, 0x7fff, where) & 0xffff);
        break;
      case 'dm':
        pushU16(out, checkInt(Math.round(checkNumber(v, where) * 10), 0, 0xffff, where));
        break;
      case 'bool':
        if (typeof v !== 'boolean') throw new TypeError(`${where}: expected a boolean`);
        out.push(v ? 1 : 0);
        break;
      case 'str': {
        if (typeof v !== 'string') throw new TypeError(`${where}: expected a string`);
        // A lone surrogate has no UTF-8 form; Buffer would silently send U+FFFD instead.
        if (LONE_SURROGATE.test(v)) throw new TypeError(`${where}: contains a lone UTF-16 surrogate`);
        const bytes = Buffer.from(v, 'utf8');
        if (bytes.length > 0xff) throw new RangeError(`${where}: ${bytes.length} bytes of UTF-8, at most 255`);
        out.push(bytes.length, ...bytes);
        break;
      }
      case 'bytes': {
        if (!(v instanceof Uint8Array)) throw new TypeError(`${where}: expected bytes`);
        pushU16(out, checkInt(v.length, 0, 0xffff, `${where}.length`));
        for (const b of v) out.push(b);
        break;
      }
    }
  }
}

/** Reads fields from `bytes` starting at `offset`; throws CardCodecError naming the offset. */
export function readFields(bytes: Uint8Array, offset: number, fields: Fields, what: string): { value: Record<string, unknown>; offset: number } {
  const value: Record<string, unknown> = {};
  let at = offset;
  const need = (n: number, name: string) => {
    if (at + n > bytes.length) {
      throw new CardCodecError('truncated', `${what}.${name} needs ${n} more byte(s), ${bytes.length - at} left`, at);
    }
  };
  for (const [name, kind] of fields) {
    if (typeof kind === 'object') {
      need(1, name);
      const octet = bytes[at]!;
      if ('enum' in kind) {
        const label = kind.enum[octet];
        if (label === undefined) throw new CardCodecError('bad-value', `${what}.${name}: ${octet} is not a known value`, at);
        value[name] = label;
      } else {
        if (octet >> kind.bits.length) throw new CardCodecError('bad-value', `${what}.${name}: unassigned bits set in 0x${octet.toString(16)}`, at);
        value[name] = Object.fromEntries(kind.bits.map((bit, i) => [bit, (octet & (1 << i)) !== 0]));
      }
      at += 1;
      continue;
    }
    switch (kind) {
      case 'u8':
        need(1, name);
        value[name] = bytes[at];
        at += 1;
        break;
      case 'u16':
      case 'dm':
      case 'dv': {
        need(2, name);
        const raw = (bytes[at]! << 8) | bytes[at + 1]!;
        value[name] = kind === 'u16' ? raw : kind === 'dm' ? raw / 10 : ((raw << 16) >> 16) / 10;
        at += 2;
        break;
      }
      case 'u32':
        need(4, name);
        value[name] = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
        at += 4;
        break;
      case 'bool': {
        need(1, name);
        const octet = bytes[at]!;
        if (octet > 1) throw new CardCodecError('bad-value', `${what}.${name}: boolean octet is ${octet}, not 0 or 1`, at);
        value[name] = octet === 1;
        at += 1;
        break;
      }
      case 'str': {
        need(1, name);
        const len = bytes[at]!;
        at += 1;
        need(len, name);
        const slice = bytes.subarray(at, at + len);
        try {
          value[name] = UTF8.decode(slice);
        } catch {
          throw new CardCodecError('bad-value', `${what}.${name}: not valid UTF-8`, at);
        }
        at += len;
        break;
      }
      case 'bytes': {
        need(2, name);
        const len = (bytes[at]! << 8) | bytes[at + 1]!;
        at += 2;
        need(len, name);
        value[name] = Uint8Array.from(bytes.subarray(at, at + len));
        at += len;
        break;
      }
    }
  }
  return { value, offset: at };
}

// ignoreBOM: a leading U+FEFF is part of the string, not a mark to strip (else it would not
// survive a round trip).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LONE_SURROGATE = /[\ud800-\udfff]/u;

function pushU16(out: number[], n: number): void {
  out.push(n >>> 8, n & 0xff);
}

function checkNumber(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${where}: expected a finite number`);
  return v;
}

function checkInt(v: unknown, min: number, max: number, where: string): number {
  const n = checkNumber(v, where);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${where}: ${n} is outside ${min}..${max}`);
  return n;
}
