// Issue 3 "done when": CRC-4 errors above the SES threshold for 8 s give 8 ES and 8 SES; for
// 15 s they give 15 unavailable seconds and no SES (the 10 seconds that open unavailability
// are counted back). Read through `countyline trunks --json`.
import t from 'tap';
import { startRig, type Rig } from '../../scripts/lib/bench-rig.mjs';

async function day(rig: Rig) {
  const r = await rig.cli(['trunks', '--json']);
  if (r.code !== 0) throw new Error(`countyline trunks: ${r.stderr}`);
  const span = JSON.parse(r.stdout).spans[0];
  return { ...span.day, pending: span.pendingSeconds, available: span.available };
}

/** Waits until every second of the burst is booked, and returns the change in the day counts. */
async function burst(rig: Rig, seconds: number) {
  const before = await day(rig);
  await rig.simPost('/spans/0/errors', { crc4PerSecond: 400, seconds });
  // The burst, then 10 clean seconds for held seconds to be booked, and a margin.
  await new Promise((r) => setTimeout(r, (seconds + 12) * 1000));
  let after = await day(rig);
  for (let i = 0; i < 20 && (after.pending > 0 || !after.available); i++) {
    await new Promise((r) => setTimeout(r, 1000));
    after = await day(rig);
  }
  if (after.start !== before.start) throw new Error('the day rolled over during the test; run it again');
  return { es: after.es - before.es, ses: after.ses - before.ses, uas: after.uas - before.uas, bbe: after.bbe - before.bbe };
}

t.test('G.826 counting through the whole chain', async (t) => {
  const rig = await startRig();
  t.teardown(() => rig.stop());
  await rig.waitStatus('counters flowing', (s) => s.spans[0]?.totals.seconds >= 2);

  t.same(await burst(rig, 8), { es: 8, ses: 8, uas: 0, bbe: 0 }, '8 s of 400 CRC-4 errors: 8 ES, 8 SES');
  t.same(await burst(rig, 15), { es: 0, ses: 0, uas: 15, bbe: 0 }, '15 s: 15 unavailable seconds, no SES, no ES');

  const human = await rig.cli(['trunks', '--lang', 'zh']);
  t.match(human.stdout, /今日 +8 +8 +15/, 'the day line in Chinese shows ES 8, SES 8, UAS 15');
});
