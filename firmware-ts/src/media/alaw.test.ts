import t from 'tap';
import { ALAW_SILENCE, alawToLinear, encodeAlaw, linearToAlaw } from './alaw.js';

// Linear samples are 16-bit; G.711's tables count in units of the 12-bit magnitude, which is
// the 16-bit value divided by 8.
const unit = 8;

t.test('+0 is the silence octet 0xD5 and decodes to the smallest positive step', async (t) => {
  t.equal(linearToAlaw(0), ALAW_SILENCE);
  t.equal(ALAW_SILENCE, 0xd5);
  t.equal(alawToLinear(0xd5), 1 * unit, 'Table 1a/G.711: decoder output 1 for the first interval 0-2');
  t.equal(linearToAlaw(-1), 0x55, 'the smallest negative sample: sign bit clear, even bits inverted');
});

t.test('segment edges of Table 1a/G.711 (character before the even-bit inversion)', async (t) => {
  const cases: [magnitude: number, character: number][] = [
    [0, 0x00],
    [2, 0x01],
    [30, 0x0f],
    [32, 0x10], // segment 1
    [64, 0x20], // segment 2, step 4
    [128, 0x30],
    [256, 0x40],
    [512, 0x50],
    [1024, 0x60],
    [2048, 0x70], // segment 7, step 128
    [4032, 0x7f],
    [4095, 0x7f],
  ];
  for (const [magnitude, character] of cases) {
    t.equal(linearToAlaw(magnitude * unit), (character | 0x80) ^ 0x55, `+${magnitude}`);
    t.equal(linearToAlaw(-magnitude * unit - 1), character ^ 0x55, `-${magnitude}`);
  }
  t.equal(alawToLinear(0xaa), 4032 * unit, 'the largest positive code decodes to 4032 (Table 1a)');
  t.equal(alawToLinear(0x2a), -4032 * unit);
  t.equal(linearToAlaw(1e9), 0xaa, 'overload clamps to the largest code');
  t.equal(linearToAlaw(-1e9), 0x2a);
});

t.test('the A-law digital milliwatt (G.711 Table 5): 1 kHz at 0 dBm0 sampled at odd multiples of pi/8', async (t) => {
  // 0 dBm0 is 3.14 dB below the A-law overload point (G.711: the overload point is +3.14 dBm0).
  const peak = 32768 * 10 ** (-3.14 / 20);
  const samples = Array.from({ length: 8 }, (_, k) => -peak * Math.sin(((2 * k + 1) * Math.PI) / 8));
  t.same([...encodeAlaw(samples)], [0x34, 0x21, 0x21, 0x34, 0xb4, 0xa1, 0xa1, 0xb4]);
});

t.test('every octet decodes to a value that encodes back to the same octet', async (t) => {
  const wrong: number[] = [];
  for (let octet = 0; octet < 256; octet++) if (linearToAlaw(alawToLinear(octet)) !== octet) wrong.push(octet);
  t.same(wrong, []);
});
