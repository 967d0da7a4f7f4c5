// Issue 4: start-up reset with the exchange, blocking both ways, and the continuity check
// (CCR) as the E1 test call: a circuit that fails it twice is blocked toward the exchange
// with an alarm, and comes back when it passes. Real processes: socat, the simulator with
// its far-end exchange, the firmware.
import t from 'tap';
import { startRig } from '../../scripts/lib/bench-rig.mjs';
import { circuits, exchange, until } from './isup-helpers.js';

t.test('start-up: every circuit reset with the exchange, control split by point code', async (t) => {
  const rig = await startRig({ isup: true });
  t.teardown(() => rig.stop());
  const rows = await until('30 idle circuits', async () => {
    const c = await circuits(rig);
    return c.length === 30 && c.every((r) => r.call === 'idle' && r.block === 'none') && c;
  }, 10_000);
  t.same(rows.map((r: any) => r.cic), Array.from({ length: 30 }, (_, i) => i + 1), 'CIC 1-30');
  t.match(rows[15], { cic: 16, span: 0, timeslot: 17 }, 'ts16 carries SS7, so CIC 16 is on ts17');
  t.ok(rows.every((r: any) => r.controlledBy === (r.cic % 2 === 1 ? 'us' : 'peer')), 'the exchange (2000 > 1000) controls the even CICs, we the odd');
  const ex = await exchange(rig);
  t.ok(ex.counters.maintenanceReceived.GRS >= 1, 'the exchange got our GRS');
  t.ok(ex.counters.maintenanceReceived.GRA >= 1, 'and our GRA for its own');
  t.equal(ex.readyCircuits, 30, 'the exchange sees all 30 circuits reset');
});

t.test('blocking both ways', async (t) => {
  const rig = await startRig({ isup: true });
  t.teardown(() => rig.stop());
  await until('ready', async () => (await exchange(rig)).readyCircuits === 30, 10_000);

  const blocked = await rig.cli(['block', '5', '--json']);
  t.equal(blocked.code, 0, blocked.stderr);
  t.match(JSON.parse(blocked.stdout), { cic: 5, maintenance: 'local', block: 'local' });
  const farBlocked = await until('the exchange to see CIC 5 blocked', async () => {
    const c = (await exchange(rig)).circuits.find((r: any) => r.cic === 5);
    return c.maintenance === 'remote' && c;
  }, 5000);
  t.match(farBlocked, { maintenance: 'remote' });
  t.ok((await exchange(rig)).counters.maintenanceSent.BLA >= 1, 'acknowledged with BLA');

  await rig.cli(['unblock', '5']);
  await until('CIC 5 unblocked at the exchange', async () => (await exchange(rig)).circuits.find((r: any) => r.cic === 5).maintenance === 'none', 5000);

  await rig.simPost('/exchange/circuits/8/block', { on: true });
  await until('CIC 8 blocked by the exchange', async () => (await circuits(rig)).find((r) => r.cic === 8).maintenance === 'remote', 5000);
  const call = await rig.cli(['call', '12345', '--count', '3', '--hold', '0.2', '--per-minute', '600', '--json']);
  const cics = JSON.parse(call.stdout).outcomes.map((o: any) => o.cic);
  t.notOk(cics.includes(8), `no call offered to the blocked circuit (used ${cics.join(', ')})`);
  await rig.simPost('/exchange/circuits/8/block', { on: false });
  await until('CIC 8 unblocked', async () => (await circuits(rig)).find((r) => r.cic === 8).block === 'none', 5000);

  const bad = await rig.cli(['block', '99']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /CIC 99 is not in the circuit group/);
});

t.test('continuity check: a circuit failing CCR twice is blocked with an alarm, and comes back', async (t) => {
  const rig = await startRig({ isup: true });
  t.teardown(() => rig.stop());
  await until('ready', async () => (await exchange(rig)).readyCircuits === 30, 10_000);

  const pass = await rig.cli(['test-call', 'e1/0/5']);
  t.equal(pass.code, 0, 'a healthy circuit passes');
  t.equal((await exchange(rig)).counters.continuityChecks, 1, 'the exchange looped the circuit for a CCR');

  await rig.simPost('/spans/0/timeslots/5/loopback-fault', { broken: true });
  const first = await rig.cli(['test-call', 'e1/0/5']);
  t.match(first.stdout, /e1\/0\/5 +FAIL .*no 2000 Hz tone back from the exchange/);
  await rig.cli(['test-call', 'e1/0/5']);
  const rows = await circuits(rig);
  t.match(rows.find((r) => r.cic === 5), { maintenance: 'local', call: 'idle' }, 'blocked for maintenance from our side');
  await until('the exchange to see CIC 5 blocked', async () => (await exchange(rig)).circuits.find((r: any) => r.cic === 5).maintenance === 'remote', 5000);
  const alarms = JSON.parse((await rig.cli(['alarms', '--json'])).stdout);
  t.match(alarms, [{ source: 'circuit/e1/0/5', type: 'test-call-failed', state: 'active' }]);

  await rig.simPost('/spans/0/timeslots/5/loopback-fault', { broken: false });
  const again = await rig.cli(['test-call', 'e1/0/5']);
  t.equal(again.code, 0, 'a blocked circuit can still be tested, and passes');
  await until('CIC 5 unblocked both ends', async () => {
    const ours = (await circuits(rig)).find((r) => r.cic === 5);
    const theirs = (await exchange(rig)).circuits.find((r: any) => r.cic === 5);
    return ours.block === 'none' && theirs.maintenance === 'none';
  }, 5000);
  t.same(JSON.parse((await rig.cli(['alarms', '--json'])).stdout), [], 'alarm cleared');
});
