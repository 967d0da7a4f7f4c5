/**
 * Typed contents of the Q.931 information elements a PRI call needs (Q.931 4.5). Each
 * codec sees only the contents: the identifier and length octets belong to the message
 * codec (`q931-codec.ts`). Octet numbers in the diagrams are Q.931's: octet 1 is the
 * identifier, octet 2 the length, so contents start at octet 3. "ext" is the extension bit
 * (bit 8): 0 = the octet group goes on in the next octet, 1 = this is its last octet.
 *
 * Decoders throw only `Q931CodecError` (`bad-length` or `bad-value`), which the message
 * decoder turns into an "IE content error" for Q.931 5.8.6.2 / 5.8.7.2. The cause IE lives
 * with the Q.850 tables in `q931-cause.ts`.
 */

export type Q931CodecErrorCode = 'bad-length' | 'bad-value';

/** A content error in one information element; `offset` counts from the message's first octet. */
export class Q931CodecError extends RangeError {
  override readonly name = 'Q931CodecError';
  constructor(
    readonly code: Q931CodecErrorCode,
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}

/** Q.931 4.5.x coding standard, bits 7-6 of the octet that carries it. */
export const CODING = ['itu-t', 'iso-iec', 'national', 'network-specific'] as const;
export type CodingStandard = (typeof CODING)[number];

/** How one IE's contents become a value and back. */
export interface IeCodec<T> {
  /** Codeset 0 identifier (Q.931 Table 4-3). */
  readonly id: number;
  readonly label: string;
  /** Longest contents Q.931 allows; longer is a content error (Q.931 5.8.7.2). */
  readonly maxLength: number;
  encode(value: T, where: string): number[];
  /** Reads `length` octets at `start` (the caller has checked they are there). */
  decode(bytes: Uint8Array, start: number, length: number): T;
}

// ---------------------------------------------------------------------------------------
/**
 * Bearer capability, Q.931 4.5.5 (identifier 0x04):
 *
 *          8     7 6        5 4 3 2 1
 *     3  | 1   | coding   | information transfer capability |
 *     4  | ext | mode     | information transfer rate       |
 *     4.1| 1   | rate multiplier (only for rate "multirate")  |
 *     5  | ext | 0 1      | user information layer 1 protocol |   (optional)
 *     5a..5d  layer 1 details (kept as bytes)
 *     6, 7    layer 2 and layer 3 (kept as bytes)
 *
 * A PRI voice call: 80 90 a3 = ITU-T speech, circuit mode 64 kbit/s, G.711 A-law.
 * Octets 4a/4b of older editions (ext 0 on octet 4) are skipped when read and not sent.
 */
export interface BearerCapability {
  codingStandard: CodingStandard;
  capability: TransferCapability;
  transferMode: 'circuit' | 'packet';
  rate: TransferRate;
  /** Octet 4.1: the number of 64 kbit/s channels, with rate 'multirate' only. */
  rateMultiplier?: number;
  /** Octet 5 bits 5-1: 1 V.110, 2 G.711 mu-law, 3 G.711 A-law... (see LAYER1). */
  layer1?: number;
  /** Octets 5a-5d as received (rate adaption details), only with `layer1`. */
  layer1Detail?: Uint8Array;
  /** Octets 6 and 7 (layer 2 and 3 protocols) as received. */
  upperLayers?: Uint8Array;
}

const CAPABILITY = { speech: 0x00, 'unrestricted-digital': 0x08, 'restricted-digital': 0x09, 'audio-3.1khz': 0x10, 'unrestricted-digital-tones': 0x11, video: 0x18 } as const;
export type TransferCapability = keyof typeof CAPABILITY;
const RATE = { packet: 0x00, '64k': 0x10, '2x64k': 0x11, '384k': 0x13, '1536k': 0x15, '1920k': 0x17, multirate: 0x18 } as const;
export type TransferRate = keyof typeof RATE;

/** User information layer 1 protocol codes (octet 5). */
export const LAYER1 = { v110: 1, g711MuLaw: 2, g711ALaw: 3, g721: 4, h221: 5, h223: 6, nonItu: 7, v120: 8, x31: 9 } as const;

export const BEARER_CAPABILITY: IeCodec<BearerCapability> = {
  id: 0x04,
  label: 'bearer capability',
  maxLength: 10,
  encode(v, where) {
    const out = [0x80 | (coding(v.codingStandard, where) << 5) | named(CAPABILITY, v.capability, `${where}.capability`)];
    const mode = v.transferMode === 'circuit' ? 0 : v.transferMode === 'packet' ? 2 : bad(`${where}.transferMode`, v.transferMode, 'circuit, packet');
    out.push(0x80 | (mode << 5) | named(RATE, v.rate, `${where}.rate`));
    if (v.rate === 'multirate') out.push(0x80 | int(v.rateMultiplier, 1, 0x7f, `${where}.rateMultiplier`));
    else if (v.rateMultiplier !== undefined) throw new RangeError(`${where}.rateMultiplier: only with rate multirate`);
    if (v.layer1 !== undefined) {
      const detail = bytesOf(v.layer1Detail, `${where}.layer1Detail`);
      out.push((detail.length === 0 ? 0x80 : 0) | 0x20 | int(v.layer1, 0, 0x1f, `${where}.layer1`), ...detail);
    } else if (v.layer1Detail !== undefined) throw new RangeError(`${where}.layer1Detail: only with layer1`);
    out.push(...bytesOf(v.upperLayers, `${where}.upperLayers`));
    return out;
  },
  decode(bytes, start, length) {
    const end = start + length;
    atLeast('bearer capability', start, length, 2);
    const o3 = bytes[start]!;
    if ((o3 & 0x80) === 0) throw new Q931CodecError('bad-value', 'bearer capability: octet 3 has extension bit 0', start);
    const value: BearerCapability = {
      codingStandard: CODING[(o3 >> 5) & 3]!,
      capability: byCode(CAPABILITY, o3 & 0x1f, 'bearer capability: information transfer capability', start),
      transferMode: 'circuit',
      rate: '64k',
    };
    let at = start + 1;
    const o4 = bytes[at]!;
    const mode = (o4 >> 5) & 3;
    if (mode !== 0 && mode !== 2) throw new Q931CodecError('bad-value', `bearer capability: transfer mode ${mode} is reserved`, at);
    value.transferMode = mode === 0 ? 'circuit' : 'packet';
    value.rate = byCode(RATE, o4 & 0x1f, 'bearer capability: information transfer rate', at);
    at = skipGroup(bytes, at, end, 'bearer capability octet 4');
    if (value.rate === 'multirate') {
      if (at >= end) throw new Q931CodecError('bad-length', 'bearer capability: rate multiplier (octet 4.1) missing', at);
      value.rateMultiplier = bytes[at]! & 0x7f;
      at += 1;
    }
    if (at < end && ((bytes[at]! >> 5) & 3) === 1) {
      value.layer1 = bytes[at]! & 0x1f;
      const groupEnd = skipGroup(bytes, at, end, 'bearer capability octet 5');
      if (groupEnd > at + 1) value.layer1Detail = Uint8Array.from(bytes.subarray(at + 1, groupEnd));
      at = groupEnd;
    }
    if (at < end) value.upperLayers = Uint8Array.from(bytes.subarray(at, end));
    return value;
  },
};

// ---------------------------------------------------------------------------------------
/**
 * Channel identification, Q.931 4.5.13 (identifier 0x18):
 *
 *          8     7          6          5      4          3       2 1
 *     3  | 1   | int. id  | int. type| spare| pref/excl| D-chan | selection |
 *     3.1| ext | interface identifier (only when bit 7 of octet 3 is 1)   |
 *     3.2| 1   | coding   | number/map | channel type (3 = B-channel units) |
 *     3.3| ext | channel number (7 bits), repeated with ext 0 on all but the last |
 *
 * Octets 3.2 and 3.3 come only on a primary rate interface with selection "as indicated".
 * On PRI, selection 00 is "no channel", 01 "as indicated in the following octets", 11 "any
 * channel"; on a basic interface 01 and 10 name B1 and B2. B-channel 1 exclusive on PRI:
 * a9 83 81; any channel, preferred: a3. A RESTART of a whole interface under NFAS names the
 * interface only: selection 'none' with `interfaceId`.
 */
export interface ChannelIdentification {
  interfaceType: 'basic' | 'primary';
  /** Octet 3.1, present when the interface is named explicitly (NFAS). */
  interfaceId?: number;
  /** true: only this channel will do; false: preferred. */
  exclusive: boolean;
  /** The D-channel itself is meant. */
  dChannel: boolean;
  selection: ChannelSelection;
  /** Octets 3.2-3.3: primary rate, selection 'indicated' only. */
  indicated?: IndicatedChannels;
}

export type ChannelSelection = 'none' | 'indicated' | 'any' | 'b1' | 'b2';
const UNIT = { b: 3, h0: 6, h11: 8, h12: 9 } as const;
export type ChannelUnit = keyof typeof UNIT;
export type IndicatedChannels =
  | { codingStandard: CodingStandard; unit: ChannelUnit; channels: number[] }
  | { codingStandard: CodingStandard; unit: ChannelUnit; slotMap: Uint8Array };

export const CHANNEL_IDENTIFICATION: IeCodec<ChannelIdentification> = {
  id: 0x18,
  label: 'channel identification',
  maxLength: 32,
  encode(v, where) {
    const primary = v.interfaceType === 'primary' ? true : v.interfaceType === 'basic' ? false : bad(`${where}.interfaceType`, v.interfaceType, 'basic, primary');
    const sel = selectionCode(v.selection, primary, `${where}.selection`);
    const out = [0x80 | (v.interfaceId !== undefined ? 0x40 : 0) | (primary ? 0x20 : 0) | (bool(v.exclusive, `${where}.exclusive`) ? 0x08 : 0) | (bool(v.dChannel, `${where}.dChannel`) ? 0x04 : 0) | sel];
    if (v.interfaceId !== undefined) out.push(...septets(int(v.interfaceId, 0, 0x1fffff, `${where}.interfaceId`)));
    const ind = v.indicated;
    if (primary && v.selection === 'indicated') {
      if (ind === undefined) throw new TypeError(`${where}.indicated: missing (a primary rate 'indicated' selection names its channels)`);
      const isMap = 'slotMap' in ind;
      out.push(0x80 | (coding(ind.codingStandard, `${where}.indicated`) << 5) | (isMap ? 0x10 : 0) | named(UNIT, ind.unit, `${where}.indicated.unit`));
      if (isMap) out.push(...bytesOf(ind.slotMap, `${where}.indicated.slotMap`));
      else {
        if (!Array.isArray(ind.channels) || ind.channels.length === 0) throw new RangeError(`${where}.indicated.channels: give at least one channel number`);
        ind.channels.forEach((n, i) => out.push((i === ind.channels.length - 1 ? 0x80 : 0) | int(n, 0, 0x7f, `${where}.indicated.channels[${i}]`)));
      }
    } else if (ind !== undefined) throw new RangeError(`${where}.indicated: only with a primary rate interface and selection 'indicated'`);
    return out;
  },
  decode(bytes, start, length) {
    const end = start + length;
    atLeast('channel identification', start, length, 1);
    const o3 = bytes[start]!;
    if ((o3 & 0x80) === 0) throw new Q931CodecError('bad-value', 'channel identification: octet 3 has extension bit 0', start);
    const primary = (o3 & 0x20) !== 0;
    const sel = o3 & 3;
    if (primary && sel === 2) throw new Q931CodecError('bad-value', 'channel identification: selection 10 is reserved on a primary rate interface', start);
    const value: ChannelIdentification = {
      interfaceType: primary ? 'primary' : 'basic',
      exclusive: (o3 & 0x08) !== 0,
      dChannel: (o3 & 0x04) !== 0,
      selection: primary ? (['none', 'indicated', 'none', 'any'] as const)[sel]! : (['none', 'b1', 'b2', 'any'] as const)[sel]!,
    };
    let at = start + 1;
    if ((o3 & 0x40) !== 0) {
      const groupEnd = skipGroup(bytes, at, end, 'channel identification interface identifier');
      if (groupEnd - at > 3) throw new Q931CodecError('bad-length', `channel identification: interface identifier of ${groupEnd - at} octets, at most 3 read`, at);
      let id = 0;
      for (let i = at; i < groupEnd; i++) id = id * 128 + (bytes[i]! & 0x7f);
      value.interfaceId = id;
      at = groupEnd;
    }
    if (primary && sel === 1) {
      if (at >= end) throw new Q931CodecError('bad-length', 'channel identification: channel type (octet 3.2) missing', at);
      const o32 = bytes[at]!;
      if ((o32 & 0x80) === 0) throw new Q931CodecError('bad-value', 'channel identification: octet 3.2 has extension bit 0', at);
      const base = { codingStandard: CODING[(o32 >> 5) & 3]!, unit: byCode(UNIT, o32 & 0x0f, 'channel identification: channel type', at) };
      at += 1;
      if (at >= end) throw new Q931CodecError('bad-length', 'channel identification: channel number/map (octet 3.3) missing', at);
      if ((o32 & 0x10) !== 0) {
        value.indicated = { ...base, slotMap: Uint8Array.from(bytes.subarray(at, end)) };
        return value;
      }
      const groupEnd = skipGroup(bytes, at, end, 'channel identification channel numbers');
      value.indicated = { ...base, channels: Array.from(bytes.subarray(at, groupEnd), (b) => b & 0x7f) };
      at = groupEnd;
    }
    if (at < end) throw new Q931CodecError('bad-length', `channel identification: ${end - at} octet(s) after its last field`, at);
    return value;
  },
};

function selectionCode(s: ChannelSelection, primary: boolean, where: string): number {
  if (s === 'none') return 0;
  if (s === 'any') return 3;
  if (primary && s === 'indicated') return 1;
  if (!primary && (s === 'b1' || s === 'b2')) return s === 'b1' ? 1 : 2;
  throw new RangeError(`${where}: ${String(s)} is not a ${primary ? 'primary rate (none, indicated, any)' : 'basic rate (none, b1, b2, any)'} selection`);
}

// ---------------------------------------------------------------------------------------
/**
 * Calling party number, Q.931 4.5.10 (identifier 0x6c), and called party number, 4.5.8
 * (0x70):
 *
 *          8     7 6 5            4 3 2 1
 *     3  | ext | type of number | numbering plan |
 *     3a | 1   | presentation | 0 0 0 | screening |   (calling party number only, when ext of 3 is 0)
 *     4..| 0   | IA5 characters (digits, '*', '#')   |
 *
 * Without octet 3a a calling number counts as "presentation allowed, user-provided, not
 * screened" (Q.931 4.5.10 note); `presentation` and `screening` are then left out.
 */
export interface PartyNumber {
  typeOfNumber: TypeOfNumber;
  numberingPlan: NumberingPlan;
  digits: string;
}
export interface CallingPartyNumber extends PartyNumber {
  presentation?: Presentation;
  screening?: Screening;
}

const TYPE_OF_NUMBER = { unknown: 0, international: 1, national: 2, 'network-specific': 3, subscriber: 4, abbreviated: 6 } as const;
export type TypeOfNumber = keyof typeof TYPE_OF_NUMBER;
const NUMBERING_PLAN = { unknown: 0, isdn: 1, data: 3, telex: 4, national: 8, private: 9 } as const;
export type NumberingPlan = keyof typeof NUMBERING_PLAN;
const PRESENTATION = { allowed: 0, restricted: 1, 'not-available': 2 } as const;
export type Presentation = keyof typeof PRESENTATION;
const SCREENING = { 'user-not-screened': 0, 'user-passed': 1, 'user-failed': 2, network: 3 } as const;
export type Screening = keyof typeof SCREENING;

function numberCodec<T extends PartyNumber>(id: number, label: string, withOctet3a: boolean): IeCodec<T> {
  return {
    id,
    label,
    maxLength: 32,
    encode(v, where) {
      const head = (named(TYPE_OF_NUMBER, v.typeOfNumber, `${where}.typeOfNumber`) << 4) | named(NUMBERING_PLAN, v.numberingPlan, `${where}.numberingPlan`);
      const c = v as Partial<CallingPartyNumber>;
      const out: number[] = [];
      if (withOctet3a && (c.presentation !== undefined || c.screening !== undefined)) {
        const p = named(PRESENTATION, c.presentation, `${where}.presentation`);
        out.push(head, 0x80 | (p << 5) | named(SCREENING, c.screening, `${where}.screening`));
      } else out.push(0x80 | head);
      return [...out, ...ia5(v.digits, `${where}.digits`)];
    },
    decode(bytes, start, length) {
      atLeast(label, start, length, 1);
      const end = start + length;
      const o3 = bytes[start]!;
      const value = {
        typeOfNumber: byCode(TYPE_OF_NUMBER, (o3 >> 4) & 7, `${label}: type of number`, start),
        numberingPlan: byCode(NUMBERING_PLAN, o3 & 0x0f, `${label}: numbering plan`, start),
        digits: '',
      } as T & CallingPartyNumber;
      let at = start + 1;
      if ((o3 & 0x80) === 0) {
        if (at >= end) throw new Q931CodecError('bad-length', `${label}: octet 3a missing`, at);
        const o3a = bytes[at]!;
        // Octet 3a exists only in the calling party number; anywhere else it is skipped.
        if (withOctet3a) {
          value.presentation = byCode(PRESENTATION, (o3a >> 5) & 3, `${label}: presentation indicator`, at);
          value.screening = byCode(SCREENING, o3a & 3, `${label}: screening indicator`, at);
        }
        at = skipGroup(bytes, at, end, `${label} octet 3a`);
      }
      value.digits = readIa5(bytes, at, end, label);
      return value;
    },
  };
}

export const CALLING_PARTY_NUMBER = numberCodec<CallingPartyNumber>(0x6c, 'calling party number', true);
export const CALLED_PARTY_NUMBER = numberCodec<PartyNumber>(0x70, 'called party number', false);

// ---------------------------------------------------------------------------------------
/**
 * Progress indicator, Q.931 4.5.23 (identifier 0x1e):
 *
 *          8     7 6        5       4 3 2 1
 *     3  | 1   | coding   | spare | location |
 *     4  | 1   | progress description (7 bits) |
 */
export interface ProgressIndicator {
  codingStandard: CodingStandard;
  /** Q.850 location (see Q850_LOCATION). */
  location: number;
  /** See PROGRESS: 1 not end-to-end ISDN, 8 in-band information available... */
  description: number;
}

export const PROGRESS = { notEndToEndIsdn: 1, destinationNotIsdn: 2, originNotIsdn: 3, returnedToIsdn: 4, serviceChanged: 5, inbandAvailable: 8 } as const;

export const PROGRESS_INDICATOR: IeCodec<ProgressIndicator> = {
  id: 0x1e,
  label: 'progress indicator',
  maxLength: 2,
  encode: (v, where) => [0x80 | (coding(v.codingStandard, where) << 5) | int(v.location, 0, 0x0f, `${where}.location`), 0x80 | int(v.description, 0, 0x7f, `${where}.description`)],
  decode(bytes, start, length) {
    atLeast('progress indicator', start, length, 2);
    const o3 = bytes[start]!;
    if ((o3 & 0x80) === 0) throw new Q931CodecError('bad-value', 'progress indicator: octet 3 has extension bit 0', start);
    return { codingStandard: CODING[(o3 >> 5) & 3]!, location: o3 & 0x0f, description: lastOfGroup(bytes, start + 1, 'progress indicator: description') };
  },
};

// ---------------------------------------------------------------------------------------
/**
 * Call state, Q.931 4.5.7 (identifier 0x14): one octet, coding standard in bits 8-7 and the
 * state (U0..U25 / N0..N25, REST 1 = 61, REST 2 = 62) in bits 6-1. No extension bit.
 */
export interface CallState {
  codingStandard: CodingStandard;
  state: number;
}

export const CALL_STATE: IeCodec<CallState> = {
  id: 0x14,
  label: 'call state',
  maxLength: 1,
  encode: (v, where) => [(coding(v.codingStandard, where) << 6) | int(v.state, 0, 0x3f, `${where}.state`)],
  decode(bytes, start, length) {
    atLeast('call state', start, length, 1);
    return { codingStandard: CODING[bytes[start]! >> 6]!, state: bytes[start]! & 0x3f };
  },
};

// ---------------------------------------------------------------------------------------
/**
 * Restart indicator, Q.931 4.5.25 (identifier 0x79): `| 1 | spare (4) | class (3) |`, class
 * 000 indicated channels, 110 single interface, 111 all interfaces.
 */
const RESTART_CLASS = { 'indicated-channels': 0, 'single-interface': 6, 'all-interfaces': 7 } as const;
export type RestartClass = keyof typeof RESTART_CLASS;

export const RESTART_INDICATOR: IeCodec<RestartClass> = {
  id: 0x79,
  label: 'restart indicator',
  maxLength: 1,
  encode: (v, where) => [0x80 | named(RESTART_CLASS, v, where)],
  decode(bytes, start, length) {
    atLeast('restart indicator', start, length, 1);
    return byCode(RESTART_CLASS, bytes[start]! & 7, 'restart indicator: class', start);
  },
};

/** Display, Q.931 4.5.16 (identifier 0x28): IA5 characters, bit 8 always 0. */
export const DISPLAY: IeCodec<string> = {
  id: 0x28,
  label: 'display',
  maxLength: 80,
  encode: (v, where) => ia5(v, where),
  decode: (bytes, start, length) => readIa5(bytes, start, start + length, 'display'),
};

/**
 * Codeset 0 identifiers Q.931 Table 4-3 names, typed above or not. An identifier not here
 * is "unrecognised" for Q.931 5.8.7.1; one here but not typed is carried as bytes.
 */
export const IE_NAMES: Readonly<Record<number, string>> = {
  0x00: 'segmented message', 0x04: 'bearer capability', 0x08: 'cause', 0x10: 'call identity', 0x14: 'call state',
  0x18: 'channel identification', 0x1c: 'facility', 0x1e: 'progress indicator', 0x20: 'network-specific facilities',
  0x27: 'notification indicator', 0x28: 'display', 0x29: 'date/time', 0x2c: 'keypad facility', 0x34: 'signal',
  0x40: 'information rate', 0x42: 'end-to-end transit delay', 0x43: 'transit delay selection and indication',
  0x44: 'packet layer binary parameters', 0x45: 'packet layer window size', 0x46: 'packet size', 0x47: 'closed user group',
  0x4a: 'reverse charging indication', 0x4c: 'connected number', 0x4d: 'connected subaddress', 0x6c: 'calling party number',
  0x6d: 'calling party subaddress', 0x70: 'called party number', 0x71: 'called party subaddress', 0x74: 'redirecting number',
  0x78: 'transit network selection', 0x79: 'restart indicator', 0x7c: 'low layer compatibility',
  0x7d: 'high layer compatibility', 0x7e: 'user-user', 0x7f: 'escape for extension',
};

// --- helpers (the exported ones are shared with q931-cause.ts and q931-codec.ts only) ---

export function atLeast(label: string, start: number, length: number, min: number): void {
  if (length < min) throw new Q931CodecError('bad-length', `${label}: ${length} octet(s), at least ${min} expected`, start);
}

/** Returns the offset after the octet group starting at `at` (the first octet with ext 1). */
function skipGroup(bytes: Uint8Array, at: number, end: number, what: string): number {
  for (let i = at; i < end; i++) if ((bytes[i]! & 0x80) !== 0) return i + 1;
  throw new Q931CodecError('bad-length', `${what}: ends before an octet with extension bit 1`, end);
}

export function lastOfGroup(bytes: Uint8Array, at: number, what: string): number {
  const octet = bytes[at]!;
  if ((octet & 0x80) === 0) throw new Q931CodecError('bad-value', `${what} octet has extension bit 0`, at);
  return octet & 0x7f;
}

function byCode<const M extends Record<string, number>>(table: M, code: number, what: string, at: number): keyof M & string {
  for (const [name, c] of Object.entries(table)) if (c === code) return name;
  throw new Q931CodecError('bad-value', `${what} code ${code} is reserved`, at);
}

function readIa5(bytes: Uint8Array, at: number, end: number, label: string): string {
  let s = '';
  for (let i = at; i < end; i++) {
    if (bytes[i]! > 0x7f) throw new Q931CodecError('bad-value', `${label}: octet 0x${bytes[i]!.toString(16)} is not an IA5 character`, i);
    s += String.fromCharCode(bytes[i]!);
  }
  return s;
}

function ia5(s: unknown, where: string): number[] {
  if (typeof s !== 'string') throw new TypeError(`${where}: expected a string`);
  return Array.from(s, (ch, i) => {
    const c = ch.charCodeAt(0);
    if (ch.length !== 1 || c > 0x7f) throw new RangeError(`${where}: character ${i} (${JSON.stringify(ch)}) is not IA5`);
    return c;
  });
}

/** A number as 7-bit groups, most significant first, ext 1 on the last (octet 3.1). */
function septets(n: number): number[] {
  const out = [0x80 | (n & 0x7f)];
  for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) out.unshift(n & 0x7f);
  return out;
}

export function coding(v: unknown, where: string): number {
  const i = CODING.indexOf(v as CodingStandard);
  if (i < 0) throw new RangeError(`${where}.codingStandard: ${String(v)} is not one of ${CODING.join(', ')}`);
  return i;
}

function named(table: Record<string, number>, v: unknown, where: string): number {
  const code = typeof v === 'string' && Object.hasOwn(table, v) ? table[v] : undefined;
  return code ?? bad(where, v, Object.keys(table).join(', '));
}

function bad(where: string, v: unknown, allowed: string): never {
  throw new RangeError(`${where}: ${String(v)} is not one of ${allowed}`);
}

export function int(v: unknown, min: number, max: number, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${where}: expected an integer, got ${String(v)}`);
  if (v < min || v > max) throw new RangeError(`${where}: ${v} is outside ${min}..${max}`);
  return v;
}

function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${where}: expected a boolean`);
  return v;
}

export function bytesOf(v: unknown, where: string): Uint8Array {
  if (v === undefined) return new Uint8Array();
  if (!(v instanceof Uint8Array)) throw new TypeError(`${where}: expected a Uint8Array`);
  return v;
}
