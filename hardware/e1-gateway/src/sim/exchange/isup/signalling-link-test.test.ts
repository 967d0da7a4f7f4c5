import t from 'tap';
import { decodeMsu, encodeLinkTestMsu } from './msu.js';
import { decodeLinkTest, encodeLinkTest } from './signalling-link-test.js';

// Q.707 5: H0/H1, then length indicator (bits 8-5) and spare (bits 4-1), then the pattern.
t.test('SLTM and SLTA, byte by byte, behind both labels', async (t) => {
  const pattern = Uint8Array.of(0x01, 0x23, 0x45, 0x67);
  const sltm = encodeLinkTestMsu({ variant: 'itu', ni: 'national', opc: 2000, dpc: 1000 }, { type: 'SLTM', slc: 0, pattern });
  t.same(
    [...sltm],
    [
      0x81, //                   SIO: national, SI 0001 (signalling network testing and maintenance)
      0xe8, 0x03, 0xf4, 0x01, // DPC 1000, OPC 2000, SLC 0 in the SLS field
      0x11, //                   H1 0001 (SLTM) | H0 0001 (test messages)
      0x40, //                   length indicator 4 | spare
      0x01, 0x23, 0x45, 0x67, // test pattern
    ],
  );
  t.same(decodeMsu(sltm, 'itu'), { kind: 'link-test', header: { si: 1, ni: 'national', priority: 0, dpc: 1000, opc: 2000, sls: 0 }, test: { type: 'SLTM', slc: 0, pattern } });

  const slta = encodeLinkTestMsu({ variant: 'china', ni: 'national', opc: 0x010203, dpc: 0x010204 }, { type: 'SLTA', slc: 3, pattern: new Uint8Array() });
  t.same([...slta], [0x81, 0x04, 0x02, 0x01, 0x03, 0x02, 0x01, 0x03, 0x21, 0x00], 'China: 7-octet label, SLC 3; H1 0010 (SLTA); no pattern');
  t.match(decodeMsu(slta, 'china'), { kind: 'link-test', test: { type: 'SLTA', slc: 3 } });
});

t.test('what is not an SLTM or SLTA, and patterns that do not fit', async (t) => {
  t.same(decodeMsu(Uint8Array.of(0x81, 0, 0, 0, 0, 0x12, 0x00), 'itu').kind, 'other', 'another test and maintenance heading is left to the caller');
  t.same(decodeMsu(Uint8Array.of(0x80, 0, 0, 0, 0, 0x11, 0x00), 'itu').kind, 'other', 'network management (SI 0) is not a link test');
  t.throws(() => decodeLinkTest(Uint8Array.of(0x11, 0x30, 1, 2), 0, 5), { name: 'Ss7CodecError', message: /SLTM: the length indicator says 3 pattern octets, 2 came \(at byte 6\)/ });
  t.throws(() => decodeLinkTest(Uint8Array.of(0x11), 0), { name: 'Ss7CodecError', message: /SLTM: needs a length indicator/ });
  t.throws(() => decodeLinkTest(Uint8Array.of(0x31, 0x00), 0), { name: 'Ss7CodecError', message: /neither SLTM \(0x11\) nor SLTA \(0x21\)/ });
  t.throws(() => encodeLinkTest({ type: 'SLTM', slc: 0, pattern: new Uint8Array(16) }), /at most 15/);
  t.same([...decodeLinkTest(Uint8Array.of(0x21, 0x2f, 9, 8, 7), 1).pattern], [9, 8], 'the spare bits and octets past the pattern are ignored');
});
