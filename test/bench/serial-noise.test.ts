// Issue 2 "done when": 1 % of serial bytes corrupted by the simulator for a minute. The
// firmware must not crash, must count the corrupt frames, and must end with the right state.
import t from 'tap';
import { startRig } from '../../scripts/lib/bench-rig.mjs';

const NOISE_SECONDS = Number(process.env.COUNTYLINE_NOISE_SECONDS ?? 60);
/** Durations on purpose: one round of changes this often, and noise kept on this long after the last. */
const ROUND_MS = 700;
const NOISE_TAIL_MS = 2000;

t.test(`1 % serial noise for ${NOISE_SECONDS} s: no crash, corrupt frames counted, state right after`, async (t) => {
  const rig = await startRig();
  t.teardown(() => rig.stop());
  await rig.waitStatus('first snapshot', (s) => s.fxo.length === 5);

  await rig.simPost('/serial/noise', { ratio: 0.01 });
  // Keep the card busy while the line is noisy: state changes that must all arrive.
  const end = Date.now() + NOISE_SECONDS * 1000;
  let round = 0;
  while (Date.now() < end) {
    const port = round % 5;
    await rig.simPost(`/fxo/${port}/line`, { plugged: round % 2 === 1 });
    await rig.simPost('/spans/0/defects', { rai: round % 3 === 0 });
    await rig.simPost('/spans/0/errors', { crc4PerSecond: round % 4 });
    round++;
    await new Promise((r) => setTimeout(r, ROUND_MS));
  }
  // The final state: ports 0..4 as set last, RAI off, errors off.
  for (let port = 0; port < 5; port++) await rig.simPost(`/fxo/${port}/line`, { plugged: port % 2 === 0 });
  await rig.simPost('/spans/0/defects', { rai: false, ais: true });
  await rig.simPost('/spans/0/errors', { crc4PerSecond: 0 });
  // The final changes cross the noisy line too; what arrives is read after, by condition.
  await new Promise((r) => setTimeout(r, NOISE_TAIL_MS));
  await rig.simPost('/serial/noise', { ratio: 0 });

  const card = await rig.simGet('/state');
  // About 10 kB cross the line in a minute here, so 1 % is about a hundred bytes.
  t.ok(card.serial.corruptedBytes >= 40, `the simulator corrupted ${card.serial.corruptedBytes} bytes`);

  const s = await rig.waitStatus(
    'state to match the card',
    (s) => s.card.link === 'up' && s.fxo.every((p: any) => p.line === (p.port % 2 === 0 ? 'present' : 'unplugged')) && s.spans[0].causes.join() === 'AIS',
    15_000,
  );
  t.equal(rig.firmware?.child.exitCode, null, 'firmware still running');
  const dropped = s.card.serial.dropped;
  const corrupt = dropped.crc + dropped.escape + dropped.short + dropped.oversize + dropped.truncated + dropped['bad-value'] + dropped['unknown-type'] + dropped.trailing + dropped.version;
  t.ok(corrupt > 10, `the firmware dropped and counted ${corrupt} corrupt frames (${JSON.stringify(dropped)})`);
  t.ok(s.card.serial.cardRxErrors > 10, `the card dropped ${s.card.serial.cardRxErrors} corrupt frames from the firmware`);
  t.same(s.spans[0].causes, ['AIS']);
  t.same(
    s.fxo.map((p: any) => p.voltage),
    [-48, 0, -48, 0, -48],
  );
  const metrics = await rig.cli(['metrics'], 0);
  t.match(metrics.stdout, /countyline_card_frames_dropped_total\{reason="crc"\} [1-9]/, 'corrupt frames show in the metrics');
});
