import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { checkResult, type FirmwareConnection } from '../control/control-client.js';
import { ControlDispatcher } from '../control/control-dispatcher.js';
import { CountylineError, EXIT, fromWire } from '../errors.js';
import { controlHandlers, type ControlTarget } from '../firmware-control.js';
import { main, type CliIo } from './cli.js';

// `countyline debug hang <seconds>` as a user runs it: the CLI, the control method with its
// schema, and the handler, answers and errors crossing as JSON as on the control socket.

const silent = pino({ level: 'silent' });

async function setup(t: Test, debugHang: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'countyline-debug-hang-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // Only debug-hang is called here; the rest of the firmware is not needed.
  const dispatcher = new ControlDispatcher(controlHandlers({ debugHang } as unknown as ControlTarget), silent);
  const wire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
  const connection: FirmwareConnection = {
    async call(method, params) {
      try {
        return checkResult(method, wire(await dispatcher.call(method, wire(params) as typeof params)));
      } catch (err) {
        throw err instanceof CountylineError ? fromWire(wire(err.toWire()) as ReturnType<CountylineError['toWire']>) : err;
      }
    },
  };
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ card: { path: '/dev/ttyS1' }, dataDir: join(dir, 'data'), control: { socket: join(dir, 'control.sock') } }));
  return async (...argv: string[]) => {
    const out = { stdout: '', stderr: '' };
    const io: CliIo = {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
      env: { LANG: 'C' },
      connect: () => connection,
      runFirmware: () => Promise.reject(new Error('not in this test')),
      now: () => Date.now(),
      sleep: () => Promise.resolve(),
    };
    const code = await main([...argv, '--config', config], io);
    return { code, ...out };
  };
}

t.test('refused, in English and Chinese, unless the firmware runs with COUNTYLINE_DEBUG_HANG=1', async (t) => {
  const run = await setup(t, false);
  const en = await run('debug', 'hang', '5');
  t.equal(en.code, EXIT.usage);
  t.match(en.stderr, /debug hang is off.*COUNTYLINE_DEBUG_HANG=1/);
  const zh = await run('debug', 'hang', '5', '--lang', 'zh');
  t.match(zh.stderr, /调试挂起未启用.*COUNTYLINE_DEBUG_HANG=1/);
});

t.test('allowed: the answer comes first, then the event loop is blocked for the seconds asked', async (t) => {
  const run = await setup(t, true);
  const asked = performance.now();
  const { code, stdout } = await run('debug', 'hang', '0.5');
  t.equal(code, EXIT.ok);
  t.match(stdout, /blocks for 0.5 s from now/);
  t.ok(performance.now() - asked < 100, 'answered before the loop blocks');
  // A timer due in 150 ms (after the block begins) fires only once the loop is free again.
  const timerSet = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 150));
  const late = performance.now() - timerSet;
  t.ok(late >= 500, `a 150 ms timer fired after ${Math.round(late)} ms`);
});

t.test('the seconds are checked: missing, not a number, out of range', async (t) => {
  const run = await setup(t, true);
  t.equal((await run('debug', 'hang')).code, EXIT.usage);
  t.equal((await run('debug', 'hang', 'long')).code, EXIT.usage);
  t.equal((await run('debug', 'hang', '0')).code, EXIT.usage);
  t.equal((await run('debug', 'sleep', '3')).code, EXIT.usage);
});
