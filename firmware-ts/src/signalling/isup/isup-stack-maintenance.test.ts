import t from 'tap';
import { buildGrs, buildIam } from './isup-builders.js';
import { CAUSE } from './isup-cause.js';
import { isupRig as rig, TIMERS, type InProcessRig as Rig } from '../../../test-support/in-process-rig.js';

// Circuit maintenance (Q.764 2.8, 2.9.3) between the box and the simulator's exchange:
// blocking both ways, group blocking for maintenance and for hardware failure, resets.

const ALL_30 = Array.from({ length: 30 }, () => true);

/** Places a call and runs until it is answered; gives the call's outcome promise. */
async function answeredCall(r: Rig, holdMs: number) {
  const placed = r.stack.calls.placeCall('95598', '', holdMs);
  const answered = await r.until(() => r.stack.calls.active().some((c) => c.phase === 'answered'));
  if (!answered) throw new Error('the call was not answered');
  return { placed, cic: r.stack.calls.active()[0]!.cic };
}

t.test('BLO and UBL from the exchange: BLA and UBA, and our calls keep off the circuit meanwhile', async (t) => {
  const r = rig(t);
  await r.up();
  r.exchange.blockCircuit(1, true);
  await r.run(50);
  t.equal(r.tap.trace('box').at(-1), 'BLA 1');
  t.match(r.circuit(1), { maintenance: 'remote', block: 'remote', call: 'idle' });
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed', call: { cic: 3 } }, 'the call takes the next circuit we control');
  r.exchange.blockCircuit(1, false);
  await r.run(50);
  t.equal(r.tap.trace('box').at(-1), 'UBA 1');
  t.match(r.circuit(1), { maintenance: 'none', block: 'none' });
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed', call: { cic: 1 } }, 'CIC 1 in use again');
  t.equal(r.exchange.summary().pending.length, 0, 'nothing left unacknowledged at the exchange');
});

t.test('our BLO and UBL: acknowledged, the exchange keeps off; unanswered, repeated on T12 with an alert at T13, then every T13', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  r.stack.maintenance.block(5);
  await r.run(TIMERS.repeatMs * 3);
  t.same(r.tap.trace('box', mark), ['BLO 5'], 'BLA came, no repeat');
  t.same(r.tap.trace('exchange', mark), ['BLA 5']);
  t.match(r.circuit(5), { maintenance: 'local', block: 'local' });
  t.equal(r.farCircuit(5).maintenance, 'remote', 'the exchange has it blocked by us');
  r.stack.maintenance.unblock(5);
  await r.run(TIMERS.repeatMs * 2);
  t.same(r.tap.trace('box', mark), ['BLO 5', 'UBL 5']);
  t.match(r.circuit(5), { maintenance: 'none', block: 'none' });
  t.equal(r.farCircuit(5).maintenance, 'none');

  r.tap.deaf = true;
  const deafMark = r.tap.mark();
  r.stack.maintenance.block(7);
  await r.run(TIMERS.alertMs + 50);
  t.equal(r.tap.of('box', 'BLO', deafMark).length, 1 + TIMERS.alertMs / TIMERS.repeatMs, 'BLO repeated every T12');
  t.match(r.alerts, [{ cic: 7, what: 'blocking of CIC 7 not acknowledged' }], 'one alert at T13');
  await r.run(TIMERS.alertMs);
  t.equal(r.tap.of('box', 'BLO', deafMark).length, 2 + TIMERS.alertMs / TIMERS.repeatMs, 'still repeating after the alert, every T13');
  t.equal(r.alerts.length, 1, 'the alert is not repeated');
  r.tap.deaf = false;
  await r.run(TIMERS.alertMs + 50);
  const count = r.tap.of('box', 'BLO', deafMark).length;
  await r.run(TIMERS.repeatMs * 3);
  t.equal(r.tap.of('box', 'BLO', deafMark).length, count, 'BLA stops the repeats');
  t.equal(r.farCircuit(7).maintenance, 'remote');
});

