import t from 'tap';
import { CircuitGroup, type CircuitGroupOptions } from './circuit-group.js';
import { CircuitMap } from './circuit-map.js';
import { IllegalTransitionError } from './circuit-state.js';

const link = [{ span: 0, timeslot: 16 }];
/** CIC 1-30 on span 0 around the ts16 link. */
const oneE1 = () => CircuitMap.fromConfig({ cics: [{ firstCic: 1, span: 0, timeslots: '1-15,17-31' }] }, link);
/** We (2000) are the higher point code: we control the even CICs. */
const HIGH = { ownPointCode: 2000, peerPointCode: 1000 };
const LOW = { ownPointCode: 1000, peerPointCode: 2000 };
const group = (opts: Partial<CircuitGroupOptions> = {}, map = oneE1()) => new CircuitGroup(map, { ...HIGH, now: 0, ...opts });

function reserveAll(g: CircuitGroup, now: number): number[] {
  const out: number[] = [];
  for (let c = g.reserve(now); c; c = g.reserve(now)) out.push(c.cic);
  return out;
}

t.test('controlled-first: our circuits longest released first (FIFO), then theirs latest released first (LIFO)', async (t) => {
  const g = group();
  t.equal(g.reserve(1)?.cic, 2, 'fresh group: all released at start-up, ties to the lowest CIC we control');
  g.release(2, 5, 16);
  const ours = reserveAll(g, 10).slice(0, 15);
  t.same(ours, [4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 2], 'CIC 2, released at 5, comes after the never-used ones');
  // Release our circuits in a scrambled order; they come back in that order.
  for (const [cic, at] of [[8, 100], [30, 110], [2, 120], [16, 130]] as const) g.release(cic, at, 16);
  // Their circuits (odd) were all taken by reserveAll; free three of them too.
  for (const [cic, at] of [[5, 140], [7, 150], [3, 160]] as const) g.release(cic, at, 16);
  const order = [1, 2, 3, 4, 5, 6, 7].map(() => g.reserve(200)?.cic);
  t.same(order, [8, 30, 2, 16, 3, 7, 5], 'ours FIFO by release time, then theirs LIFO');
  t.equal(g.reserve(200), null, 'nothing left');
});

t.test('controlled-first from the lower point code: odd CICs are ours', async (t) => {
  const g = group(LOW);
  t.same([1, 2, 3].map(() => g.reserve(1)?.cic), [1, 3, 5]);
  const all = group({ control: 'none' });
  t.same([1, 2].map(() => all.reserve(1)?.cic), [1, 2], 'control none: every circuit is theirs, ties to the lowest CIC');
  all.release(1, 10, 16);
  all.release(2, 5, 16);
  t.equal(all.reserve(20)?.cic, 1, 'theirs only: the most recently released');
});

t.test('a circuit goes back to its place in the release order: release, cancel, unblock', async (t) => {
  const g = group();
  reserveAll(g, 1);
  for (const [cic, at] of [[4, 100], [2, 200], [6, 300]] as const) g.release(cic, at, 16);
  t.equal(g.reserveSpecific(2, 400).ok, true);
  g.release(2, 500, 16);
  t.equal(g.reserveSpecific(4, 510).ok, true);
  g.cancelReservation(4, 520);
  t.equal(g.state(4)?.releasedAt, 100, 'a cancelled reservation keeps its release time');
  g.block(6, 'maintenance', 'remote');
  g.unblock(6, 'maintenance', 'remote');
  t.same([1, 2, 3].map(() => g.reserve(600)?.cic), [4, 6, 2], 'order 4 (100), 6 (300), 2 (500)');

  // LIFO side: circuits the far end controls.
  for (const [cic, at] of [[1, 700], [3, 800], [5, 900]] as const) g.release(cic, at, 16);
  g.block(5, 'hardware', 'remote');
  t.equal(g.reserve(950)?.cic, 3, 'blocked 5 is skipped; 3 is the newest after it');
  g.unblock(5, 'hardware', 'remote');
  t.equal(g.reserve(960)?.cic, 5, 'back after unblocking, at its release time 900');
  t.equal(g.reserve(970)?.cic, 1);
});

t.test('opposite order in both directions, derived or configured', async (t) => {
  const down = group({ selection: 'opposite-order' });
  t.equal(down.huntDirection, 'high-to-low', 'the higher point code hunts downwards');
  t.same([1, 2, 3].map(() => down.reserve(1)?.cic), [30, 29, 28]);
  down.release(30, 2, 16);
  t.equal(down.reserve(3)?.cic, 30, 'release time does not matter, only the CIC');

  const up = group({ ...LOW, selection: 'opposite-order' });
  t.equal(up.huntDirection, 'low-to-high');
  t.same([1, 2, 3].map(() => up.reserve(1)?.cic), [1, 2, 3]);

  const configured = group({ selection: 'opposite-order', huntDirection: 'low-to-high' });
  t.equal(configured.reserve(1)?.cic, 1, 'configured direction beats the derived one');
  t.equal(group().huntDirection, null);
  t.throws(() => group({ selection: 'random' as never }), { name: 'TypeError', message: /unknown circuit selection "random"/ });
});

