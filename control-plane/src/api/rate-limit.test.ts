import t from 'tap';
import { ManualClock } from '../../test-support/api-test-app.js';
import { RateLimiter } from './rate-limit.js';

t.test('a burst, then one per refill interval; each key on its own', async (t) => {
  const clock = new ManualClock(0);
  const limiter = new RateLimiter(clock, 2, 6);
  t.same([limiter.take('a'), limiter.take('a'), limiter.take('a')], [0, 0, 10_000]);
  t.equal(limiter.take('b'), 0);
  clock.time = 4_000;
  t.equal(limiter.take('a'), 6_000, 'the wait shrinks as the bucket refills');
  clock.time = 10_000;
  t.equal(limiter.take('a'), 0);
  t.equal(limiter.take('a'), 10_000);
  clock.time = 1_000_000;
  t.same([limiter.take('a'), limiter.take('a'), limiter.take('a')], [0, 0, 10_000], 'a full bucket holds no more than the burst');
});

t.test('addresses whose buckets are full again are forgotten once many are held', async (t) => {
  const clock = new ManualClock(0);
  const limiter = new RateLimiter(clock, 2, 6, 4);
  for (const key of ['a', 'b', 'c', 'd']) limiter.take(key);
  t.equal(limiter.size, 4);
  clock.time = 5_000;
  limiter.take('e');
  t.equal(limiter.size, 5, 'none forgotten: a, b, c, d have 1.5 tokens of 2');
  clock.time = 25_000;
  limiter.take('f');
  t.equal(limiter.size, 1, 'all full again, forgotten; f is new');
});