t.test('maintenance CGB and CGU from the exchange: CGBA and CGUA with its status; a call up on them goes on', async (t) => {
  const r = rig(t);
  await r.up();
  const { placed } = await answeredCall(r, 3000);
  const mark = r.tap.mark();
  r.exchange.groupBlock(1, 4, true);
  await r.run(50);
  const [cgba] = r.tap.of('box', 'CGBA', mark);
  t.match(cgba, { cic: 1, supervisionType: 'maintenance', rangeAndStatus: { range: 3, status: [true, true, true, true] } });
  t.same(
    [1, 2, 3, 4, 5].map((cic) => r.circuit(cic).maintenance),
    ['remote', 'remote', 'remote', 'remote', 'none'],
  );
  t.match(r.circuit(1), { call: 'outgoing', callPhase: 'answered' }, 'maintenance blocking leaves the call alone');
  const outcome = await r.settle(placed);
  t.match(outcome, { result: 'completed', cause: CAUSE.normalClearing, call: { cic: 1 } });
  t.ok(outcome.endedAt - outcome.call.answeredAt! >= 3000, 'held to the end');
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { call: { cic: 5 } }, 'a new call keeps off the blocked circuits');
  r.exchange.groupBlock(1, 4, false);
  await r.run(50);
  t.match(r.tap.of('box', 'CGUA').at(-1), { cic: 1, supervisionType: 'maintenance', rangeAndStatus: { range: 3, status: [true, true, true, true] } });
  t.ok([1, 2, 3, 4].every((cic) => r.circuit(cic).block === 'none'));
  t.equal(r.exchange.summary().pending.length, 0);
});

t.test('hardware-failure CGB from the exchange: the calls on those circuits end at once, without REL', async (t) => {
  const r = rig(t);
  await r.up();
  const { placed, cic } = await answeredCall(r, 600_000);
  t.equal(cic, 1);
  const mark = r.tap.mark();
  r.tap.injectMessage({ type: 'CGB', cic: 1, supervisionType: 'hardware-failure', rangeAndStatus: { range: 1, status: [true, true] } });
  const outcome = await r.settle(placed, 1000);
  t.match(outcome, { result: 'completed', cause: CAUSE.temporaryFailure, call: { cic: 1 } });
  t.same(r.tap.trace('box', mark), ['CGBA 1'], 'no REL');
  t.match(r.tap.of('box', 'CGBA', mark)[0], { supervisionType: 'hardware-failure', rangeAndStatus: { range: 1, status: [true, true] } });
  t.match(r.circuit(1), { call: 'idle', hardware: 'remote', maintenance: 'none', block: 'remote', callPhase: null });
  t.match(r.circuit(2), { hardware: 'remote' });
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { call: { cic: 3 } });
  r.tap.injectMessage({ type: 'CGU', cic: 1, supervisionType: 'hardware-failure', rangeAndStatus: { range: 1, status: [true, true] } });
  await r.run(50);
  t.match(r.tap.of('box', 'CGUA').at(-1), { cic: 1, supervisionType: 'hardware-failure', rangeAndStatus: { range: 1, status: [true, true] } });
  t.match(r.circuit(1), { hardware: 'none', block: 'none' });
});

t.test('span failure: its circuits are hardware blocked, calls cleared, the exchange told with CGB; back: CGU', async (t) => {
  const r = rig(t);
  await r.up();
  const { placed } = await answeredCall(r, 600_000);
  const mark = r.tap.mark();
  r.stack.spanFailed(0, true);
  const outcome = await r.settle(placed, 1000);
  t.match(outcome, { result: 'completed', cause: CAUSE.temporaryFailure, call: { cic: 1 } }, 'the call is over');
  await r.run(TIMERS.repeatMs * 3);
  t.same(r.tap.trace('box', mark), ['CGB 1'], 'one hardware CGB for CIC 1-30, acknowledged, not repeated; no REL');
  t.match(r.tap.of('box', 'CGB', mark)[0], { supervisionType: 'hardware-failure', rangeAndStatus: { range: 29, status: ALL_30 } });
  t.same(r.tap.trace('exchange', mark), ['CGBA 1']);
  t.ok(r.stack.circuits().every((c) => c.hardware === 'local' && c.block === 'local' && c.call === 'idle'));
  t.ok(r.exchange.snapshot().circuits.every((c) => c.hardware === 'remote' && c.exchangeCall === null), 'the exchange blocked them and cleared its side of the call');
  t.match(await r.stack.calls.placeCall('95598'), { result: 'failed', reason: 'no circuit free', cause: CAUSE.noCircuitAvailable });
  r.stack.spanFailed(0, true);
  await r.run(100);
  t.same(r.tap.trace('box', mark), ['CGB 1'], 'a repeated span alarm changes nothing');

  r.stack.spanFailed(0, false);
  await r.run(100);
  t.match(r.tap.of('box', 'CGU', mark)[0], { cic: 1, supervisionType: 'hardware-failure', rangeAndStatus: { range: 29, status: ALL_30 } });
  t.equal(r.tap.trace('exchange').at(-1), 'CGUA 1');
  t.ok(r.stack.circuits().every((c) => c.block === 'none'));
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed' });
});

