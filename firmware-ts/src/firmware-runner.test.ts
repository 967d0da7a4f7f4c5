import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import type { Config } from './config/config-schema.js';
import { parseConfig } from './config/load-config.js';
import { readRolledBack } from './config/rolled-back-file.js';
import type { FirmwareDeps } from './firmware.js';
import { FirmwareRunner, type RunnableFirmware } from './firmware-runner.js';
import type { ConfigChange } from './telemetry/desired-config.js';

// The runner's order of work, with firmwares that only record what is done to them: the real
// firmware restarting in-process on a desired config is in test/bench/central-config.test.ts.

class Recorded implements RunnableFirmware {
  calls = 0;
  deps!: FirmwareDeps;
  constructor(
    readonly config: Config,
    private readonly log: string[],
    private readonly failStart: boolean,
  ) {}
  async start() {
    this.log.push(`start ${this.config.calls.ringTimeoutMs}`);
    if (this.failStart) throw new Error('listen EADDRINUSE 127.0.0.1:5060');
  }
  async stop() {
    this.log.push(`stop ${this.config.calls.ringTimeoutMs}`);
  }
  callsUp() {
    return this.calls;
  }
}

async function setup(t: Test, failOn: (config: Config) => boolean = () => false) {
  const dir = await mkdtemp(join(tmpdir(), 'cl-runner-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'config.json');
  const raw = { card: { path: '/dev/ttyS1' }, dataDir: 'data', control: { socket: 'control.sock' } };
  await writeFile(path, JSON.stringify(raw));
  const log: string[] = [];
  const built: Recorded[] = [];
  const runner = new FirmwareRunner({
    config: parseConfig(raw, path),
    configPath: path,
    logger: pino({ level: 'silent' }),
    pollMs: 5,
    create: (config, deps) => {
      const f = new Recorded(config, log, failOn(config));
      f.deps = deps;
      built.push(f);
      return f;
    },
  });
  await runner.start();
  const change = (ringTimeoutMs: number, revision = 1): ConfigChange => {
    const next = { ...raw, calls: { ringTimeoutMs } };
    return { revision, raw: next, config: parseConfig(next, path), changed: ['calls'] };
  };
  const settled = async () => {
    while ((runner as unknown as { applying: Promise<void> | null }).applying) await (runner as unknown as { applying: Promise<void> }).applying;
  };
  const first = () => built[0]!;
  return { dir, path, raw, log, built, first, runner, change, settled, disk: async () => JSON.parse(await readFile(path, 'utf8')) };
}

t.test('a change is written (the old file kept) and the firmware restarted on it', async (t) => {
  const s = await setup(t);
  t.equal(s.first().deps.configFile, s.path, 'the firmware knows its config file');
  s.first().deps.applyConfig!(s.change(30_000));
  await s.settled();
  t.same(s.log, ['start 20000', 'stop 20000', 'start 30000']);
  t.same(await s.disk(), { ...s.raw, calls: { ringTimeoutMs: 30_000 } });
  t.same(JSON.parse(await readFile(`${s.path}.previous`, 'utf8')), s.raw);
  t.equal(s.runner.firmware.config.calls.ringTimeoutMs, 30_000);
});

t.test('a change waits while a call is up; a newer revision that comes meanwhile replaces it', async (t) => {
  const s = await setup(t);
  s.first().calls = 1;
  s.first().deps.applyConfig!(s.change(30_000, 1));
  await new Promise((r) => setTimeout(r, 50));
  t.same(s.log, ['start 20000'], 'nothing stopped while the call is up');
  t.same(await s.disk(), s.raw, 'nor written');
  s.first().deps.applyConfig!(s.change(40_000, 2));
  s.first().deps.applyConfig!(s.change(35_000, 1));
  s.first().calls = 0;
  await s.settled();
  t.same(s.log, ['start 20000', 'stop 20000', 'start 40000'], 'once the call ended, the latest revision only');
});

t.test('a config the firmware does not start on is rolled back and remembered', async (t) => {
  const s = await setup(t, (c) => c.calls.ringTimeoutMs === 30_000);
  s.first().deps.applyConfig!(s.change(30_000, 7));
  await s.settled();
  t.same(s.log, ['start 20000', 'stop 20000', 'start 30000', 'stop 30000', 'start 20000'], 'the failed one is stopped, the old config started again');
  t.same(await s.disk(), s.raw, 'the old file is back');
  t.match(await readRolledBack(join(s.dir, 'data')), { revision: 7, reason: /EADDRINUSE/ });
  t.equal(s.runner.firmware.config.calls.ringTimeoutMs, 20_000);
});

t.test('when neither config starts, failed resolves with the error', async (t) => {
  const s = await setup(t);
  const failing = new FirmwareRunner({
    config: s.runner.firmware.config,
    configPath: s.path,
    logger: pino({ level: 'silent' }),
    create: (config, deps) => {
      const f = new Recorded(config, s.log, config.calls.ringTimeoutMs !== 20_000 || s.log.length > 3);
      f.deps = deps;
      s.built.push(f);
      return f;
    },
  });
  await failing.start();
  s.built.at(-1)!.deps.applyConfig!(s.change(30_000));
  t.match(await failing.failed, { message: /EADDRINUSE/ });
});

t.test('stop during a wait for calls drops the change', async (t) => {
  const s = await setup(t);
  s.first().calls = 1;
  s.first().deps.applyConfig!(s.change(30_000));
  await s.runner.stop();
  t.same(s.log, ['start 20000', 'stop 20000']);
  t.same(await s.disk(), s.raw);
});

t.test('a change whose files cannot be written is logged; the firmware runs on, the process does not crash', async (t) => {
  const s = await setup(t);
  await rm(s.path); // the config file is gone: it cannot be read back to keep as .previous
  s.first().deps.applyConfig!(s.change(30_000));
  await s.settled();
  t.same(s.log, ['start 20000'], 'never stopped');
  t.equal(s.runner.firmware, s.first());
  s.first().deps.applyConfig!(s.change(31_000, 2));
  await s.settled();
  t.same(s.log, ['start 20000'], 'a later change is taken and fails the same way, without a crash');
});
