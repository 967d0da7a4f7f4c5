import t from 'tap';
import { FrameLengthReader } from './frame-guard.js';

t.test('packets within the limit pass, however the bytes are split', async (t) => {
  // PINGREQ (c0 00), then a PUBLISH of 200 bytes remaining (30 c8 01 + 200 bytes): 203 in all.
  const publish = Buffer.concat([Buffer.from([0x30, 0xc8, 0x01]), Buffer.alloc(200, 0x61)]);
  const stream = Buffer.concat([Buffer.from([0xc0, 0x00]), publish, Buffer.from([0xc0, 0x00])]);
  for (const cut of [1, 2, 3, 4, 100, stream.length]) {
    const reader = new FrameLengthReader(203);
    const results = [reader.feed(stream.subarray(0, cut)), reader.feed(stream.subarray(cut))];
    t.same(results, [null, null], `split at ${cut}`);
  }
});

t.test('the first header over the limit is reported before its body arrives', async (t) => {
  const reader = new FrameLengthReader(1024);
  t.equal(reader.feed(Buffer.from([0xc0, 0x00])), null);
  // Remaining Length 0x80 0x80 0x80 0x01 = 2^21 = 2 MiB: five header bytes, so 2 MiB + 5 in all.
  t.same(reader.feed(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x01])), { tooLarge: 2 ** 21 + 5 });
});

t.test('a fifth Remaining Length byte is malformed', async (t) => {
  const reader = new FrameLengthReader(1024);
  t.same(reader.feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f])), { malformed: true });
});
