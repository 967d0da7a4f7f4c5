import { FakeClock } from '@countyline/e1-gateway';
import t from 'tap';
import { LoginLimiter } from './login-limiter.js';

t.test('an address is refused for a minute after `limit` failures within a minute', async (t) => {
  const clock = new FakeClock(0);
  const limiter = new LoginLimiter(3, clock);
  t.equal(limiter.failed('192.0.2.1'), false);
  t.equal(limiter.failed('192.0.2.1'), false);
  t.equal(limiter.failed('192.0.2.1'), true, 'the third failure starts the block');
  t.ok(limiter.isBlocked('192.0.2.1'));
  t.notOk(limiter.isBlocked('192.0.2.2'), 'another address is not');
  clock.advance(60_000);
  t.notOk(limiter.isBlocked('192.0.2.1'), 'a minute later it may try again');
});

t.test('memory stays bounded when an attacker spreads failures over many addresses', async (t) => {
  const clock = new FakeClock(0);
  const limiter = new LoginLimiter(2, clock);
  for (let i = 0; i < 50_000; i++) {
    const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    limiter.failed(address);
    limiter.failed(address); // blocked
    if (i % 1000 === 0) clock.advance(10);
  }
  const { failing, blocked } = limiter.tracked;
  t.ok(failing <= 10_000 && blocked <= 10_000, `tables hold ${failing} and ${blocked} addresses`);
  clock.advance(61_000);
  limiter.failed('192.0.2.9');
  clock.advance(1000);
  limiter.failed('192.0.2.10');
  t.equal(limiter.tracked.blocked, 0, 'run-out blocks are dropped');
});
