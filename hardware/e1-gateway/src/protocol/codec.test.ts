import t, { type Test } from 'tap';
import { decodeBody, decodeHeader, encodeBody, FLAG_RETRANSMIT, HEADER_LENGTH, PROTOCOL_VERSION } from './codec.js';
import { CardCodecError, type CardCodecErrorCode } from './codec-error.js';
import { CATALOGUE, type CardMessage, type MessageOf, type MessageType } from './messages.js';

/**
 * One hand-written frame body per message type, written from the layout in PROTOCOL.md:
 * header (version, type, flags, seq, ref), then the payload fields in order. Numbers are
 * big-endian; `str` is a length octet + UTF-8; `bytes` a u16 length + data; an enum is the
 * index octet; bits are bit 0 first; `dv` signed tenths, `dm` unsigned tenths.
 *
 * Values are chosen so that swapping two fields, or two entries of an enum list, changes
 * what the bytes decode to.
 */
interface Vector<T extends MessageType> {
  header: { flags: number; seq: number; ref: number };
  message: MessageOf<T>;
  /** Field names in wire order. */
  layout: readonly string[];
  bytes: readonly number[];
}

const VECTORS: { [T in MessageType]: Vector<T> } = {
  hello: {
    header: { flags: 0, seq: 1, ref: 0 },
    message: { type: 'hello', hostName: 'box-7' },
    layout: ['hostName'],
    bytes: [
      0x01, //                               version 1
      0x01, //                               type 0x01 hello
      0x00, //                               flags: none
      0x00, 0x01, //                         seq 1
      0x00, 0x00, //                         ref 0
      0x05, 0x62, 0x6f, 0x78, 0x2d, 0x37, // hostName: 5 octets "box-7"
    ],
  },
  snapshot: {
    header: { flags: 0, seq: 2, ref: 0 },
    message: { type: 'snapshot' },
    layout: [],
    bytes: [
      0x01, //       version 1
      0x02, //       type 0x02 snapshot
      0x00, //       flags
      0x00, 0x02, // seq 2
      0x00, 0x00, // ref 0
    ],
  },
  reset: {
    header: { flags: FLAG_RETRANSMIT, seq: 0x0103, ref: 0 },
    message: { type: 'reset' },
    layout: [],
    bytes: [
      0x01, //       version 1
      0x03, //       type 0x03 reset
      0x01, //       flags: RETRANSMIT
      0x01, 0x03, // seq 259
      0x00, 0x00, // ref 0
    ],
  },
  spanConfig: {
    header: { flags: 0, seq: 4, ref: 0 },
    message: { type: 'spanConfig', span: 2, crc4: true, clock: 'line' },
    layout: ['span', 'crc4', 'clock'],
    bytes: [
      0x01, 0x10, 0x00, 0x00, 0x04, 0x00, 0x00, // header: v1, spanConfig, flags 0, seq 4, ref 0
      0x02, //                                     span 2
      0x01, //                                     crc4 true
      0x00, //                                     clock 0 = line
    ],
  },
  spanSendRai: {
    header: { flags: 0, seq: 5, ref: 0 },
    message: { type: 'spanSendRai', span: 3, on: true },
    layout: ['span', 'on'],
    bytes: [
      0x01, 0x11, 0x00, 0x00, 0x05, 0x00, 0x00, // header: v1, spanSendRai, seq 5
      0x03, //                                     span 3
      0x01, //                                     on true
    ],
  },
  linkConfig: {
    header: { flags: 0, seq: 6, ref: 0 },
    message: { type: 'linkConfig', link: 2, span: 0, timeslot: 16, mode: 'hdlc' },
    layout: ['link', 'span', 'timeslot', 'mode'],
    bytes: [
      0x01, 0x20, 0x00, 0x00, 0x06, 0x00, 0x00, // header: v1, linkConfig, seq 6
      0x02, //                                     link 2
      0x00, //                                     span 0
      0x10, //                                     timeslot 16
      0x01, //                                     mode 1 = hdlc
    ],
  },
  linkControl: {
    header: { flags: 0, seq: 7, ref: 0 },
    message: { type: 'linkControl', link: 3, action: 'emergency' },
    layout: ['link', 'action'],
    bytes: [
      0x01, 0x21, 0x00, 0x00, 0x07, 0x00, 0x00, // header: v1, linkControl, seq 7
      0x03, //                                     link 3
      0x02, //                                     action 2 = emergency
    ],
  },
  msu: {
    header: { flags: 0, seq: 0x1234, ref: 0 },
    message: { type: 'msu', link: 1, data: Uint8Array.of(0x85, 0x12, 0x34, 0x56, 0x78) },
    layout: ['link', 'data'],
    bytes: [
      0x01, 0x22, 0x00, 0x12, 0x34, 0x00, 0x00, // header: v1, msu, seq 0x1234
      0x01, //                                     link 1
      0x00, 0x05, //                               data: 5 octets
      0x85, 0x12, 0x34, 0x56, 0x78, //             data
    ],
  },
  hdlcFrame: {
    header: { flags: 0, seq: 0xffff, ref: 0 },
    message: { type: 'hdlcFrame', link: 2, data: Uint8Array.of(0x7e, 0x7d, 0x00) },
    layout: ['link', 'data'],
    bytes: [
      0x01, 0x23, 0x00, 0xff, 0xff, 0x00, 0x00, // header: v1, hdlcFrame, seq 65535 (the last before wrap)
      0x02, //                                     link 2
      0x00, 0x03, //                               data: 3 octets
      0x7e, 0x7d, 0x00, //                         data (stuffing is the framing layer's job)
    ],
  },
  tsConnect: {
    header: { flags: 0, seq: 10, ref: 0 },
    message: { type: 'tsConnect', span: 1, timeslot: 5, mediaPort: 40001 },
    layout: ['span', 'timeslot', 'mediaPort'],
    bytes: [
      0x01, 0x30, 0x00, 0x00, 0x0a, 0x00, 0x00, // header: v1, tsConnect, seq 10
      0x01, //                                     span 1
      0x05, //                                     timeslot 5
      0x9c, 0x41, //                               mediaPort 40001
    ],
  },
  tsLoopback: {
    header: { flags: 0, seq: 11, ref: 0 },
    message: { type: 'tsLoopback', span: 0, timeslot: 31, on: true },
    layout: ['span', 'timeslot', 'on'],
    bytes: [
      0x01, 0x31, 0x00, 0x00, 0x0b, 0x00, 0x00, // header: v1, tsLoopback, seq 11
      0x00, //                                     span 0
      0x1f, //                                     timeslot 31
      0x01, //                                     on true
    ],
  },
  tsTone: {
    header: { flags: 0, seq: 12, ref: 0 },
    message: { type: 'tsTone', span: 1, timeslot: 17, frequency: 1004 },
    layout: ['span', 'timeslot', 'frequency'],
    bytes: [
      0x01, 0x32, 0x00, 0x00, 0x0c, 0x00, 0x00, // header: v1, tsTone, seq 12
      0x01, //                                     span 1
      0x11, //                                     timeslot 17
      0x03, 0xec, //                               frequency 1004 Hz
    ],
  },
  fxoHook: {
    header: { flags: 0, seq: 13, ref: 0 },
    message: { type: 'fxoHook', port: 2, offHook: true },
    layout: ['port', 'offHook'],
    bytes: [
      0x01, 0x40, 0x00, 0x00, 0x0d, 0x00, 0x00, // header: v1, fxoHook, seq 13
      0x02, //                                     port 2
      0x01, //                                     offHook true
    ],
  },
  fxoDtmfSend: {
    header: { flags: 0, seq: 14, ref: 0 },
    message: { type: 'fxoDtmfSend', port: 0, digits: '12345#' },
    layout: ['port', 'digits'],
    bytes: [
      0x01, 0x41, 0x00, 0x00, 0x0e, 0x00, 0x00, //       header: v1, fxoDtmfSend, seq 14
      0x00, //                                           port 0
      0x06, 0x31, 0x32, 0x33, 0x34, 0x35, 0x23, //       digits: 6 octets "12345#"
    ],
  },
  fxoConnect: {
    header: { flags: 0, seq: 15, ref: 0 },
    message: { type: 'fxoConnect', port: 3, mediaPort: 40002 },
    layout: ['port', 'mediaPort'],
    bytes: [
      0x01, 0x42, 0x00, 0x00, 0x0f, 0x00, 0x00, // header: v1, fxoConnect, seq 15
      0x03, //                                     port 3
      0x9c, 0x42, //                               mediaPort 40002
    ],
  },
  ack: {
    header: { flags: 0, seq: 0, ref: 0x0102 },
    message: { type: 'ack' },
    layout: [],
    bytes: [
      0x01, //       version 1
      0x80, //       type 0x80 ack
      0x00, //       flags
      0x00, 0x00, // seq 0: answers are unnumbered
      0x01, 0x02, // ref 258: the seq being answered
    ],
  },
  nak: {
    header: { flags: 0, seq: 0, ref: 7 },
    message: { type: 'nak', code: 'no-such-span', text: 'span 9' },
    layout: ['code', 'text'],
    bytes: [
      0x01, 0x81, 0x00, 0x00, 0x00, 0x00, 0x07, //       header: v1, nak, seq 0, ref 7
      0x02, //                                           code 2 = no-such-span
      0x06, 0x73, 0x70, 0x61, 0x6e, 0x20, 0x39, //       text: 6 octets "span 9"
    ],
  },
  inventory: {
    header: { flags: 0, seq: 0, ref: 1 },
    message: { type: 'inventory', model: 'CL-E1', serial: 'A1', firmware: '1.0.3', spans: 2, fxoPorts: 8, links: 4 },
    layout: ['model', 'serial', 'firmware', 'spans', 'fxoPorts', 'links'],
    bytes: [
      0x01, 0x82, 0x00, 0x00, 0x00, 0x00, 0x01, // header: v1, inventory, seq 0, ref 1
      0x05, 0x43, 0x4c, 0x2d, 0x45, 0x31, //       model: 5 octets "CL-E1"
      0x02, 0x41, 0x31, //                         serial: 2 octets "A1"
      0x05, 0x31, 0x2e, 0x30, 0x2e, 0x33, //       firmware: 5 octets "1.0.3"
      0x02, //                                     spans 2
      0x08, //                                     fxoPorts 8
      0x04, //                                     links 4
    ],
  },
  cardStarted: {
    header: { flags: 0, seq: 1, ref: 0 },
    message: { type: 'cardStarted', reason: 'watchdog' },
    layout: ['reason'],
    bytes: [
      0x01, 0xa0, 0x00, 0x00, 0x01, 0x00, 0x00, // header: v1, cardStarted, seq 1
      0x02, //                                     reason 2 = watchdog
    ],
  },
  heartbeat: {
    header: { flags: 0, seq: 0, ref: 0 },
    message: { type: 'heartbeat', uptime: 86_400_000, rxErrors: 3 },
    layout: ['uptime', 'rxErrors'],
    bytes: [
      0x01, 0xa1, 0x00, 0x00, 0x00, 0x00, 0x00, // header: v1, heartbeat, unnumbered
      0x05, 0x26, 0x5c, 0x00, //                   uptime 86400000 ms (one day)
      0x00, 0x00, 0x00, 0x03, //                   rxErrors 3
    ],
  },
  spanStatus: {
    header: { flags: 0, seq: 0x0200, ref: 0 },
    message: {
      type: 'spanStatus',
      span: 2,
      defects: { los: true, lof: false, lmfa: false, ais: true, rai: false, ts16mfl: true },
      crc4: false,
      clock: 'internal',
      sendingRai: true,
    },
    layout: ['span', 'defects', 'crc4', 'clock', 'sendingRai'],
    bytes: [
      0x01, 0xb0, 0x00, 0x02, 0x00, 0x00, 0x00, // header: v1, spanStatus, seq 512
      0x02, //                                     span 2
      0x29, //                                     defects: bit 0 los, bit 3 ais, bit 5 ts16mfl
      0x00, //                                     crc4 false
      0x01, //                                     clock 1 = internal
      0x01, //                                     sendingRai true
    ],
  },
  spanCounters: {
    header: { flags: 0, seq: 21, ref: 0 },
    message: {
      type: 'spanCounters',
      span: 1,
      second: 1700000000,
      defects: { los: false, lof: true, lmfa: false, ais: true, rai: false, ts16mfl: false },
      crc4Errors: 12,
      eBits: 3,
      lineCodeViolations: 517,
      slips: 2,
    },
    layout: ['span', 'second', 'defects', 'crc4Errors', 'eBits', 'lineCodeViolations', 'slips'],
    bytes: [
      0x01, 0xb1, 0x00, 0x00, 0x15, 0x00, 0x00, // header: v1, spanCounters, seq 21
      0x01, //                                     span 1
      0x65, 0x53, 0xf1, 0x00, //                   second 1700000000
      0x0a, //                                     defects: lof (bit 1) + ais (bit 3)
      0x00, 0x0c, //                               crc4Errors 12
      0x00, 0x03, //                               eBits 3
      0x02, 0x05, //                               lineCodeViolations 517
      0x02, //                                     slips 2
    ],
  },
  linkState: {
    header: { flags: 0, seq: 22, ref: 0 },
    message: { type: 'linkState', link: 1, state: 'processor-outage' },
    layout: ['link', 'state'],
    bytes: [
      0x01, 0xc0, 0x00, 0x00, 0x16, 0x00, 0x00, // header: v1, linkState, seq 22
      0x01, //                                     link 1
      0x04, //                                     state 4 = processor-outage
    ],
  },
  tsToneDetect: {
    header: { flags: 0, seq: 23, ref: 0 },
    message: { type: 'tsToneDetect', span: 0, timeslot: 3, frequency: 2100, present: true },
    layout: ['span', 'timeslot', 'frequency', 'present'],
    bytes: [
      0x01, 0xd0, 0x00, 0x00, 0x17, 0x00, 0x00, // header: v1, tsToneDetect, seq 23
      0x00, //                                     span 0
      0x03, //                                     timeslot 3
      0x08, 0x34, //                               frequency 2100 Hz
      0x01, //                                     present true
    ],
  },
  fxoStatus: {
    header: { flags: FLAG_RETRANSMIT, seq: 24, ref: 0 },
    message: { type: 'fxoStatus', port: 3, voltage: -48, loopCurrent: 25, offHook: false, ringing: true, polarity: 'reversed' },
    layout: ['port', 'voltage', 'loopCurrent', 'offHook', 'ringing', 'polarity'],
    bytes: [
      0x01, 0xe0, 0x01, 0x00, 0x18, 0x00, 0x00, // header: v1, fxoStatus, flags RETRANSMIT, seq 24
      0x03, //                                     port 3
      0xfe, 0x20, //                               voltage -480 tenths = -48.0 V
      0x00, 0xfa, //                               loopCurrent 250 tenths = 25.0 mA
      0x00, //                                     offHook false
      0x01, //                                     ringing true
      0x01, //                                     polarity 1 = reversed
    ],
  },
  fxoRing: {
    header: { flags: 0, seq: 25, ref: 0 },
    message: { type: 'fxoRing', port: 4, on: true },
    layout: ['port', 'on'],
    bytes: [
      0x01, 0xe1, 0x00, 0x00, 0x19, 0x00, 0x00, // header: v1, fxoRing, seq 25
      0x04, //                                     port 4
      0x01, //                                     on true
    ],
  },
  fxoPolarity: {
    header: { flags: 0, seq: 26, ref: 0 },
    message: { type: 'fxoPolarity', port: 2, polarity: 'reversed' },
    layout: ['port', 'polarity'],
    bytes: [
      0x01, 0xe2, 0x00, 0x00, 0x1a, 0x00, 0x00, // header: v1, fxoPolarity, seq 26
      0x02, //                                     port 2
      0x01, //                                     polarity 1 = reversed
    ],
  },
  fxoDtmf: {
    header: { flags: 0, seq: 27, ref: 0 },
    message: { type: 'fxoDtmf', port: 5, digit: '#' },
    layout: ['port', 'digit'],
    bytes: [
      0x01, 0xe3, 0x00, 0x00, 0x1b, 0x00, 0x00, // header: v1, fxoDtmf, seq 27
      0x05, //                                     port 5
      0x01, 0x23, //                               digit: 1 octet "#"
    ],
  },
  fxoTone: {
    header: { flags: 0, seq: 28, ref: 0 },
    message: { type: 'fxoTone', port: 0, tone: 'congestion' },
    layout: ['port', 'tone'],
    bytes: [
      0x01, 0xe4, 0x00, 0x00, 0x1c, 0x00, 0x00, // header: v1, fxoTone, seq 28
      0x00, //                                     port 0
      0x04, //                                     tone 4 = congestion
    ],
  },
  fxoCallerId: {
    header: { flags: 0, seq: 29, ref: 0 },
    message: { type: 'fxoCallerId', port: 1, number: '12345', name: '张三', time: '03141230', method: 'dtmf' },
    layout: ['port', 'number', 'name', 'time', 'method'],
    bytes: [
      0x01, 0xe5, 0x00, 0x00, 0x1d, 0x00, 0x00, //             header: v1, fxoCallerId, seq 29
      0x01, //                                                 port 1
      0x05, 0x31, 0x32, 0x33, 0x34, 0x35, //                   number: 5 octets "12345"
      0x06, 0xe5, 0xbc, 0xa0, 0xe4, 0xb8, 0x89, //             name: 6 octets, UTF-8 of U+5F20 U+4E09
      0x08, 0x30, 0x33, 0x31, 0x34, 0x31, 0x32, 0x33, 0x30, // time: 8 octets "03141230"
      0x01, //                                                 method 1 = dtmf
    ],
  },
};

