import { IsupCodecError, need } from './isup-codec-error.js';
import { ISUP_MESSAGES, ISUP_TYPE_BY_CODE, type IsupMessage, type MessageDef, type RawParameter } from './isup-messages.js';
import { checkBytes, checkInt, type ParamCodec } from './param-codec.js';

/**
 * An ISUP message as it follows the MTP3 routing label (Q.763 clause 1):
 *
 *       octet 0    octet 1             octet 2
 *     +----------+-------+-----------+--------------+
 *     | CIC 8..1 | spare | CIC 12..9 | message type |
 *     +----------+-------+-----------+--------------+
 *     | mandatory fixed part: each parameter at its fixed length, no name, no length
 *     | pointers: one per mandatory variable parameter, then one to the optional part
 *     | mandatory variable part: length indicator, contents (where the pointer says)
 *     | optional part: (name code, length, contents)..., then 0x00 (end of optional parameters)
 *
 * A pointer counts octets from itself to the length indicator it points at; an
 * optional-part pointer of 0 means no optional parameter is sent (Q.763 2.3). A message
 * whose Q.763 table lists no optional parameter has no pointer for them either.
 *
 * CIC: 12 bits, least significant octet first (Q.763 1.2, 2.048 Mbit/s circuits). The four
 * high bits of octet 2 are spare: sent as 0 and masked off on receipt (Q.763 1.10), so a
 * peer that sets them is not mistaken for another circuit.
 *
 * Optional parameters go out in catalogue order, then `otherParameters` in the order they
 * came; Q.763 does not fix their order, so a re-encoded message may order them differently
 * from the bytes it was read from (each parameter's contents are unchanged).
 */
export const MAX_CIC = 0x0fff;

/** Encodes a message (without routing label). Throws TypeError/RangeError on a bad value. */
export function encodeIsup(message: IsupMessage): Uint8Array {
  const def: MessageDef | undefined = ISUP_MESSAGES[message.type];
  if (def === undefined) throw new TypeError(`unknown ISUP message type ${String(message.type)}`);
  const value = message as unknown as Record<string, unknown>;
  const cic = checkInt(message.cic, 0, MAX_CIC, `${message.type}.cic`);
  const out: number[] = [cic & 0xff, cic >> 8, def.code];

  for (const [name, codec] of def.fixed) {
    const bytes = codec.encode(present(value, name, message.type), `${message.type}.${name}`);
    if (bytes.length !== codec.length) throw new Error(`internal: ${codec.label} encoded to ${bytes.length} octets`);
    out.push(...bytes);
  }

  const pointerCount = def.variable.length + (def.optional ? 1 : 0);
  const firstPointer = out.length;
  out.push(...new Array<number>(pointerCount).fill(0));
  def.variable.forEach(([name, codec], i) => {
    setPointer(out, firstPointer + i, message.type);
    pushParameter(out, codec.encode(present(value, name, message.type), `${message.type}.${name}`), `${message.type}.${name}`);
  });

  if (def.optional) {
    const optional = optionalParameters(def, value, message.type);
    if (optional.length > 0) {
      setPointer(out, firstPointer + def.variable.length, message.type);
      for (const { code, data } of optional) {
        out.push(code);
        pushParameter(out, data, `${message.type} optional parameter 0x${hex(code)}`);
      }
      out.push(0x00);
    }
  }
  return Uint8Array.from(out);
}

/**
 * Decodes the ISUP message that starts at `start` and runs to the end of `bytes`. Error
 * offsets count from the start of `bytes` (pass the whole MSU and the payload offset to get
 * offsets a capture shows). Throws only IsupCodecError.
 */
export function decodeIsup(bytes: Uint8Array, start = 0): IsupMessage {
  need(bytes, start, 3, 'ISUP header (CIC, message type)');
  const cic = bytes[start]! | ((bytes[start + 1]! & 0x0f) << 8);
  const code = bytes[start + 2]!;
  const type = ISUP_TYPE_BY_CODE.get(code);
  if (type === undefined) throw new IsupCodecError('unknown-message', `unknown ISUP message type 0x${hex(code)}`, start + 2);
  const def: MessageDef = ISUP_MESSAGES[type];
  const value: Record<string, unknown> = { type, cic };
  let at = start + 3;

  for (const [name, codec] of def.fixed) {
    const length = codec.length!;
    need(bytes, at, length, `${type}.${name}`);
    value[name] = codec.decode(bytes, at, length);
    at += length;
  }

  const pointerCount = def.variable.length + (def.optional ? 1 : 0);
  need(bytes, at, pointerCount, `${type} pointers`);
  const pointersEnd = at + pointerCount;
  let end = pointersEnd;
  def.variable.forEach(([name, codec], i) => {
    const pointerAt = at + i;
    const lengthAt = target(bytes, pointerAt, pointersEnd, `${type}.${name}`);
    const length = bytes[lengthAt]!;
    need(bytes, lengthAt + 1, length, `${type}.${name} (length ${length})`);
    value[name] = codec.decode(bytes, lengthAt + 1, length);
    end = Math.max(end, lengthAt + 1 + length);
  });

  if (def.optional && bytes[at + def.variable.length] !== 0) {
    end = Math.max(end, readOptional(bytes, target(bytes, at + def.variable.length, pointersEnd, `${type} optional part`), def, value));
  }
  if (end < bytes.length) throw new IsupCodecError('trailing', `${bytes.length - end} octet(s) after the end of ${type}`, end);
  return value as unknown as IsupMessage;
}

