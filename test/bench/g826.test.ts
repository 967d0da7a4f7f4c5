// Issue 3 "done when": CRC-4 errors above the SES threshold for 8 s give 8 ES and 8 SES; for
// 15 s they give 15 unavailable seconds and no SES (the 10 seconds that open unavailability
// are counted back). Read through `countyline trunks --json`.
import t from 'tap';
import { startRig, waitFor, type Rig } from '../../scripts/lib/bench-rig.mjs';
import { row } from './cli-text.js';

/** G.826 annex A: a second's availability is known once the 10 seconds after it are in. */
const LOOK_AHEAD_SECONDS = 10;

async function day(rig: Rig) {
  const span = (await rig.json(['trunks'])).spans[0];
  return { ...span.day, pending: span.pendingSeconds, available: span.available };
}

/**
 * An error burst of `seconds` card seconds; waits until the firmware has received the burst
 * and the look-ahead seconds after it and holds no second back, and returns the change in the
 * day counts.
 */
async function burst(rig: Rig, seconds: number) {
  const before = await day(rig);
  const span = await rig.simPost('/spans/0/errors', { crc4PerSecond: 400, seconds });
  // The card's next one-second report is the burst's first second.
  const last = span.counters.secondsSent + seconds - 1;
  await rig.waitStatus(
    `card second ${last + LOOK_AHEAD_SECONDS} (the burst ends with second ${last})`,
    (s) => s.spans[0].lastSecond?.second >= last + LOOK_AHEAD_SECONDS,
    (seconds + LOOK_AHEAD_SECONDS) * 1000 + 10_000,
  );
  const after = await waitFor('every second of the burst booked', async (seen) => {
    const d = seen(await day(rig));
    return d.pending === 0 && d.available && d;
  }, 10_000);
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
  t.match(human.stdout, row('今日', 8, 8, 15), 'the day line in Chinese shows ES 8, SES 8, UAS 15');
});