/** Type codes as PROTOCOL.md lists them. */
const CODES: { [T in MessageType]: number } = {
  hello: 0x01, snapshot: 0x02, reset: 0x03,
  spanConfig: 0x10, spanSendRai: 0x11,
  linkConfig: 0x20, linkControl: 0x21, msu: 0x22, hdlcFrame: 0x23,
  tsConnect: 0x30, tsLoopback: 0x31, tsTone: 0x32,
  fxoHook: 0x40, fxoDtmfSend: 0x41, fxoConnect: 0x42,
  ack: 0x80, nak: 0x81, inventory: 0x82,
  cardStarted: 0xa0, heartbeat: 0xa1,
  spanStatus: 0xb0, spanCounters: 0xb1,
  linkState: 0xc0,
  tsToneDetect: 0xd0,
  fxoStatus: 0xe0, fxoRing: 0xe1, fxoPolarity: 0xe2, fxoDtmf: 0xe3, fxoTone: 0xe4, fxoCallerId: 0xe5,
};

/**
 * Every enum and bit list, pinned octet by octet: the lists are append-only on the wire, so
 * reordering (or growing) one must fail here. `offset` is where the octet sits in the vector.
 */
const LISTS: { type: MessageType; field: string; offset: number; kind: 'enum' | 'bits'; names: readonly string[] }[] = [
  { type: 'spanConfig', field: 'clock', offset: 9, kind: 'enum', names: ['line', 'internal'] },
  { type: 'linkConfig', field: 'mode', offset: 10, kind: 'enum', names: ['mtp2', 'hdlc'] },
  { type: 'linkControl', field: 'action', offset: 8, kind: 'enum', names: ['stop', 'start', 'emergency'] },
  {
    type: 'nak',
    field: 'code',
    offset: 7,
    kind: 'enum',
    names: ['unknown-type', 'bad-value', 'no-such-span', 'no-such-port', 'no-such-link', 'busy', 'not-ready', 'version'],
  },
  { type: 'cardStarted', field: 'reason', offset: 7, kind: 'enum', names: ['power-on', 'reset', 'watchdog'] },
  { type: 'spanStatus', field: 'defects', offset: 8, kind: 'bits', names: ['los', 'lof', 'lmfa', 'ais', 'rai', 'ts16mfl'] },
  { type: 'spanCounters', field: 'defects', offset: 12, kind: 'bits', names: ['los', 'lof', 'lmfa', 'ais', 'rai', 'ts16mfl'] },
  { type: 'spanStatus', field: 'clock', offset: 10, kind: 'enum', names: ['line', 'internal'] },
  {
    type: 'linkState',
    field: 'state',
    offset: 8,
    kind: 'enum',
    names: ['out-of-service', 'alignment', 'proving', 'in-service', 'processor-outage'],
  },
  { type: 'fxoStatus', field: 'polarity', offset: 14, kind: 'enum', names: ['normal', 'reversed'] },
  { type: 'fxoPolarity', field: 'polarity', offset: 8, kind: 'enum', names: ['normal', 'reversed'] },
  { type: 'fxoTone', field: 'tone', offset: 8, kind: 'enum', names: ['none', 'dial', 'busy', 'ringback', 'congestion'] },
  { type: 'fxoCallerId', field: 'method', offset: 30, kind: 'enum', names: ['fsk', 'dtmf'] },
];

