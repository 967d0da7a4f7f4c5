// Issue 2 "done when": socat, the simulator and the firmware as separate processes; LOS on
// the span and an unplugged FXO line injected through the simulator's control API are both
// reported by `countyline status --json`, and clear again.
import t from 'tap';
import { startRig } from '../../scripts/lib/bench-rig.mjs';
import { row } from './cli-text.js';

t.test('LOS on the span and an unplugged FXO line show in countyline status', async (t) => {
  const rig = await startRig();
  t.teardown(() => rig.stop());

  const first = await rig.waitStatus('the first snapshot', (s) => s.fxo.length === 5 && s.links[0]?.state === 'in-service');
  t.equal(first.card.link, 'up');
  t.match(first.card.inventory, { model: String, serial: String, firmware: String, spans: 1, fxoPorts: 5 });
  t.same(first.spans.map((s: any) => s.causes), [[]], 'span 0 has no defect');
  t.same(
    first.fxo.map((p: any) => [p.line, p.voltage]),
    Array.from({ length: 5 }, () => ['present', -48]),
    'five idle lines with battery',
  );
  t.match(first.links, [{ link: 0, span: 0, timeslot: 16, mode: 'mtp2', state: 'in-service' }]);

  await rig.simPost('/spans/0/defects', { los: true });
  const los = await rig.waitStatus('LOS on span 0', (s) => s.spans[0].causes.includes('LOS'));
  t.same(los.spans[0].causes, ['LOS']);
  t.equal(los.spans[0].defects.los, true);
  const linkDown = await rig.waitStatus('the SS7 link out of service', (s) => s.links[0].state === 'out-of-service');
  t.equal(linkDown.links[0].state, 'out-of-service', 'no signalling without a line');

  await rig.simPost('/fxo/3/line', { plugged: false });
  const unplugged = await rig.waitStatus('FXO port 3 unplugged', (s) => s.fxo[3].line === 'unplugged');
  t.equal(unplugged.fxo[3].voltage, 0);
  t.same(
    unplugged.fxo.filter((p: any) => p.port !== 3).map((p: any) => p.line),
    ['present', 'present', 'present', 'present'],
    'the other lines are untouched',
  );

  // Exit 0: the card link is up.
  const human = await rig.cli(['status', '--lang', 'zh'], 0);
  t.match(human.stdout, /E1 中继 0 +告警: LOS/);
  t.match(human.stdout, row(3, '未接线'));

  await rig.simPost('/spans/0/defects', { los: false });
  await rig.simPost('/fxo/3/line', { plugged: true });
  const clear = await rig.waitStatus('everything back', (s) => s.spans[0].causes.length === 0 && s.fxo[3].line === 'present' && s.links[0].state === 'in-service');
  t.equal(clear.fxo[3].voltage, -48);
  t.equal(clear.card.error, null);
});
