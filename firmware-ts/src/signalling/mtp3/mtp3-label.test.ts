import t from 'tap';
import { IsupCodecError } from '../isup/isup-codec-error.js';
import { decodeMsu, encodeMsu, formatPointCode, parsePointCode } from './mtp3-label.js';

const PAYLOAD = [0x01, 0x00, 0x13]; // an ISUP BLO on CIC 1; MTP3 does not look inside

t.test('ITU label: 14-bit point codes and SLS packed little-endian into 4 octets', async (t) => {
  const bytes = [
    0x05, //                 SIO: NI 00 international, spare 00, SI 0101 ISUP
    // label = SLS 1010 | OPC 0x1e41 (3-200-1) | DPC 0x1325 (2-100-5) = 0xa7905325, LSB first:
    0x25, //                 DPC bits 7-0
    0x53, //                 OPC bits 1-0 (01) | DPC bits 13-8 (010011)
    0x90, //                 OPC bits 9-2
    0xa7, //                 SLS (1010) | OPC bits 13-10 (0111)
    ...PAYLOAD,
  ];
  const msu = decodeMsu(Uint8Array.from(bytes), 'itu');
  t.same(msu, { variant: 'itu', ni: 'international', si: 5, dpc: 4901, opc: 7745, sls: 10, payload: Uint8Array.from(PAYLOAD), payloadOffset: 5 });
  t.same([...encodeMsu({ variant: 'itu', ni: 'international', dpc: 4901, opc: 7745, sls: 10, payload: Uint8Array.from(PAYLOAD) })], bytes, 're-encodes (SI defaults to ISUP)');
});

t.test('ITU label: all-ones in one field never leaks into its neighbours', async (t) => {
  const cases = [
    { dpc: 0x3fff, opc: 0, sls: 0, label: [0xff, 0x3f, 0x00, 0x00] },
    { dpc: 0, opc: 0x3fff, sls: 0, label: [0x00, 0xc0, 0xff, 0x0f] },
    { dpc: 0, opc: 0, sls: 15, label: [0x00, 0x00, 0x00, 0xf0] },
  ];
  for (const { label, ...pc } of cases) {
    const bytes = [0x85, ...label];
    t.same([...encodeMsu({ variant: 'itu', ni: 'national', ...pc, payload: new Uint8Array() })], bytes, JSON.stringify(pc));
    t.match(decodeMsu(Uint8Array.from(bytes), 'itu'), { ...pc, ni: 'national', payload: new Uint8Array() });
  }
});

t.test('China label: 24-bit point codes, 3 octets each, then the SLS octet', async (t) => {
  const bytes = [
    0x85, //               SIO: NI 10 national, spare 00, SI 0101 ISUP
    0x03, 0x02, 0x01, //   DPC 0x010203 = 1-2-3, least significant octet first
    0x1e, 0x14, 0x0a, //   OPC 0x0a141e = 10-20-30
    0x0a, //               SLS 10 (bits 8-5 spare)
    ...PAYLOAD,
  ];
  const msu = decodeMsu(Uint8Array.from(bytes), 'china');
  t.same(msu, { variant: 'china', ni: 'national', si: 5, dpc: 0x010203, opc: 0x0a141e, sls: 10, payload: Uint8Array.from(PAYLOAD), payloadOffset: 8 });
  t.same([...encodeMsu({ variant: 'china', ni: 'national', dpc: 0x010203, opc: 0x0a141e, sls: 10, payload: Uint8Array.from(PAYLOAD) })], bytes);
  t.same(
    [...encodeMsu({ variant: 'china', ni: 'national', dpc: 0xffffff, opc: 0, sls: 15, payload: new Uint8Array() })],
    [0x85, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x0f],
    'the largest China point code',
  );
});

t.test('the same octets mean other point codes under the other variant', async (t) => {
  const bytes = Uint8Array.from([0x85, 0x03, 0x02, 0x01, 0x1e, 0x14, 0x0a, 0x0a]);
  const itu = decodeMsu(bytes, 'itu');
  t.not(itu.dpc, 0x010203);
  t.same([...itu.payload], [0x14, 0x0a, 0x0a], 'ITU stops reading the label after SIO + 4 octets');
});