const TYPES = Object.keys(VECTORS) as MessageType[];

function vectorOf(type: MessageType): Vector<MessageType> {
  return VECTORS[type] as Vector<MessageType>;
}

/** Runs `fn` and returns the CardCodecError it throws (failing the test if it throws anything else). */
function codecError(t: Test, fn: () => unknown): CardCodecError | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof CardCodecError) return err;
    t.fail(`threw ${String(err)}, not a CardCodecError`);
    return undefined;
  }
  t.fail('did not throw');
  return undefined;
}

function expectCodecError(t: Test, bytes: readonly number[], code: CardCodecErrorCode, offset: number, what: string): void {
  const err = codecError(t, () => decodeBody(Uint8Array.from(bytes)));
  t.equal(err?.code, code, `${what}: code ${code}`);
  t.equal(err?.offset, offset, `${what}: at byte ${offset}`);
}

/** Treats an ill-typed object as a message, to feed the encoder what TypeScript would refuse. */
function unchecked(message: Record<string, unknown>): CardMessage {
  return message as unknown as CardMessage;
}

t.test('every catalogue type has a vector, and nothing else does', async (t) => {
  t.strictSame([...TYPES].sort(), Object.keys(CATALOGUE).sort());
  t.equal(new Set(Object.values(CATALOGUE).map((e) => e.code)).size, TYPES.length, 'type codes are unique');
});

