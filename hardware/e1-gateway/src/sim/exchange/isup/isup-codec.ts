import type { ParameterCodec, RawParameter } from './isup-parameter-codec.js';
import { ISUP_MESSAGES, messageTypeOf, type IsupMessage, type MessageSpec, type UnrecognisedMessage } from './isup-messages.js';
import { Ss7CodecError } from './ss7-codec-error.js';

/** The largest CIC: 12 bits (Q.763 1.2). */
export const MAX_CIC = 4095;

/** Parameter name code 0: end of optional parameters (Q.763 1.8). */
const END_OF_OPTIONAL = 0;

type Entry = [string, ParameterCodec<unknown>];
const entries = (p: MessageSpec['fixed'] | null): Entry[] => Object.entries(p ?? {}) as Entry[];

/**
 * An ISUP message as the SIF of an MSU (Q.763 1.4, clause 4):
 *
 *     CIC (2 octets: bits 8..1, then spare 4 bits | bits 12..9)
 *     message type code
 *     mandatory fixed part: the fixed-length parameters, back to back
 *     mandatory variable part: one pointer per parameter, then a pointer to the optional
 *       part (when the message has one; 0 = no optional parameters), then each parameter
 *       as length indicator + content; a pointer counts octets from itself
 *     optional part: name code, length indicator, content, ..., then 0 (end of optional
 *       parameters)
 *
 * Optional parameters go out in table order, then `otherParameters`; a message with an
 * optional part and no optional parameter sends pointer 0 and no end octet.
 */
export function encodeIsup(message: IsupMessage | UnrecognisedMessage): Uint8Array {
  const { cic } = message;
  if (!Number.isInteger(cic) || cic < 0 || cic > MAX_CIC) throw new RangeError(`CIC ${cic} must be a whole number from 0 to ${MAX_CIC}`);
  const out: number[] = [cic & 0xff, cic >> 8];
  if (message.type === 'unrecognised') {
    out.push(message.code, ...message.data);
    return Uint8Array.from(out);
  }
  const spec: MessageSpec = ISUP_MESSAGES[message.type];
  const fields = message as unknown as Record<string, unknown>;
  out.push(spec.code);
  for (const [name, codec] of entries(spec.fixed)) {
    const content = encodeContent(message.type, name, codec, fields[name]);
    if (content.length !== codec.min) throw new RangeError(`${message.type} ${name}: a fixed parameter of ${codec.min} octets came out as ${content.length}`);
    out.push(...content);
  }

  const variable = entries(spec.variable).map(([name, codec]) => encodeContent(message.type, name, codec, fields[name]));
  const optional = spec.optional === null ? null : encodeOptional(message.type, spec.optional, fields);
  const pointerCount = variable.length + (optional === null ? 0 : 1);
  // Each pointer counts from its own octet to the first octet (length indicator) of its parameter.
  let next = pointerCount;
  variable.forEach((content, i) => {
    out.push(pointer(message.type, next - i));
    next += 1 + content.length;
  });
  if (optional !== null) out.push(optional.length === 0 ? 0 : pointer(message.type, next - variable.length));
  for (const content of variable) out.push(content.length, ...content);
  if (optional !== null && optional.length > 0) out.push(...optional, END_OF_OPTIONAL);
  return Uint8Array.from(out);
}

/**
 * Reads the SIF of an ISUP MSU. `at` is the offset of `sif[0]` in the MSU, so that errors name
 * MSU offsets. Throws `Ss7CodecError` when the message is not what Q.763 allows: too short, a
 * pointer or length indicator running past the end, a mandatory parameter's length outside
 * what its table allows, no end of optional parameters. Octets after the last parameter are
 * not looked at. A message type not in the table comes back as `unrecognised`.
 */
