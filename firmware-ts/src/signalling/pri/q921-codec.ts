/**
 * Q.921 (LAPD) frames as the card carries them on an `hdlc` link: without the opening and
 * closing flags, without the FCS (the card checks and strips it), no zero-bit stuffing.
 *
 *      octet 1                      octet 2                   octet 3        octet 4
 *     +------------------+----+----+---------------------+----+--------------+--------------+
 *     | SAPI (6)   8..3  | C/R| EA0|  TEI (7)     8..2   | EA1|  control     | control      |  information
 *     |                  |  2 | =0 |                     | =1 |  (1 or 2)    | (I, S only)  |  (I, UI, XID, FRMR)
 *     +------------------+----+----+---------------------+----+--------------+--------------+
 *
 *     Control field (Q.921 3.6.1, Table 5, modulo 128):
 *       I         N(S) << 1 | 0            N(R) << 1 | P
 *       RR        0000 0001                N(R) << 1 | P/F
 *       RNR       0000 0101                N(R) << 1 | P/F
 *       REJ       0000 1001                N(R) << 1 | P/F
 *       SABME     011P 1111 (0x6F | P<<4)  command
 *       DM        000F 1111 (0x0F | F<<4)  response
 *       UI        000P 0011 (0x03 | P<<4)  command, information allowed
 *       DISC      010P 0011 (0x43 | P<<4)  command
 *       UA        011F 0011 (0x63 | F<<4)  response
 *       FRMR      100F 0111 (0x87 | F<<4)  response, information (5 octets in modulo 128)
 *       XID       101P 1111 (0xAF | P<<4)  command or response, information allowed
 *
 * C/R (Q.921 3.3.2, Table 1): a command from the user side has C/R = 0, a response from the
 * user side C/R = 1; the network side sends the opposite. So decoding needs to know which
 * side sent the frame, and encoding which side sends it.
 *
 * Decoding never throws: a frame that is not valid gives a `Q921DecodeError` with a reason
 * the caller counts (Q.921 5.8.5 invalid frames, 5.8.6 frame rejection conditions).
 * Encoding throws RangeError/TypeError on a value that does not fit: a programming error.
 */

export type Q921Side = 'user' | 'network';
export type Q921SFrameType = 'RR' | 'RNR' | 'REJ';
export type Q921UFrameType = 'SABME' | 'DM' | 'UI' | 'DISC' | 'UA' | 'FRMR' | 'XID';

/** N201 (Q.921 5.9.3): the most octets of information in an I, UI or XID frame. */
export const N201 = 260;
/** The modulus of N(S), N(R), V(S), V(R), V(A) in multiple frame operation (Q.921 3.5.2). */
export const MODULUS = 128;

interface Address {
  sapi: number;
  tei: number;
  /** True for a command, false for a response (read with Table 1 and the sending side). */
  command: boolean;
}

export interface Q921IFrame extends Address {
  kind: 'I';
  ns: number;
  nr: number;
  /** The P bit. */
  p: boolean;
  info: Uint8Array;
}

export interface Q921SFrame extends Address {
  kind: 'S';
  type: Q921SFrameType;
  nr: number;
  /** P in a command, F in a response. */
  pf: boolean;
}

export interface Q921UFrame extends Address {
  kind: 'U';
  type: Q921UFrameType;
  /** P in a command, F in a response. */
  pf: boolean;
  /** Empty for the frames that carry none. */
  info: Uint8Array;
}

export type Q921Frame = Q921IFrame | Q921SFrame | Q921UFrame;

/**
 * Why a frame was not accepted. The first two make it an invalid frame (Q.921 5.8.5:
 * discarded, nothing said); the others are frame rejection conditions (5.8.6), each with the
 * management error code of Q.921 Table II.1 the link reports for it.
 */
