import t from 'tap';
import { Backoff } from './backoff.js';

t.test('the ceiling doubles from 1 s up to the 60 s cap', async (t) => {
  const b = new Backoff({ random: () => 0.999999 });
  const waits = Array.from({ length: 9 }, () => b.next());
  t.same(waits, [999, 1999, 3999, 7999, 15999, 31999, 59999, 59999, 59999]);
});

t.test('full jitter: the wait is the random fraction of the ceiling, down to 0', async (t) => {
  const draws = [0, 0.5, 0.25];
  const b = new Backoff({ random: () => draws.shift()! });
  t.same([b.next(), b.next(), b.next()], [0, 1000, 1000]);
});

t.test('reset starts again from the base', async (t) => {
  const b = new Backoff({ random: () => 0.5 });
  b.next();
  b.next();
  b.next();
  b.reset();
  t.equal(b.next(), 500);
});
