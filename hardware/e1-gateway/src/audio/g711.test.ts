import t from 'tap';
import { ALAW_SILENCE, alawDecode, alawDecodeFrame, alawEncode, alawEncodeFrame } from './g711.js';
import { rmsToDbm0 } from './level.js';

// G.711 Table 1a/1b on its 4096 scale; our linear scale is 8 times that. Octets are as sent
// on the line, with the even bits inverted.
const SCALE = 8;

t.test('silence and the smallest values', async (t) => {
  t.equal(ALAW_SILENCE, 0xd5);
  t.equal(alawEncode(0), 0xd5, '0 is the first positive step, 0xD5 on the line');
  t.equal(alawEncode(-1), 0x55, '-1 is the first negative step, 0x55');
  t.equal(alawDecode(0xd5), 1 * SCALE, 'decoder output 1 (Table 1a, segment 1 first interval)');
  t.equal(alawDecode(0x55), -1 * SCALE);
});

t.test('decoder outputs of Table 1a, segment by segment', async (t) => {
  // [octet on the line, decoder output on the 4096 scale]: the first and last step of each segment.
  const table: [number, number][] = [
    [0xd5, 1], [0xda, 31], // segment 0: step 2, outputs 1..31
    [0xc5, 33], [0xca, 63], // segment 1: step 2, outputs 33..63
    [0xf5, 66], [0xfa, 126], // segment 2: step 4
    [0xe5, 132], [0xea, 252], // segment 3: step 8
    [0x95, 264], [0x9a, 504],
    [0x85, 528], [0x8a, 1008],
    [0xb5, 1056], [0xba, 2016],
    [0xa5, 2112], [0xaa, 4032], // segment 7: step 128, the largest output
  ];
  for (const [octet, value] of table) {
    t.equal(alawDecode(octet), value * SCALE, `0x${octet.toString(16)} is +${value}`);
    t.equal(alawDecode(octet ^ 0x80), -value * SCALE, `0x${(octet ^ 0x80).toString(16)} is -${value}`);
  }
});

t.test('decision values of Table 1a: where the encoder moves to the next code', async (t) => {
  // [decision value on the 4096 scale, code just below it, code from it on]
  const decisions: [number, number, number][] = [
    [2, 0xd5, 0xd4],
    [32, 0xda, 0xc5], // segment 0 to 1
    [64, 0xca, 0xf5], // 1 to 2
    [2048, 0xba, 0xa5], // 6 to 7
  ];
  for (const [value, below, from] of decisions) {
    t.equal(alawEncode(value * SCALE - 1), below, `just below ${value}`);
    t.equal(alawEncode(value * SCALE), from, `at ${value}`);
    t.equal(alawEncode(-value * SCALE - 1), from ^ 0x80, `at -${value} (negative side mirrors)`);
  }
  t.equal(alawEncode(32767), 0xaa, 'overload: the largest positive code');
  t.equal(alawEncode(-32768), 0x2a, 'the largest negative code');
  t.equal(alawEncode(1e9), 0xaa, 'clipped above the range');
  t.equal(alawEncode(-1e9), 0x2a, 'clipped below');
});

t.test('round trips', async (t) => {
  for (let octet = 0; octet < 256; octet++) {
    if (alawEncode(alawDecode(octet)) !== octet) t.fail(`octet 0x${octet.toString(16)} does not survive decode + encode`);
  }
  t.pass('every octet survives decode + encode');
  let last = -Infinity;
  let worst = 0;
  for (let x = -32768; x <= 32767; x++) {
    const y = alawDecode(alawEncode(x));
    if (y < last) t.fail(`not monotonic at ${x}`);
    last = y;
    // Each code decodes to the middle of its interval: the error is at most half its width.
    const width = Math.abs(x) < 64 * SCALE ? 2 * SCALE : 2 ** (Math.floor(Math.log2(Math.abs(x) / SCALE)) - 4) * SCALE;
    worst = Math.max(worst, Math.abs(y - x) / width);
  }
  t.ok(worst <= 0.5 + 1 / 16, `error within half an interval (worst ${worst.toFixed(3)} of the interval)`);
  const samples = Int16Array.of(0, 100, -100, 20000, -32768);
  t.strictSame([...alawDecodeFrame(alawEncodeFrame(samples))], [...samples].map((s) => alawDecode(alawEncode(s))), 'frame helpers match the sample functions');
});

t.test('the digital milliwatt of G.711 Table 5 decodes to 0 dBm0', async (t) => {
  const dmw = Uint8Array.of(0x34, 0x21, 0x21, 0x34, 0xb4, 0xa1, 0xa1, 0xb4);
  const s = alawDecodeFrame(dmw);
  const rms = Math.sqrt(s.reduce((a, v) => a + v * v, 0) / s.length);
  t.ok(Math.abs(rmsToDbm0(rms)) < 0.01, `level ${rmsToDbm0(rms).toFixed(4)} dBm0`);
});
