import t from 'tap';
import { buildIam } from './isup-builders.js';
import type { IsupMessageOf } from './isup-messages.js';
import { isupRig as rig, TIMERS } from '../../../test-support/in-process-rig.js';

// Overlap receiving (Q.764 2.1.3): an IAM whose called number has no ST waits for SAMs.

const sam = (cic: number, digits: string, endOfPulsing: boolean): IsupMessageOf<'SAM'> => ({ type: 'SAM', cic, subsequentNumber: { digits, endOfPulsing } });
const overlapIam = (cic: number, digits: string): IsupMessageOf<'IAM'> => {
  const iam = buildIam(cic, digits, '13900000000');
  return { ...iam, calledPartyNumber: { ...iam.calledPartyNumber, endOfPulsing: false } };
};

t.test('SAMs until ST: no ACM before, then the call is offered with the whole number', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(overlapIam(2, '123')));
  await r.run(200);
  t.same(r.tap.trace('box', mark), [], 'no ACM while the number is incomplete');
  t.match(r.circuit(2), { call: 'incoming', callPhase: 'collecting' });
  t.ok(r.tap.injectMessage(sam(2, '45', false)));
  await r.run(TIMERS.t35Ms - 200);
  t.same(r.tap.trace('box', mark), [], 'T35 restarted by the SAM');
  t.ok(r.tap.injectMessage(sam(2, '678', true)));
  await r.run(20);
  t.same(r.tap.trace('box', mark), ['ACM 2'], 'ACM at the ST');
  t.match(r.incoming, [{ cic: 2, called: '12345678', calling: '13900000000' }]);
  t.ok(await r.until(() => r.circuit(2).callPhase === 'answered'));
});

t.test('without ST, T35 after the last digit completes the number', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(overlapIam(2, '95')));
  await r.run(300);
  t.ok(r.tap.injectMessage(sam(2, '598', false)));
  const lastDigit = r.clock.now();
  t.ok(await r.until(() => r.tap.of('box', 'ACM', mark).length === 1, TIMERS.t35Ms + 500));
  const acm = r.tap.of('box', 'ACM', mark)[0]!;
  t.ok(acm.at - lastDigit >= TIMERS.t35Ms, `ACM at T35 after the last SAM (${acm.at - lastDigit} ms)`);
  t.match(r.incoming, [{ cic: 2, called: '95598' }]);
});

t.test('a SAM for no call collecting digits is ignored', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(sam(3, '1', true)));
  await r.run(50);
  t.same(r.tap.trace('box', mark), []);
  t.equal(r.stack.calls.counters.unexpected, 1);
});
