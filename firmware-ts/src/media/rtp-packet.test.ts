import t from 'tap';
import { seededRandom } from '@countyline/e1-gateway';
import { encodeRtp, parseRtp, PT_PCMA, type RtpParseResult } from './rtp-packet.js';

const bytes = (...octets: number[]) => Buffer.from(octets);
const ok = (r: RtpParseResult) => {
  if (!r.ok) throw new Error(`expected a packet, got ${r.reason}: ${r.detail}`);
  return r.packet;
};

t.test('a PCMA packet with the marker: annotated bytes decode to the fields and re-encode to the same bytes', async (t) => {
  const wire = bytes(
    0x80, //          V=2 P=0 X=0 CC=0
    0x88, //          M=1 PT=8 (PCMA)
    0x12, 0x34, //    sequence 0x1234
    0xde, 0xad, 0xbe, 0xef, // timestamp
    0x01, 0x02, 0x03, 0x04, // SSRC
    0xd5, 0xd5, 0x55, //       payload (three A-law octets)
  );
  const p = ok(parseRtp(wire));
  t.match(p, { marker: true, payloadType: PT_PCMA, sequence: 0x1234, timestamp: 0xdeadbeef, ssrc: 0x01020304, csrcs: [], paddingOctets: 0 });
  t.equal(p.extension, undefined);
  t.same([...p.payload], [0xd5, 0xd5, 0x55]);
  t.same([...encodeRtp(p, p.payload)], [...wire]);
});

t.test('CSRCs, a header extension and padding are skipped to find the payload', async (t) => {
  const wire = bytes(
    0xb2, //          V=2 P=1 X=1 CC=2
    0x65, //          M=0 PT=101
    0xff, 0xff, //    sequence 65535
    0x00, 0x00, 0x00, 0xa0, // timestamp 160
    0xca, 0xfe, 0xba, 0xbe, // SSRC
    0x00, 0x00, 0x00, 0x11, // CSRC 1
    0x00, 0x00, 0x00, 0x22, // CSRC 2
    0xbe, 0xde, 0x00, 0x01, // extension: profile 0xBEDE (RFC 8285), one word
    0x10, 0xaa, 0x00, 0x00, // extension data
    0x01, 0x8a, 0x03, 0x20, // payload: a telephone-event
    0x00, 0x00, 0x03, //       padding, the last octet counting 3
  );
  const p = ok(parseRtp(wire));
  t.match(p, { marker: false, payloadType: 101, sequence: 65535, timestamp: 160, ssrc: 0xcafebabe, csrcs: [0x11, 0x22], paddingOctets: 3 });
  t.equal(p.extension?.profile, 0xbede);
  t.same([...p.extension!.data], [0x10, 0xaa, 0x00, 0x00]);
  t.same([...p.payload], [0x01, 0x8a, 0x03, 0x20]);
});

t.test('encoding: CC from the CSRC list, sequence and timestamp wrap to their field widths', async (t) => {
  const wire = encodeRtp({ marker: false, payloadType: 8, sequence: 65536 + 7, timestamp: 2 ** 32 + 160, ssrc: 0xffffffff, csrcs: [5] }, bytes(0xd5));
  t.same([...wire], [0x81, 0x08, 0x00, 0x07, 0x00, 0x00, 0x00, 0xa0, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x05, 0xd5]);
  t.throws(() => encodeRtp({ marker: false, payloadType: 128, sequence: 0, timestamp: 0, ssrc: 0 }, bytes()), RangeError);
});

t.test('rejections name the reason', async (t) => {
  const cases: [string, Buffer, string][] = [
    ['too-short', bytes(0x80, 0x08, 0, 1, 0, 0, 0, 0, 0, 0, 0), 'eleven octets'],
    ['version', bytes(0x40, 0x08, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1), 'version 1'],
    ['rtcp', bytes(0x81, 0xc9, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1), 'an RTCP receiver report (PT 201)'],
    ['csrc-overrun', bytes(0x81, 0x08, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0), 'CC 1 with two octets of CSRC'],
    ['extension-overrun', bytes(0x90, 0x08, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0, 2, 0, 0, 0, 0), 'an extension of two words with one present'],
    ['bad-padding', bytes(0xa0, 0x08, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xd5, 0x00), 'a padding count of zero'],
    ['bad-padding', bytes(0xa0, 0x08, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xd5, 0x05), 'more padding than payload'],
  ];
  for (const [reason, wire, what] of cases) t.match(parseRtp(wire), { ok: false, reason, detail: String }, what);
});

t.test('random datagrams never throw', async (t) => {
  const random = seededRandom(3550);
  let packets = 0;
  const outside: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const wire = Buffer.from(Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 256)));
    // Half of them with a version-2 first octet, so the deeper checks run too.
    if (wire.length > 0 && i % 2 === 0) wire[0] = 0x80 | (wire[0]! & 0x3f);
    const r = parseRtp(wire);
    if (r.ok) {
      packets++;
      if (r.packet.payload.length > wire.length - 12) outside.push(wire.toString('hex'));
    }
  }
  t.same(outside, [], 'every payload lies inside its datagram, after the header');
  t.ok(packets > 100, `some random datagrams parse as RTP (${packets})`);
});
