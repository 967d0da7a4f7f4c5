import t from 'tap';
import { CAUSE } from './isup-cause.js';
import type { IsupMessageOf } from './isup-messages.js';
import type { CallEvent } from './isup-progress-params.js';
import { isupRig as rig, TIMERS } from '../../../test-support/in-process-rig.js';

// CPG (call progress, Q.764 2.1.5) for the box's calls. The simulator's exchange takes CPGs
// but sends none of its own, so the tests speak for it.

const cpg = (cic: number, event: CallEvent): IsupMessageOf<'CPG'> => ({ type: 'CPG', cic, eventInformation: { event, presentationRestricted: false } });

t.test('CPG alerting after the ACM: the call shows it, stays alerting, and is answered as usual', async (t) => {
  const r = rig(t);
  await r.up();
  const placed = r.stack.calls.placeCall('95598', '', 500);
  t.ok(await r.until(() => r.circuit(1).callPhase === 'alerting'));
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage({ ...cpg(1, 'inband-information'), optionalBackwardCallIndicators: { inbandInformation: true, callDiversionMayOccur: false, simpleSegmentation: false, mlppUser: false, national: 0 } }));
  await r.run(20);
  t.match(r.stack.calls.onCircuit(1), { phase: 'alerting', progress: ['inband-information'] }, 'the call record shows the progress');
  t.same(r.tap.trace('box', mark), [], 'nothing answers a CPG');
  const outcome = await r.settle(placed);
  t.match(outcome, { result: 'completed', call: { progress: ['inband-information'] } });
  t.equal(r.stack.transport.stats.malformed, 0);
});

t.test('CPG alerting before any ACM: the call alerts, T7 stops and T9 runs', async (t) => {
  // The box's IAM never reaches the exchange (no ACM from it); the test sends the CPG.
  const r = rig(t);
  await r.up();
  r.tap.deaf = true;
  const placed = r.stack.calls.placeCall('95598', '', 500);
  await r.run(20);
  t.match(r.circuit(1), { call: 'reserved', callPhase: 'iam-sent' });
  t.ok(r.tap.injectMessage(cpg(1, 'alerting')));
  r.tap.deaf = false; // the REL to come gets its RLC
  await r.run(20);
  t.match(r.circuit(1), { call: 'outgoing', callPhase: 'alerting' }, 'outgoing busy: the dual-seizure window is over');
  await r.run(TIMERS.t7Ms + 500);
  t.match(r.circuit(1), { callPhase: 'alerting' }, 'T7 stopped: no REL at T7');
  t.same(r.tap.of('box', 'REL'), []);
  const outcome = await r.settle(placed, TIMERS.t9Ms + 1000);
  t.match(outcome, { result: 'failed', reasonCode: 'no-answer', cause: CAUSE.noAnswer }, 'T9 released it');
  t.ok(outcome.endedAt - outcome.call.startedAt >= TIMERS.t9Ms, 'T9 ran from the CPG');
});

t.test('a CPG for no call is dropped, and is not malformed', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(cpg(4, 'alerting')));
  await r.run(50);
  t.same(r.tap.trace('box', mark), []);
  t.match(r.circuit(4), { call: 'idle', callPhase: null });
  t.equal(r.stack.calls.counters.unexpected, 1);
  t.equal(r.stack.transport.stats.malformed, 0);
});
