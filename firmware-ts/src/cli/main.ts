#!/usr/bin/env node
import type { Config } from '../config/config-schema.js';
import { EXIT } from '../errors.js';
import { FirmwareRunner } from '../firmware-runner.js';
import { createLogger } from '../logger.js';
import { SdNotifier } from '../systemd/sd-notifier.js';
import { main, processIo } from './cli.js';

/** How long `countyline run` gives the firmware to stop cleanly after SIGTERM or SIGINT. */
const STOP_DEADLINE_MS = 1500;

/**
 * `countyline run`: the firmware until SIGTERM or SIGINT (restarted in-process when central's
 * desired config changes it). systemd expects the process gone promptly after SIGTERM, so a
 * stop that takes longer than the deadline is logged, with what still holds the process, and
 * the process exits all the same. A firmware that starts on neither a new config nor the old
 * one ends the process with exit 1, for systemd to restart it.
 *
 * Under systemd (Type=notify) the firmware says READY=1 once its control socket listens, pings
 * the watchdog from the event loop, and says STOPPING=1 on the way out (systemd/sd-notifier.ts).
 */
async function runFirmware(config: Config, configPath: string): Promise<number> {
  const log = createLogger(config.log.level);
  const notifier = SdNotifier.fromEnv({ env: process.env, pid: process.pid, log: log.child({ module: 'systemd' }) });
  const debugHang = process.env.COUNTYLINE_DEBUG_HANG === '1';
  if (debugHang) log.warn('COUNTYLINE_DEBUG_HANG=1: `countyline debug hang` can block the firmware; not for a box in service');
  const processDeps = { debugHang, ...(notifier && { registerMetrics: notifier.registerMetrics.bind(notifier) }) };
  const firmware = new FirmwareRunner({ config, configPath, logger: log, processDeps });
  // Listen before starting, so that a signal during start-up is a clean stop too.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  await firmware.start();
  notifier?.ready(`serving on ${config.control.socket}`);
  const signal = await Promise.race([signalled, firmware.failed]);
  if (signal instanceof Error) {
    notifier?.stopping('the firmware starts on neither the new config nor the old one');
    await notifier?.close();
    return EXIT.problem;
  }
  log.info({ signal }, 'stopping');
  notifier?.stopping(`stopping on ${signal}`);
  let deadline: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (deadline = setTimeout(() => resolve('late'), STOP_DEADLINE_MS)));
  const stopped = firmware.stop().then(
    () => 'stopped' as const,
    (err: unknown) => {
      log.error({ err }, 'firmware stop failed');
      return 'failed' as const;
    },
  );
  const outcome = await Promise.race([stopped, late]);
  clearTimeout(deadline);
  await notifier?.close();
  if (outcome === 'late') log.error({ stillRunning: process.getActiveResourcesInfo() }, `firmware did not stop within ${STOP_DEADLINE_MS} ms; exiting anyway`);
  return outcome === 'stopped' ? EXIT.ok : EXIT.problem;
}

const code = await main(process.argv.slice(2), processIo(runFirmware));
// After `run`, anything still pending (a client mid-request, a late timer) must not keep the
// box's service from restarting: exit now. Other commands end on their own.
process.exit(code);
