import t from 'tap';
import { IsupCodecError } from '../isup/isup-codec-error.js';
import { decodeLinkTest, encodeLinkTest } from './link-test-codec.js';
import { decodeMsu, encodeMsu } from './mtp3-label.js';

t.test('SLTM behind an ITU label: heading, length, pattern (Q.707 clause 5)', async (t) => {
  const bytes = [
    0x81, //                  SIO: NI 10 national, SI 0001 test and maintenance
    // label: SLS = SLC 3 | OPC 1000 | DPC 2000 = 0x30fa07d0, LSB first
    0xd0, 0x07, 0xfa, 0x30,
    0x11, //                  H1 0001 SLTM | H0 0001 test messages
    0x40, //                  length indicator 4 | spare 0000
    0xde, 0xad, 0xbe, 0xef, // test pattern
  ];
  const msu = decodeMsu(Uint8Array.from(bytes), 'itu');
  t.match(msu, { si: 1, ni: 'national', dpc: 2000, opc: 1000, sls: 3 });
  t.same(decodeLinkTest(Uint8Array.from(bytes), msu.payloadOffset), { type: 'SLTM', pattern: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]) });
  const payload = encodeLinkTest({ type: 'SLTM', pattern: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]) });
  t.same([...encodeMsu({ variant: 'itu', ni: 'national', si: 1, dpc: 2000, opc: 1000, sls: 3, payload })], bytes, 're-encodes');
});

t.test('SLTA behind a China label, on SI 2 (special)', async (t) => {
  const bytes = [
    0x82, //                  SIO: NI national, SI 0010 test and maintenance, special
    0x03, 0x02, 0x01, //      DPC 1-2-3
    0x1e, 0x14, 0x0a, //      OPC 10-20-30
    0x0f, //                  SLS = SLC 15
    0x21, //                  H1 0010 SLTA | H0 0001
    0xf0, //                  length 15 | spare
    ...Array.from({ length: 15 }, (_, i) => 0x41 + i), // 'ABCDEFGHIJKLMNO'
  ];
  const msu = decodeMsu(Uint8Array.from(bytes), 'china');
  t.match(msu, { si: 2, sls: 15, dpc: 0x010203, opc: 0x0a141e });
  const decoded = decodeLinkTest(Uint8Array.from(bytes), msu.payloadOffset);
  t.equal(decoded.type, 'SLTA');
  t.equal(Buffer.from(decoded.pattern).toString(), 'ABCDEFGHIJKLMNO');
  t.same([...encodeMsu({ variant: 'china', ni: 'national', si: 2, dpc: 0x010203, opc: 0x0a141e, sls: 15, payload: encodeLinkTest(decoded) })], bytes);
});

t.test('on receipt: spare bits and octets after the pattern are ignored; a pattern of 0 octets is read', async (t) => {
  t.same(decodeLinkTest(Uint8Array.from([0x21, 0x2f, 0x01, 0x02, 0xff, 0xff])), { type: 'SLTA', pattern: Uint8Array.from([1, 2]) });
  t.same(decodeLinkTest(Uint8Array.from([0x11, 0x00])), { type: 'SLTM', pattern: new Uint8Array() });
});

t.test('what cannot be read is an IsupCodecError at the octet concerned', async (t) => {
  t.throws(() => decodeLinkTest(Uint8Array.from([0, 0, 0, 0, 0, 0x11]), 5), { name: 'IsupCodecError', code: 'truncated', offset: 6 }, 'length octet missing');
  t.throws(() => decodeLinkTest(Uint8Array.from([0x11, 0x40, 1, 2])), { code: 'truncated', offset: 4 }, 'pattern shorter than its length');
  t.throws(() => decodeLinkTest(Uint8Array.from([0x31, 0x00])), { code: 'unknown-message', offset: 0 }, 'H1 3');
  t.throws(() => decodeLinkTest(Uint8Array.from([0x12, 0x00])), { code: 'unknown-message' }, 'H0 2');
});

t.test('encode refuses what Q.707 does not allow', async (t) => {
  t.throws(() => encodeLinkTest({ type: 'SLTM', pattern: new Uint8Array() }), RangeError, 'empty pattern');
  t.throws(() => encodeLinkTest({ type: 'SLTM', pattern: new Uint8Array(16) }), RangeError, '16 octets');
  t.throws(() => encodeLinkTest({ type: 'LLT' as never, pattern: new Uint8Array(1) }), TypeError);
  t.throws(() => encodeLinkTest({ type: 'SLTA', pattern: [1, 2] as never }), TypeError);
});

t.test('random input: a message or an IsupCodecError, nothing else', async (t) => {
  let a = 0x51ed;
  const next = () => (a = (Math.imul(a, 1103515245) + 12345) >>> 0) >>> 24;
  let read = 0;
  const differ: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const bytes = Uint8Array.from({ length: next() % 20 }, next);
    // Half of them with a heading that is there, so that the length and pattern get exercised.
    if (bytes.length > 0 && i % 2 === 0) bytes[0] = i % 4 === 0 ? 0x11 : 0x21;
    try {
      const m = decodeLinkTest(bytes);
      read++;
      const again = m.pattern.length > 0 ? decodeLinkTest(encodeLinkTest(m)) : m;
      if (Buffer.compare(again.pattern, m.pattern) !== 0 || again.type !== m.type) differ.push(Buffer.from(bytes).toString('hex'));
    } catch (err) {
      if (!(err instanceof IsupCodecError)) throw err;
    }
  }
  t.ok(read > 1000, `${read} random inputs read`);
  t.same(differ, [], 'each reads back the same after re-encoding');
});
