import { FakeClock } from '@countyline/e1-gateway';
import t from 'tap';
import { PriChannels, parseBChannels } from './pri-channels.js';

const callOf = (c: PriChannels, ch: number) => c.group.state(ch)?.call;

t.test('parseBChannels reads lists and ranges, ascending', async (t) => {
  t.same(parseBChannels('1-15,17-31').length, 30);
  t.same(parseBChannels('20-22, 3,1'), [1, 3, 20, 21, 22]);
  t.throws(() => parseBChannels('1,,2'), /"" is neither a channel nor a range/);
});

t.test("our call's channel is outgoing once the network's first answer names it", async (t) => {
  const c = new PriChannels(new FakeClock(0), 0);
  const ch = c.reserveOutgoing([])!;
  t.equal(callOf(c, ch), 'reserved');
  t.ok(c.confirmOutgoing(ch, ch));
  t.equal(callOf(c, ch), 'outgoing', 'countyline circuits shows it outgoing, not reserved');
  c.release(ch);
  t.equal(callOf(c, ch), 'idle');
});

t.test('a fractional PRI: a SETUP for a channel the telco does not provide', async (t) => {
  const c = new PriChannels(new FakeClock(0), 0, { channels: parseBChannels('1-10') });
  t.same(c.takeIncoming(20, true), { cause: 82 }, 'exclusive: 82, identified channel does not exist');
  t.equal(c.takeIncoming(20, false), 1, 'preferred: another channel');
  t.equal(callOf(c, 1), 'incoming');
});

t.test('a test call takes an idle channel, even one the box blocked; not a busy or far-blocked one', async (t) => {
  const c = new PriChannels(new FakeClock(0), 0);
  t.same(c.reserveForTest(5), { ok: true });
  t.equal(callOf(c, 5), 'reserved');
  t.same(c.takeIncoming(5, true), 5, "the network's SETUP on it still wins (the network side chooses)");
  c.release(5);
  t.equal(callOf(c, 5), 'incoming', 'held by the network call until it ends');
  c.release(5);
  t.equal(callOf(c, 5), 'idle');
  c.group.block(6, 'maintenance', 'local');
  t.same(c.reserveForTest(6), { ok: true }, 'blocked by the box: the test may bring it back');
  c.release(6);
  c.group.block(7, 'hardware', 'local');
  t.same(c.reserveForTest(7), { ok: false, reason: 'blocked' });
  t.equal(c.takeIncoming(8, true), 8);
  t.same(c.reserveForTest(8), { ok: false, reason: 'busy' });
  t.same(c.reserveForTest(16), { ok: false, reason: 'blocked' }, 'no such channel');
});
