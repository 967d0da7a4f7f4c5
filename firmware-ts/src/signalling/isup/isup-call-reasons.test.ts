import t from 'tap';
import { callFailure, onRepeatToo } from './isup-call-reasons.js';
import { isupRig as rig } from '../../../test-support/in-process-rig.js';

// A failed call carries a code and arguments beside its English reason, so that
// `countyline call --lang zh` can word it.

const HIGH_TO_LOW = { isup: { selection: 'opposite-order' as const, huntDirection: 'high-to-low' as const } };

t.test('a call before the signalling link is up', async (t) => {
  const r = rig(t);
  t.match(await r.stack.calls.placeCall('12345'), { result: 'failed', reason: 'signalling link out of service', reasonCode: 'link-down', reasonArgs: [] });
});

t.test('a second dual seizure on the repeat attempt names the first trouble', async (t) => {
  const r = rig(t, HIGH_TO_LOW);
  await r.up();
  // CIC 29 blocked by us, so the repeat goes to CIC 28, which the exchange controls too.
  r.stack.maintenance.block(29);
  await r.run(100);
  r.exchange.setGlareRatio(1);
  const outcome = await r.settle(r.stack.calls.placeCall('95598'));
  t.match(outcome, { result: 'failed', reason: 'dual seizure on the repeat attempt too', reasonCode: 'failed-on-repeat', reasonArgs: ['dual-seizure'] });
});

t.test('a completed call has no reason code', async (t) => {
  const r = rig(t);
  await r.up();
  const outcome = await r.settle(r.stack.calls.placeCall('95598', '', 1000));
  t.match(outcome, { result: 'completed', reason: null });
  t.notOk('reasonCode' in outcome);
});

t.test('a repeat that fails again keeps a code only where the first trouble had a plain one', async (t) => {
  t.same(onRepeatToo(callFailure('blocked by the exchange', 'blocked-by-exchange')), {
    reason: 'blocked by the exchange on the repeat attempt too',
    reasonCode: 'failed-on-repeat',
    reasonArgs: ['blocked-by-exchange'],
  });
  t.same(onRepeatToo({ reason: 'reset by the exchange' }), { reason: 'reset by the exchange on the repeat attempt too' }, 'a plain why from the maintenance side');
  t.same(onRepeatToo(callFailure('the exchange released before answer (cause 17)', 'released-before-answer', 17)), {
    reason: 'the exchange released before answer (cause 17) on the repeat attempt too',
  });
});
