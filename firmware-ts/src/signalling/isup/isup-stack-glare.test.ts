import { Registry } from 'prom-client';
import t from 'tap';
import { buildBare, buildRel } from './isup-builders.js';
import { CAUSE } from './isup-cause.js';
import { isupRig as rig, TIMERS } from '../../../test-support/in-process-rig.js';

// Dual seizure (Q.764 2.9.1) and the other ways an outgoing attempt is given up before any
// backward message (BLO, RSC), against the simulator's exchange. The exchange's forced glare
// at ratio 1 answers every IAM of the box with an IAM of its own on the same CIC, as if the
// two had crossed on the line. The box (point code 1000) controls the odd CICs.

/** The box hunts from CIC 30 down, so its first attempt lands on a CIC the exchange controls. */
const HIGH_TO_LOW = { isup: { selection: 'opposite-order' as const, huntDirection: 'high-to-low' as const } };

t.test('dual seizure on a CIC we control: we keep our call and ignore the exchange IAM', async (t) => {
  const r = rig(t);
  await r.up();
  const metrics = new Registry();
  r.stack.registerMetrics(metrics);
  r.exchange.setGlareRatio(1);
  const mark = r.tap.mark();
  const outcome = await r.settle(r.stack.calls.placeCall('95598', '', 1000));
  t.match(outcome, { result: 'completed', repeats: 0, call: { cic: 1, attempt: 1 } }, 'our call on CIC 1 completes');
  t.same(r.glares, [{ cic: 1, outcome: 'won' }]);
  const onOne = r.tap.crossed.slice(mark).filter((c) => c.message.cic === 1).map((c) => `${c.from} ${c.message.type}`);
  t.same(onOne, ['box IAM', 'exchange IAM', 'exchange ACM', 'exchange ANM', 'box REL', 'exchange RLC'], 'the exchange IAM got no answer from the box');
  // The exchange yielded and repeated its own call on a circuit it controls; the box took it.
  t.equal(r.incoming.length, 1);
  t.equal(r.incoming[0]?.cic, 2);
  t.match(r.exchange.summary().counters, { glaresLost: 1, repeatAttempts: 1, callsAnswered: 1 });
  t.match(await metrics.metrics(), /^countyline_isup_glares\{outcome="won"\} 1$/m);
  t.match(await metrics.metrics(), /^countyline_isup_glares\{outcome="lost"\} 0$/m);
});

t.test('dual seizure on a CIC the exchange controls: we yield, answer its call, and repeat ours on another circuit', async (t) => {
  const r = rig(t, HIGH_TO_LOW);
  await r.up();
  r.exchange.setGlareRatio(1);
  const mark = r.tap.mark();
  const outcome = await r.settle(r.stack.calls.placeCall('95598', '', 1000));
  t.match(outcome, { result: 'completed', reason: null, repeats: 1, call: { cic: 29, attempt: 2, called: '95598' } }, 'the repeat on CIC 29 completes');
  t.same(r.glares, [
    { cic: 30, outcome: 'lost' },
    { cic: 29, outcome: 'won' },
  ]);
  const onThirty = r.tap.crossed.slice(mark).filter((c) => c.message.cic === 30).map((c) => `${c.from} ${c.message.type}`);
  t.same(onThirty.slice(0, 4), ['box IAM', 'exchange IAM', 'box ACM', 'box ANM'], 'no REL for our attempt: the exchange call is answered instead');
  t.match(r.incoming[0], { cic: 30 }, 'the exchange call offered on CIC 30');
  t.match(r.circuit(30), { call: 'incoming', direction: 'in', callPhase: 'answered' });
  t.same(r.ended, [outcome], 'one call ended: ours (the exchange call on CIC 30 is still up)');
  t.match(r.exchange.summary().counters, { glaresWon: 1, glaresLost: 1 });
});