t.test('type codes and field layouts are as documented', async (t) => {
  for (const type of TYPES) {
    t.equal(CATALOGUE[type].code, CODES[type], `${type} is 0x${CODES[type].toString(16).padStart(2, '0')}`);
    t.strictSame(
      CATALOGUE[type].fields.map(([name]) => name),
      vectorOf(type).layout,
      `${type} field order`,
    );
  }
});

t.test('byte-exact vectors', async (t) => {
  for (const type of TYPES) {
    const v = vectorOf(type);
    t.test(type, async (t) => {
      const bytes = Uint8Array.from(v.bytes);
      const decoded = decodeBody(bytes);
      t.strictSame(decoded.header, { version: 1, type, ...v.header }, 'header');
      t.strictSame(decoded.message, v.message, 'every field');
      t.strictSame([...encodeBody(decoded.message, decoded.header)], v.bytes, 're-encoding the decoded message gives the same bytes');
      t.strictSame([...encodeBody(v.message, v.header)], v.bytes, 'encoding the expected message gives the bytes');
      t.strictSame(decodeHeader(bytes), decoded.header, 'decodeHeader reads the same header');
    });
  }
});

t.test('enum and bit lists are pinned entry by entry', async (t) => {
  const objectFields = TYPES.flatMap((type) =>
    CATALOGUE[type].fields.filter(([, kind]) => typeof kind === 'object').map(([name]) => `${type}.${name}`),
  );
  t.strictSame(objectFields.sort(), LISTS.map((l) => `${l.type}.${l.field}`).sort(), 'every enum and bit field is pinned');
  for (const list of LISTS) {
    t.test(`${list.type}.${list.field}`, async (t) => {
      const bytes = [...vectorOf(list.type).bytes];
      const octets = list.kind === 'enum' ? list.names.map((_, i) => i) : list.names.map((_, i) => 1 << i);
      list.names.forEach((name, i) => {
        bytes[list.offset] = octets[i]!;
        const message = decodeBody(Uint8Array.from(bytes)).message as unknown as Record<string, unknown>;
        const value = message[list.field];
        if (list.kind === 'enum') t.equal(value, name, `octet ${i} is ${name}`);
        else t.strictSame(value, Object.fromEntries(list.names.map((n) => [n, n === name])), `bit ${i} is ${name}`);
      });
      bytes[list.offset] = list.kind === 'enum' ? list.names.length : 1 << list.names.length;
      expectCodecError(t, bytes, 'bad-value', list.offset, 'the octet after the last entry');
    });
  }
});

