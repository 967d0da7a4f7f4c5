import {
  BEARER_CAPABILITY,
  CALL_STATE,
  CALLED_PARTY_NUMBER,
  CALLING_PARTY_NUMBER,
  CHANNEL_IDENTIFICATION,
  DISPLAY,
  IE_NAMES,
  int,
  bytesOf,
  PROGRESS_INDICATOR,
  Q931CodecError,
  RESTART_INDICATOR,
  type BearerCapability,
  type CallingPartyNumber,
  type CallState,
  type ChannelIdentification,
  type IeCodec,
  type PartyNumber,
  type ProgressIndicator,
  type RestartClass,
} from './q931-ies.js';
import { CAUSE, type Cause } from './q931-cause.js';
import { mandatoryIes, Q931_MESSAGES, Q931_TYPE_BY_CODE, type Q931MessageType, type Q931Side } from './q931-messages.js';

/**
 * A Q.931 message as it rides in a LAPD I-frame on the PRI D-channel (Q.931 clause 4):
 *
 *          8   7   6   5   4   3   2   1
 *       +-------------------------------+
 *     1 | protocol discriminator 0x08   |                                  4.2
 *     2 | 0   0   0   0 | CR length (2) |                                  4.3
 *     3 | flag| call reference value ...  (length octets, flag in the first)
 *       | 0 | message type              |                                  4.4
 *       | information elements...       |                                  4.5
 *
 * An IE is either one octet with bit 8 set (type 1: identifier in bits 7-5, contents in bits
 * 4-1; type 2: the whole octet is the identifier) or identifier, length, contents. A shift
 * (1001 x ccc, 4.5.3 / 4.5.4) moves to codeset ccc: for good when x = 0 (locking), for the
 * next IE only when x = 1. Codeset 0 variable-length IEs go in ascending identifier order
 * (4.5.1).
 *
 * The call reference flag (4.3) is false in messages from the side that chose the value,
 * true in messages to it. The global call reference is value 0 (RESTART, 5.5); a length of 0
 * is the dummy call reference.
 */
export const Q931_PROTOCOL_DISCRIMINATOR = 0x08;

export interface CallReference {
  value: number;
  /** true: sent by the side that did not choose the value (Q.931 4.3). */
  flag: boolean;
  /** Octets of value: 2 on a primary rate interface (the default), 1 on basic rate, 0 dummy. */
  length?: 0 | 1 | 2;
}

/**
 * The information elements of a message, typed where the box acts on them. `other` keeps,
 * in the order received, the IEs carried as bytes: codeset 0 IEs Q.931 names but this codec
 * does not type (facility, signal, user-user...), unrecognised ones, and those of other
 * codesets. A single-octet IE in `other` has its whole octet as `id` and no data.
 */
export interface Q931Ies {
  /** 0xa1, 4.5.27. */
  sendingComplete?: true;
  /** 0xa0, 4.5.19. */
  moreData?: true;
  /** 0xb-, 4.5.14: bits 4-1. */
  congestionLevel?: number;
  /** 0xd-, 4.5.24: bits 4-1. */
  repeatIndicator?: number;
  bearerCapability?: BearerCapability;
  cause?: Cause;
  callState?: CallState;
  channelIdentification?: ChannelIdentification;
  /** Up to two may appear (3.1.14 and others). */
  progressIndicator?: ProgressIndicator[];
  display?: string;
  callingPartyNumber?: CallingPartyNumber;
  calledPartyNumber?: PartyNumber;
  restartIndicator?: RestartClass;
  other?: RawIe[];
}

export interface RawIe {
  codeset: number;
  id: number;
  data?: Uint8Array;
}

export interface Q931Message {
  type: Q931MessageType;
  callReference: CallReference;
  ies: Q931Ies;
}

/** A message type this codec does not know: its contents are not read (5.8.4). */
export interface Q931UnknownMessage {
  type: 'unknown';
  code: number;
  callReference: CallReference;
  body: Uint8Array;
}

export type Q931AnyMessage = Q931Message | Q931UnknownMessage;

/** Why bytes are not a Q.931 message at all (the receiver ignores them). */
export interface Q931DecodeError {
  code: 'too-short' | 'protocol-discriminator' | 'call-reference-length' | 'ie-overrun';
  reason: string;
  /** Where the fault lies, counted from the first octet of the message. */
  offset: number;
}

export interface IeContentError {
  id: number;
  offset: number;
  reason: string;
}

export interface UnrecognisedIe {
  codeset: number;
  id: number;
  /** Codeset 0 identifier with bits 8-5 = 0000 (Q.931 5.8.7.1, Table 4-3 note). */
  comprehensionRequired: boolean;
  offset: number;
}

