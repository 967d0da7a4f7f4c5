import t from 'tap';
import { buildIam } from './isup-builders.js';
import { CAUSE } from './isup-cause.js';
import type { IsupMessageOf } from './isup-messages.js';
import { isupRig as rig, TIMERS } from '../../../test-support/in-process-rig.js';

// SUS and RES on answered calls, with T6 (Q.764 2.5). The simulator's exchange takes them
// but sends none, so the tests speak for it.

const sus = (cic: number, initiated: 'network-initiated' | 'subscriber-initiated' = 'network-initiated'): IsupMessageOf<'SUS'> => ({ type: 'SUS', cic, suspendResume: initiated });
const res = (cic: number): IsupMessageOf<'RES'> => ({ type: 'RES', cic, suspendResume: 'network-initiated' });

t.test('SUS holds an answered call, RES within T6 takes it up again; nothing is sent', async (t) => {
  const r = rig(t);
  await r.up();
  const placed = r.stack.calls.placeCall('95598', '', 30_000);
  t.ok(await r.until(() => r.circuit(1).callPhase === 'answered'));
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(sus(1, 'subscriber-initiated')));
  await r.run(20);
  t.match(r.circuit(1), { call: 'outgoing', callPhase: 'suspended' }, 'countyline circuits shows it suspended');
  await r.run(TIMERS.t6Ms - 500);
  t.ok(r.tap.injectMessage(res(1)));
  await r.run(20);
  t.match(r.circuit(1), { callPhase: 'answered' });
  await r.run(TIMERS.t6Ms + 500);
  t.same(r.tap.trace('box', mark), [], 'no REL: T6 stopped at the RES');
  t.match(r.circuit(1), { callPhase: 'answered' });
  r.stack.calls.release(1);
  t.match(await r.settle(placed), { result: 'completed' });
});

t.test('without RES in T6 the box releases with cause 102', async (t) => {
  const r = rig(t);
  await r.up();
  const placed = r.stack.calls.placeCall('95598', '', 60_000);
  t.ok(await r.until(() => r.circuit(1).callPhase === 'answered'));
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(sus(1)));
  const suspendedAt = r.clock.now();
  const outcome = await r.settle(placed, TIMERS.t6Ms + 1000);
  t.same(r.tap.trace('box', mark), ['REL 1']);
  const [rel] = r.tap.of('box', 'REL', mark);
  t.equal(rel?.causeIndicators.causeValue, CAUSE.recoveryOnTimerExpiry, 'cause 102: recovery on timer expiry');
  t.ok(rel!.at - suspendedAt >= TIMERS.t6Ms && rel!.at - suspendedAt < TIMERS.t6Ms + 50, `REL at T6 (${rel!.at - suspendedAt} ms)`);
  t.match(outcome, { result: 'failed', reasonCode: 'not-resumed', cause: CAUSE.recoveryOnTimerExpiry });
  t.match(r.circuit(1), { call: 'idle', callPhase: null });
});

t.test('an incoming call is suspended and released the same way', async (t) => {
  const r = rig(t);
  await r.up();
  t.ok(r.tap.injectMessage(buildIam(2, '12345', '13900000000')));
  t.ok(await r.until(() => r.circuit(2).callPhase === 'answered'));
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(sus(2)));
  t.ok(await r.until(() => r.tap.of('box', 'REL', mark).length === 1, TIMERS.t6Ms + 500));
  t.equal(r.tap.of('box', 'REL', mark)[0]?.causeIndicators.causeValue, CAUSE.recoveryOnTimerExpiry);
  t.ok(await r.until(() => r.circuit(2).call === 'idle'), 'idle after the RLC');
});

t.test('SUS before answer, or RES for a call not suspended, is ignored', async (t) => {
  const r = rig(t);
  await r.up();
  const placed = r.stack.calls.placeCall('95598', '', 60_000);
  t.ok(await r.until(() => r.circuit(1).callPhase === 'alerting'));
  t.ok(r.tap.injectMessage(sus(1)));
  await r.run(5);
  t.match(r.circuit(1), { callPhase: 'alerting' }, 'not answered: not suspended');
  t.ok(await r.until(() => r.circuit(1).callPhase === 'answered'));
  t.ok(r.tap.injectMessage(res(1)));
  await r.run(TIMERS.t6Ms + 500);
  t.match(r.circuit(1), { callPhase: 'answered' });
  t.equal(r.stack.calls.counters.unexpected, 2);
  r.stack.calls.release(1);
  await r.settle(placed);
});