t.test('version is checked before anything else', async (t) => {
  const v2 = [0x02, 0x7f, 0xff, 0x00, 0x01, 0x00, 0x00, 0xee]; // unknown type, bad payload too
  for (const [what, bytes] of [
    ['a full v2 frame', v2],
    ['a v2 frame shorter than the v1 header', [0x02, 0x01]],
    ['a lone version octet', [0x02]],
  ] as const) {
    const err = codecError(t, () => decodeBody(Uint8Array.from(bytes)));
    t.equal(err?.code, 'version', what);
    t.equal(err?.peerVersion, 2, `${what}: peerVersion`);
    t.equal(err?.offset, 0, `${what}: offset`);
  }
  t.equal(codecError(t, () => decodeHeader(Uint8Array.of(0x00, 0x01, 0, 0, 0, 0, 0)))?.peerVersion, 0, 'version 0 is a mismatch too');
  t.equal(codecError(t, () => decodeBody(new Uint8Array(0)))?.code, 'short', 'an empty body has no version');
  t.equal(PROTOCOL_VERSION, 1);
  t.equal(HEADER_LENGTH, 7);
});

t.test('header errors', async (t) => {
  expectCodecError(t, [0x01, 0x01, 0x00, 0x00], 'short', 4, 'v1 body shorter than the header');
  expectCodecError(t, [0x01, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00], 'unknown-type', 1, 'type 0x7F');
  expectCodecError(t, [0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00], 'unknown-type', 1, 'type 0x00');
  const header = decodeHeader(Uint8Array.of(0x01, 0x40, 0x00, 0x00, 0x09, 0x00, 0x00, 0x02, 0x07));
  t.strictSame(header, { version: 1, type: 'fxoHook', flags: 0, seq: 9, ref: 0 }, 'decodeHeader reads a header whose payload is bad');
});