/** What was wrong in a message that still decoded, for Q.931 5.8 (see `q931Verdict`). */
export interface Q931Report {
  unrecognised: UnrecognisedIe[];
  /** Includes the cause of RELEASE / RELEASE COMPLETE, mandatory in a first clearing message (`q931Verdict` weighs that). */
  missingMandatory: number[];
  mandatoryContentErrors: IeContentError[];
  optionalContentErrors: IeContentError[];
  /** Codeset 0 variable-length IEs with an identifier below the one before (5.8.5.1): decoded all the same. */
  outOfSequence: number[];
  /** IEs present more often than allowed; only the first (two for progress indicator) are kept (5.8.5.2). */
  repeated: number[];
  /**
   * Recognised codeset 0 IEs that clause 3 does not list for this message type (5.8.7.3);
   * they are decoded into `ies` all the same, and the call layer should not rely on them.
   */
  unexpected: number[];
}

export type Q931Decoded = { ok: true; message: Q931AnyMessage; report: Q931Report; from: Q931Side } | { ok: false; error: Q931DecodeError };

type TypedKey = 'bearerCapability' | 'cause' | 'callState' | 'channelIdentification' | 'progressIndicator' | 'display' | 'callingPartyNumber' | 'calledPartyNumber' | 'restartIndicator';

/** Typed codeset 0 IEs in ascending identifier order: the order they are sent in. */
const TYPED: readonly (readonly [TypedKey, IeCodec<unknown>])[] = (
  [
    ['bearerCapability', BEARER_CAPABILITY],
    ['cause', CAUSE],
    ['callState', CALL_STATE],
    ['channelIdentification', CHANNEL_IDENTIFICATION],
    ['progressIndicator', PROGRESS_INDICATOR],
    ['display', DISPLAY],
    ['callingPartyNumber', CALLING_PARTY_NUMBER],
    ['calledPartyNumber', CALLED_PARTY_NUMBER],
    ['restartIndicator', RESTART_INDICATOR],
  ] as const
).map(([k, c]) => [k, c as IeCodec<unknown>] as const);
const TYPED_BY_ID = new Map(TYPED.map(([key, codec]) => [codec.id, { key, codec }]));
const MAX_PROGRESS = 2;

/** Encodes a message. Throws TypeError/RangeError (naming the field) on a value that does not fit. */
export function encodeQ931(message: Q931AnyMessage): Uint8Array {
  const out = [Q931_PROTOCOL_DISCRIMINATOR, ...callReference(message.callReference)];
  if (message.type === 'unknown') {
    out.push(int(message.code, 0, 0xff, 'message.code'), ...bytesOf(message.body, 'message.body'));
    return Uint8Array.from(out);
  }
  const def = Q931_MESSAGES[message.type];
  if (def === undefined) throw new TypeError(`unknown Q.931 message type ${String(message.type)}`);
  out.push(def.code);
  const ies = message.ies ?? {};
  const where = `${message.type}.ies`;
  // Single-octet IEs first; Q.931 4.5.1 does not order them, and Q.931's SETUP lists them first.
  if (ies.sendingComplete) out.push(0xa1);
  if (ies.moreData) out.push(0xa0);
  if (ies.congestionLevel !== undefined) out.push(0xb0 | int(ies.congestionLevel, 0, 15, `${where}.congestionLevel`));
  if (ies.repeatIndicator !== undefined) out.push(0xd0 | int(ies.repeatIndicator, 0, 15, `${where}.repeatIndicator`));

  const variable: { id: number; data: number[] }[] = [];
  for (const [key, codec] of TYPED) {
    const v = ies[key];
    if (v === undefined) continue;
    const values = key === 'progressIndicator' ? (v as unknown[]) : [v];
    values.forEach((one, i) => variable.push({ id: codec.id, data: codec.encode(one, `${where}.${key}${key === 'progressIndicator' ? `[${i}]` : ''}`) }));
  }
  const others = ies.other ?? [];
  others.forEach((ie, i) => {
    if (ie.codeset === 0 && ie.id < 0x80) {
      if (TYPED_BY_ID.has(ie.id)) throw new RangeError(`${where}.other[${i}]: IE 0x${hex(ie.id)} is typed here; set ${where}.${TYPED_BY_ID.get(ie.id)!.key} instead`);
      variable.push({ id: ie.id, data: [...bytesOf(ie.data, `${where}.other[${i}].data`)] });
    }
  });
  // 4.5.1: ascending order within codeset 0 (a stable sort keeps repeats in their order).
  variable.sort((a, b) => a.id - b.id);
  for (const ie of variable) pushIe(out, ie.id, ie.data, where);

  // Other single-octet codeset 0 IEs, then other codesets each behind a locking shift (4.5.3).
  others.forEach((ie, i) => {
    if (ie.codeset === 0 && ie.id >= 0x80) out.push(singleOctet(ie, `${where}.other[${i}]`));
  });
  const codesets = [...new Set(others.filter((ie) => ie.codeset !== 0).map((ie) => int(ie.codeset, 1, 7, `${where}.other codeset`)))].sort();
  for (const cs of codesets) {
    out.push(0x90 | cs);
    others.forEach((ie, i) => {
      if (ie.codeset !== cs) return;
      if (ie.id >= 0x80) out.push(singleOctet(ie, `${where}.other[${i}]`));
      else pushIe(out, int(ie.id, 0, 0x7f, `${where}.other[${i}].id`), [...bytesOf(ie.data, `${where}.other[${i}].data`)], where);
    });
  }
  return Uint8Array.from(out);
}