t.test('busy and blocked circuits are never selected, with either method', async (t) => {
  for (const selection of ['controlled-first', 'opposite-order'] as const) {
    const g = group({ selection });
    g.block(2, 'maintenance', 'local');
    g.block(30, 'maintenance', 'remote');
    g.block(4, 'hardware', 'local');
    g.block(1, 'hardware', 'remote');
    g.block(1, 'maintenance', 'local');
    g.unblock(1, 'maintenance', 'local');
    g.block(30, 'hardware', 'local');
    g.seizeIncoming(6, 1);
    g.seizeIncoming(29, 1);
    t.equal(g.reserveSpecific(8, 1).ok, true);
    const got = reserveAll(g, 2);
    t.equal(got.length, 30 - 7, selection);
    for (const cic of [1, 2, 4, 6, 8, 29, 30]) t.notOk(got.includes(cic), `${selection}: CIC ${cic} not offered`);
    t.same(g.reserveSpecific(2, 3), { ok: false, reason: 'blocked', call: 'idle', maintenance: 'local', hardware: 'none' });
    t.same(g.reserveSpecific(6, 3), { ok: false, reason: 'busy', call: 'incoming', maintenance: 'none', hardware: 'none' });
    t.same(g.counts(), {
      total: 30,
      offerable: 0,
      idle: 4,
      reserved: 24,
      outgoing: 0,
      incoming: 2,
      maintenanceBlocked: 2,
      hardwareBlocked: 3,
      blocked: 4,
      glaresWon: 0,
      glaresLost: 0,
    });
  }
});

t.test('reservation is atomic: two reserves never return the same circuit', async (t) => {
  const g = group();
  const a = g.reserve(1);
  const b = g.reserve(1);
  t.ok(a && b);
  t.not(a?.cic, b?.cic);
  t.equal(g.state(a!.cic)?.call, 'reserved', 'marked before the caller can send its IAM');
  const rest = reserveAll(g, 1);
  t.equal(new Set([a!.cic, b!.cic, ...rest]).size, 30, 'all 30 handed out once each');
  t.equal(g.reserve(2), null, 'no circuit left');
  t.same(g.reserveSpecific(a!.cic, 2), { ok: false, reason: 'busy', call: 'reserved', maintenance: 'none', hardware: 'none' });
  t.equal(g.counts().offerable, 0);
});

t.test('dual seizure: the controlling end keeps its call, the other yields and repeats elsewhere', async (t) => {
  const g = group(); // we control even CICs
  t.equal(g.reserveSpecific(2, 1).ok, true);
  t.same(g.seizeIncoming(2, 2), { outcome: 'keep-ours', dualSeizure: true, controlling: true });
  t.equal(g.state(2)?.call, 'reserved', 'our call goes on');

  t.equal(g.reserveSpecific(3, 1).ok, true);
  t.same(g.seizeIncoming(3, 2), { outcome: 'yield', dualSeizure: true, controlling: false, maintenance: 'none', hardware: 'none' });
  t.equal(g.state(3)?.call, 'incoming', 'their call takes the circuit');
  const retry = g.reserve(3);
  t.ok(retry && retry.cic !== 3 && retry.cic !== 2, 'the repeat attempt gets another circuit');
  t.match(g.counts(), { glaresWon: 1, glaresLost: 1 });

  t.equal(g.reserveSpecific(5, 1).ok, true);
  g.confirmOutgoing(5, 2);
  t.same(g.seizeIncoming(5, 3), { outcome: 'busy', dualSeizure: false, call: 'outgoing' }, 'after a backward message it is no dual seizure');
  t.same(g.seizeIncoming(3, 3), { outcome: 'busy', dualSeizure: false, call: 'incoming' });
  g.block(7, 'maintenance', 'remote');
  t.same(g.seizeIncoming(7, 3), { outcome: 'seized', dualSeizure: false, maintenance: 'remote', hardware: 'none' }, 'blocks are reported for the caller to judge');
  t.match(g.counts(), { glaresWon: 1, glaresLost: 1 });
});