t.test('payload errors name the offset', async (t) => {
  const counters = VECTORS.spanCounters.bytes;
  expectCodecError(t, counters.slice(0, 10), 'truncated', 8, 'u32 cut short (second starts at 8)');
  expectCodecError(t, counters.slice(0, -1), 'truncated', 19, 'last u8 missing');
  expectCodecError(t, VECTORS.fxoRing.bytes.slice(0, 7), 'truncated', 7, 'header only, payload missing');
  expectCodecError(t, VECTORS.hello.bytes.slice(0, 10), 'truncated', 8, 'str: length 5, 2 octets present');
  expectCodecError(t, VECTORS.msu.bytes.slice(0, 12), 'truncated', 10, 'bytes: length 5, 2 octets present');
  expectCodecError(t, VECTORS.msu.bytes.slice(0, 9), 'truncated', 8, 'bytes: length cut in half');
  expectCodecError(t, [...VECTORS.ack.bytes, 0x00], 'trailing', 7, 'ack with one octet too many');
  expectCodecError(t, [...VECTORS.hello.bytes, 0x41, 0x42], 'trailing', 13, 'two octets after hostName');

  const hook = [...VECTORS.fxoHook.bytes];
  hook[8] = 0x02;
  expectCodecError(t, hook, 'bad-value', 8, 'boolean octet 2');
  hook[8] = 0xff;
  expectCodecError(t, hook, 'bad-value', 8, 'boolean octet 0xFF');

  const status = [...VECTORS.spanStatus.bytes];
  status[8] = 0x40;
  expectCodecError(t, status, 'bad-value', 8, 'defects bit 6 is unassigned');
  status[8] = 0x81;
  expectCodecError(t, status, 'bad-value', 8, 'defects bit 7 is unassigned');
});

