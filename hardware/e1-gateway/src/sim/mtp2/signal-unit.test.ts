import t, { type Test } from 'tap';
import { decodeSignalUnit, encodeSignalUnit, SignalUnitError, type SignalUnit, type SignalUnitErrorCode } from './signal-unit.js';

// Vectors written by hand from Q.703 clause 2 (octet 0 = BIB + BSN, octet 1 = FIB + FSN,
// octet 2 = LI, CK low octet first). The CK octets were computed outside this code base with a
// bit-by-bit CRC-16 (x^16 + x^12 + x^5 + 1, reflected, preset and complemented to all ones).
interface Vector {
  name: string;
  su: SignalUnit;
  bytes: number[];
}

const VECTORS: Vector[] = [
  {
    name: 'FISU',
    su: { kind: 'fisu', bsn: 3, bib: 0, fsn: 9, fib: 1 },
    bytes: [
      0x03, //       BIB 0, BSN 3
      0x89, //       FIB 1, FSN 9
      0x00, //       LI 0: fill-in
      0x7c, 0x72, // CK 0x727C
    ],
  },
  {
    name: 'LSSU SIO after a reset (sequence numbers 127, indicator bits 1)',
    su: { kind: 'lssu', bsn: 127, bib: 1, fsn: 127, fib: 1, status: 'SIO' },
    bytes: [
      0xff, //       BIB 1, BSN 127
      0xff, //       FIB 1, FSN 127
      0x01, //       LI 1: link status, one octet
      0x00, //       status C B A = 000: O, out of alignment
      0x27, 0xe6, // CK
    ],
  },
  {
    name: 'LSSU SIOS',
    su: { kind: 'lssu', bsn: 127, bib: 1, fsn: 127, fib: 1, status: 'SIOS' },
    bytes: [0xff, 0xff, 0x01, /* status 011: OS */ 0x03, 0xbc, 0xd4],
  },
  {
    name: 'LSSU SIPO',
    su: { kind: 'lssu', bsn: 10, bib: 0, fsn: 11, fib: 1, status: 'SIPO' },
    bytes: [0x0a, 0x8b, 0x01, /* status 100: PO */ 0x04, 0xc6, 0x5a],
  },
  {
    name: 'MSU of 5 octets: SIO 0x85 (national network, ISUP) and four SIF octets',
    su: { kind: 'msu', bsn: 5, bib: 0, fsn: 6, fib: 1, data: Uint8Array.of(0x85, 0x12, 0x34, 0x56, 0x78) },
    bytes: [
      0x05, //                         BIB 0, BSN 5
      0x86, //                         FIB 1, FSN 6
      0x05, //                         LI 5: SIO + 4 SIF octets
      0x85, //                         SIO
      0x12, 0x34, 0x56, 0x78, //       SIF
      0xb4, 0x15, //                   CK
    ],
  },
];

t.test('each vector decodes to its fields and encodes back to the same octets', async (t) => {
  for (const v of VECTORS) {
    const bytes = Uint8Array.from(v.bytes);
    t.same(decodeSignalUnit(bytes, { checkFcs: true }), v.su, `${v.name}: decode`);
    t.same([...encodeSignalUnit(v.su)], v.bytes, `${v.name}: encode`);
  }
});

t.test('an MSU of 63 octets or more has LI 63', async (t) => {
  const data = Uint8Array.from([0x85, ...Array.from({ length: 99 }, (_, i) => i + 1)]);
  const bytes = encodeSignalUnit({ kind: 'msu', bsn: 1, bib: 1, fsn: 2, fib: 0, data });
  t.equal(bytes.length, 3 + 100 + 2);
  t.same([...bytes.subarray(0, 3)], [0x81, 0x02, 0x3f], 'BIB 1 BSN 1, FIB 0 FSN 2, LI 63');
  t.same([...bytes.subarray(-2)], [0xcd, 0xdf], 'CK');
  t.same(decodeSignalUnit(bytes, { checkFcs: true }), { kind: 'msu', bsn: 1, bib: 1, fsn: 2, fib: 0, data });
});