t.test('both ends of a glare agree: exactly one keeps its call, on even and odd CICs', async (t) => {
  for (const control of ['point-code', 'even'] as const) {
    const a = group({ ...HIGH, control });
    const b = group({ ...LOW, control: control === 'even' ? 'odd' : control });
    for (const cic of [10, 11]) {
      a.reserveSpecific(cic, 1);
      b.reserveSpecific(cic, 1);
      const ra = a.seizeIncoming(cic, 2); // b's IAM reaches a
      const rb = b.seizeIncoming(cic, 2);
      t.equal([ra.outcome, rb.outcome].sort().join(' '), 'keep-ours yield', `${control}, CIC ${cic}`);
      t.equal(ra.outcome === 'keep-ours' ? a.state(cic)?.call : b.state(cic)?.call, 'reserved');
    }
  }
});

t.test('span alarm: hardware block and unblock of every circuit on the span', async (t) => {
  const map = CircuitMap.fromConfig(
    {
      cics: [
        { firstCic: 1, span: 0, timeslots: '1-15,17-31' },
        { firstCic: 31, span: 1, timeslots: '1-31' },
      ],
    },
    link,
  );
  const g = group({}, map);
  g.seizeIncoming(4, 1);
  g.block(6, 'hardware', 'remote');
  const blocked = g.blockSpan(0);
  t.equal(blocked.length, 30);
  t.same(g.blockSpan(0), [], 'a repeated alarm changes nothing');
  t.equal(g.state(6)?.hardware, 'both');
  t.equal(g.state(4)?.call, 'incoming', 'the call on the span is the caller’s to clear');
  const got = reserveAll(g, 2);
  t.equal(got.length, 31);
  t.ok(got.every((cic) => g.state(cic)?.span === 1), 'only span 1 is offered');
  for (const cic of got) g.release(cic, 3, 16);
  g.release(4, 3, 16);
  t.equal(g.counts().offerable, 31, 'released on a blocked span: still not offerable');
  t.equal(g.unblockSpan(0).length, 30);
  t.equal(g.state(6)?.hardware, 'remote', 'the far end’s block stays');
  t.equal(g.counts().offerable, 31 + 29);
  t.equal(g.counts().hardwareBlocked, 1);
  t.same(g.blockSpan(7), [], 'a span without circuits of this group');
});

t.test('contiguous runs for GRS: split at gaps and at 32', async (t) => {
  const map = CircuitMap.fromConfig({
    cics: [
      { firstCic: 1, span: 0, timeslots: '1-15,17-31' },
      { firstCic: 40, span: 1, timeslots: '1-31' },
      { firstCic: 71, span: 2, timeslots: '1-31' },
      { cic: 200, span: 3, timeslot: 1 },
    ],
  });
  const g = group({}, map);
  t.same(g.contiguousRuns(), [
    { firstCic: 1, count: 30 },
    { firstCic: 40, count: 32 },
    { firstCic: 72, count: 30 },
    { firstCic: 200, count: 1 },
  ]);
  t.same(g.contiguousRuns(25), [
    { firstCic: 1, count: 25 },
    { firstCic: 26, count: 5 },
    { firstCic: 40, count: 25 },
    { firstCic: 65, count: 25 },
    { firstCic: 90, count: 12 },
    { firstCic: 200, count: 1 },
  ]);
  t.throws(() => g.contiguousRuns(0), RangeError);
});

t.test('list and state for the CLI', async (t) => {
  const g = group({ now: 1000 });
  g.reserveSpecific(2, 1100);
  g.release(2, 1200, 17);
  g.block(3, 'maintenance', 'local');
  const rows = g.list();
  t.equal(rows.length, 30);
  t.same(
    rows.map((r) => r.cic),
    Array.from({ length: 30 }, (_, i) => i + 1),
  );
  t.same(rows[1], { cic: 2, span: 0, timeslot: 2, call: 'idle', maintenance: 'none', hardware: 'none', controlledBy: 'us', releasedAt: 1200, since: 1200, lastRelease: { cause: 17, at: 1200 } });
  t.same(rows[2], { cic: 3, span: 0, timeslot: 3, call: 'idle', maintenance: 'local', hardware: 'none', controlledBy: 'peer', releasedAt: 1000, since: 1000, lastRelease: null });
  t.equal(g.state(16)?.timeslot, 17);
  t.equal(g.state(99), undefined);
  t.ok(g.has(30));
  t.notOk(g.has(31));
});

t.test('illegal moves and unknown CICs throw', async (t) => {
  const g = group();
  t.throws(() => g.release(5, 1, 16), new IllegalTransitionError(5, 'idle', 'release'));
  t.throws(() => g.confirmOutgoing(5, 1), IllegalTransitionError);
  t.throws(() => g.cancelReservation(5, 1), IllegalTransitionError);
  t.throws(() => g.release(31, 1, 16), { name: 'RangeError', message: 'CIC 31 is not in this circuit group' });
  t.throws(() => g.seizeIncoming(0, 1), RangeError);
  t.throws(() => g.block(99, 'hardware', 'local'), RangeError);
  t.equal(g.counts().offerable, 30, 'nothing changed');
});
