import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { cliOverDispatcher } from '../../test-support/cli-over-dispatcher.js';
import { EXIT } from '../errors.js';

// `countyline debug hang <seconds>` as a user runs it: the CLI, the control method with its
// schema, and the handler, answers and errors crossing as JSON as on the control socket.

async function setup(t: Test, debugHang: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'countyline-debug-hang-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // Only debug-hang is called here; the rest of the firmware is not needed.
  return cliOverDispatcher({ debugHang }, dir);
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
