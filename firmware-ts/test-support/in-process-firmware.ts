import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Test } from 'tap';
import { parseConfig } from '../src/config/load-config.js';
import { checkProgress, checkResult, type FirmwareConnection } from '../src/control/control-client.js';
import { Firmware } from '../src/firmware.js';
import { inProcessRig, TIMERS, type InProcessRig } from './in-process-rig.js';

/** An `isup` config section toward the rig's exchange (point codes 1000 and 2000), with short timers. */
export const ISUP_CONFIG = { ownPointCode: 1000, peerPointCode: 2000, timers: TIMERS };

export interface InProcessFirmwareOptions {
  /** The config file's content past the three required keys (`isup`: with the exchange). */
  config?: Record<string, unknown>;
  /** The far-end exchange's settings, as in a simulator `--exchange` file. */
  exchange?: Record<string, unknown>;
  /** Also listen on a control socket in the temp dir; default: in-process only (`fw.handle`). */
  controlSocket?: boolean;
}

export interface InProcessFirmware {
  rig: InProcessRig;
  fw: Firmware;
  /** The test's own temp dir: `config.json` (written), `data/`, `control.sock`. */
  dir: string;
  configPath: string;
  /**
   * What the CLI's `connect` gives, reaching this firmware in-process: parameters and answers
   * cross as JSON, and answers are checked as the socket client checks them.
   */
  connection: FirmwareConnection;
  /** Stops the firmware as SIGTERM does, then powers the card off. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The whole firmware in process on the rig's FakeClock: the card simulator (with the far-end
 * exchange when the config has an `isup` section) on the in-memory serial line, the state in
 * a temp dir of the test's own, driven through `fw.handle()` as the control socket drives it.
 * Resolves once the card is up, every FXO line judged (and the circuits reset with the
 * exchange); the teardown stops everything.
 */
export async function inProcessFirmware(t: Test, o: InProcessFirmwareOptions = {}): Promise<InProcessFirmware> {
  const config: Record<string, unknown> = { testCalls: { schedule: { mode: 'off' } }, ...o.config };
  const dir = await mkdtemp(join(tmpdir(), 'cl-fw-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const rig = inProcessRig(t, { card: false, ...('isup' in config || o.exchange ? { exchange: o.exchange ?? {} } : {}) });
  // Test timers far below Q.764's ranges, which a config file may not carry, go to the
  // firmware past the file's checks.
  const { timers, ...isup } = (config.isup ?? {}) as { timers?: Record<string, number> };
  const file = { card: { path: rig.serial.path }, dataDir: 'data', control: { socket: 'control.sock' }, ...config, ...(config.isup ? { isup } : {}) };
  const configPath = join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify(file));
  const parsed = parseConfig(file, configPath);
  if (timers && parsed.isup) parsed.isup.timers = { ...parsed.isup.timers, ...timers };
  const fw = new Firmware(parsed, pino({ level: 'silent' }), { clock: rig.clock, openTransport: rig.open, controlSocket: o.controlSocket ?? false });
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
  if (!(await rig.until(ready))) throw new Error(`the firmware did not get ready: card ${fw.card.current}, SS7 ready ${fw.isup?.maintenance.ready}`);

  const wire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
  const connection: FirmwareConnection = {
    async call(method, params, options = {}) {
      const result = await fw.handle(method, wire(params) as typeof params, (p) => options.onProgress?.(checkProgress(method, wire(p))));
      return checkResult(method, wire(result));
    },
  };
  return { rig, fw, dir, configPath, connection, stop };
}