t.test('a span carrying a single circuit fails: the hardware block still reaches the exchange', async (t) => {
  // Q.763 3.43: CGB and CGU cover 2 to 32 circuits (range 0 is reserved).
  const cics = [
    { firstCic: 1, span: 0, timeslots: '1-15,17-31' },
    { cic: 31, span: 1, timeslot: 1 },
  ];
  const r = rig(t, { isup: { cics }, exchange: { cics } });
  await r.up();
  const mark = r.tap.mark();
  r.stack.spanFailed(1, true);
  await r.run(TIMERS.repeatMs * 2);
  t.match(r.circuit(31), { hardware: 'local', block: 'local' });
  t.equal(r.farCircuit(31).hardware, 'remote', 'the exchange has CIC 31 hardware blocked');
  t.equal(r.farCircuit(30).hardware, 'none', 'and no other circuit');
  t.equal(r.tap.of('box', 'CGB', mark).length, 1, 'acknowledged the first time');
  r.stack.spanFailed(1, false);
  await r.run(TIMERS.repeatMs * 2);
  t.equal(r.farCircuit(31).hardware, 'none', 'unblocked again');
  t.equal(r.tap.of('box', 'CGU', mark).length, 1);
  t.equal(r.exchange.summary().counters.badRange, 0);
  t.same(r.alerts, []);
});

t.test('RSC from the exchange on an answered call: the call ends without REL, RLC', async (t) => {
  const r = rig(t);
  await r.up();
  const { placed } = await answeredCall(r, 600_000);
  const mark = r.tap.mark();
  r.exchange.resetCircuit(1);
  const outcome = await r.settle(placed, 1000);
  t.match(outcome, { result: 'completed', call: { cic: 1 } });
  t.same(r.tap.trace('box', mark), ['RLC 1']);
  t.match(r.circuit(1), { call: 'idle', block: 'none', callPhase: null });
});

t.test('RSC on a circuit we blocked: RLC, then our BLO again', async (t) => {
  // Q.764 2.9.3.1: a circuit locally blocked when the RSC comes gets a BLO after the RLC
  // (the simulator's exchange does the same for its own blocks).
  const r = rig(t);
  await r.up();
  r.stack.maintenance.block(5);
  await r.run(100);
  const mark = r.tap.mark();
  r.exchange.resetCircuit(5);
  await r.run(100);
  t.same(r.tap.trace('box', mark), ['RLC 5', 'BLO 5']);
  t.match(r.circuit(5), { maintenance: 'local' });
  t.equal(r.farCircuit(5).maintenance, 'remote');
});

t.test('GRS from the exchange mid-call: every call cleared, the GRA reports our own blocks', async (t) => {
  const r = rig(t);
  await r.up();
  r.stack.maintenance.block(9);
  await r.run(100);
  const { placed } = await answeredCall(r, 600_000);
  const mark = r.tap.mark();
  r.exchange.resetAll();
  const outcome = await r.settle(placed, 1000);
  t.match(outcome, { result: 'completed', call: { cic: 1 } });
  t.same(r.tap.trace('box', mark), ['GRA 1'], 'no REL, no RLC: a reset clears calls silently');
  const gra = r.tap.of('box', 'GRA', mark)[0]!;
  t.equal(gra.rangeAndStatus.range, 29);
  t.same(
    gra.rangeAndStatus.status.flatMap((blocked, i) => (blocked ? [i + 1] : [])),
    [9],
    'status bit set for CIC 9, which we blocked',
  );
  t.match(r.circuit(9), { maintenance: 'local' });
  t.equal(r.farCircuit(9).maintenance, 'remote', 'the exchange keeps our block');
  t.ok(r.stack.circuits().every((c) => c.call === 'idle'));
});

t.test('an IAM on a circuit we blocked is refused, and our block said again', async (t) => {
  // The exchange's IAM crossed our BLO (or it lost our block): Q.764 2.8.2.1 accepts only
  // test calls on a circuit blocked by the receiving end; Asterisk answers such an IAM with REL.
  const r = rig(t);
  await r.up();
  r.stack.maintenance.block(2);
  await r.run(100);
  const mark = r.tap.mark();
  r.tap.injectMessage(buildIam(2, '12345', '13900000000'));
  await r.run(500);
  t.same(r.incoming, [], 'no call offered on a blocked circuit');
  const fromBox = r.tap.trace('box', mark);
  t.notOk(fromBox.includes('ACM 2') || fromBox.includes('ANM 2'), 'not answered');
  t.ok(fromBox.includes('REL 2'), 'released');
  t.ok(fromBox.includes('BLO 2'), 'the block said again');
});

