import t from 'tap';
import { LINKTYPE_MTP3, pcapHeader, pcapRecord, writePcap } from './pcap-writer.js';

const HEADER = [
  0xd4, 0xc3, 0xb2, 0xa1, // magic, little-endian, microsecond timestamps
  0x02, 0x00, 0x04, 0x00, // version 2.4
  0x00, 0x00, 0x00, 0x00, // thiszone: UTC
  0x00, 0x00, 0x00, 0x00, // sigfigs
  0xff, 0xff, 0x00, 0x00, // snaplen 65535
  0x8d, 0x00, 0x00, 0x00, // link type 141: MTP3
];

t.test('global header for MTP3', async (t) => {
  t.same([...pcapHeader(LINKTYPE_MTP3)], HEADER);
  t.same([...pcapHeader(140)].slice(20), [0x8c, 0x00, 0x00, 0x00], 'MTP2 is 140');
  t.throws(() => pcapHeader(-1), RangeError);
});

t.test('a record carries its time to the microsecond', async (t) => {
  const data = Uint8Array.from([0x85, 0x01, 0x02]);
  t.same(
    [...pcapRecord({ time: 1_700_000_000_123.456, data })],
    [
      0x00, 0xf1, 0x53, 0x65, // seconds 1700000000
      0x40, 0xe2, 0x01, 0x00, // microseconds 123456
      0x03, 0x00, 0x00, 0x00, // captured length
      0x03, 0x00, 0x00, 0x00, // original length
      0x85, 0x01, 0x02,
    ],
  );
  t.same([...pcapRecord({ time: 999.9996, data: new Uint8Array() })].slice(0, 8), [0x01, 0, 0, 0, 0x00, 0, 0, 0], 'rounding up to the next second carries');
  t.throws(() => pcapRecord({ time: -1, data }), RangeError);
  t.throws(() => pcapRecord({ time: Number.NaN, data }), RangeError);
});

t.test('a file is the header, then the records in order', async (t) => {
  const file = writePcap(
    [
      { time: 1000, data: Uint8Array.from([0xaa]) },
      { time: 2500, data: Uint8Array.from([0xbb, 0xcc]) },
    ],
    LINKTYPE_MTP3,
  );
  t.same(
    [...file],
    [
      ...HEADER,
      0x01, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0x01, 0, 0, 0, 0xaa, //        t = 1 s
      0x02, 0, 0, 0, 0x20, 0xa1, 0x07, 0x00, 0x02, 0, 0, 0, 0x02, 0, 0, 0, 0xbb, 0xcc, // t = 2.5 s
    ],
  );
  t.equal(writePcap([], LINKTYPE_MTP3).length, 24, 'no records: just the header');
});