export type Q921DecodeReason =
  /** Fewer than 3 octets (an I or S frame needs 4). */
  | 'too-short'
  /** EA0 of octet 1 is not 0 or EA1 of octet 2 is not 1 (Q.921 3.3.1). */
  | 'bad-ea'
  /** A control field Table 5 does not define (MDL-ERROR L). */
  | 'unknown-control'
  /** A command that may only be a response, or the reverse (read as undefined: MDL-ERROR L). */
  | 'wrong-cr'
  /** An information field on a frame that carries none (MDL-ERROR M). */
  | 'info-not-allowed'
  /** A supervisory frame, or an I frame, of the wrong length (MDL-ERROR N). */
  | 'wrong-length'
  /** More than N201 octets of information (MDL-ERROR O). */
  | 'info-too-long';

export interface Q921DecodeError {
  reason: Q921DecodeReason;
  /** Offset of the octet at fault, from the start of the frame. */
  offset: number;
  detail: string;
  /** The address, when the frame was long enough to have one: the link ignores errors in frames not for it. */
  sapi?: number;
  tei?: number;
}

export type Q921DecodeResult = { ok: true; frame: Q921Frame } | { ok: false; error: Q921DecodeError };

const S_CODES: Readonly<Record<Q921SFrameType, number>> = { RR: 0x01, RNR: 0x05, REJ: 0x09 };

interface UShape {
  code: number;
  /** Which a U frame may be: XID is either. */
  role: 'command' | 'response' | 'either';
  info: boolean;
}

const U_SHAPES: Readonly<Record<Q921UFrameType, UShape>> = {
  SABME: { code: 0x6f, role: 'command', info: false },
  DM: { code: 0x0f, role: 'response', info: false },
  UI: { code: 0x03, role: 'command', info: true },
  DISC: { code: 0x43, role: 'command', info: false },
  UA: { code: 0x63, role: 'response', info: false },
  FRMR: { code: 0x87, role: 'response', info: true },
  XID: { code: 0xaf, role: 'either', info: true },
};
const P_BIT = 0x10;

/** The C/R bit for a frame from `sender` (Q.921 Table 1). */
function crBit(sender: Q921Side, command: boolean): number {
  return (sender === 'network') === command ? 1 : 0;
}

/** Command or response, for a frame from `sender` with this C/R bit (Q.921 Table 1). */
export function isCommand(sender: Q921Side, cr: number): boolean {
  return sender === 'network' ? cr === 1 : cr === 0;
}

