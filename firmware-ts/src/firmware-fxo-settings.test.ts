import t from 'tap';
import { inProcessFirmware } from '../test-support/in-process-firmware.js';
import type { FxoSupervisionEvent } from './trunks/fxo-supervisor.js';

// The FXO settings of the config reach every module that judges a line: the card driver's
// view and the test calls as well as the line supervision.

t.test('trunks.fxo.batteryThresholdV 5: a line at 4 V is unplugged in the status and fails its test call as unplugged', async (t) => {
  const { rig, fw } = await inProcessFirmware(t, { config: { trunks: { fxo: { batteryThresholdV: 5 } } } });
  rig.lineVoltage(3, -4);
  await rig.settle(fw.card.command({ type: 'snapshot' }));
  await rig.run(1100);
  t.match(fw.status().fxo[3], { line: 'unplugged', voltage: -4 });
  const [outcome] = await rig.settle(fw.testCalls.run(['fxo/3']));
  t.match(outcome, { circuit: 'fxo/3', result: 'fail', reason: 'no line on the port (no battery voltage)' });
});

for (const { fxo, expected } of [
  { fxo: { hangupDebounceMs: 64, polarityDebounceMs: 300 }, expected: 300 },
  { fxo: { hangupDebounceMs: 200 }, expected: 64 },
]) {
  t.test(`trunks.fxo ${JSON.stringify(fxo)}: a polarity reversal is reported after ${expected} ms`, async (t) => {
    const { rig, fw } = await inProcessFirmware(t, { config: { trunks: { fxo } } });
    const seen: { port: number; event: FxoSupervisionEvent }[] = [];
    fw.trunks.on('fxo-line', (port, event) => seen.push({ port, event }));
    const t0 = rig.clock.now();
    rig.sim.setLinePolarity(2, true);
    await rig.run(1000);
    t.same(
      seen.map(({ port, event }) => [port, event.type, event.at - t0]),
      [[2, 'polarity-reversal', expected]],
    );
  });
}
