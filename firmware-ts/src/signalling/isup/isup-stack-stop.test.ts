// IsupStack.stop() while a continuity check (CCR) runs: the check ends at once and nothing is
// sent or timed for it afterwards. A REL repeated on T1, or the circuit reset after it, would
// keep `countyline run` from exiting on SIGTERM.
import t from 'tap';
import { isupRig as rig } from '../../../test-support/in-process-rig.js';

t.test('stop() while the check waits for its tone: it ends at once, with no REL after', async (t) => {
  const r = rig(t);
  await r.up();
  r.sim.setLoopbackFault(0, 5, true); // the tone never comes back: the check waits its 0.5 s
  const mark = r.tap.mark();
  const check = r.stack.run(0, 5);
  await r.run(100);
  r.stack.stop();
  t.same(await r.settle(check, 10), { ok: false, reason: 'the firmware stopped during the continuity check', reasonCode: 'stopped', reasonArgs: [] }, 'ended by stop(), not by the tone timeout');
  await r.run(60_000);
  t.same(r.tap.trace('box', mark), ['CCR 5'], 'nothing sent on the circuit after stop()');
});

t.test('stop() while the check waits for the RLC of its REL: the wait ends, no REL repeats or reset', async (t) => {
  const r = rig(t);
  await r.up();
  r.tap.deaf = true; // the exchange hears nothing: no loop, no RLC
  const mark = r.tap.mark();
  const check = r.stack.run(0, 5);
  await r.run(700); // the 0.5 s tone wait is over and the REL is out
  t.same(r.tap.trace('box', mark), ['CCR 5', 'REL 5']);
  r.stack.stop();
  t.match(await r.settle(check, 10), { ok: false }, 'ended by stop(), not by T1 and T5');
  await r.run(60_000);
  t.same(r.tap.trace('box', mark), ['CCR 5', 'REL 5'], 'no REL repeated, no RSC after stop()');
});
