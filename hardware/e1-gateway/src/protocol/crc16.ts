/**
 * CRC-16/X-25, the HDLC frame check sequence (ISO/IEC 13239, RFC 1662 appendix C):
 * polynomial x^16 + x^12 + x^5 + 1, reflected, initial value 0xFFFF, final XOR 0xFFFF.
 * Check value: crc16x25("123456789") === 0x906E.
 */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
    table[n] = c;
  }
  return table;
})();

export function crc16x25(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc ^ 0xffff;
}