/**
 * Decodes one Q.931 message (the information field of a LAPD I-frame). Never throws: bytes
 * that are no message give `{ ok: false, error }`; a message gives its IEs and a report of
 * what Q.931 5.8 must weigh. `from` is the side that sent it (mandatory IEs differ).
 */
export function decodeQ931(bytes: Uint8Array, from: Q931Side = 'network'): Q931Decoded {
  const fail = (code: Q931DecodeError['code'], reason: string, offset: number): Q931Decoded => ({ ok: false, error: { code, reason, offset } });
  if (bytes.length < 2) return fail('too-short', `${bytes.length} octet(s): no room for protocol discriminator and call reference`, bytes.length);
  if (bytes[0] !== Q931_PROTOCOL_DISCRIMINATOR) return fail('protocol-discriminator', `protocol discriminator 0x${hex(bytes[0]!)} is not Q.931 (0x08)`, 0);
  const crLength = bytes[1]!;
  // 5.8.3.1: spare bits set, or a call reference longer than a PRI uses (2 octets).
  if ((crLength & 0xf0) !== 0 || crLength > 2) return fail('call-reference-length', `call reference length octet 0x${hex(crLength)} (PRI allows 0 to 2)`, 1);
  if (bytes.length < 3 + crLength) return fail('too-short', `${bytes.length} octet(s): message type missing`, bytes.length);
  let value = 0;
  for (let i = 0; i < crLength; i++) value = value * 256 + bytes[2 + i]!;
  const flagBit = crLength === 0 ? 0 : 2 ** (8 * crLength - 1);
  const callReference: CallReference = { value: value % (flagBit || 1), flag: crLength > 0 && value >= flagBit, length: crLength as 0 | 1 | 2 };
  const typeAt = 2 + crLength;
  const code = bytes[typeAt]!;
  const report: Q931Report = { unrecognised: [], missingMandatory: [], mandatoryContentErrors: [], optionalContentErrors: [], outOfSequence: [], repeated: [], unexpected: [] };
  const type = Q931_TYPE_BY_CODE.get(code);
  if (type === undefined) {
    return { ok: true, message: { type: 'unknown', code, callReference, body: Uint8Array.from(bytes.subarray(typeAt + 1)) }, report, from };
  }
  const ies: Q931Ies = {};
  const errors: IeContentError[] = [];
  const overrun = readIes(bytes, typeAt + 1, new Set(Q931_MESSAGES[type].permitted), ies, errors, report);
  if (overrun !== undefined) return { ok: false, error: overrun };

  const mandatory = new Set(mandatoryIes(type, from));
  for (const e of errors) (mandatory.has(e.id) ? report.mandatoryContentErrors : report.optionalContentErrors).push(e);
  for (const id of mandatory) {
    const key = TYPED_BY_ID.get(id)!.key;
    if (ies[key] === undefined && !errors.some((e) => e.id === id)) report.missingMandatory.push(id);
  }
  return { ok: true, message: { type, callReference, ies }, report, from };
}

