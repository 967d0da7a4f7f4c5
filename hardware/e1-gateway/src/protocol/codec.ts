import { CardCodecError } from './codec-error.js';
import { readFields, writeFields } from './fields.js';
import { CATALOGUE, TYPE_BY_CODE, type CardMessage, type MessageType } from './messages.js';

/** The card protocol version this code speaks; octet 0 of every frame body. */
export const PROTOCOL_VERSION = 1;

/** Header flag: this frame repeats one sent before (same seq). */
export const FLAG_RETRANSMIT = 0x01;

/**
 * Frame body header, 7 octets:
 *
 *   0        1      2       3    4    5    6
 *   +--------+------+-------+---------+---------+
 *   | version| type | flags |   seq   |   ref   |  payload ...
 *   +--------+------+-------+---------+---------+
 *
 * seq numbers the frames one end sends (1..65535, then 1 again; 0 = unnumbered, used by
 * answers and heartbeats). ref is the seq of the frame an answer answers, else 0.
 */
export interface FrameHeader {
  version: number;
  type: MessageType;
  flags: number;
  seq: number;
  ref: number;
}
export const HEADER_LENGTH = 7;

export interface DecodedBody {
  header: FrameHeader;
  message: CardMessage;
}

/** Encodes a message with its header into a frame body (unstuffed, without FCS). */
export function encodeBody(message: CardMessage, header: { seq: number; ref?: number; flags?: number; version?: number }): Uint8Array {
  const entry = CATALOGUE[message.type];
  if (entry === undefined) throw new TypeError(`unknown card message type ${String(message.type)}`);
  const { seq, ref = 0, flags = 0, version = PROTOCOL_VERSION } = header;
  const out: number[] = [version, entry.code, flags, seq >>> 8, seq & 0xff, ref >>> 8, ref & 0xff];
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff) throw new RangeError(`seq ${seq} is outside 0..65535`);
  if (!Number.isInteger(ref) || ref < 0 || ref > 0xffff) throw new RangeError(`ref ${ref} is outside 0..65535`);
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xff) throw new RangeError(`flags ${flags} is outside 0..255`);
  if (!Number.isInteger(version) || version < 0 || version > 0xff) throw new RangeError(`version ${version} is outside 0..255`);
  writeFields(out, entry.fields, message as unknown as Record<string, unknown>, message.type);
  return Uint8Array.from(out);
}

/**
 * Reads only the header: enough to answer (nak) a frame whose payload is bad. Throws
 * CardCodecError `version` first, before looking at anything else, so that a peer speaking
 * another version is never misread, and `unknown-type` for a type code not in the catalogue.
 */
export function decodeHeader(body: Uint8Array): FrameHeader {
  const version = body[0];
  if (version === undefined) throw new CardCodecError('short', 'empty frame body', 0);
  // The version octet comes first, even before the length check: another version may have
  // another header, so nothing else about its frame is judged by this version's rules.
  if (version !== PROTOCOL_VERSION) {
    throw new CardCodecError('version', `peer speaks card protocol version ${version}, this end speaks ${PROTOCOL_VERSION}`, 0, version);
  }
  if (body.length < HEADER_LENGTH) {
    throw new CardCodecError('short', `frame body of ${body.length} bytes is shorter than the ${HEADER_LENGTH}-byte header`, body.length);
  }
  const code = body[1]!;
  const type = TYPE_BY_CODE.get(code);
  if (type === undefined) throw new CardCodecError('unknown-type', `unknown message type 0x${code.toString(16).padStart(2, '0')}`, 1);
  return { version, type, flags: body[2]!, seq: (body[3]! << 8) | body[4]!, ref: (body[5]! << 8) | body[6]! };
}

/** Decodes a whole frame body. Throws only CardCodecError. */
export function decodeBody(body: Uint8Array): DecodedBody {
  const header = decodeHeader(body);
  const { value, offset } = readFields(body, HEADER_LENGTH, CATALOGUE[header.type].fields, header.type);
  if (offset !== body.length) {
    throw new CardCodecError('trailing', `${body.length - offset} byte(s) after the end of ${header.type}`, offset);
  }
  return { header, message: { type: header.type, ...value } as CardMessage };
}
