/**
 * The RTP fixed header (RFC 3550 5.1), our own code: we need twelve octets of it and one
 * payload format, not a library.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |  octets 0-3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           timestamp                           |  octets 4-7
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           synchronization source (SSRC) identifier            |  octets 8-11
 *   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *   |            contributing source (CSRC) identifiers             |  CC x 4 octets
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | (X) profile-defined | length in 32-bit words | extension ...  |  RFC 3550 5.3.1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | payload ...                    (P) ... padding | pad count    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Parsing never throws: a packet off the network that is not RTP is a reason to count.
 */

export const RTP_VERSION = 2;
export const RTP_HEADER_OCTETS = 12;
/** G.711 A-law's static payload type (RFC 3551 6, Table 4). */
export const PT_PCMA = 8;

export interface RtpHeader {
  marker: boolean;
  payloadType: number;
  /** 16 bits. */
  sequence: number;
  /** 32 bits, in samples (8000 a second for PCMA). */
  timestamp: number;
  /** 32 bits. */
  ssrc: number;
  csrcs: readonly number[];
}

export interface RtpPacket extends RtpHeader {
  /** The header extension (X bit), kept as is; we never send one. */
  extension?: { profile: number; data: Buffer };
  /** Octets of padding removed from the end (P bit). */
  paddingOctets: number;
  payload: Buffer;
}

/** Why a datagram is not an RTP packet we can use. */
export type RtpRejectReason = 'too-short' | 'version' | 'rtcp' | 'csrc-overrun' | 'extension-overrun' | 'bad-padding';

export type RtpParseResult = { ok: true; packet: RtpPacket } | { ok: false; reason: RtpRejectReason; detail: string };

/** Encodes a packet: fixed header, CSRCs, payload (no extension, no padding: we send neither). */
export function encodeRtp(header: Omit<RtpHeader, 'csrcs'> & { csrcs?: readonly number[] }, payload: Buffer): Buffer {
  const csrcs = header.csrcs ?? [];
  if (csrcs.length > 15) throw new RangeError(`RTP: ${csrcs.length} CSRCs; the CC field holds at most 15`);
  if (!Number.isInteger(header.payloadType) || header.payloadType < 0 || header.payloadType > 127) {
    throw new RangeError(`RTP: payload type ${header.payloadType} is not 0-127`);
  }
  const headerOctets = RTP_HEADER_OCTETS + 4 * csrcs.length;
  const out = Buffer.alloc(headerOctets + payload.length);
  out[0] = (RTP_VERSION << 6) | csrcs.length;
  out[1] = (header.marker ? 0x80 : 0) | header.payloadType;
  out.writeUInt16BE(header.sequence & 0xffff, 2);
  out.writeUInt32BE(header.timestamp >>> 0, 4);
  out.writeUInt32BE(header.ssrc >>> 0, 8);
  csrcs.forEach((csrc, i) => out.writeUInt32BE(csrc >>> 0, RTP_HEADER_OCTETS + 4 * i));
  payload.copy(out, headerOctets);
  return out;
}

/** Parses one datagram as RTP; a rejection names the reason and the offending octets. */
export function parseRtp(datagram: Buffer): RtpParseResult {
  const reject = (reason: RtpRejectReason, detail: string): RtpParseResult => ({ ok: false, reason, detail });
  if (datagram.length < RTP_HEADER_OCTETS) return reject('too-short', `${datagram.length} octets; the RTP header alone is 12`);
  const version = datagram[0]! >> 6;
  if (version !== RTP_VERSION) return reject('version', `octet 0 is 0x${hex(datagram[0]!)}: version ${version}, not 2`);
  // RFC 5761 4: with RTP and RTCP on one port, octet 1 of 200-204 (SR, RR, SDES, BYE, APP)
  // is RTCP; a phone that multiplexes sends them here.
  if (datagram[1]! >= 200 && datagram[1]! <= 204) return reject('rtcp', `octet 1 is ${datagram[1]}: an RTCP packet type`);
  const padding = (datagram[0]! & 0x20) !== 0;
  const hasExtension = (datagram[0]! & 0x10) !== 0;
  const csrcCount = datagram[0]! & 0x0f;
  let offset = RTP_HEADER_OCTETS + 4 * csrcCount;
  if (offset > datagram.length) return reject('csrc-overrun', `CC ${csrcCount} needs ${offset} octets of header; the datagram has ${datagram.length}`);
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++) csrcs.push(datagram.readUInt32BE(RTP_HEADER_OCTETS + 4 * i));
  let extension: RtpPacket['extension'];
  if (hasExtension) {
    if (offset + 4 > datagram.length) return reject('extension-overrun', `X set but no room for the extension header at octet ${offset}`);
    const profile = datagram.readUInt16BE(offset);
    const words = datagram.readUInt16BE(offset + 2);
    const end = offset + 4 + 4 * words;
    if (end > datagram.length) return reject('extension-overrun', `extension at octet ${offset} is ${words} words long, past the end (${datagram.length} octets)`);
    extension = { profile, data: datagram.subarray(offset + 4, end) };
    offset = end;
  }
  let paddingOctets = 0;
  if (padding) {
    // RFC 3550 5.1: the last octet counts the padding, itself included, so it is at least 1.
    paddingOctets = datagram[datagram.length - 1]!;
    if (paddingOctets === 0 || offset + paddingOctets > datagram.length) {
      return reject('bad-padding', `P set and the last octet says ${paddingOctets} octets of padding; ${datagram.length - offset} octets follow the header`);
    }
  }
  const packet: RtpPacket = {
    marker: (datagram[1]! & 0x80) !== 0,
    payloadType: datagram[1]! & 0x7f,
    sequence: datagram.readUInt16BE(2),
    timestamp: datagram.readUInt32BE(4),
    ssrc: datagram.readUInt32BE(8),
    csrcs,
    paddingOctets,
    payload: datagram.subarray(offset, datagram.length - paddingOctets),
  };
  if (extension) packet.extension = extension;
  return { ok: true, packet };
}

const hex = (octet: number) => octet.toString(16).padStart(2, '0');