/** Reads one frame sent by `sender`. Never throws. */
export function decodeQ921(bytes: Uint8Array, sender: Q921Side): Q921DecodeResult {
  const fail = (reason: Q921DecodeReason, offset: number, detail: string, withAddress = true): Q921DecodeResult => {
    const error: Q921DecodeError = { reason, offset, detail };
    if (withAddress) Object.assign(error, { sapi: bytes[0]! >> 2, tei: bytes[1]! >> 1 });
    return { ok: false, error };
  };
  if (bytes.length < 3) return fail('too-short', bytes.length, `${bytes.length} octet(s): a frame has an address and a control field, 3 octets at least`, false);
  const a1 = bytes[0]!;
  const a2 = bytes[1]!;
  if ((a1 & 0x01) !== 0) return fail('bad-ea', 0, `EA0 is 1 in address octet 0x${hex2(a1)}: LAPD has a 2-octet address`, false);
  if ((a2 & 0x01) !== 1) return fail('bad-ea', 1, `EA1 is 0 in address octet 0x${hex2(a2)}: LAPD has a 2-octet address`, false);
  const address: Address = { sapi: a1 >> 2, tei: a2 >> 1, command: isCommand(sender, (a1 >> 1) & 1) };
  const c1 = bytes[2]!;

  if ((c1 & 0x01) === 0) {
    // I frame (Q.921 3.6.2): always a command.
    if (bytes.length < 4) return fail('wrong-length', 3, 'I frame without its second control octet');
    if (!address.command) return fail('wrong-cr', 0, 'I frame sent as a response');
    const info = bytes.subarray(4);
    if (info.length > N201) return fail('info-too-long', 4, `I frame with ${info.length} octets of information, N201 is ${N201}`);
    const c2 = bytes[3]!;
    return { ok: true, frame: { kind: 'I', ...address, ns: c1 >> 1, nr: c2 >> 1, p: (c2 & 1) === 1, info: Uint8Array.from(info) } };
  }

  if ((c1 & 0x03) === 0x01) {
    const type = (Object.keys(S_CODES) as Q921SFrameType[]).find((k) => S_CODES[k] === c1);
    if (type === undefined) return fail('unknown-control', 2, `supervisory control octet 0x${hex2(c1)} is not RR, RNR or REJ`);
    if (bytes.length < 4) return fail('wrong-length', 3, `${type} without its second control octet`);
    // Q.921 5.8.6 b): a supervisory frame has no information field.
    if (bytes.length > 4) return fail('wrong-length', 4, `${type} with ${bytes.length - 4} octet(s) after the control field`);
    const c2 = bytes[3]!;
    return { ok: true, frame: { kind: 'S', type, ...address, nr: c2 >> 1, pf: (c2 & 1) === 1 } };
  }

  const code = c1 & ~P_BIT;
  const type = (Object.keys(U_SHAPES) as Q921UFrameType[]).find((k) => U_SHAPES[k].code === code);
  if (type === undefined) return fail('unknown-control', 2, `unnumbered control octet 0x${hex2(c1)} is not one Q.921 defines`);
  const shape = U_SHAPES[type];
  if (shape.role !== 'either' && (shape.role === 'command') !== address.command) {
    return fail('wrong-cr', 0, `${type} sent as a ${address.command ? 'command' : 'response'}: it is always a ${shape.role}`);
  }
  const info = bytes.subarray(3);
  if (!shape.info && info.length > 0) return fail('info-not-allowed', 3, `${type} with ${info.length} octet(s) of information`);
  if (info.length > N201) return fail('info-too-long', 3, `${type} with ${info.length} octets of information, N201 is ${N201}`);
  return { ok: true, frame: { kind: 'U', type, ...address, pf: (c1 & P_BIT) !== 0, info: Uint8Array.from(info) } };
}

/** The octets of `frame` as `sender` sends it. Throws RangeError/TypeError on a value out of range. */
export function encodeQ921(frame: Q921Frame, sender: Q921Side): Uint8Array {
  field(frame.sapi, 63, 'SAPI');
  field(frame.tei, 127, 'TEI');
  const a1 = (frame.sapi << 2) | (crBit(sender, frame.command) << 1);
  const a2 = (frame.tei << 1) | 1;
  switch (frame.kind) {
    case 'I': {
      if (!frame.command) throw new TypeError('an I frame is always a command (Q.921 3.6.2)');
      field(frame.ns, 127, 'N(S)');
      field(frame.nr, 127, 'N(R)');
      if (frame.info.length > N201) throw new RangeError(`I frame information of ${frame.info.length} octets: N201 is ${N201}`);
      return withInfo([a1, a2, frame.ns << 1, (frame.nr << 1) | (frame.p ? 1 : 0)], frame.info);
    }
    case 'S': {
      const code = S_CODES[frame.type];
      if (code === undefined) throw new TypeError(`supervisory frame type ${String(frame.type)} is not RR, RNR or REJ`);
      field(frame.nr, 127, 'N(R)');
      return Uint8Array.from([a1, a2, code, (frame.nr << 1) | (frame.pf ? 1 : 0)]);
    }
    case 'U': {
      const shape = U_SHAPES[frame.type];
      if (shape === undefined) throw new TypeError(`unnumbered frame type ${String(frame.type)} is not one Q.921 defines`);
      if (shape.role !== 'either' && (shape.role === 'command') !== frame.command) throw new TypeError(`${frame.type} is always a ${shape.role}`);
      if (!shape.info && frame.info.length > 0) throw new RangeError(`${frame.type} carries no information field`);
      if (frame.info.length > N201) throw new RangeError(`${frame.type} information of ${frame.info.length} octets: N201 is ${N201}`);
      return withInfo([a1, a2, shape.code | (frame.pf ? P_BIT : 0)], frame.info);
    }
    default:
      throw new TypeError(`frame kind ${String((frame as { kind: unknown }).kind)} is not I, S or U`);
  }
}

