// Issue 3 "done when": a firmware restart keeps active alarms, once each. The firmware is
// killed (SIGKILL, no chance to save on the way out) and started again on the same data.
import t from 'tap';
import { startRig, type Rig } from '../../scripts/lib/bench-rig.mjs';

async function alarms(rig: Rig, all = false) {
  const r = await rig.cli(['alarms', '--json', ...(all ? ['--all'] : [])]);
  if (r.code !== 0) throw new Error(`countyline alarms: ${r.stderr}`);
  return JSON.parse(r.stdout).filter((a: any) => !a.type.startsWith('tca-'));
}
const key = (a: any) => `${a.source}|${a.type}`;

t.test('active alarms survive a SIGKILL restart, once each; one whose cause went away is cleared', async (t) => {
  const rig = await startRig({ config: { alarms: { restoreSettleMs: 3000 } } });
  t.teardown(() => rig.stop());
  await rig.waitStatus('card up', (s) => s.card.link === 'up' && s.fxo.length === 5 && s.links[0]?.state === 'in-service');

  await rig.simPost('/spans/0/defects', { los: true });
  await rig.simPost('/fxo/3/line', { plugged: false });
  await rig.simPost('/fxo/4/line', { plugged: false });
  await rig.simPost('/spans/0/timeslots/7/loopback-fault', { broken: true });
  await rig.waitStatus('span red, ports unplugged', (s) => s.spans[0].alarm === 'red' && s.fxo[3].line === 'unplugged' && s.fxo[4].line === 'unplugged');
  // The span is red, so E1 tests are skipped; clear LOS for the test calls, then put it back.
  await rig.simPost('/spans/0/defects', { los: false });
  await rig.waitStatus('span clear', (s) => s.spans[0].alarm !== 'red', 10_000);
  await rig.cli(['test-call', 'e1/0/7']);
  await rig.cli(['test-call', 'e1/0/7']);
  await rig.simPost('/spans/0/defects', { los: true });
  await rig.waitStatus('span red', (s) => s.spans[0].alarm === 'red');

  const before = await alarms(rig);
  t.same(before.map(key).sort(), ['circuit/e1/0/7|test-call-failed', 'fxo/3|fxo-unplugged', 'fxo/4|fxo-unplugged', 'span/0|span-red']);

  await rig.stopFirmware('SIGKILL');
  // While the box is down, someone plugs line 4 back in.
  await rig.simPost('/fxo/4/line', { plugged: true });
  await rig.startFirmware();

  const stillHolding = before.filter((a: any) => a.source !== 'fxo/4');
  const ids = (list: any[]) => list.map((a: any) => [key(a), a.id, a.count]).sort();
  const restored = await alarms(rig);
  t.same(ids(restored), ids(stillHolding), 'the alarms whose cause holds are the same records: same ids, not raised or counted again');
  const history = await alarms(rig, true);
  const port4 = before.find((a: any) => a.source === 'fxo/4');
  t.match(
    history.filter((a: any) => a.source === 'fxo/4'),
    [{ id: port4.id, state: 'cleared', count: 1 }],
    'the alarm of the line plugged back while the box was down is cleared, not lost',
  );

  // Past the restore settle time: the span re-integrated red, port 3 is still unplugged, the
  // circuit is still blocked, so each confirmed its alarm and nothing was cleared or doubled.
  await new Promise((r) => setTimeout(r, 3000 + 3000));
  t.same(ids(await alarms(rig)), ids(stillHolding), 'still once each after the restore settle time');
  const trunks = JSON.parse((await rig.cli(['trunks', '--json'])).stdout);
  t.match(trunks.circuits.find((c: any) => c.circuit === 'e1/0/7'), { blocked: true, consecutiveFailures: 2 }, 'the circuit stays blocked');
});
