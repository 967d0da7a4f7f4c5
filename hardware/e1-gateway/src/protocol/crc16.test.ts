import t from 'tap';
import { crc16x25 } from './crc16.js';

/** Bit-at-a-time CRC-16/X-25, written from the definition, to check the table-driven one. */
function reference(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc ^ 0xffff;
}

t.test('CRC-16/X-25 check value', async (t) => {
  t.equal(crc16x25(Buffer.from('123456789')), 0x906e);
});

t.test('known vectors', async (t) => {
  t.equal(crc16x25(new Uint8Array(0)), 0x0000, 'empty input: 0xFFFF xor 0xFFFF');
  t.equal(crc16x25(Uint8Array.of(0xff, 0xff)), 0xffff);
  // RFC 1662 appendix C: running the FCS over data plus its own FCS (LSB first) leaves the
  // "good FCS" 0xF0B8, which is 0x0F47 after the final XOR.
  const data = Buffer.from('123456789');
  t.equal(crc16x25(Buffer.concat([data, Uint8Array.of(0x6e, 0x90)])), 0x0f47);
});

t.test('start/end select a slice', async (t) => {
  const framed = Buffer.from('xx123456789yy');
  t.equal(crc16x25(framed, 2, 11), 0x906e);
});

t.test('table-driven CRC agrees with the bitwise definition', async (t) => {
  let x = 0x12345678;
  for (let n = 0; n < 200; n++) {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      bytes[i] = x >>> 24;
    }
    if (crc16x25(bytes) !== reference(bytes)) t.fail(`length ${n}: ${crc16x25(bytes)} vs ${reference(bytes)}`);
  }
  t.pass('200 lengths agree');
});
