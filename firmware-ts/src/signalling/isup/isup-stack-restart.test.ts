import t from 'tap';
import { CAUSE } from './isup-cause.js';
import { isupRig as rig, TIMERS, type InProcessRig as Rig } from '../../../test-support/in-process-rig.js';

// Restart versus link flap (Q.764 2.9.3: a circuit group is reset when memory is lost, not
// because the link paused). A link that goes out of service and comes back (MTP-PAUSE then
// MTP-RESUME) keeps the answered calls; only circuits caught in a transient state are reset.
// A restart of the firmware or of the card loses every call: the whole group is reset (GRS).
//
// The simulator's exchange resets its group each time its link comes back, which Q.764 does
// not ask for; in the link-flap tests the tap keeps the outage from it (`hideLinkState`), as
// for an exchange whose ISUP rides out the MTP pause as the box now does. Its answered calls
// are held for a day on average (exponential), so that the box's hold time ends each call.

/** The rig for the link-flap tests: the exchange never sees the outage and hangs up last. */
const flapRig = (t: Parameters<typeof rig>[0]) => rig(t, { exchange: { holdSeconds: 86_400 } });

/** Places `n` calls held for `holdMs` and runs until each is answered. */
async function answeredCalls(r: Rig, n: number, holdMs: number) {
  const placed = Array.from({ length: n }, () => r.stack.calls.placeCall('95598', '', holdMs));
  const answered = await r.until(() => r.stack.calls.active().filter((c) => c.phase === 'answered').length === n);
  if (!answered) throw new Error(`${n} calls were not answered`);
  return { placed, cics: r.stack.calls.active().map((c) => c.cic) };
}

/** Takes the signalling link out of service at the card for `ms`, then starts it again. */
async function linkOutage(r: Rig, ms: number): Promise<void> {
  await r.settle(r.card.command({ type: 'linkControl', link: 0, action: 'stop' }));
  if (!(await r.until(() => !r.stack.transport.isUp))) throw new Error('the link did not go out of service');
  await r.run(ms);
  await r.settle(r.card.command({ type: 'linkControl', link: 0, action: 'start' }));
  if (!(await r.until(() => r.stack.transport.isUp, 5000))) throw new Error('the link did not come back');
}

t.test('a 5-second link outage with answered calls: no GRS, the calls survive and clear normally', async (t) => {
  const r = flapRig(t);
  await r.up();
  r.tap.hideLinkState = true;
  const { placed, cics } = await answeredCalls(r, 5, 20_000);
  const mark = r.tap.mark();
  await linkOutage(r, 5000);
  await r.run(2000);
  t.same(r.tap.trace('box', mark), [], 'nothing sent when the link returns: no GRS, no RSC');
  t.same(r.ended, [], 'no call ended');
  t.same(
    r.stack.calls.active().map((c) => [c.cic, c.phase]),
    cics.map((cic) => [cic, 'answered']),
    'the five calls are still answered',
  );
  t.ok(r.stack.maintenance.ready, 'ready for calls again at once');
  const outcomes = await r.settle(Promise.all(placed), 30_000);
  t.same(
    outcomes.map((o) => [o.result, o.cause, o.call.cic]),
    cics.map((cic) => ['completed', CAUSE.normalClearing, cic]),
    'each call ends when its hold time is up, with a normal release',
  );
  t.same(r.tap.trace('box', mark).sort(), cics.map((cic) => `REL ${cic}`).sort(), 'one REL each');
  t.same(r.tap.trace('exchange', mark).sort(), cics.map((cic) => `RLC ${cic}`).sort(), 'one RLC each');
  t.ok(r.stack.circuits().every((c) => c.call === 'idle' && c.block === 'none'), 'every circuit idle at the box');
  t.ok(r.exchange.snapshot().circuits.every((c) => c.call === 'idle'), 'and at the exchange');
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed' }, 'new calls work');
});

