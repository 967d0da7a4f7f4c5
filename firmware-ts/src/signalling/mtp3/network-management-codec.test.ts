import t from 'tap';
import { IsupCodecError } from '../isup/isup-codec-error.js';
import { decodeMsu, encodeMsu, type Mtp3Variant } from './mtp3-label.js';
import { decodeSnm, describeSnm, encodeSnm, SNM_TYPES, type SnmMessage } from './network-management-codec.js';

/** Each message after the routing label, annotated (Q.704 clause 15, heading codes Table 1). */
const VECTORS: { variant: Mtp3Variant; message: SnmMessage; bytes: number[] }[] = [
  { variant: 'itu', message: { type: 'TRA' }, bytes: [0x17] }, //                  H1 1 | H0 7 traffic restart
  { variant: 'itu', message: { type: 'COO', fsn: 0x55 }, bytes: [0x11, 0x55] }, // H1 1 | H0 1, spare 0 | FSN 1010101
  { variant: 'itu', message: { type: 'COA', fsn: 127 }, bytes: [0x21, 0x7f] },
  { variant: 'itu', message: { type: 'CBD', code: 7 }, bytes: [0x51, 0x07] }, //   H1 5 | H0 1, changeback code
  { variant: 'china', message: { type: 'CBA', code: 200 }, bytes: [0x61, 0xc8] },
  // destination 2-100-5 = 4901 = 0x1325: 00 010011 00100101, spare bits 16-15 = 00
  { variant: 'itu', message: { type: 'TFP', destination: 4901 }, bytes: [0x14, 0x25, 0x13] },
  { variant: 'itu', message: { type: 'TFR', destination: 4901 }, bytes: [0x34, 0x25, 0x13] },
  { variant: 'itu', message: { type: 'TFA', destination: 0x3fff }, bytes: [0x54, 0xff, 0x3f] },
  { variant: 'itu', message: { type: 'RST', destination: 4901 }, bytes: [0x15, 0x25, 0x13] },
  { variant: 'itu', message: { type: 'RSR', destination: 4901 }, bytes: [0x25, 0x25, 0x13] },
  // China: 24-bit destination 1-2-3, least significant octet first
  { variant: 'china', message: { type: 'TFP', destination: 0x010203 }, bytes: [0x14, 0x03, 0x02, 0x01] },
  // TFC: ITU congestion status 2 in bits 16-15 of the destination field; China in an octet of its own
  { variant: 'itu', message: { type: 'TFC', destination: 4901, status: 2 }, bytes: [0x23, 0x25, 0x93] },
  { variant: 'china', message: { type: 'TFC', destination: 0x010203, status: 3 }, bytes: [0x23, 0x03, 0x02, 0x01, 0x03] },
  // UPU: destination 1000 = 0x03e8 | cause 1 unequipped (bits 8-5) | user part 3 SCCP (bits 4-1)
  { variant: 'itu', message: { type: 'UPU', destination: 1000, userPart: 3, cause: 'unequipped' }, bytes: [0x1a, 0xe8, 0x03, 0x13] },
  { variant: 'china', message: { type: 'UPU', destination: 0x010203, userPart: 5, cause: 'inaccessible' }, bytes: [0x1a, 0x03, 0x02, 0x01, 0x25] },
  { variant: 'itu', message: { type: 'DLC', dataLink: 0xabc }, bytes: [0x18, 0xbc, 0x0a] }, // identity 12 bits, 4 spare
  ...(['ECO', 'ECA', 'RCT', 'LIN', 'LUN', 'LIA', 'LUA', 'LID', 'LFU', 'LLT', 'LRT', 'TRW', 'CSS', 'CNS', 'CNP'] as const).map((type) => ({
    variant: 'itu' as const,
    message: { type } as SnmMessage,
    bytes: [(SNM_TYPES[type][1] << 4) | SNM_TYPES[type][0]],
  })),
];

t.test('every message type: decode annotated bytes, re-encode to the same bytes', async (t) => {
  const seen = new Set(VECTORS.map((v) => v.message.type));
  t.same([...Object.keys(SNM_TYPES)].filter((k) => !seen.has(k as never)), [], 'a vector for every type');
  for (const { variant, message, bytes } of VECTORS) {
    t.same(decodeSnm(Uint8Array.from(bytes), 0, variant), message, `${variant} ${describeSnm(message)}`);
    t.same([...encodeSnm(message, variant)], bytes, `${variant} ${message.type} encodes`);
  }
});

t.test('the heading codes of the messages the box sends, as Q.704 Table 1 has them', async (t) => {
  t.same(
    (['TRA', 'CBA', 'LID', 'LUA', 'UPU'] as const).map((type) => `${type} H0 ${SNM_TYPES[type][0]} H1 ${SNM_TYPES[type][1]}`),
    ['TRA H0 7 H1 1', 'CBA H0 1 H1 6', 'LID H0 6 H1 5', 'LUA H0 6 H1 4', 'UPU H0 10 H1 1'],
  );
});

