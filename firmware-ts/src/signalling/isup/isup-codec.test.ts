import t, { type Test } from 'tap';
import { decodeIsup, encodeIsup } from './isup-codec.js';
import type { IsupCodecErrorCode } from './isup-codec-error.js';
import type { IsupMessage, IsupMessageOf } from './isup-messages.js';
import { decodeIsupMsu, encodeIsupMsu } from './isup-msu.js';

/** Decoding `bytes` fails with `code` at `offset`. */
function refuses(t: Test, bytes: number[], code: IsupCodecErrorCode, offset: number, what: string) {
  t.throws(() => decodeIsup(Uint8Array.from(bytes)), { name: 'IsupCodecError', code, offset }, what);
}

const REL_HEAD = [0x01, 0x00, 0x0c]; // CIC 1, REL
const CAUSE = [0x02, 0x82, 0x90]; //     length 2, location 2, cause 16

t.test('unknown optional parameters come back unchanged, in the order received', async (t) => {
  const bytes = [
    ...REL_HEAD,
    0x02, 0x04, //             pointers: cause at +2, optional part at +4
    ...CAUSE,
    0xc0, 0x03, 0xaa, 0xbb, 0xcc, // generic number (may repeat): 3 octets
    0x39, 0x00, //             a parameter of length 0
    0xc0, 0x01, 0xdd, //       the generic number again
    0xfe, 0x02, 0x12, 0x34, // a national parameter code Q.763 does not list
    0x00,
  ];
  const rel = decodeIsup(Uint8Array.from(bytes)) as IsupMessageOf<'REL'>;
  t.same(rel.otherParameters, [
    { code: 0xc0, data: Uint8Array.from([0xaa, 0xbb, 0xcc]) },
    { code: 0x39, data: new Uint8Array() },
    { code: 0xc0, data: Uint8Array.from([0xdd]) },
    { code: 0xfe, data: Uint8Array.from([0x12, 0x34]) },
  ]);
  t.same([...encodeIsup(rel)], bytes, 'byte for byte');
});

t.test('typed optional parameters go first on re-encoding; each keeps its contents', async (t) => {
  const received = [
    0x01, 0x00, 0x06, 0x16, 0x04, 0x01, // ACM, CIC 1, backward call indicators, optional part at +1
    0x31, 0x02, 0x00, 0x07, //             propagation delay counter (kept raw) first
    0x29, 0x01, 0x01, //                   then optional backward call indicators (typed)
    0x00,
  ];
  const acm = decodeIsup(Uint8Array.from(received));
  t.match(acm, { type: 'ACM', optionalBackwardCallIndicators: { inbandInformation: true }, otherParameters: [{ code: 0x31 }] });
  t.same([...encodeIsup(acm)], [0x01, 0x00, 0x06, 0x16, 0x04, 0x01, 0x29, 0x01, 0x01, 0x31, 0x02, 0x00, 0x07, 0x00]);
});

t.test('a raw parameter may not stand in for one this message types', async (t) => {
  const rlc: IsupMessage = { type: 'RLC', cic: 1, otherParameters: [{ code: 0x12, data: Uint8Array.from([0x82, 0x90]) }] };
  t.throws(() => encodeIsup(rlc), /parameter 0x12 is typed here; set RLC.causeIndicators instead/);
  t.throws(() => encodeIsup({ type: 'RLC', cic: 1, otherParameters: [{ code: 0, data: new Uint8Array() }] }), RangeError, 'code 0 is the end marker');
  t.throws(() => encodeIsup({ type: 'RLC', cic: 1, otherParameters: [{ code: 0x31, data: [1] as never }] }), TypeError, 'data must be bytes');
  t.throws(() => encodeIsup({ type: 'RLC', cic: 1, otherParameters: [{ code: 0x31, data: new Uint8Array(256) }] }), /at most 255/);
});

t.test('a typed optional parameter twice is refused where the second one starts', async (t) => {
  refuses(t, [0x01, 0x00, 0x10, 0x01, 0x12, ...CAUSE, 0x12, ...CAUSE, 0x00], 'duplicate-parameter', 8, 'RLC with two causes');
});

t.test('a fixed-length optional parameter of the wrong length', async (t) => {
  refuses(t, [0x01, 0x00, 0x09, 0x01, 0x11, 0x01, 0x16, 0x00], 'bad-length', 5, 'ANM backward call indicators of 1 octet');
});