t.test('a link outage: only the circuits caught mid-release or mid-maintenance are reset', async (t) => {
  const r = flapRig(t);
  await r.up();
  r.tap.hideLinkState = true;
  // Two calls: the first ends during the outage (its REL cannot leave), the second outlives it.
  const short = r.stack.calls.placeCall('95598', '', 2000);
  const long = r.stack.calls.placeCall('95598', '', 60_000);
  t.ok(await r.until(() => r.stack.calls.active().filter((c) => c.phase === 'answered').length === 2));
  const [shortCic, longCic] = r.stack.calls.active().map((c) => c.cic);
  const mark = r.tap.mark();
  await r.settle(r.card.command({ type: 'linkControl', link: 0, action: 'stop' }));
  t.ok(await r.until(() => !r.stack.transport.isUp));
  r.stack.maintenance.block(9); // an operator's block while the link is down: pending
  await r.run(5000);
  t.match(r.circuit(shortCic!), { callPhase: 'releasing' }, 'the short call released into the dead link');
  await r.settle(r.card.command({ type: 'linkControl', link: 0, action: 'start' }));
  t.ok(await r.until(() => r.stack.transport.isUp, 5000));
  await r.run(2000);
  const sent = r.tap.trace('box', mark);
  t.notOk(sent.some((m) => m.startsWith('GRS')), 'no GRS');
  t.ok(sent.includes(`RSC ${shortCic}`), 'the circuit whose REL got no RLC is reset');
  t.ok(sent.includes('BLO 9'), 'the block that could not go is sent now');
  t.notOk(sent.includes(`RSC ${longCic}`), 'the answered call is left alone');
  t.match(await r.settle(short, 1000), { result: 'completed', call: { cic: shortCic } });
  t.match(r.circuit(longCic!), { callPhase: 'answered' });
  t.match(r.circuit(shortCic!), { call: 'idle', block: 'none' });
  t.equal(r.farCircuit(shortCic!).call, 'idle', 'idle at the exchange too');
  t.equal(r.farCircuit(9).maintenance, 'remote', 'the exchange has our block');
  t.match(await r.settle(long, 70_000), { result: 'completed', cause: CAUSE.normalClearing });
});

t.test('a restart of the stack (memory lost): GRS, and every circuit idle at both ends', async (t) => {
  const r = rig(t);
  await r.up();
  await answeredCalls(r, 3, 600_000);
  r.stack.maintenance.block(7);
  await r.run(100);
  const mark = r.tap.mark();
  await r.restartStack();
  await r.run(TIMERS.repeatMs * 2);
  t.same(
    r.tap.of('box', 'GRS', mark).map((m) => [m.cic, m.rangeAndStatus.range]),
    [[1, 29]],
    'the new stack resets the whole group with one GRS',
  );
  t.ok(r.stack.circuits().every((c) => c.call === 'idle' && c.block === 'none'), 'every circuit idle and unblocked at the box');
  t.ok(
    r.exchange.snapshot().circuits.every((c) => c.call === 'idle' && c.maintenance === 'none'),
    'and at the exchange: the calls of before are gone, and so is the block nobody remembers',
  );
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed' }, 'calls work');
});

t.test('a restart of the card (its memory lost too): GRS when the link is back', async (t) => {
  const r = rig(t);
  await r.up();
  await answeredCalls(r, 2, 600_000);
  const mark = r.tap.mark();
  r.sim.injectReset();
  t.ok(await r.until(() => !r.stack.transport.isUp), 'the link goes with the card');
  t.ok(await r.until(() => r.stack.transport.isUp && r.stack.maintenance.ready, 20_000), 'back and ready');
  t.same(r.tap.of('box', 'GRS', mark).map((m) => m.cic), [1], 'GRS for the group');
  t.ok(r.stack.circuits().every((c) => c.call === 'idle'), 'every circuit idle at the box');
  t.ok(r.exchange.snapshot().circuits.every((c) => c.call === 'idle'), 'and at the exchange');
});
