import t from 'tap';
import { decodeMtp3, encodeMtp3, type Mtp3Header } from './mtp3-label.js';
import type { Mtp3Variant } from './point-code.js';

// SIO and routing label by hand, from Q.704 14.2 and 2.2 (ITU) and the China 24-bit label.
const VECTORS: { name: string; variant: Mtp3Variant; header: Mtp3Header; bytes: number[] }[] = [
  {
    name: 'ITU, national ISUP, 1000 -> 2000, SLS 7',
    variant: 'itu',
    header: { si: 5, ni: 'national', priority: 0, dpc: 2000, opc: 1000, sls: 7 },
    bytes: [
      0x85, //                SIO: NI 10 (national), spare 00, SI 0101 (ISUP)
      0xd0, //                DPC bits 8-1 (2000 = 0x7d0)
      0x07, //                OPC bits 2-1 (00) | DPC bits 14-9 (000111)
      0xfa, //                OPC bits 10-3 (1000 = 0x3e8 >> 2)
      0x70, //                SLS 0111 | OPC bits 14-11 (0000)
    ],
  },
  {
    name: 'ITU, international test message, the largest point codes apart',
    variant: 'itu',
    header: { si: 1, ni: 'international', priority: 0, dpc: 16383, opc: 1, sls: 15 },
    bytes: [0x01, 0xff, 0x7f, 0x00, 0xf0], // DPC all ones over octets 1-2, OPC bit 1 in octet 2 bit 7, SLS 1111
  },
  {
    name: 'China, national ISUP, 10-20-30 -> 1-2-3, SLS 12',
    variant: 'china',
    header: { si: 5, ni: 'national', priority: 0, dpc: 0x010203, opc: 0x0a141e, sls: 12 },
    bytes: [
      0x85, //                SIO
      0x03, 0x02, 0x01, //    DPC 1-2-3, least significant octet first
      0x1e, 0x14, 0x0a, //    OPC 10-20-30
      0x0c, //                spare 0000 | SLS 1100
    ],
  },
  {
    name: 'national spare NI, priority bits',
    variant: 'itu',
    header: { si: 0, ni: 'national-spare', priority: 2, dpc: 1, opc: 2, sls: 0 },
    bytes: [0xe0, 0x01, 0x80, 0x00, 0x00],
  },
];

for (const v of VECTORS) {
  t.test(v.name, async (t) => {
    const sif = [0xaa, 0xbb];
    t.same([...encodeMtp3(v.variant, v.header, sif)], [...v.bytes, ...sif]);
    const decoded = decodeMtp3(v.variant, Uint8Array.from([...v.bytes, ...sif]));
    t.same(decoded.header, v.header);
    t.same([...decoded.sif], sif);
    t.equal(decoded.sifOffset, v.bytes.length);
  });
}

t.test('the China label ignores its four spare bits; short MSUs and bad values are refused', async (t) => {
  t.equal(decodeMtp3('china', Uint8Array.of(0x85, 1, 0, 0, 2, 0, 0, 0xf3)).header.sls, 3);
  t.throws(() => decodeMtp3('china', Uint8Array.of(0x85, 1, 2, 3, 4, 5, 6)), { name: 'Ss7CodecError', message: /MSU of 7 octets is shorter than SIO and a china routing label \(8\)/ });
  t.throws(() => decodeMtp3('itu', new Uint8Array(0)), { name: 'Ss7CodecError' });
  const base: Mtp3Header = { si: 5, ni: 'national', priority: 0, dpc: 1, opc: 2, sls: 0 };
  t.throws(() => encodeMtp3('itu', { ...base, dpc: 16384 }, []), /DPC 16384 must be a whole number from 0 to 16383/);
  t.doesNotThrow(() => encodeMtp3('china', { ...base, dpc: 16384 }, []));
  t.throws(() => encodeMtp3('china', { ...base, opc: 2 ** 24 }, []), /OPC 16777216/);
  t.throws(() => encodeMtp3('itu', { ...base, sls: 16 }, []), /SLS 16/);
  t.throws(() => encodeMtp3('itu', { ...base, ni: 'local' as never }, []), /network indicator "local"/);
});
