import t from 'tap';
import { buildBare } from './isup-builders.js';
import { isupRig as rig, TIMERS } from '../../../test-support/in-process-rig.js';
import { ISUP_CONFIG, inProcessFirmware } from '../../../test-support/in-process-firmware.js';
import { formatAlarms } from '../../cli/format-alarms.js';

// UCIC (Q.764 2.12): the exchange has no such CIC. The simulator's exchange sends none of
// its own (it drops what comes for a CIC it lacks), so the tests speak for it.

/** CIC 1-29 on ts 1-15,17-30, and a lone CIC 40 on ts 31 the exchange does not have. */
const WITH_CIC_40 = { cics: [{ firstCic: 1, span: 0, timeslots: '1-15,17-30' }, { cic: 40, span: 0, timeslot: 31 }] };

t.test('a lone CIC the exchange lacks: its start-up RSC stops on UCIC and the group gets ready without it', async (t) => {
  const r = rig(t, { isup: WITH_CIC_40 });
  r.sim.start();
  await r.run(1500);
  r.card.start();
  t.ok(await r.until(() => r.tap.of('box', 'GRA').length === 1), 'the exchange reset its group');
  await r.run(TIMERS.repeatMs * 2);
  t.notOk(r.stack.maintenance.ready, 'not ready: the RSC for CIC 40 is unanswered');
  t.ok(r.tap.of('box', 'RSC').length >= 2, 'RSC 40 repeated every T16');
  t.ok(r.tap.injectMessage(buildBare('UCIC', 40)));
  await r.run(20);
  t.ok(r.stack.maintenance.ready, 'ready without CIC 40');
  t.match(r.circuit(40), { unequipped: true, call: 'idle' }, 'countyline circuits shows it unequipped');
  const mark = r.tap.mark();
  await r.run(TIMERS.alertMs + TIMERS.repeatMs);
  t.same(r.tap.trace('box', mark), [], 'no more RSC for it, and no alert');
  t.same(r.alerts, []);
  // Every circuit busy but CIC 40: the next call finds none rather than take it.
  const placed = Array.from({ length: 30 }, () => r.stack.calls.placeCall('95598', '', 60_000));
  await r.run(50);
  t.same(r.tap.of('box', 'IAM', mark).map((m) => m.cic).sort((a, b) => a - b), Array.from({ length: 29 }, (_, i) => i + 1), 'IAMs on CIC 1-29 only');
  t.match(await r.settle(placed[29]!), { result: 'failed', reasonCode: 'no-circuit' }, 'the 30th call finds no circuit');
});

t.test('UCIC on a circuit with our IAM: the attempt goes elsewhere; no continuity test on it after', async (t) => {
  const r = rig(t);
  await r.up();
  const placed = r.stack.calls.placeCall('95598', '', 200);
  r.tap.deaf = true;
  await r.run(10);
  t.match(r.circuit(1), { callPhase: 'iam-sent' });
  t.ok(r.tap.injectMessage(buildBare('UCIC', 1)));
  r.tap.deaf = false;
  const outcome = await r.settle(placed);
  t.match(outcome, { result: 'completed', repeats: 1, call: { attempt: 2 } }, 'repeated on another circuit');
  t.not(outcome.call.cic, 1);
  t.match(r.circuit(1), { unequipped: true, call: 'idle' });
  const verdict = await r.settle(r.stack.run(0, 1));
  t.match(verdict, { ok: false, skipped: true }, 'no continuity test on it');
});

t.test('firmware: UCIC raises an alarm naming the CIC; an acknowledged reset of it clears it', async (t) => {
  const { fw, rig: r } = await inProcessFirmware(t, { config: { isup: ISUP_CONFIG } });
  const isup = fw.isup!;
  t.ok(r.tap.injectMessage(buildBare('UCIC', 5)));
  await r.run(20);
  t.match(fw.alarms.get('circuit/e1/0/5', 'cic-unequipped'), { severity: 'major', state: 'active', causeCode: 'cic-unequipped', causeArgs: [5] });
  const en = formatAlarms(fw.alarms.active(), 'en', r.clock.now());
  const zh = formatAlarms(fw.alarms.active(), 'zh', r.clock.now());
  t.match(en, /the exchange has no CIC 5 \(UCIC\)/);
  t.match(zh, /交换机无 CIC 5 \(UCIC\)/);
  isup.maintenance.resetCircuit(5);
  t.ok(await r.until(() => fw.alarms.get('circuit/e1/0/5', 'cic-unequipped') === null), 'the RLC to our RSC clears it');
  t.equal(isup.circuits().find((c) => c.cic === 5)?.unequipped, false, 'back in use');
});