export function decodeIsup(sif: Uint8Array, at = 0): IsupMessage | UnrecognisedMessage {
  if (sif.length < 3) throw new Ss7CodecError(`an ISUP message needs CIC and message type (3 octets), got ${sif.length}`, at + sif.length);
  // The four high bits of the CIC's second octet are spare.
  const cic = sif[0]! | ((sif[1]! & 0x0f) << 8);
  const code = sif[2]!;
  const type = messageTypeOf(code);
  if (type === undefined) return { type: 'unrecognised', cic, code, data: sif.slice(3) };
  const spec: MessageSpec = ISUP_MESSAGES[type];
  const message: Record<string, unknown> = { type, cic };
  let pos = 3;

  for (const [name, codec] of entries(spec.fixed)) {
    if (pos + codec.min > sif.length) throw new Ss7CodecError(`${type}: the message ends inside its ${codec.name}`, at + sif.length);
    message[name] = codec.decode(sif.subarray(pos, pos + codec.min), at + pos);
    pos += codec.min;
  }

  const variable = entries(spec.variable);
  const pointers = pos;
  const pointerCount = variable.length + (spec.optional === null ? 0 : 1);
  const firstParameter = pointers + pointerCount;
  if (firstParameter > sif.length) throw new Ss7CodecError(`${type}: the message ends inside its pointers`, at + sif.length);

  variable.forEach(([name, codec], i) => {
    const p = pointers + i;
    const start = p + sif[p]!;
    if (sif[p] === 0 || start < firstParameter) throw new Ss7CodecError(`${type}: pointer ${sif[p]} to the ${codec.name} points into the pointers`, at + p);
    if (start >= sif.length) throw new Ss7CodecError(`${type}: pointer ${sif[p]} to the ${codec.name} points past the end`, at + p);
    const length = sif[start]!;
    const end = start + 1 + length;
    if (end > sif.length) throw new Ss7CodecError(`${type}: the ${codec.name} of ${length} octets runs past the end`, at + start);
    if (length < codec.min || length > codec.max) throw new Ss7CodecError(`${type}: the ${codec.name} has ${length} octets; Q.763 allows ${lengths(codec)}`, at + start);
    message[name] = codec.decode(sif.subarray(start + 1, end), at + start + 1);
  });

  if (spec.optional !== null) {
    const p = pointers + variable.length;
    if (sif[p] !== 0) {
      const start = p + sif[p]!;
      if (start < firstParameter) throw new Ss7CodecError(`${type}: pointer ${sif[p]} to the optional part points into the pointers`, at + p);
      decodeOptional(type, spec.optional, sif, start, at, message);
    }
  }
  return message as unknown as IsupMessage;
}

function decodeOptional(type: string, known: MessageSpec['fixed'], sif: Uint8Array, start: number, at: number, message: Record<string, unknown>): void {
  const byCode = new Map(entries(known).map(([name, codec]) => [codec.code, { name, codec }]));
  const others: RawParameter[] = [];
  let pos = start;
  for (;;) {
    if (pos >= sif.length) throw new Ss7CodecError(`${type}: the optional part has no end of optional parameters`, at + pos);
    const code = sif[pos]!;
    if (code === END_OF_OPTIONAL) break;
    if (pos + 1 >= sif.length) throw new Ss7CodecError(`${type}: optional parameter 0x${hex(code)} has no length indicator`, at + pos);
    const length = sif[pos + 1]!;
    const end = pos + 2 + length;
    if (end > sif.length) throw new Ss7CodecError(`${type}: optional parameter 0x${hex(code)} of ${length} octets runs past the end`, at + pos + 1);
    const data = sif.subarray(pos + 2, end);
    const entry = byCode.get(code);
    // A second copy of a parameter already read is kept as it came, not read over the first.
    if (entry && message[entry.name] === undefined) {
      const { name, codec } = entry;
      if (length < codec.min || length > codec.max) throw new Ss7CodecError(`${type}: the optional ${codec.name} has ${length} octets; Q.763 allows ${lengths(codec)}`, at + pos + 1);
      message[name] = codec.decode(data, at + pos + 2);
    } else {
      others.push({ code, data: data.slice() });
    }
    pos = end;
  }
  if (others.length > 0) message.otherParameters = others;
}

function encodeOptional(type: string, known: MessageSpec['fixed'], fields: Record<string, unknown>): number[] {
  const out: number[] = [];
  for (const [name, codec] of entries(known)) {
    if (fields[name] === undefined) continue;
    const content = encodeContent(type, name, codec, fields[name]);
    out.push(codec.code, content.length, ...content);
  }
  for (const raw of (fields.otherParameters as RawParameter[] | undefined) ?? []) {
    if (!Number.isInteger(raw.code) || raw.code < 1 || raw.code > 255) throw new RangeError(`${type}: optional parameter code ${raw.code} must be 1 to 255 (0 ends the optional part)`);
    if (raw.data.length > 255) throw new RangeError(`${type}: optional parameter 0x${hex(raw.code)} has ${raw.data.length} octets, above 255`);
    out.push(raw.code, raw.data.length, ...raw.data);
  }
  return out;
}

function encodeContent(type: string, name: string, codec: ParameterCodec<unknown>, value: unknown): number[] {
  if (value === undefined) throw new TypeError(`${type}: mandatory parameter ${name} (${codec.name}) is missing`);
  const content = codec.encode(value);
  if (content.length < codec.min || content.length > codec.max) throw new RangeError(`${type} ${name}: ${content.length} octets; Q.763 allows ${lengths(codec)}`);
  return content;
}

function pointer(type: string, value: number): number {
  if (value > 255) throw new RangeError(`${type}: the parameters are too long for a one-octet pointer (${value})`);
  return value;
}

function lengths(codec: { min: number; max: number }): string {
  return codec.min === codec.max ? `${codec.min}` : `${codec.min} to ${codec.max}`;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
