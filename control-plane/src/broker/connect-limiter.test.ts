import t from 'tap';
import { ConnectLimiter } from './connect-limiter.js';

t.test('an address gets its burst at once, then perSecond more each second', async (t) => {
  const limiter = new ConnectLimiter({ perSecond: 2, burst: 3 });
  const at0 = [1, 2, 3, 4].map(() => limiter.take('10.0.0.1', 0));
  t.same(at0, [true, true, true, false], 'the fourth attempt in the same instant is refused');
  t.equal(limiter.take('10.0.0.1', 400), false, '0.4 s later: 0.8 of a token, not enough');
  t.equal(limiter.take('10.0.0.1', 500), true, '0.5 s later: one token back');
  t.equal(limiter.take('10.0.0.2', 500), true, 'another address has its own bucket');
  t.equal(limiter.take('10.0.0.1', 100_000), true, 'a long pause refills');
  t.same([1, 2, 3].map(() => limiter.take('10.0.0.1', 100_000)), [true, true, false], 'but never beyond the burst');
});

t.test('the tracked addresses are bounded, the least recent forgotten first', async (t) => {
  const limiter = new ConnectLimiter({ perSecond: 1, burst: 1, maxAddresses: 2 });
  limiter.take('a', 0);
  limiter.take('b', 0);
  limiter.take('c', 0);
  t.equal(limiter.size(), 2);
  t.equal(limiter.take('a', 0), true, "'a' was forgotten, so it starts with a full bucket");
  t.equal(limiter.take('c', 0), false, "'c' is still remembered with its bucket empty");
});