t.test('str must be valid UTF-8', async (t) => {
  const hello = (...str: number[]) => [0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, str.length, ...str];
  expectCodecError(t, hello(0xff), 'bad-value', 8, '0xFF never occurs in UTF-8');
  expectCodecError(t, hello(0xc0, 0xaf), 'bad-value', 8, 'overlong "/"');
  expectCodecError(t, hello(0xed, 0xa0, 0x80), 'bad-value', 8, 'encoded surrogate U+D800');
  expectCodecError(t, hello(0xe5, 0xbc), 'bad-value', 8, 'sequence cut short');
  expectCodecError(t, hello(0x80), 'bad-value', 8, 'lone continuation octet');
  const bom = hello(0xef, 0xbb, 0xbf, 0x61);
  const decoded = decodeBody(Uint8Array.from(bom));
  t.strictSame(decoded.message, { type: 'hello', hostName: '\ufeffa' }, 'a leading U+FEFF is data, not a byte-order mark to strip');
  t.strictSame([...encodeBody(decoded.message, decoded.header)], bom, 'and survives a round trip');
  const nul = hello(0x61, 0x00, 0x62);
  t.equal((decodeBody(Uint8Array.from(nul)).message as MessageOf<'hello'>).hostName, 'a\u0000b', 'NUL is an ordinary character');
});

t.test('number edges', async (t) => {
  const fxo = (voltage: number, loopCurrent: number) => ({ ...VECTORS.fxoStatus.message, voltage, loopCurrent });
  const payload = (m: CardMessage) => [...encodeBody(m, { seq: 1 })].slice(8, 12);
  t.strictSame(payload(fxo(-3276.8, 0)), [0x80, 0x00, 0x00, 0x00], 'dv -3276.8 is 0x8000, dm 0');
  t.strictSame(payload(fxo(3276.7, 6553.5)), [0x7f, 0xff, 0xff, 0xff], 'dv 3276.7 is 0x7FFF, dm 6553.5 is 0xFFFF');
  t.strictSame(payload(fxo(-0.1, 0.1)), [0xff, 0xff, 0x00, 0x01]);
  t.strictSame(payload(fxo(-48.04, 24.96)), [0xfe, 0x20, 0x00, 0xfa], 'rounded to the nearest tenth');
  const hb = encodeBody({ type: 'heartbeat', uptime: 0xffffffff, rxErrors: 0 }, { seq: 0 });
  t.strictSame([...hb].slice(7, 11), [0xff, 0xff, 0xff, 0xff]);
  t.equal((decodeBody(hb).message as MessageOf<'heartbeat'>).uptime, 4294967295, 'u32 decodes unsigned');
  const long = 'x'.repeat(255);
  t.equal(encodeBody({ type: 'hello', hostName: long }, { seq: 1 }).length, 7 + 1 + 255, '255 octets of str fit');
});