t.test('a whole MSU: SIO with SI 0, the label, then TRA', async (t) => {
  const bytes = [
    0x80, //                   SIO: NI 10 national, SI 0000 network management
    0xd0, 0x07, 0xfa, 0x00, // label: SLS 0 | OPC 1000 | DPC 2000
    0x17, //                   TRA
  ];
  const msu = decodeMsu(Uint8Array.from(bytes), 'itu');
  t.match(msu, { si: 0, dpc: 2000, opc: 1000, sls: 0 });
  t.same(decodeSnm(Uint8Array.from(bytes), msu.payloadOffset, 'itu'), { type: 'TRA' });
  t.same([...encodeMsu({ variant: 'itu', ni: 'national', si: 0, dpc: 2000, opc: 1000, sls: 0, payload: encodeSnm({ type: 'TRA' }, 'itu') })], bytes);
});

t.test('on receipt spare bits and octets after the fields are ignored; spare UPU causes kept as numbers', async (t) => {
  t.same(decodeSnm(Uint8Array.from([0x11, 0xd5]), 0, 'itu'), { type: 'COO', fsn: 0x55 }, 'COO spare bit 8 set');
  t.same(decodeSnm(Uint8Array.from([0x14, 0x25, 0xd3]), 0, 'itu'), { type: 'TFP', destination: 4901 }, 'TFP spare bits 16-15 set');
  t.same(decodeSnm(Uint8Array.from([0x18, 0xbc, 0xfa]), 0, 'itu'), { type: 'DLC', dataLink: 0xabc }, 'DLC spare bits set');
  t.same(decodeSnm(Uint8Array.from([0x17, 0x00, 0x00]), 0, 'itu'), { type: 'TRA' }, 'TRA padded');
  t.same(decodeSnm(Uint8Array.from([0x1a, 0xe8, 0x03, 0x95]), 0, 'itu'), { type: 'UPU', destination: 1000, userPart: 5, cause: 9 });
});

t.test('what cannot be read is an IsupCodecError at the octet concerned', async (t) => {
  t.throws(() => decodeSnm(new Uint8Array(5), 5, 'itu'), { name: 'IsupCodecError', code: 'truncated', offset: 5 }, 'no heading');
  t.throws(() => decodeSnm(Uint8Array.from([0, 0, 0x14, 0x25]), 2, 'itu'), { code: 'truncated', offset: 4 }, 'TFP destination cut short');
  t.throws(() => decodeSnm(Uint8Array.from([0x14, 0x03, 0x02]), 0, 'china'), { code: 'truncated' }, 'China TFP needs 3 octets');
  t.throws(() => decodeSnm(Uint8Array.from([0x1a, 0xe8, 0x03]), 0, 'itu'), { code: 'truncated' }, 'UPU without user part');
  t.throws(() => decodeSnm(Uint8Array.from([0x00, 0x99]), 1, 'itu'), { code: 'unknown-message', offset: 1 }, 'H0 9');
  t.throws(() => decodeSnm(Uint8Array.from([0x97]), 0, 'itu'), { code: 'unknown-message' }, 'H0 7 H1 9');
});

t.test('encode refuses values that do not fit', async (t) => {
  t.throws(() => encodeSnm({ type: 'TFP', destination: 0x4000 }, 'itu'), RangeError, 'ITU destination 16384');
  t.equal(encodeSnm({ type: 'TFP', destination: 0x4000 }, 'china').length, 4, 'China takes it');
  t.throws(() => encodeSnm({ type: 'COO', fsn: 128 }, 'itu'), RangeError);
  t.throws(() => encodeSnm({ type: 'UPU', destination: 1, userPart: 16, cause: 'unequipped' }, 'itu'), RangeError);
  t.throws(() => encodeSnm({ type: 'UPU', destination: 1, userPart: 3, cause: 'gone' as never }, 'itu'), RangeError);
  t.throws(() => encodeSnm({ type: 'XYZ' } as never, 'itu'), TypeError);
});

t.test('random input: a message or an IsupCodecError, nothing else; what is read re-encodes to itself', async (t) => {
  let a = 0x5eed;
  const next = () => (a = (Math.imul(a, 1103515245) + 12345) >>> 0) >>> 24;
  const differ: string[] = [];
  let read = 0;
  for (const variant of ['itu', 'china'] as const) {
    for (let i = 0; i < 20_000; i++) {
      const bytes = Uint8Array.from({ length: next() % 8 }, next);
      try {
        const m = decodeSnm(bytes, 0, variant);
        read++;
        if (JSON.stringify(decodeSnm(encodeSnm(m, variant), 0, variant)) !== JSON.stringify(m)) differ.push(`${variant} ${Buffer.from(bytes).toString('hex')}`);
      } catch (err) {
        if (!(err instanceof IsupCodecError)) throw err;
      }
    }
  }
  t.ok(read > 1000, `${read} random inputs read`);
  t.same(differ, []);
});