t.test('after T5 the circuit stays out of service until the exchange answers its RSC', async (t) => {
  // Q.764 Table A.1, T5: send RSC, alert, remove the circuit from service, stop T1, start T17.
  const r = rig(t, { isup: { selection: 'opposite-order', huntDirection: 'high-to-low' } });
  await r.up();
  r.tap.deaf = true;
  const first = await r.settle(r.stack.calls.placeCall('95598'), 20_000);
  t.match(first, { result: 'failed', call: { cic: 30 } });
  t.match(r.alerts, [{ cic: 30, what: /T5/ }]);
  t.equal(r.tap.trace('box').at(-1), 'RSC 30', 'RSC sent, not answered yet');
  const mark = r.tap.mark();
  void r.stack.calls.placeCall('95598');
  await r.run(50);
  const [next] = r.tap.of('box', 'IAM', mark);
  t.ok(next, 'the next call goes out');
  t.not(next?.cic, 30, 'but not on the circuit whose reset is unanswered');
});

t.test('a lone CIC in the group is reset with RSC at start-up (a GRS needs 2 to 32 circuits)', async (t) => {
  const cics = [
    { firstCic: 1, span: 0, timeslots: '1-15' },
    { cic: 20, span: 0, timeslot: 17 },
  ];
  const r = rig(t, { isup: { cics }, exchange: { cics } });
  await r.up().catch((err: Error) => t.fail(err.message));
  t.same(r.tap.of('box', 'GRS').map((m) => [m.cic, m.rangeAndStatus.range]), [[1, 14]], 'one GRS for CIC 1-15');
  t.ok(r.tap.trace('box').includes('RSC 20'), 'an RSC for CIC 20');
  t.ok(r.stack.maintenance.ready, 'ready once both are answered');
  t.equal(r.exchange.summary().counters.badRange, 0, 'nothing the exchange had to drop');
});

t.test('a GRS from the exchange whose range starts on a CIC we lack still resets ours and gets its GRA', async (t) => {
  // The exchange's group includes CIC 0 (on another span); its GRS covers CIC 0-30.
  const r = rig(t, { exchange: { cics: [{ cic: 0, span: 1, timeslot: 1 }, { firstCic: 1, span: 0, timeslots: '1-15,17-31' }] } });
  await r.up().catch((err: Error) => t.fail(err.message));
  t.match(r.tap.of('exchange', 'GRS')[0], { cic: 0, rangeAndStatus: { range: 30 } });
  const gra = r.tap.of('box', 'GRA')[0];
  t.match(gra, { cic: 0, rangeAndStatus: { range: 30 } }, 'answered with a GRA for the same range');
  t.equal(r.exchange.summary().readyCircuits, 31, 'the exchange may call on our circuits');
});

t.test('after T5 the block is the box’s alone: a GRS from the exchange crossing our RSC leaves no block at either end', async (t) => {
  // Q.764 Table A.1, T5: the circuit is removed from service at the box and reset (RSC); the
  // exchange is never told of a block, so none may reach it: not in the status of a GRA, and
  // not left behind when the reset is answered.
  const r = rig(t, { isup: { selection: 'opposite-order', huntDirection: 'high-to-low' } });
  await r.up();
  r.tap.deaf = true;
  t.match(await r.settle(r.stack.calls.placeCall('95598'), 20_000), { result: 'failed', call: { cic: 30 } });
  t.match(r.circuit(30), { maintenance: 'local' }, 'out of service at the box after T5');
  r.tap.deaf = false;
  // The exchange resets its group just as our next RSC leaves: the two cross on the link.
  let crossed = false;
  r.stack.transport.on('sent', (m) => {
    if (m.type === 'RSC' && m.cic === 30 && !crossed) {
      crossed = true;
      r.exchange.resetAll();
    }
  });
  t.ok(await r.until(() => crossed, 20_000), 'the RSC repeated and the GRS crossed it');
  await r.run(TIMERS.alertMs * 2);
  const gra = r.tap.of('box', 'GRA').at(-1)!;
  t.equal(gra.rangeAndStatus.status[29], false, 'the GRA does not report CIC 30 as blocked by us');
  t.match(r.circuit(30), { call: 'idle', maintenance: 'none', block: 'none' }, 'back in service at the box');
  t.equal(r.farCircuit(30).maintenance, 'none', 'and unblocked at the exchange');
  t.same(r.tap.of('box', 'BLO'), [], 'no BLO ever left for it');
});