t.test('pointers', async (t) => {
  refuses(t, [...REL_HEAD, 0x00, 0x00, ...CAUSE], 'bad-pointer', 3, 'mandatory pointer 0');
  refuses(t, [...REL_HEAD, 0x01, 0x00, ...CAUSE], 'bad-pointer', 3, 'pointer into the optional-part pointer');
  refuses(t, [...REL_HEAD, 0x09, 0x00, ...CAUSE], 'truncated', 8, 'pointer past the end');
  refuses(t, [...REL_HEAD, 0x02, 0x00, 0x05, 0x82, 0x90], 'truncated', 8, 'length past the end');
  // A pointer may leave a gap: the parameter is read where it points.
  const gap = decodeIsup(Uint8Array.from([...REL_HEAD, 0x03, 0x00, 0xee, ...CAUSE]));
  t.match(gap, { type: 'REL', causeIndicators: { causeValue: 16 } }, 'gap before the cause is skipped');
});

t.test('octets after the last parameter are refused', async (t) => {
  refuses(t, [0x01, 0x00, 0x13, 0x00], 'trailing', 3, 'BLO with one octet too many');
  refuses(t, [0x01, 0x00, 0x09, 0x00, 0x00], 'trailing', 4, 'ANM with a stray octet after the empty optional part');
  refuses(t, [0x01, 0x00, 0x10, 0x01, 0x12, ...CAUSE, 0x00, 0x00], 'trailing', 9, 'RLC: an octet after the end of optional parameters');
});

t.test('an optional part without its end octet is truncated', async (t) => {
  refuses(t, [0x01, 0x00, 0x10, 0x01, 0x12, ...CAUSE], 'truncated', 8, 'RLC');
});

t.test('unknown message type is named at its octet', async (t) => {
  refuses(t, [0x01, 0x00, 0x03], 'unknown-message', 2, 'INR is not in the catalogue');
  refuses(t, [0x01, 0x00, 0x00], 'unknown-message', 2, 'type 0');
});

t.test('CIC spare bits: ignored on receipt, sent as 0', async (t) => {
  const blo = decodeIsup(Uint8Array.from([0x11, 0xf0, 0x13]));
  t.same(blo, { type: 'BLO', cic: 17 });
  t.same([...encodeIsup(blo)], [0x11, 0x00, 0x13]);
});

t.test('encode refuses messages that cannot be sent', async (t) => {
  t.throws(() => encodeIsup({ type: 'BLO', cic: 4096 }), RangeError, 'CIC 4096');
  t.throws(() => encodeIsup({ type: 'BLO', cic: -1 }), RangeError, 'CIC -1');
  t.throws(() => encodeIsup({ type: 'XYZ', cic: 1 } as never), TypeError, 'unknown type');
  t.throws(() => encodeIsup({ type: 'REL', cic: 1 } as never), /REL.causeIndicators: missing/);
  t.throws(() => encodeIsup({ type: 'COT', cic: 1, continuity: 'maybe' } as never), RangeError);
  const digits = '1'.repeat(600);
  t.throws(
    () =>
      encodeIsup({
        type: 'IAM',
        cic: 1,
        natureOfConnection: { satellite: 0, continuityCheck: 'not-required', echoControlDevice: false },
        forwardCallIndicators: { international: false, endToEndMethod: 'none', interworking: false, endToEndInformation: false, isupAllTheWay: false, isupPreference: 'preferred', isdnAccess: false, sccpMethod: 'none', national: 0 },
        callingPartysCategory: 10,
        transmissionMediumRequirement: 0,
        calledPartyNumber: { natureOfAddress: 3, inn: 'allowed', numberingPlan: 1, digits, endOfPulsing: true },
      }),
    /at most 255/,
    'a called number longer than a length octet can say',
  );
});

t.test('through the MSU: offsets count from the SIO octet', async (t) => {
  const head = [0x85, 0x03, 0x02, 0x01, 0x1e, 0x14, 0x0a, 0x0a]; // China label, 8 octets
  t.throws(() => decodeIsupMsu(Uint8Array.from([...head, 0x01, 0x00, 0x03]), 'china'), { code: 'unknown-message', offset: 10 });
  t.throws(() => decodeIsupMsu(Uint8Array.from([...head, 0x01, 0x00, 0x0c, 0x02]), 'china'), { code: 'truncated', offset: 12 });
  t.throws(() => decodeIsupMsu(Uint8Array.from([0x80, ...head.slice(1), 0x01, 0x00, 0x13]), 'china'), { code: 'not-isup', offset: 0 }, 'SI 0');
});

t.test('the SLS follows the CIC unless the route names one', async (t) => {
  const route = { variant: 'china', ni: 'national', dpc: 1, opc: 2 } as const;
  t.equal(encodeIsupMsu(route, { type: 'BLO', cic: 0x123 })[7], 0x03, 'CIC 0x123 -> SLS 3');
  t.equal(encodeIsupMsu({ ...route, sls: 9 }, { type: 'BLO', cic: 0x123 })[7], 0x09);
  t.equal(decodeIsupMsu(encodeIsupMsu(route, { type: 'BLO', cic: 31 }), 'china').label.sls, 15);
});