/** Who sends a built frame, and on which data link (SAPI 0, TEI 0 unless given: a PRI's call control). */
export interface Q921Origin {
  sender: Q921Side;
  sapi?: number;
  tei?: number;
}

const EMPTY = new Uint8Array(0);

function origin(from: Q921Origin, command: boolean) {
  return { sapi: from.sapi ?? 0, tei: from.tei ?? 0, command };
}

/** An I frame (always a command). */
export function iFrame(from: Q921Origin, ns: number, nr: number, info: Uint8Array, p = false): Uint8Array {
  return encodeQ921({ kind: 'I', ...origin(from, true), ns, nr, p, info }, from.sender);
}

/** RR, RNR or REJ, as a command (P) or a response (F). */
export function sFrame(from: Q921Origin, type: Q921SFrameType, command: boolean, nr: number, pf = false): Uint8Array {
  return encodeQ921({ kind: 'S', type, ...origin(from, command), nr, pf }, from.sender);
}

export const rr = (from: Q921Origin, command: boolean, nr: number, pf = false) => sFrame(from, 'RR', command, nr, pf);
export const rnr = (from: Q921Origin, command: boolean, nr: number, pf = false) => sFrame(from, 'RNR', command, nr, pf);
export const rej = (from: Q921Origin, command: boolean, nr: number, pf = false) => sFrame(from, 'REJ', command, nr, pf);

function uFrame(from: Q921Origin, type: Q921UFrameType, command: boolean, pf: boolean, info: Uint8Array = EMPTY): Uint8Array {
  return encodeQ921({ kind: 'U', type, ...origin(from, command), pf, info }, from.sender);
}

export const sabme = (from: Q921Origin, p = true) => uFrame(from, 'SABME', true, p);
export const disc = (from: Q921Origin, p = true) => uFrame(from, 'DISC', true, p);
export const ua = (from: Q921Origin, f: boolean) => uFrame(from, 'UA', false, f);
export const dm = (from: Q921Origin, f: boolean) => uFrame(from, 'DM', false, f);
export const ui = (from: Q921Origin, info: Uint8Array, p = false) => uFrame(from, 'UI', true, p, info);
/** FRMR: we never send one (Q.921 5.8.6 re-establishes instead), but a test double may. */
export const frmr = (from: Q921Origin, info: Uint8Array, f = false) => uFrame(from, 'FRMR', false, f, info);
export const xid = (from: Q921Origin, command: boolean, info: Uint8Array, pf = false) => uFrame(from, 'XID', command, pf, info);

/** One line for a log: `SABME P`, `I N(S)=3 N(R)=5 (12 octets)`, `RR N(R)=4 F`. */
export function describeQ921(frame: Q921Frame): string {
  const where = frame.sapi === 0 && frame.tei === 0 ? '' : ` (SAPI ${frame.sapi} TEI ${frame.tei})`;
  const bit = (set: boolean) => (set ? (frame.command ? ' P' : ' F') : '');
  switch (frame.kind) {
    case 'I':
      return `I N(S)=${frame.ns} N(R)=${frame.nr}${bit(frame.p)} (${frame.info.length} octets)${where}`;
    case 'S':
      return `${frame.type} ${frame.command ? 'command' : 'response'} N(R)=${frame.nr}${bit(frame.pf)}${where}`;
    case 'U':
      return `${frame.type}${bit(frame.pf)}${frame.info.length > 0 ? ` (${frame.info.length} octets)` : ''}${where}`;
  }
}

function field(value: number, max: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${name} ${value} is not a whole number from 0 to ${max}`);
}

function withInfo(head: number[], info: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + info.length);
  out.set(head, 0);
  out.set(info, head.length);
  return out;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