t.test('a second dual seizure on the repeat attempt: the call fails with a reason', async (t) => {
  const r = rig(t, HIGH_TO_LOW);
  await r.up();
  const metrics = new Registry();
  r.stack.registerMetrics(metrics);
  // CIC 29 blocked by us, so the repeat goes to CIC 28, which the exchange controls too.
  r.stack.maintenance.block(29);
  await r.run(100);
  r.exchange.setGlareRatio(1);
  const outcome = await r.settle(r.stack.calls.placeCall('95598'));
  t.match(outcome, { result: 'failed', reason: 'dual seizure on the repeat attempt too', cause: CAUSE.temporaryFailure, repeats: 1, call: { cic: 28, attempt: 2 } });
  t.same(r.glares, [
    { cic: 30, outcome: 'lost' },
    { cic: 28, outcome: 'lost' },
  ]);
  t.same(r.tap.of('box', 'REL'), [], 'no REL for either attempt');
  t.same(
    r.incoming.map((c) => c.cic),
    [30, 28],
    'both exchange calls were taken',
  );
  t.same(r.ended, [outcome], 'call-ended tells listeners (and the metrics) about the failure');
  t.match(await metrics.metrics(), /^countyline_isup_calls_total\{direction="out",result="failed"\} 1$/m);
  t.match(await metrics.metrics(), /^countyline_isup_glares\{outcome="lost"\} 2$/m);
});

t.test('a BLO crossing our IAM: BLA, then REL and RLC, the circuit blocked, the call repeated on another circuit', async (t) => {
  // Q.764 2.8.2.1: a BLO after our IAM and before any backward message: BLA, the attempt
  // released in the normal way (REL, RLC), and repeated on another circuit.
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  const placed = r.stack.calls.placeCall('95598', '', 1000);
  r.exchange.blockCircuit(1, true); // sent before the exchange sees our IAM on CIC 1
  const outcome = await r.settle(placed);
  t.match(outcome, { result: 'completed', repeats: 1, call: { cic: 3, attempt: 2 } }, 'the repeat on CIC 3 completes');
  await r.run(TIMERS.repeatMs * 2);
  const fromBox = r.tap.trace('box', mark);
  t.equal(fromBox[0], 'IAM 1');
  t.ok(fromBox.indexOf('BLA 1') > 0, 'BLO acknowledged');
  t.ok(fromBox.indexOf('REL 1') > fromBox.indexOf('BLA 1'), 'then our attempt released with REL');
  t.equal(fromBox.filter((m) => m === 'REL 1').length, 1, 'once: the release completed, no T1 repeat');
  t.ok(fromBox.indexOf('IAM 3') > fromBox.indexOf('BLA 1'), 'the repeat after the BLA');
  t.match(r.circuit(1), { call: 'idle', maintenance: 'remote', block: 'remote', callPhase: null });
  t.equal(r.farCircuit(1).call, 'idle', 'idle at the exchange too');
  t.same(r.ended, [outcome], 'one call ended: the repeat; the attempt given up is not a call of its own');
  t.same(r.glares, []);
});

t.test('an RSC crossing our IAM: RLC, and the call repeated on another circuit', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  const placed = r.stack.calls.placeCall('95598', '', 1000);
  r.exchange.resetCircuit(1);
  const outcome = await r.settle(placed);
  t.match(outcome, { result: 'completed', repeats: 1, call: { cic: 3, attempt: 2 } });
  const fromBox = r.tap.trace('box', mark);
  t.same(fromBox.slice(0, 3), ['IAM 1', 'RLC 1', 'IAM 3'], 'RSC answered with RLC, then the repeat');
  t.notOk(fromBox.includes('REL 1'));
  t.match(r.circuit(1), { block: 'none', callPhase: null });
});

t.test('an RSC crossing our IAM: afterwards both ends agree the circuit is free', async (t) => {
  // The exchange took our abandoned IAM (it arrived after its RSC) as a new call and answers
  // it; the box, with no call there, ignores the ACM and ANM. Q.764 2.9.5 has an unexpected
  // message on an idle circuit answered with a reset, which would clear the exchange's side.
  const r = rig(t);
  await r.up();
  const placed = r.stack.calls.placeCall('95598', '', 1000);
  r.exchange.resetCircuit(1);
  await r.settle(placed);
  await r.run(2000);
  t.match(r.circuit(1), { call: 'idle' });
  t.equal(r.farCircuit(1).call, 'idle', 'the exchange holds no call on CIC 1 either');
});