t.test('after T5, a link flap before the RSC is answered: no block leaks to the exchange', async (t) => {
  const r = rig(t, { isup: { selection: 'opposite-order', huntDirection: 'high-to-low' } });
  await r.up();
  r.tap.deaf = true;
  t.match(await r.settle(r.stack.calls.placeCall('95598'), 20_000), { result: 'failed', call: { cic: 30 } });
  await r.settle(r.card.command({ type: 'linkControl', link: 0, action: 'stop' }));
  t.ok(await r.until(() => !r.stack.transport.isUp));
  r.tap.deaf = false;
  await r.run(1000);
  await r.settle(r.card.command({ type: 'linkControl', link: 0, action: 'start' }));
  t.ok(await r.until(() => r.stack.transport.isUp && r.stack.maintenance.ready && r.exchange.summary().readyCircuits === 30, 20_000));
  await r.run(TIMERS.alertMs * 2);
  t.match(r.circuit(30), { call: 'idle', maintenance: 'none' }, 'back in service at the box');
  t.equal(r.farCircuit(30).maintenance, 'none', 'not blocked at the exchange');
  t.same(r.tap.of('box', 'BLO'), [], 'no BLO for a block the exchange never had');
});

t.test('GRS and RSC from the exchange lift its hardware blocks (Q.762: a reset removes the remote blocked state)', async (t) => {
  const r = rig(t);
  await r.up();
  r.tap.injectMessage({ type: 'CGB', cic: 1, supervisionType: 'hardware-failure', rangeAndStatus: { range: 3, status: [true, true, true, true] } });
  await r.run(50);
  t.same([1, 2, 3, 4].map((cic) => r.circuit(cic).hardware), ['remote', 'remote', 'remote', 'remote']);
  r.exchange.resetCircuit(1);
  await r.run(50);
  t.match(r.circuit(1), { hardware: 'none', block: 'none' }, 'RSC lifted it on CIC 1');
  t.equal(r.circuit(2).hardware, 'remote', 'not on the others');
  r.exchange.resetAll();
  await r.run(50);
  t.ok(r.stack.circuits().every((c) => c.hardware === 'none' && c.block === 'none'), 'GRS lifted it on all');
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed', call: { cic: 1 } });
});

t.test('a GRS with range 0 or above 31 is discarded: no GRA, no call cleared (Q.763 3.43)', async (t) => {
  const r = rig(t);
  await r.up();
  const { cic } = await answeredCall(r, 600_000);
  const mark = r.tap.mark();
  r.tap.injectMessage(buildGrs(1, 1)); // range 0
  r.tap.injectMessage(buildGrs(1, 33)); // range 32
  await r.run(500);
  t.same(r.tap.trace('box', mark), [], 'no GRA');
  t.match(r.circuit(cic), { callPhase: 'answered' }, 'the call is still up');
  t.same(r.ended, []);
});

t.test('past T13 the BLO repeats at the T13 interval, not T12 (Q.764 2.9.4)', async (t) => {
  const r = rig(t);
  await r.up();
  r.tap.deaf = true;
  const mark = r.tap.mark();
  const from = r.clock.now();
  r.stack.maintenance.block(7);
  await r.run(TIMERS.alertMs * 3 + 50);
  t.same(
    r.tap.of('box', 'BLO', mark).map((m) => Math.round((m.at - from) / 100) * 100),
    [0, 1000, 2000, 3000, 4000, 5000, 10_000, 15_000],
    'every T12 (1 s) until T13 (5 s), then every T13',
  );
  t.equal(r.alerts.length, 1, 'one alert');
});

t.test('T5: RSC, then repeated every T17; T16 is not used for a reset that T5 started (Q.764 Table A.1)', async (t) => {
  const r = rig(t);
  await r.up();
  r.tap.deaf = true;
  const placed = r.stack.calls.placeCall('95598');
  await r.settle(placed, 20_000);
  const t5 = r.tap.of('box', 'RSC')[0]!.at;
  await r.run(TIMERS.alertMs * 2 + 50);
  t.same(
    r.tap.of('box', 'RSC').map((m) => Math.round((m.at - t5) / 100) * 100),
    [0, 5000, 10_000],
    'RSC at T5, then every T17 (5 s here)',
  );
  t.equal(r.alerts.length, 1, 'T5 alerted; nothing more');
});
