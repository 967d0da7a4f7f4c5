import t from 'tap';
import { isupRig as rig } from '../../../test-support/in-process-rig.js';

// CQM answered with CQR: the call-processing and blocking state of each circuit (Q.763 3.14).

t.test('CQM gets a CQR with each circuit as the box sees it', async (t) => {
  const r = rig(t);
  await r.up();
  const placed = r.stack.calls.placeCall('95598', '', 60_000);
  t.ok(await r.until(() => r.circuit(1).callPhase === 'answered'));
  r.stack.maintenance.block(2);
  await r.run(50);
  r.tap.deaf = true; // the next IAM gets no backward message: transient
  r.stack.calls.placeCall('95598', '', 60_000).catch(() => undefined);
  await r.run(20);
  r.tap.deaf = false;
  const transientCic = r.stack.circuits().find((c) => c.callPhase === 'iam-sent')!.cic;
  t.equal(transientCic, 3);
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage({ type: 'CQM', cic: 1, rangeAndStatus: { range: 3 } }));
  await r.run(20);
  t.same(r.tap.trace('box', mark), ['CQR 1']);
  const [cqr] = r.tap.of('box', 'CQR', mark);
  t.same(cqr?.rangeAndStatus, { range: 3 });
  t.same(cqr?.circuitStates, [
    { call: 'outgoing-busy', maintenance: 'none', hardware: 'none' },
    { call: 'idle', maintenance: 'local', hardware: 'none' },
    { call: 'transient' },
    { call: 'idle', maintenance: 'none', hardware: 'none' },
  ]);
  r.stack.calls.release(1);
  await r.settle(placed);
});

t.test('CICs past the group are unequipped; a range above 31 is discarded', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage({ type: 'CQM', cic: 29, rangeAndStatus: { range: 3 } }));
  await r.run(20);
  t.same(r.tap.of('box', 'CQR', mark)[0]?.circuitStates, [
    { call: 'idle', maintenance: 'none', hardware: 'none' },
    { call: 'idle', maintenance: 'none', hardware: 'none' },
    { call: 'unequipped' },
    { call: 'unequipped' },
  ]);
  const after = r.tap.mark();
  t.ok(r.tap.injectMessage({ type: 'CQM', cic: 1, rangeAndStatus: { range: 40 } }));
  await r.run(20);
  t.same(r.tap.trace('box', after), [], 'no CQR for 41 circuits');
});