t.test('reception ignores the spare bits and a second status octet', async (t) => {
  // LI octet 0xC0: spare bits set, LI 0. CK computed over these octets.
  t.same(decodeSignalUnit(Uint8Array.of(0x03, 0x89, 0xc0, 0x70, 0xb4), { checkFcs: true }), { kind: 'fisu', bsn: 3, bib: 0, fsn: 9, fib: 1 });
  // LI 2: a two-octet status field (Q.703 11.1), SIE; the second octet is not read.
  t.same(decodeSignalUnit(Uint8Array.of(0x7f, 0x7f, 0x02, 0x02, 0x00, 0xcc, 0xde), { checkFcs: true }), { kind: 'lssu', bsn: 127, bib: 0, fsn: 127, fib: 0, status: 'SIE' });
  // Status octet 0xF9: spare bits 8..4 set, C B A = 001, SIN.
  t.match(decodeSignalUnit(Uint8Array.of(0xff, 0xff, 0x01, 0xf9, 0, 0), { checkFcs: false }), { kind: 'lssu', status: 'SIN' });
});

t.test('CK is checked only when asked', async (t) => {
  const bad = Uint8Array.of(0x05, 0x86, 0x05, 0x85, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00);
  t.match(decodeSignalUnit(bad, { checkFcs: false }), { kind: 'msu', fsn: 6 }, 'libss7 leaves its buffer in the FCS octets');
  fails(t, () => decodeSignalUnit(bad, { checkFcs: true }), 'fcs', 8, /CK is 0x0000, the octets before it give 0x15B4/);
});

t.test('bad signal units name what is wrong and where', async (t) => {
  const opts = { checkFcs: false };
  fails(t, () => decodeSignalUnit(Uint8Array.of(1, 2, 0, 0), opts), 'short', 4, /at least 5 octets, this one 4/);
  fails(t, () => decodeSignalUnit(new Uint8Array(279), opts), 'long', 278, /at most 278 octets, this one 279/);
  fails(t, () => decodeSignalUnit(Uint8Array.of(1, 2, 3, 0x85, 1, 0, 0), opts), 'length-indicator', 2, /LI is 3 but 2 octets follow/);
  fails(t, () => decodeSignalUnit(Uint8Array.of(1, 2, 0, 9, 0, 0), opts), 'length-indicator', 2, /LI is 0 but 1 octets follow/);
  fails(t, () => decodeSignalUnit(Uint8Array.of(1, 2, 63, ...new Array(62).fill(0), 0, 0), opts), 'length-indicator', 2, /LI is 63 but 62 octets/);
  fails(t, () => decodeSignalUnit(Uint8Array.of(1, 2, 1, 6, 0, 0), opts), 'status', 3, /status 6 \(bits C B A\) is spare/);
});

t.test('encoding refuses units that cannot exist', async (t) => {
  const seq = { bsn: 0, bib: 0, fsn: 0, fib: 0 } as const;
  t.throws(() => encodeSignalUnit({ kind: 'msu', ...seq, data: Uint8Array.of(0x85, 1) }), { name: 'TypeError', message: /3 to 273 octets of SIO and SIF, not 2/ });
  t.throws(() => encodeSignalUnit({ kind: 'msu', ...seq, data: new Uint8Array(274) }), { name: 'TypeError', message: /not 274/ });
  t.throws(() => encodeSignalUnit({ kind: 'fisu', ...seq, bsn: 128 }), { name: 'TypeError', message: /BSN 128 is outside 0..127/ });
  t.throws(() => encodeSignalUnit({ kind: 'fisu', ...seq, fib: 2 as 0 }), { name: 'TypeError', message: /FIB 2 is not 0 or 1/ });
  t.throws(() => encodeSignalUnit({ kind: 'lssu', ...seq, status: 'SIX' as 'SIO' }), { name: 'TypeError', message: /LSSU status SIX/ });
});

function fails(t: Test, fn: () => unknown, code: SignalUnitErrorCode, offset: number, message: RegExp): void {
  try {
    fn();
    t.fail(`expected ${code}`);
  } catch (err) {
    t.type(err, SignalUnitError);
    t.match(err, { code, offset, message });
  }
}