t.test('spare bits are ignored on receipt and sent as 0', async (t) => {
  const china = decodeMsu(Uint8Array.from([0xb5, 0x03, 0x02, 0x01, 0x1e, 0x14, 0x0a, 0xfa]), 'china');
  t.match(china, { ni: 'national', si: 5, sls: 10 }, 'SIO bits 6-5 and SLS bits 8-5 set');
  t.equal(decodeMsu(Uint8Array.from([0xc0, 0, 0, 0, 0]), 'itu').ni, 'national-spare');
  t.equal(decodeMsu(Uint8Array.from([0x40, 0, 0, 0, 0]), 'itu').ni, 'international-spare');
  t.equal(decodeMsu(Uint8Array.from([0x40, 0, 0, 0, 0]), 'itu').si, 0, 'SI 0 = signalling network management');
});

t.test('a label cut short is truncated at the octet where the input ended', async (t) => {
  for (const [variant, bytes] of [
    ['china', [0x85, 0x03, 0x02]],
    ['itu', [0x85, 0x25, 0x53, 0x90]],
    ['itu', []],
  ] as const) {
    t.throws(() => decodeMsu(Uint8Array.from(bytes), variant), { name: 'IsupCodecError', code: 'truncated', offset: bytes.length }, `${variant}, ${bytes.length} octets`);
  }
  try {
    decodeMsu(new Uint8Array(2), 'itu');
  } catch (err) {
    t.ok(err instanceof IsupCodecError && err instanceof RangeError, 'IsupCodecError is a RangeError');
  }
});

t.test('encodeMsu refuses values that do not fit the variant', async (t) => {
  const ok = { variant: 'itu', ni: 'national', dpc: 1, opc: 2, sls: 3, payload: new Uint8Array() } as const;
  t.throws(() => encodeMsu({ ...ok, dpc: 0x4000 }), RangeError, 'ITU DPC 16384');
  t.throws(() => encodeMsu({ ...ok, opc: -1 }), RangeError, 'negative OPC');
  t.throws(() => encodeMsu({ ...ok, variant: 'china', opc: 0x1000000 }), RangeError, 'China OPC 2^24');
  t.throws(() => encodeMsu({ ...ok, sls: 16 }), RangeError, 'SLS 16');
  t.throws(() => encodeMsu({ ...ok, si: 16 }), RangeError, 'SI 16');
  t.throws(() => encodeMsu({ ...ok, ni: 'domestic' as never }), RangeError, 'unknown NI');
  t.throws(() => encodeMsu({ ...ok, dpc: 1.5 }), TypeError, 'fractional point code');
  t.throws(() => encodeMsu({ ...ok, variant: 'ansi' as never }), TypeError, 'unknown variant');
  t.equal(encodeMsu({ ...ok, variant: 'china', dpc: 0x4000 }).length, 8, 'China takes 16384');
});

t.test('point codes for people: ITU 3-8-3, China 8-8-8, or plain numbers', async (t) => {
  t.equal(formatPointCode(4901, 'itu'), '2-100-5');
  t.equal(formatPointCode(0x3fff, 'itu'), '7-255-7');
  t.equal(formatPointCode(0, 'itu'), '0-0-0');
  t.equal(formatPointCode(0x010203, 'china'), '1-2-3');
  t.equal(formatPointCode(0xffffff, 'china'), '255-255-255');
  t.throws(() => formatPointCode(0x4000, 'itu'), RangeError);

  t.equal(parsePointCode('2-100-5', 'itu'), 4901);
  t.equal(parsePointCode('3-200-1', 'itu'), 7745);
  t.equal(parsePointCode(' 4901 ', 'itu'), 4901);
  t.equal(parsePointCode(16383, 'itu'), 16383);
  t.equal(parsePointCode('1-2-3', 'china'), 66051);
  t.equal(parsePointCode('10-20-30', 'china'), 0x0a141e);
  t.equal(parsePointCode('16777215', 'china'), 0xffffff);
  t.throws(() => parsePointCode('8-0-0', 'itu'), /at most 7; write it as 3-8-3 \(e\.g\. 2-100-5\) or as a number 0\.\.16383/);
  t.throws(() => parsePointCode('2-256-5', 'itu'), RangeError);
  t.throws(() => parsePointCode('16384', 'itu'), /too large for itu/);
  t.throws(() => parsePointCode('256-0-0', 'china'), /8-8-8/);
  t.throws(() => parsePointCode('1.2.3', 'china'), /is not a point code/);
  t.throws(() => parsePointCode('', 'itu'), RangeError);
  t.throws(() => parsePointCode('-5', 'itu'), RangeError);
  for (const pc of [0, 1, 4901, 7745, 0x3fff]) t.equal(parsePointCode(formatPointCode(pc, 'itu'), 'itu'), pc);
  for (const pc of [0, 0x010203, 0xabcdef, 0xffffff]) t.equal(parsePointCode(formatPointCode(pc, 'china'), 'china'), pc);
});
