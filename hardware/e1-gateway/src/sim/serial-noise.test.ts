import t from 'tap';
import { SerialNoise, seededRandom } from './serial-noise.js';

t.test('ratio 0 passes bytes unchanged and never touches the input', async (t) => {
  const noise = new SerialNoise(seededRandom(1));
  const input = Buffer.from([1, 2, 3]);
  const out = noise.pass(input, 'tx');
  t.same([...out], [1, 2, 3]);
  t.not(out, input);
  t.equal(noise.corruptedBytes, 0);
});

t.test('ratio 1 corrupts every byte, each to a different value', async (t) => {
  const noise = new SerialNoise(seededRandom(2), 1);
  const input = Buffer.alloc(1000, 0x55);
  const out = noise.pass(input, 'rx');
  t.ok(out.every((b) => b !== 0x55));
  t.ok(input.every((b) => b === 0x55), 'the input is left alone');
  t.same(noise.corrupted, { tx: 0, rx: 1000 });
});

t.test('ratio 0.01 corrupts about one byte in a hundred', async (t) => {
  const noise = new SerialNoise(seededRandom(3), 0.01);
  const input = Buffer.alloc(100_000);
  const out = noise.pass(input, 'tx');
  const changed = out.filter((b) => b !== 0).length;
  t.equal(changed, noise.corrupted.tx);
  t.ok(changed > 850 && changed < 1150, `${changed} corrupted`);
});

t.test('a ratio outside 0..1 is refused', async (t) => {
  const noise = new SerialNoise(Math.random);
  t.throws(() => (noise.ratio = 1.5), RangeError);
  t.throws(() => (noise.ratio = Number.NaN), RangeError);
  t.equal(noise.ratio, 0);
});
