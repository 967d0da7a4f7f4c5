// Issue 4: start-up reset with the exchange, blocking both ways, and the continuity check
// (CCR) as the E1 test call: a circuit that fails it twice is blocked toward the exchange
// with an alarm, and comes back when it passes. Real processes: socat, the simulator with
// its far-end exchange, the firmware.
import t from 'tap';
import { startRig, waitFor, type Rig } from '../../scripts/lib/bench-rig.mjs';
import { circuits, exchange, exchangeReady } from './isup-helpers.js';

async function ourCircuit(rig: Rig, cic: number) {
  return (await circuits(rig)).find((r) => r.cic === cic);
}
async function theirCircuit(rig: Rig, cic: number) {
  return (await exchange(rig)).circuits.find((r: any) => r.cic === cic);
}

/** One outgoing call, to its end; returns its outcome (exit code checked: 0 all completed, 1 one failed). */
async function oneCall(rig: Rig) {
  const { code, stdout } = await rig.cli(['call', '12345', '--hold', '0.2', '--json'], [0, 1]);
  const result = JSON.parse(stdout);
  return { code, outcome: result.outcomes[0] };
}

t.test('start-up: every circuit reset with the exchange, control split by point code', async (t) => {
  const rig = await startRig({ isup: true });
  t.teardown(() => rig.stop());
  const rows = await waitFor('30 idle circuits', async (seen) => {
    const c = seen(await circuits(rig));
    return c.length === 30 && c.every((r) => r.call === 'idle' && r.block === 'none') && c;
  }, 10_000);
  t.same(rows.map((r: any) => r.cic), Array.from({ length: 30 }, (_, i) => i + 1), 'CIC 1-30');
  t.match(rows[15], { cic: 16, span: 0, timeslot: 17 }, 'ts16 carries SS7, so CIC 16 is on ts17');
  t.ok(rows.every((r: any) => r.controlledBy === (r.cic % 2 === 1 ? 'us' : 'peer')), 'the exchange (2000 > 1000) controls the even CICs, we the odd');
  await exchangeReady(rig);
  const ex = await exchange(rig);
  t.ok(ex.counters.maintenanceReceived.GRS >= 1, 'the exchange got our GRS');
  t.ok(ex.counters.maintenanceReceived.GRA >= 1, 'and our GRA for its own');
  t.equal(ex.readyCircuits, 30, 'the exchange sees all 30 circuits reset');
});

t.test('blocking both ways', async (t) => {
  const rig = await startRig({ isup: true });
  t.teardown(() => rig.stop());
  await exchangeReady(rig);

  t.match(await rig.json(['block', '5']), { exchange: 'sent', circuit: { cic: 5, maintenance: 'local', block: 'local' } });
  const farBlocked = await waitFor('the exchange to see CIC 5 blocked', async (seen) => {
    const c = seen(await theirCircuit(rig, 5));
    return c.maintenance === 'remote' && c;
  }, 5000);
  t.match(farBlocked, { maintenance: 'remote' });
  t.ok((await exchange(rig)).counters.maintenanceSent.BLA >= 1, 'acknowledged with BLA');

  t.match(await rig.json(['unblock', '5']), { exchange: 'sent', circuit: { cic: 5, maintenance: 'none' } });
  await waitFor('CIC 5 unblocked at the exchange', async (seen) => seen(await theirCircuit(rig, 5)).maintenance === 'none', 5000);

  await rig.simPost('/exchange/circuits/8/block', { on: true });
  await waitFor('CIC 8 blocked by the exchange', async (seen) => seen(await ourCircuit(rig, 8)).maintenance === 'remote', 5000);
  await rig.simPost('/exchange/circuits/8/block', { on: false });
  await waitFor('CIC 8 unblocked', async (seen) => seen(await ourCircuit(rig, 8)).block === 'none', 5000);

  const bad = await rig.cli(['block', '99'], 2);
  t.match(bad.stderr, /CIC 99 is not in the circuit group/);
});

