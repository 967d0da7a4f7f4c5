import type { Fields, FieldsValue } from './fields.js';

/**
 * The message catalogue of card protocol version 1. PROTOCOL.md describes each message in
 * prose with a byte example; this table is what the codec runs on.
 *
 * Classes decide how a message is answered:
 * - `request`: the receiver answers with `ack`, `nak` or the named response (ref = its seq);
 *   the sender repeats it until answered, then gives up with a timeout.
 * - `event`: the receiver answers with `ack`; the sender repeats it until acknowledged.
 * - `answer`: ack, nak and responses; never answered, never repeated.
 * - `periodic`: heartbeats; never answered, the next one replaces a lost one.
 *
 * `from` says which end may send it: `host` (the firmware), `card`, or `both`.
 */
export type MessageClass = 'request' | 'event' | 'answer' | 'periodic';
export type MessageSource = 'host' | 'card' | 'both';

export const SPAN_DEFECTS = ['los', 'lof', 'lmfa', 'ais', 'rai', 'ts16mfl'] as const;
export type SpanDefect = (typeof SPAN_DEFECTS)[number];
export const LINK_STATES = ['out-of-service', 'alignment', 'proving', 'in-service', 'processor-outage'] as const;
export type LinkState = (typeof LINK_STATES)[number];
export const NAK_CODES = ['unknown-type', 'bad-value', 'no-such-span', 'no-such-port', 'no-such-link', 'busy', 'not-ready', 'version'] as const;
export type NakCode = (typeof NAK_CODES)[number];
export const FXO_TONES = ['none', 'dial', 'busy', 'ringback', 'congestion'] as const;
export type FxoTone = (typeof FXO_TONES)[number];

const span = ['span', 'u8'] as const;
const port = ['port', 'u8'] as const;
const link = ['link', 'u8'] as const;
const timeslot = ['timeslot', 'u8'] as const;
const polarity = ['polarity', { enum: ['normal', 'reversed'] }] as const;

function def<const F extends Fields>(code: number, cls: MessageClass, from: MessageSource, fields: F, response?: string) {
  return { code, cls, from, fields, response };
}

export const CATALOGUE = {
  // --- card management
  hello: def(0x01, 'request', 'host', [['hostName', 'str']], 'inventory'),
  snapshot: def(0x02, 'request', 'host', []),
  reset: def(0x03, 'request', 'host', []),
  // --- E1 spans
  spanConfig: def(0x10, 'request', 'host', [span, ['crc4', 'bool'], ['clock', { enum: ['line', 'internal'] }]]),
  spanSendRai: def(0x11, 'request', 'host', [span, ['on', 'bool']]),
  // --- signalling links on a timeslot
  linkConfig: def(0x20, 'request', 'host', [link, span, timeslot, ['mode', { enum: ['mtp2', 'hdlc'] }]]),
  linkControl: def(0x21, 'request', 'host', [link, ['action', { enum: ['stop', 'start', 'emergency'] }]]),
  msu: def(0x22, 'event', 'both', [link, ['data', 'bytes']]),
  hdlcFrame: def(0x23, 'event', 'both', [link, ['data', 'bytes']]),
  // --- timeslot control
  tsConnect: def(0x30, 'request', 'host', [span, timeslot, ['mediaPort', 'u16']]),
  tsLoopback: def(0x31, 'request', 'host', [span, timeslot, ['on', 'bool']]),
  tsTone: def(0x32, 'request', 'host', [span, timeslot, ['frequency', 'u16']]),
  // --- FXO ports
  fxoHook: def(0x40, 'request', 'host', [port, ['offHook', 'bool']]),
  fxoDtmfSend: def(0x41, 'request', 'host', [port, ['digits', 'str']]),
  fxoConnect: def(0x42, 'request', 'host', [port, ['mediaPort', 'u16']]),
  // --- answers
  ack: def(0x80, 'answer', 'both', []),
  nak: def(0x81, 'answer', 'both', [['code', { enum: NAK_CODES }], ['text', 'str']]),
  inventory: def(0x82, 'answer', 'card', [
    ['model', 'str'],
    ['serial', 'str'],
    ['firmware', 'str'],
    ['spans', 'u8'],
    ['fxoPorts', 'u8'],
    ['links', 'u8'],
  ]),
  // --- card events
  cardStarted: def(0xa0, 'event', 'card', [['reason', { enum: ['power-on', 'reset', 'watchdog'] }]]),
  heartbeat: def(0xa1, 'periodic', 'card', [['uptime', 'u32'], ['rxErrors', 'u32']]),
  spanStatus: def(0xb0, 'event', 'card', [
    span,
    ['defects', { bits: SPAN_DEFECTS }],
    ['crc4', 'bool'],
    ['clock', { enum: ['line', 'internal'] }],
    ['sendingRai', 'bool'],
  ]),
  spanCounters: def(0xb1, 'event', 'card', [
    span,
    ['second', 'u32'],
    // Every defect present at any moment of the second: G.826 counts such a second as an SES.
    ['defects', { bits: SPAN_DEFECTS }],
    ['crc4Errors', 'u16'],
    ['eBits', 'u16'],
    ['lineCodeViolations', 'u16'],
    ['slips', 'u8'],
  ]),
  linkState: def(0xc0, 'event', 'card', [link, ['state', { enum: LINK_STATES }]]),
  tsToneDetect: def(0xd0, 'event', 'card', [span, timeslot, ['frequency', 'u16'], ['present', 'bool']]),
  fxoStatus: def(0xe0, 'event', 'card', [
    port,
    ['voltage', 'dv'],
    ['loopCurrent', 'dm'],
    ['offHook', 'bool'],
    ['ringing', 'bool'],
    polarity,
  ]),
  fxoRing: def(0xe1, 'event', 'card', [port, ['on', 'bool']]),
  fxoPolarity: def(0xe2, 'event', 'card', [port, polarity]),
  fxoDtmf: def(0xe3, 'event', 'card', [port, ['digit', 'str']]),
  fxoTone: def(0xe4, 'event', 'card', [port, ['tone', { enum: FXO_TONES }]]),
  fxoCallerId: def(0xe5, 'event', 'card', [
    port,
    ['number', 'str'],
    ['name', 'str'],
    ['time', 'str'],
    ['method', { enum: ['fsk', 'dtmf'] }],
  ]),
} as const;

type Catalogue = typeof CATALOGUE;
export type MessageType = keyof Catalogue;

/** A decoded message: its type name plus its fields. */
export type CardMessage = {
  [T in MessageType]: { type: T } & FieldsValue<Catalogue[T]['fields']>;
}[MessageType];

/** The message of one type. */
export type MessageOf<T extends MessageType> = Extract<CardMessage, { type: T }>;

export const TYPE_BY_CODE: ReadonlyMap<number, MessageType> = new Map(
  (Object.keys(CATALOGUE) as MessageType[]).map((type) => [CATALOGUE[type].code, type]),
);