/** Where a pointer points; refuses 0 and pointers into the pointer octets themselves. */
function target(bytes: Uint8Array, pointerAt: number, pointersEnd: number, what: string): number {
  const to = pointerAt + bytes[pointerAt]!;
  if (to < pointersEnd) throw new IsupCodecError('bad-pointer', `${what}: pointer ${bytes[pointerAt]} points before the parameters`, pointerAt);
  need(bytes, to, 1, `${what} (pointer ${bytes[pointerAt]})`);
  return to;
}

/** Reads the optional part from `at`; returns the offset after its end octet. */
function readOptional(bytes: Uint8Array, at: number, def: MessageDef, value: Record<string, unknown>): number {
  const typed = new Map((def.optional ?? []).map(([name, codec]) => [codec.code, { name, codec }]));
  const others: RawParameter[] = [];
  const invalid: RawParameter[] = [];
  for (;;) {
    need(bytes, at, 1, 'optional parameter name (or end of optional parameters)');
    const code = bytes[at]!;
    if (code === 0x00) break;
    need(bytes, at + 1, 1, `optional parameter 0x${hex(code)} length`);
    const length = bytes[at + 1]!;
    const contents = at + 2;
    need(bytes, contents, length, `optional parameter 0x${hex(code)} (length ${length})`);
    const known = typed.get(code);
    if (known === undefined) {
      others.push({ code, data: Uint8Array.from(bytes.subarray(contents, contents + length)) });
    } else {
      if (known.name in value) throw new IsupCodecError('duplicate-parameter', `${known.codec.label} appears twice`, at);
      if (known.codec.length !== undefined && length !== known.codec.length) {
        throw new IsupCodecError('bad-length', `${known.codec.label}: ${length} octet(s), ${known.codec.length} expected`, at + 1);
      }
      try {
        value[known.name] = known.codec.decode(bytes, contents, length);
      } catch (err) {
        // Q.764 2.9.5.3: a spare value in an optional parameter costs that parameter, not the message.
        if (!(err instanceof IsupCodecError) || err.code !== 'bad-value') throw err;
        invalid.push({ code, data: Uint8Array.from(bytes.subarray(contents, contents + length)) });
      }
    }
    at = contents + length;
  }
  if (others.length > 0) value.otherParameters = others;
  if (invalid.length > 0) value.invalidParameters = invalid;
  return at + 1;
}

function optionalParameters(def: MessageDef, value: Record<string, unknown>, type: string): RawParameter[] {
  const list: RawParameter[] = [];
  const typedCodes = new Map<number, string>();
  for (const [name, codec] of def.optional ?? []) {
    typedCodes.set(codec.code, name);
    if (value[name] !== undefined) list.push({ code: codec.code, data: Uint8Array.from((codec as ParamCodec<unknown>).encode(value[name], `${type}.${name}`)) });
  }
  const others = value.otherParameters;
  if (others === undefined) return list;
  if (!Array.isArray(others)) throw new TypeError(`${type}.otherParameters: expected an array`);
  others.forEach((p: Partial<RawParameter>, i) => {
    const where = `${type}.otherParameters[${i}]`;
    const code = checkInt(p?.code, 1, 0xff, `${where}.code`);
    // Sent raw, it would come back typed under another name: a round trip would not hold.
    const name = typedCodes.get(code);
    if (name !== undefined) throw new RangeError(`${where}: parameter 0x${hex(code)} is typed here; set ${type}.${name} instead`);
    list.push({ code, data: checkBytes(p.data, `${where}.data`) });
  });
  return list;
}

function present(value: Record<string, unknown>, name: string, type: string): unknown {
  const v = value[name];
  if (v === undefined) throw new TypeError(`${type}.${name}: missing (mandatory in ${type})`);
  return v;
}

function setPointer(out: number[], pointerAt: number, type: string): void {
  const distance = out.length - pointerAt;
  if (distance > 0xff) throw new RangeError(`${type}: parameters too long for an 8-bit pointer`);
  out[pointerAt] = distance;
}

function pushParameter(out: number[], data: ArrayLike<number>, where: string): void {
  if (data.length > 0xff) throw new RangeError(`${where}: ${data.length} octets, at most 255 fit a length indicator`);
  out.push(data.length);
  for (let i = 0; i < data.length; i++) out.push(data[i]!);
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
