import t from 'tap';
import { CONTROL_RULES, controls } from './circuit-control.js';
import { CircuitGroup, type CircuitGroupOptions } from './circuit-group.js';
import { CircuitMap } from './circuit-map.js';

const map = (timeslots = '1-6') => CircuitMap.fromEntries([{ firstCic: 1, span: 0, timeslots }]);
const group = (o: Partial<CircuitGroupOptions> = {}, ts?: string) =>
  new CircuitGroup(map(ts), { ownPointCode: 2000, peerPointCode: 1000, control: 'point-code', selection: 'controlled-first', now: 0, ...o });

t.test('control rules (Q.764 2.9.1.4), from this exchange side', async (t) => {
  const table = CONTROL_RULES.map((rule) => [rule, [1, 2].map((cic) => controls(rule, cic, 2000, 1000)), [1, 2].map((cic) => controls(rule, cic, 1000, 2000))]);
  t.same(table, [
    ['point-code', [false, true], [true, false]], // the higher point code controls the even CICs
    ['all', [true, true], [true, true]],
    ['none', [false, false], [false, false]],
    ['even', [false, true], [false, true]],
    ['odd', [true, false], [true, false]],
  ]);
  t.same(group().list().map((r) => r.controlledBy), ['peer', 'us', 'peer', 'us', 'peer', 'us']);
  t.throws(() => group({ peerPointCode: 2000 }), { name: 'TypeError', message: /own and peer point code are both 2000/ });
});

t.test('controlled-first: ours released longest ago, then theirs released most recently', async (t) => {
  const g = group();
  // Release times: CIC n released at 10 * n, except CIC 2 (never used, released at start).
  for (const cic of [1, 3, 4, 5, 6]) {
    g.reserveSpecific(cic, 0);
    g.release(cic, 10 * cic, 16);
  }
  const order: number[] = [];
  for (let c = g.reserve(100); c; c = g.reserve(100)) order.push(c.cic);
  t.same(order, [2, 4, 6, 5, 3, 1], 'even (ours) oldest first, then odd (theirs) newest first');
});

t.test('opposite-order: the higher point code hunts from the top unless told', async (t) => {
  const take = (g: CircuitGroup) => [g.reserve(0)?.cic, g.reserve(0)?.cic];
  t.same(take(group({ selection: 'opposite-order' })), [6, 5]);
  t.same(take(group({ selection: 'opposite-order', ownPointCode: 500 })), [1, 2]);
  t.same(take(group({ selection: 'opposite-order', huntDirection: 'low-to-high' })), [1, 2]);
});

t.test('only idle circuits blocked by neither end, and acceptable to the caller, are taken', async (t) => {
  const g = group({}, '1-4');
  g.block(2, 'maintenance', 'remote');
  g.block(4, 'hardware', 'local');
  g.seizeIncoming(1, 0);
  t.equal(g.reserve(0, (cic) => cic !== 3), null, 'CIC 3 refused by the caller, the rest busy or blocked');
  t.equal(g.reserve(0)?.cic, 3);
  t.match(g.counts(), { total: 4, offerable: 0, idle: 2, reserved: 1, incoming: 1, maintenanceBlocked: 1, hardwareBlocked: 1 });
  g.unblock(2, 'maintenance', 'remote');
  t.equal(g.reserve(0)?.cic, 2, 'free again once unblocked');
});

t.test('dual seizure: keep ours on a circuit we control, yield on theirs', async (t) => {
  const g = group();
  t.ok(g.reserveSpecific(2, 5));
  t.ok(g.reserveSpecific(3, 5));
  t.same(g.seizeIncoming(2, 6), { outcome: 'keep-ours' });
  t.equal(g.state(2)?.call, 'reserved', 'our call goes on');
  t.same(g.seizeIncoming(3, 6), { outcome: 'yield', maintenance: 'none', hardware: 'none' });
  t.equal(g.state(3)?.call, 'incoming', 'the circuit is theirs');
  t.match(g.counts(), { glaresWon: 1, glaresLost: 1 });
  g.confirmOutgoing(2, 7);
  t.same(g.seizeIncoming(2, 8), { outcome: 'busy', call: 'outgoing' }, 'after a backward message it is no dual seizure');
  g.block(5, 'maintenance', 'local');
  t.same(g.seizeIncoming(5, 9), { outcome: 'seized', maintenance: 'local', hardware: 'none' }, 'the caller hears of our block');
});

t.test('release keeps the cause and time; illegal moves throw', async (t) => {
  const g = group();
  g.seizeIncoming(1, 3);
  g.release(1, 40, 16);
  t.match(g.state(1), { call: 'idle', releasedAt: 40, since: 40, lastRelease: { cause: 16, at: 40 } });
  t.throws(() => g.release(1, 50, 16), { name: 'IllegalCircuitMove', message: /CIC 1: cannot go from idle to idle/ });
  t.throws(() => g.confirmOutgoing(1, 50), /cannot go from idle to outgoing/);
  t.throws(() => g.release(99, 50, 16), /CIC 99 is not in the exchange's circuit group/);
  t.equal(g.reserveSpecific(99, 0), false);
  const copy = g.state(1)!;
  copy.call = 'outgoing';
  t.equal(g.state(1)?.call, 'idle', 'rows handed out are copies');
});

t.test('blocks by side and kind', async (t) => {
  const g = group();
  t.ok(g.block(1, 'maintenance', 'local'));
  t.notOk(g.block(1, 'maintenance', 'local'), 'already on');
  t.ok(g.block(1, 'maintenance', 'remote'));
  t.equal(g.state(1)?.maintenance, 'both');
  t.equal(g.state(1)?.hardware, 'none', 'the other kind is apart');
  t.ok(g.unblock(1, 'maintenance', 'local'));
  t.equal(g.state(1)?.maintenance, 'remote');
  t.ok(g.isBlocked(1, 'maintenance', 'remote'));
  t.notOk(g.isBlocked(1, 'maintenance', 'local'));
});