/** Reads IEs from `at` to the end; returns an error only when one runs past the end. */
function readIes(bytes: Uint8Array, at: number, permitted: ReadonlySet<number>, ies: Q931Ies, errors: IeContentError[], report: Q931Report): Q931DecodeError | undefined {
  let locked = 0;
  let once: number | undefined;
  let lastId = -1;
  const other = (ie: RawIe) => (ies.other ??= []).push(ie);
  const expect = (id: number) => {
    if (!permitted.has(id)) report.unexpected.push(id);
  };
  while (at < bytes.length) {
    const octet = bytes[at]!;
    const codeset = once ?? locked;
    once = undefined;
    if (octet & 0x80) {
      if ((octet & 0xf0) === 0x90) {
        // 4.5.3 / 4.5.4: the shift identifier is the same in every codeset.
        if (octet & 0x08) once = octet & 7;
        else locked = octet & 7;
      } else if (codeset === 0 && octet === 0xa1) {
        ies.sendingComplete = true;
        expect(octet);
      } else if (codeset === 0 && octet === 0xa0) {
        ies.moreData = true;
        expect(octet);
      } else if (codeset === 0 && (octet & 0xf0) === 0xb0) {
        ies.congestionLevel = octet & 0x0f;
        expect(0xb0);
      } else if (codeset === 0 && (octet & 0xf0) === 0xd0) {
        ies.repeatIndicator = octet & 0x0f;
        expect(0xd0);
      } else {
        report.unrecognised.push({ codeset, id: octet, comprehensionRequired: false, offset: at });
        other({ codeset, id: octet });
      }
      at += 1;
      continue;
    }
    if (at + 1 >= bytes.length) return { code: 'ie-overrun', reason: `IE 0x${hex(octet)} has no length octet`, offset: at };
    const length = bytes[at + 1]!;
    const start = at + 2;
    if (start + length > bytes.length) return { code: 'ie-overrun', reason: `IE 0x${hex(octet)} length ${length} runs ${start + length - bytes.length} octet(s) past the end`, offset: at + 1 };
    const data = () => Uint8Array.from(bytes.subarray(start, start + length));
    if (codeset !== 0) {
      report.unrecognised.push({ codeset, id: octet, comprehensionRequired: false, offset: at });
      other({ codeset, id: octet, data: data() });
    } else {
      if (octet < lastId) report.outOfSequence.push(octet);
      else lastId = octet;
      const typed = TYPED_BY_ID.get(octet);
      if (typed !== undefined) {
        expect(octet);
        readTyped(bytes, at, length, typed.key, typed.codec, ies, errors, report);
      } else if (IE_NAMES[octet] !== undefined && (octet & 0xf0) !== 0) {
        expect(octet);
        other({ codeset, id: octet, data: data() });
      } else {
        // Unknown, or known but needing comprehension this codec lacks (segmented message).
        report.unrecognised.push({ codeset, id: octet, comprehensionRequired: (octet & 0xf0) === 0, offset: at });
        other({ codeset, id: octet, data: data() });
      }
    }
    at = start + length;
  }
  return undefined;
}

function readTyped(bytes: Uint8Array, at: number, length: number, key: TypedKey, codec: IeCodec<unknown>, ies: Q931Ies, errors: IeContentError[], report: Q931Report): void {
  const id = codec.id;
  const seen = key === 'progressIndicator' ? (ies.progressIndicator?.length ?? 0) >= MAX_PROGRESS : ies[key] !== undefined || errors.some((e) => e.id === id);
  if (seen) {
    report.repeated.push(id);
    return;
  }
  if (length > codec.maxLength) {
    // 5.8.7.2: longer than Q.931's maximum counts as a content error.
    errors.push({ id, offset: at, reason: `${codec.label}: ${length} octets, at most ${codec.maxLength}` });
    return;
  }
  try {
    const value = codec.decode(bytes, at + 2, length);
    if (key === 'progressIndicator') (ies.progressIndicator ??= []).push(value as ProgressIndicator);
    else (ies as Record<string, unknown>)[key] = value;
  } catch (err) {
    if (!(err instanceof Q931CodecError)) throw err;
    errors.push({ id, offset: err.offset, reason: err.message });
  }
}

function callReference(cr: CallReference): number[] {
  if (typeof cr !== 'object' || cr === null) throw new TypeError('message.callReference: expected { value, flag }');
  const length = cr.length ?? 2;
  if (length === 0) {
    if (cr.value !== 0 || cr.flag) throw new RangeError('message.callReference: the dummy call reference (length 0) has no value or flag');
    return [0];
  }
  if (length !== 1 && length !== 2) throw new RangeError(`message.callReference.length: ${String(length)} is not 0, 1 or 2`);
  const max = length === 1 ? 0x7f : 0x7fff;
  const v = int(cr.value, 0, max, 'message.callReference.value') + (cr.flag ? max + 1 : 0);
  return length === 1 ? [1, v] : [2, v >> 8, v & 0xff];
}

function pushIe(out: number[], id: number, data: number[], where: string): void {
  if (data.length > 0xff) throw new RangeError(`${where}: IE 0x${hex(id)} is ${data.length} octets, at most 255 fit its length octet`);
  out.push(id, data.length, ...data);
}

function singleOctet(ie: RawIe, where: string): number {
  const id = int(ie.id, 0x80, 0xff, `${where}.id`);
  if ((id & 0xf0) === 0x90) throw new RangeError(`${where}: 0x${hex(id)} is a shift; the encoder places shifts itself`);
  if (ie.data !== undefined && ie.data.length > 0) throw new RangeError(`${where}: a single-octet IE carries no data`);
  return id;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
