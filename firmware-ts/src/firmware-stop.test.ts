import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { inProcessRig } from '../test-support/in-process-rig.js';
import { parseConfig } from './config/load-config.js';
import { Firmware } from './firmware.js';
import type { TestOutcome } from './trunks/test-call-scheduler.js';

// Firmware.stop() (what SIGTERM runs) must leave no timer behind, or the process does not
// exit. The whole firmware runs in process on the rig's FakeClock: the card simulator with
// its far-end exchange on the in-memory serial line, SS7 on, test calls every 6 minutes.

async function firmware(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'cl-fw-stop-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const r = inProcessRig(t, { card: false, exchange: {} });
  const config = parseConfig({
    card: { path: r.serial.path },
    dataDir: join(dir, 'data'),
    control: { socket: join(dir, 'control.sock') },
    log: { level: 'silent' },
    isup: { ownPointCode: 1000, peerPointCode: 2000, timers: { repeatMs: 1000, alertMs: 5000 } },
    testCalls: { schedule: { mode: 'every', hours: 0.1 } },
  });
  const fw = new Firmware(config, pino({ level: 'silent' }), { clock: r.clock, openTransport: r.open });
  let stopped = false;
  t.teardown(() => (stopped ? undefined : fw.stop()));
  const results: TestOutcome[] = [];
  fw.testCalls.on('test-result', (o) => results.push(o));
  await r.powerOn();
  await fw.start();
  if (!(await r.until(() => fw.card.current === 'up' && fw.isup!.maintenance.ready))) throw new Error('the firmware did not get ready');
  return {
    r,
    fw,
    results,
    /** Stops the firmware as SIGTERM does, then powers the card off and lets time run on. */
    async stopAll(): Promise<void> {
      stopped = true;
      await fw.stop();
      await r.stop();
      await r.run(60_000);
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
