import t, { type Test } from 'tap';
import { Registry } from 'prom-client';
import { FakeClock } from '@countyline/e1-gateway';
import { CommandDeadline } from './command-deadline.js';
import type { Store } from '../store/store.js';
import { enrolBox } from '../../test-support/enrol-box.js';
import { captureLog, counterValue } from '../../test-support/capture-log.js';
import { freshStore } from '../../test-support/stores.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const SECOND = 1000;

/** Box `box-a` in a fresh SQLite store, a fake clock at T0, and the sweep (not started; stopped when `t` ends). */
async function setup(t: Test, store?: (real: Store) => Pick<Store, 'timeOutCommands'>) {
  const { store: real } = await freshStore(t, 'sqlite');
  await enrolBox(real, 'box-a');
  const clock = new FakeClock(T0);
  const registry = new Registry();
  const { logger, lines } = captureLog();
  const sweep = new CommandDeadline({ store: store ? store(real) : real, clock, logger, registry, everyMs: 5 * SECOND });
  t.teardown(() => sweep.stop());
  const command = (id: string, createdAt: number, timeoutMs: number) =>
    real.createCommand({ id, boxId: 'box-a', name: 'test-call', params: { circuit: 'fxo/0' }, requestedBy: 'ops', createdAt, deadlineAt: createdAt + timeoutMs });
  /** Moves the clock on round by round, letting each round reach the store. */
  const advance = async (ms: number) => {
    for (let left = ms; left > 0; left -= 5 * SECOND) {
      clock.advance(Math.min(left, 5 * SECOND));
      await sweep.idle();
    }
  };
  const state = async (id: string) => (await real.getCommand(id))?.state;
  return { store: real, clock, registry, lines, sweep, command, advance, state };
}

t.test('a command nobody answers is timed out by the first round past its deadline, logged and counted', async (t) => {
  const { store, clock, registry, lines, sweep, command, advance, state } = await setup(t);
  await command('c1', T0, 300 * SECOND);
  await command('c2', T0, 600 * SECOND);
  sweep.start();
  await sweep.idle();
  await advance(295 * SECOND);
  t.equal(await state('c1'), 'sent', 'five seconds before its deadline');
  await advance(5 * SECOND);
  t.match(await store.getCommand('c1'), { state: 'timed-out', timedOutAt: T0 + 300 * SECOND, completedAt: null, outcome: null });
  t.equal(await state('c2'), 'sent', 'the other one has time left');
  t.equal(await counterValue(registry, 'countyline_central_commands_timed_out_total'), 1);
  t.match(
    lines.filter((l) => l.id === 'c1'),
    [{ level: 40, box: 'box-a', command: 'test-call', by: 'ops', msg: 'command test-call (c1) timed out: box box-a did not answer within 300 s' }],
  );
  await advance(300 * SECOND);
  t.equal(await state('c2'), 'timed-out');
  t.equal(clock.now(), T0 + 600 * SECOND);
  t.equal(await counterValue(registry, 'countyline_central_commands_timed_out_total'), 2, 'each command counted once');
});

t.test('a deadline that passed while central was down is caught by the sweep at start', async (t) => {
  const { store, registry, sweep, command } = await setup(t);
  await command('old', T0 - 3_600 * SECOND, 300 * SECOND);
  await command('fresh', T0 - 10 * SECOND, 300 * SECOND);
  sweep.start();
  await sweep.idle();
  t.match(await store.getCommand('old'), { state: 'timed-out', timedOutAt: T0 });
  t.match(await store.getCommand('fresh'), { state: 'sent' });
  t.equal(await counterValue(registry, 'countyline_central_commands_timed_out_total'), 1);
});

t.test('a round the store fails is logged, and the next round still times the command out', async (t) => {
  let failures = 1;
  const { lines, sweep, command, advance, state } = await setup(t, (real) => ({
    timeOutCommands: (now) => (failures-- > 0 ? Promise.reject(new Error('database is locked')) : real.timeOutCommands(now)),
  }));
  await command('c1', T0 - 300 * SECOND, 300 * SECOND);
  sweep.start();
  await sweep.idle();
  t.equal(await state('c1'), 'sent');
  t.match(lines.find((l) => l.level === 50), { msg: 'command deadline sweep failed; trying again in 5000 ms', err: { message: 'database is locked' } });
  await advance(5 * SECOND);
  t.equal(await state('c1'), 'timed-out');
});

t.test('stop ends the rounds: no timer is left, and nothing times out after', async (t) => {
  const { clock, sweep, command, advance, state } = await setup(t);
  await command('c1', T0, 10 * SECOND);
  sweep.start();
  await sweep.idle();
  t.equal(clock.pending(), 1, 'the next round is set');
  await sweep.stop();
  t.equal(clock.pending(), 0);
  await advance(60 * SECOND);
  t.equal(await state('c1'), 'sent');
});

t.test('stop during a round waits for it and sets no next one', async (t) => {
  const { clock, sweep, command, state } = await setup(t);
  await command('c1', T0 - 300 * SECOND, 300 * SECOND);
  sweep.start();
  await sweep.stop();
  t.equal(await state('c1'), 'timed-out', 'the round in progress finished before stop resolved');
  t.equal(clock.pending(), 0);
});