// Selection is controlled-first, released longest ago: with nothing blocked our calls would
// take CIC 1, 3, 5, ... So the exchange blocks 1-25 odd and we block 27: the one controlled
// circuit left is 29, and every call must land there. A box that offered calls to blocked
// circuits would put them on CIC 1, where the exchange refuses them (REL, cause 44).
t.test('calls avoid the circuits blocked at either end', async (t) => {
  const rig = await startRig({ isup: true });
  t.teardown(() => rig.stop());
  await exchangeReady(rig);

  const theirs = Array.from({ length: 13 }, (_, i) => 2 * i + 1); // 1, 3, ..., 25
  for (const cic of theirs) await rig.simPost(`/exchange/circuits/${cic}/block`, { on: true });
  t.match(await rig.json(['block', '27']), { exchange: 'sent', circuit: { cic: 27, maintenance: 'local' } });
  const blocked = [...theirs, 27];
  await waitFor('the blocks in place at both ends', async (seen) => {
    const ours = await circuits(rig);
    const ex = (await exchange(rig)).circuits;
    const pending = blocked.filter((cic) => {
      const us = ours.find((r) => r.cic === cic).maintenance;
      const them = ex.find((r: any) => r.cic === cic).maintenance;
      return cic === 27 ? !(us === 'local' && them === 'remote') : !(us === 'remote' && them === 'local');
    });
    return seen(pending).length === 0;
  }, 10_000);

  for (let i = 1; i <= 3; i++) {
    const { code, outcome } = await oneCall(rig);
    t.match(outcome, { result: 'completed', cic: 29 }, `call ${i} completed on CIC 29, the one controlled circuit not blocked`);
    t.equal(code, 0, `call ${i}: countyline call exits 0`);
  }

  // With every controlled circuit blocked, calls go to the exchange's circuits (even CICs).
  t.match(await rig.json(['block', '29']), { exchange: 'sent', circuit: { cic: 29, maintenance: 'local' } });
  const { code, outcome } = await oneCall(rig);
  t.match(outcome, { result: 'completed' }, 'a call still completes');
  t.equal(code, 0);
  t.ok(outcome.cic % 2 === 0, `on one of the exchange's circuits (CIC ${outcome.cic}), none of ours being free`);

  const ex = await exchange(rig);
  t.same(ex.counters.incomingFailed, {}, 'the exchange refused none of our calls');
  t.equal(ex.counters.iamsReceived, 4, 'one IAM per call: none went to a blocked circuit first');
});

t.test('continuity check: a circuit failing CCR twice is blocked with an alarm, and comes back', async (t) => {
  const rig = await startRig({ isup: true });
  t.teardown(() => rig.stop());
  await exchangeReady(rig);

  await rig.cli(['test-call', 'e1/0/5'], 0);
  t.equal((await exchange(rig)).counters.continuityChecks, 1, 'the exchange looped the circuit for a CCR');

  await rig.simPost('/spans/0/timeslots/5/loopback-fault', { broken: true });
  const first = await rig.cli(['test-call', 'e1/0/5'], 1);
  t.match(first.stdout, /e1\/0\/5 +FAIL .*no 2000 Hz tone back from the exchange/);
  await rig.cli(['test-call', 'e1/0/5'], 1);
  t.match(await ourCircuit(rig, 5), { maintenance: 'local', call: 'idle' }, 'blocked for maintenance from our side');
  await waitFor('the exchange to see CIC 5 blocked', async (seen) => seen(await theirCircuit(rig, 5)).maintenance === 'remote', 5000);
  t.match(await rig.json(['alarms']), [{ source: 'circuit/e1/0/5', type: 'test-call-failed', state: 'active' }]);

  await rig.simPost('/spans/0/timeslots/5/loopback-fault', { broken: false });
  // Exit 0: a blocked circuit can still be tested, and passes.
  await rig.cli(['test-call', 'e1/0/5'], 0);
  await waitFor('CIC 5 unblocked both ends', async (seen) => {
    const ours = await ourCircuit(rig, 5);
    const theirs = await theirCircuit(rig, 5);
    seen({ ours, theirs });
    return ours.block === 'none' && theirs.maintenance === 'none';
  }, 5000);
  t.same(await rig.json(['alarms']), [], 'alarm cleared');
});
