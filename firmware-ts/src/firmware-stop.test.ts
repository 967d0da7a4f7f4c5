import t, { type Test } from 'tap';
import { inProcessFirmware } from '../test-support/in-process-firmware.js';
import type { TestOutcome } from './trunks/test-call-scheduler.js';

// Firmware.stop() (what SIGTERM runs) must leave no timer behind, or the process does not
// exit. The whole firmware runs in process on the rig's FakeClock: the card simulator with
// its far-end exchange on the in-memory serial line, SS7 on, test calls every 6 minutes.

async function firmware(t: Test) {
  const f = await inProcessFirmware(t, {
    config: {
      isup: { ownPointCode: 1000, peerPointCode: 2000, timers: { repeatMs: 1000, alertMs: 5000 } },
      testCalls: { schedule: { mode: 'every', hours: 0.1 } },
    },
  });
  const results: TestOutcome[] = [];
  f.fw.testCalls.on('test-result', (o) => results.push(o));
  return {
    ...f,
    r: f.rig,
    results,
    /** Stops the firmware and the card, then lets a minute pass for anything under way to end. */
    async stopAll(): Promise<void> {
      await f.stop();
      await f.rig.run(60_000);
    },
  };
}

t.test('stop() of a running firmware leaves nothing pending on the clock', async (t) => {
  const { r, stopAll } = await firmware(t);
  await r.run(5000);
  await stopAll();
  t.equal(r.clock.pending(), 0, 'no timer left');
});

t.test('stop() during the scheduled test calls leaves nothing pending on the clock', async (t) => {
  const { r, results, stopAll } = await firmware(t);
  t.ok(await r.until(() => results.length >= 2, 7 * 60_000, 25), 'the pass is under way');
  await stopAll();
  t.equal(r.clock.pending(), 0, 'no timer left');
});

t.test('stop() while a continuity test waits for its RLC leaves nothing pending on the clock', async (t) => {
  const { r, fw, results, stopAll } = await firmware(t);
  r.tap.deaf = true; // the exchange hears nothing more: our REL after the CCR is never answered
  const test = fw.testCalls.run(['e1/0/5']);
  t.ok(await r.until(() => r.tap.of('box', 'REL').length >= 2, 10_000), 'REL is being repeated (T1)');
  await stopAll();
  t.equal(r.clock.pending(), 0, 'no timer left');
  t.match(await test, [{ circuit: 'e1/0/5' }], 'the test call under way still resolves');
  t.equal(results.length, 1);
});
