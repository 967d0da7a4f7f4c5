import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Test } from 'tap';
import { parseConfig } from '../src/config/load-config.js';
import { Firmware } from '../src/firmware.js';
import { inProcessRig, type InProcessRig } from './in-process-rig.js';

export interface InProcessFirmware {
  rig: InProcessRig;
  fw: Firmware;
  /** Stops the firmware as SIGTERM does, then powers the card off. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The whole firmware in process on the rig's FakeClock: the card simulator (with the far-end
 * exchange when the config has an `isup` section) on the in-memory serial line, the state
 * and the control socket in a temp dir of the test's own. `config` is the config file's
 * content past the three required keys. Resolves once the card is up (and the circuits
 * reset with the exchange); the teardown stops everything.
 */
export async function inProcessFirmware(t: Test, config: Record<string, unknown> = {}): Promise<InProcessFirmware> {
  const dir = await mkdtemp(join(tmpdir(), 'cl-fw-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const rig = inProcessRig(t, { card: false, ...('isup' in config ? { exchange: {} } : {}) });
  const parsed = parseConfig({ card: { path: rig.serial.path }, dataDir: join(dir, 'data'), control: { socket: join(dir, 'control.sock') }, ...config });
  const fw = new Firmware(parsed, pino({ level: 'silent' }), { clock: rig.clock, openTransport: rig.open });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await fw.stop();
    await rig.stop();
  };
  t.teardown(stop);
  await rig.powerOn();
  await fw.start();
  const ready = () => {
    if (fw.card.current !== 'up' || (fw.isup !== null && !fw.isup.maintenance.ready)) return false;
    const lines = fw.trunks.fxoHealth();
    return lines.length === fw.card.state.inventory?.fxoPorts && lines.every((p) => p.line !== 'unknown');
  };
  if (!(await rig.until(ready))) throw new Error(`the firmware did not get ready: card ${fw.card.current}`);
  return { rig, fw, stop };
}