t.test('an RSC crossing our IAM: the repeat goes to another circuit even when the reset one is first in line', async (t) => {
  // Hunting high to low, CIC 30 is first in line again as soon as the RSC makes it idle.
  const r = rig(t, HIGH_TO_LOW);
  await r.up();
  const placed = r.stack.calls.placeCall('95598', '', 1000);
  r.exchange.resetCircuit(30);
  const outcome = await r.settle(placed);
  t.match(outcome, { result: 'completed', repeats: 1, call: { attempt: 2 } });
  t.not(outcome.call.cic, 30, 'the repeat attempt is not made on the circuit just reset');
  t.same(
    r.tap.of('box', 'IAM').map((m) => m.cic),
    [30, outcome.call.cic],
    'one IAM for each attempt',
  );
});

t.test('no circuit left for the repeat: the call fails and says why', async (t) => {
  const r = rig(t, { isup: { cics: [{ firstCic: 1, span: 0, timeslots: '1-2' }] }, exchange: { cics: [{ firstCic: 1, span: 0, timeslots: '1-2' }] } });
  await r.up();
  r.stack.maintenance.block(1); // CIC 2 (the exchange's) is all that is left
  await r.run(100);
  r.exchange.setGlareRatio(1);
  const outcome = await r.settle(r.stack.calls.placeCall('95598'));
  t.match(outcome, { result: 'failed', reason: 'no circuit free', cause: CAUSE.noCircuitAvailable, repeats: 1 });
  t.same(r.glares, [{ cic: 2, outcome: 'lost' }]);
  t.same(r.ended, [outcome], 'call-ended tells listeners about it');
});

t.test('a CCR crossing our IAM on a CIC the exchange controls: its test goes on, our call is repeated elsewhere, no glare counted', async (t) => {
  // Q.764 2.9.1.4 b) for a crossing IAM, applied to a crossing continuity check request: the
  // controlling exchange's CCR wins the circuit; the box drops its attempt without REL and
  // repeats it on another circuit. A CCR is no call: not a dual seizure, not counted as one.
  const r = rig(t, HIGH_TO_LOW);
  await r.up();
  r.tap.deaf = true; // the exchange, testing CIC 30, ignores our IAM on it
  const placed = r.stack.calls.placeCall('95598', '', 1000);
  await r.run(20);
  r.tap.deaf = false;
  const mark = r.tap.mark();
  r.tap.injectMessage(buildBare('CCR', 30));
  const outcome = await r.settle(placed);
  t.match(outcome, { result: 'completed', repeats: 1, call: { cic: 29, attempt: 2 } }, 'the repeat on CIC 29 completes');
  t.same(r.sim.timeslots[0]!.snapshot().loopbacks, [31], 'CIC 30 (timeslot 31) looped for the exchange’s test');
  t.notOk(r.tap.trace('box', mark).includes('REL 30'), 'no REL for the attempt given up');
  t.equal(r.stack.group.counts().glaresLost, 0, 'not counted as a dual seizure');
  t.same(r.glares, [], 'nor reported as one');
  r.tap.injectMessage(buildRel(30, CAUSE.normalClearing));
  await r.run(100);
  t.same(r.sim.timeslots[0]!.snapshot().loopbacks, [], 'the test over, the loop is off');
  t.match(r.circuit(30), { call: 'idle', callPhase: null });
});

t.test('a CCR crossing our IAM on a CIC we control: our call goes on, the CCR is ignored, no glare counted', async (t) => {
  const r = rig(t);
  await r.up();
  const placed = r.stack.calls.placeCall('95598', '', 1000);
  r.tap.injectMessage(buildBare('CCR', 1));
  const outcome = await r.settle(placed);
  t.match(outcome, { result: 'completed', repeats: 0, call: { cic: 1 } });
  t.same(r.sim.timeslots[0]!.snapshot().loopbacks, [], 'no loop on our call');
  t.equal(r.stack.group.counts().glaresWon, 0);
});
