// `countyline run` stops cleanly on SIGTERM (systemd's stop) in every state: it exits with
// code 0 within 2 s, whatever it was doing. systemd sends SIGKILL when a stop takes too long,
// and a firmware killed that way saves nothing on the way out.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startRig, waitFor, type Rig } from '../../scripts/lib/bench-rig.mjs';
import { captureRecording, exchange, exchangeReady } from './isup-helpers.js';

const EXIT_WITHIN_MS = 2000;
/** How long to keep watching a firmware that missed the 2 s, to say how late it was. */
const WATCH_AFTER_MS = 10_000;

/** Sends SIGTERM to the firmware and checks it exits with code 0 within 2 s. */
async function sigterm(t: Test, rig: Rig) {
  const firmware = rig.firmware!;
  const sentAt = Date.now();
  firmware.child.kill('SIGTERM');
  const ended = await Promise.race([firmware.exited, new Promise<null>((r) => setTimeout(() => r(null), WATCH_AFTER_MS))]);
  if (ended === null) {
    const lastLog = firmware.output.join('').trim().split('\n').slice(-5);
    t.fail(`the firmware was still running ${WATCH_AFTER_MS} ms after SIGTERM`, { lastLog });
    return;
  }
  const took = ended.at - sentAt;
  t.ok(took <= EXIT_WITHIN_MS, `exited ${took} ms after SIGTERM, within ${EXIT_WITHIN_MS} ms`);
  t.same({ code: ended.code, signal: ended.signal }, { code: 0, signal: null }, 'with exit code 0');
}

t.test('card up and idle', async (t) => {
  const rig = await startRig({ isup: true });
  t.teardown(() => rig.stop());
  await exchangeReady(rig);
  await sigterm(t, rig);
});

t.test('card not answering (simulator silenced)', async (t) => {
  const rig = await startRig({ isup: true, firmware: false });
  t.teardown(() => rig.stop());
  await rig.simPost('/card/silence', { on: true });
  await rig.startFirmware({ waitUp: false });
  await rig.waitStatus('card-silent', (s) => s.card.error?.code === 'card-silent');
  await sigterm(t, rig);
});

t.test('no card at all (no simulator on the line)', async (t) => {
  const rig = await startRig({ isup: true, sim: false, firmware: false });
  t.teardown(() => rig.stop());
  await rig.startFirmware({ waitUp: false });
  await rig.waitStatus('card-silent', (s) => s.card.error?.code === 'card-silent');
  await sigterm(t, rig);
});

t.test('during a test-call pass (countyline test-call all)', async (t) => {
  const rig = await startRig({ isup: true });
  t.teardown(() => rig.stop());
  await exchangeReady(rig);
  const pass = rig.spawnCli(['test-call', 'all']);
  await pass.waitOutput('its first result', /^\[ ?\d+\/\d+\] /m, 15_000);
  await sigterm(t, rig);
});

t.test('during a scheduled test-call pass (nightly, set to the next minute)', async (t) => {
  const rig = await startRig({ isup: true, firmware: false });
  t.teardown(() => rig.stop());
  // The box's clock is UTC+8 by default (trunks.utcOffsetHours); the pass starts on a minute.
  const offsetMs = 8 * 3_600_000;
  const runAt = Math.ceil((Date.now() + offsetMs + 10_000) / 60_000) * 60_000 - offsetMs;
  const at = new Date(runAt + offsetMs).toISOString().slice(11, 16);
  const config = JSON.parse(readFileSync(rig.configPath, 'utf8'));
  writeFileSync(rig.configPath, JSON.stringify({ ...config, testCalls: { schedule: { mode: 'nightly', at } } }));
  await rig.startFirmware();
  await waitFor(`the scheduled pass at ${at} to have its first result`, async (seen) => {
    const tested = (await rig.json(['trunks'])).circuits.filter((c: any) => c.lastTest !== null);
    return seen(tested.length) > 0;
  }, runAt - Date.now() + 15_000, { intervalMs: 500 });
  await sigterm(t, rig);
});

t.test('during a continuity check (countyline test-call e1/0/3, no tone coming back)', async (t) => {
  const rig = await startRig({ isup: true });
  t.teardown(() => rig.stop());
  await exchangeReady(rig);
  // A broken loop: the check waits its full 2 s for the tone, time enough to stop it.
  await rig.simPost('/spans/0/timeslots/3/loopback-fault', { broken: true });
  rig.spawnCli(['test-call', 'e1/0/3']);
  await waitFor('the exchange to loop CIC 3 for our CCR', async (seen) => seen((await exchange(rig)).circuits.find((c: any) => c.cic === 3)).loopback, 15_000, { intervalMs: 50 });
  await sigterm(t, rig);
});

t.test('during outgoing SS7 calls (countyline call --count)', async (t) => {
  const rig = await startRig({ isup: true });
  t.teardown(() => rig.stop());
  await exchangeReady(rig);
  rig.spawnCli(['call', '12345', '--count', '20', '--per-minute', '60', '--hold', '5']);
  await waitFor('two of our calls up at the exchange', async (seen) => seen((await exchange(rig)).counts.incoming) >= 2, 15_000);
  await sigterm(t, rig);
});

t.test('during a capture (countyline capture)', async (t) => {
  const rig = await startRig({ isup: true });
  t.teardown(() => rig.stop());
  await exchangeReady(rig);
  rig.spawnCli(['capture', join(rig.dir, 'signalling.pcap'), '--seconds', '60']);
  await captureRecording(rig, join(rig.dir, 'signalling.pcap'));
  await sigterm(t, rig);
});