t.test('the encoder refuses what it cannot send', async (t) => {
  const cases: [string, CardMessage, { seq: number; ref?: number; flags?: number; version?: number }, typeof RangeError | typeof TypeError][] = [
    ['u8 256', unchecked({ type: 'spanSendRai', span: 256, on: true }), { seq: 1 }, RangeError],
    ['u8 -1', unchecked({ type: 'spanSendRai', span: -1, on: true }), { seq: 1 }, RangeError],
    ['u8 1.5', unchecked({ type: 'spanSendRai', span: 1.5, on: true }), { seq: 1 }, RangeError],
    ['u8 NaN', unchecked({ type: 'spanSendRai', span: NaN, on: true }), { seq: 1 }, TypeError],
    ['u8 "1"', unchecked({ type: 'spanSendRai', span: '1', on: true }), { seq: 1 }, TypeError],
    ['u8 missing', unchecked({ type: 'spanSendRai', on: true }), { seq: 1 }, TypeError],
    ['u16 65536', unchecked({ type: 'tsConnect', span: 0, timeslot: 1, mediaPort: 65536 }), { seq: 1 }, RangeError],
    ['u32 2^32', unchecked({ type: 'heartbeat', uptime: 2 ** 32, rxErrors: 0 }), { seq: 0 }, RangeError],
    ['dv 3276.8', unchecked({ ...VECTORS.fxoStatus.message, voltage: 3276.8 }), { seq: 1 }, RangeError],
    ['dv -3276.9', unchecked({ ...VECTORS.fxoStatus.message, voltage: -3276.9 }), { seq: 1 }, RangeError],
    ['dv Infinity', unchecked({ ...VECTORS.fxoStatus.message, voltage: Infinity }), { seq: 1 }, TypeError],
    ['dm -0.1', unchecked({ ...VECTORS.fxoStatus.message, loopCurrent: -0.1 }), { seq: 1 }, RangeError],
    ['dm 6553.6', unchecked({ ...VECTORS.fxoStatus.message, loopCurrent: 6553.6 }), { seq: 1 }, RangeError],
    ['enum "gps"', unchecked({ type: 'spanConfig', span: 0, crc4: true, clock: 'gps' }), { seq: 1 }, RangeError],
    ['enum missing', unchecked({ type: 'nak', text: '' }), { seq: 0 }, RangeError],
    ['bits null', unchecked({ ...VECTORS.spanStatus.message, defects: null }), { seq: 1 }, TypeError],
    ['bool 1', unchecked({ type: 'fxoHook', port: 0, offHook: 1 }), { seq: 1 }, TypeError],
    ['str 256 octets', unchecked({ type: 'hello', hostName: 'x'.repeat(256) }), { seq: 1 }, RangeError],
    ['str 128 x "é" (256 octets)', unchecked({ type: 'hello', hostName: 'é'.repeat(128) }), { seq: 1 }, RangeError],
    ['str a number', unchecked({ type: 'hello', hostName: 7 }), { seq: 1 }, TypeError],
    ['str lone surrogate', unchecked({ type: 'hello', hostName: 'a\ud800b' }), { seq: 1 }, TypeError],
    ['bytes an array', unchecked({ type: 'msu', link: 0, data: [1, 2] }), { seq: 1 }, TypeError],
    ['unknown type', unchecked({ type: 'teapot' }), { seq: 1 }, TypeError],
    ['seq 65536', { type: 'snapshot' }, { seq: 65536 }, RangeError],
    ['seq -1', { type: 'snapshot' }, { seq: -1 }, RangeError],
    ['ref 65536', { type: 'ack' }, { seq: 0, ref: 65536 }, RangeError],
    ['flags 256', { type: 'snapshot' }, { seq: 1, flags: 256 }, RangeError],
    ['version 256', { type: 'snapshot' }, { seq: 1, version: 256 }, RangeError],
  ];
  for (const [what, message, header, type] of cases) {
    t.throws(() => encodeBody(message, header), type, what);
  }
  t.throws(() => encodeBody(unchecked({ type: 'spanSendRai', span: 256, on: true }), { seq: 1 }), /spanSendRai\.span/, 'the error names the field');
});
