// The whole firmware in one process for tests: the Firmware class as `countyline run` builds
// it, on a FakeClock, its card the in-memory card simulator with the far-end exchange behind
// its SS7 link, no control socket (driven through `firmware.handle()`), state in a temp dir.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@countyline/e1-gateway';
import { FarEndExchange, parseExchangeConfig } from '@countyline/e1-gateway/sim';
import { pino } from 'pino';
import type { Test } from 'tap';
import { createSimSerial } from '../src/card/sim-transport.js';
import { checkProgress, checkResult, type FirmwareConnection } from '../src/control/control-client.js';
import { parseConfig } from '../src/config/load-config.js';
import { Firmware } from '../src/firmware.js';

/** 2025-03-10 09:00 China time. */
export const START = Date.UTC(2025, 2, 10, 1, 0, 0);

export interface InProcessOptions {
  /** Config keys over the defaults (the minimal config plus SS7 toward point code 2000). */
  config?: Record<string, unknown>;
  /** No `isup` section: a box without SS7. */
  noIsup?: boolean;
  /** The far-end exchange's settings, as in a simulator `--exchange` file. */
  exchange?: Record<string, unknown>;
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function inProcessFirmware(t: Test, o: InProcessOptions = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'cl-fw-'));
  const clock = new FakeClock(START);
  // The exchange holds answered calls for an hour unless told otherwise: the box decides.
  const exchange = new FarEndExchange({ config: parseExchangeConfig({ holdSeconds: 3600, ...o.exchange }), clock });
  const serial = createSimSerial({ clock, exchange });
  const config = parseConfig(
    {
      card: { path: '/dev/ttyS1' },
      dataDir: 'data',
      control: { socket: 'control.sock' },
      log: { level: 'silent' },
      testCalls: { schedule: { mode: 'off' } },
      ...(o.noIsup ? {} : { isup: { ownPointCode: 1000, peerPointCode: 2000, timers: { repeatMs: 1000, alertMs: 5000, t7Ms: 3000, t9Ms: 10_000 } } }),
      ...o.config,
    },
    join(dir, 'config.json'),
  );
  const firmware = new Firmware(config, pino({ level: 'silent' }), { clock, openTransport: serial.open, controlSocket: false });

  /** Moves time on in small steps, letting bytes and microtasks run between them. */
  async function run(ms: number, step = 10): Promise<void> {
    await flush();
    for (let done = 0; done < ms; done += step) {
      clock.advance(Math.min(step, ms - done));
      await flush();
    }
  }
  /** Runs until `done()` holds or `limitMs` passes; returns whether it held. */
  async function until(done: () => boolean, limitMs = 10_000, step = 10): Promise<boolean> {
    await flush();
    for (let waited = 0; !done() && waited < limitMs; waited += step) await run(step, step);
    return done();
  }
  /** Runs the clock until the promise settles and gives its outcome. */
  async function settle<T>(promise: Promise<T>, limitMs = 120_000): Promise<T> {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    if (!(await until(() => settled, limitMs))) throw new Error(`not settled within ${limitMs} ms of fake time`);
    return promise;
  }

  let started = false;
  t.teardown(async () => {
    if (started) await firmware.stop();
    serial.sim.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * What the CLI's `connect` gives, reaching this firmware in-process: parameters and answers
   * cross as JSON, and answers are checked as the socket client checks them.
   */
  const connection: FirmwareConnection = {
    async call(method, params, options = {}) {
      const wire = <T>(v: T): unknown => JSON.parse(JSON.stringify(v));
      const result = await firmware.handle(method, wire(params) as typeof params, (p) => options.onProgress?.(checkProgress(method, wire(p))));
      return checkResult(method, wire(result));
    },
  };

  return {
    clock,
    dir,
    connection,
    config,
    firmware,
    exchange,
    sim: serial.sim,
    serial,
    run,
    until,
    settle,
    /** Card on, firmware started, and (with SS7) the circuits reset with the exchange. */
    async up(): Promise<void> {
      serial.sim.start();
      await run(1500); // the card booted before the firmware opened its port
      await firmware.start();
      started = true;
      const ready = await until(() => firmware.card.current === 'up' && (firmware.isup === null || firmware.isup.maintenance.ready), 10_000);
      if (!ready) throw new Error(`the firmware did not get ready: card ${firmware.card.current}, SS7 ready ${firmware.isup?.maintenance.ready}`);
    },
  };
}
