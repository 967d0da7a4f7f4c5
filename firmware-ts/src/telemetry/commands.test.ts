import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { CountylineError } from '../errors.js';
import { CommandHandler, type CommandActions } from './commands.js';
import { Outbox } from './outbox.js';

async function setup(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'cl-cmd-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const logger = pino({ level: 'silent' });
  const outbox = await Outbox.open({ file: join(dir, 'outbox.jsonl'), boxId: 'box-1', maxBytes: 1 << 20, clock: new FakeClock(1000), logger });
  t.teardown(() => outbox.close());
  const runs: string[] = [];
  const refused: string[] = [];
  const actions: CommandActions = {
    'test-call': async (circuit) => {
      runs.push(`test-call ${circuit}`);
      return { outcomes: [{ circuit, result: 'pass' }] };
    },
    block: async (cic) => {
      runs.push(`block ${cic}`);
      throw new CountylineError('no-isup', {});
    },
    unblock: async (cic) => {
      runs.push(`unblock ${cic}`);
      return { cic };
    },
    'bulletin-set': async (text, until) => {
      runs.push(`bulletin-set ${text} ${until}`);
      if (until !== null && until < 1000) throw new CountylineError('bulletin-past', { until: new Date(until).toISOString(), now: new Date(1000).toISOString() });
      return { bulletin: { text, until, setAt: 1000 } };
    },
    'bulletin-clear': async () => {
      runs.push('bulletin-clear');
      return { cleared: true };
    },
    rebirth: async () => {
      runs.push('rebirth');
      return null;
    },
  };
  const open = () => CommandHandler.open({ file: join(dir, 'commands.json'), outbox, actions, logger, onRefused: (c) => refused.push(c) });
  const results = () => outbox.waiting().filter((e) => e.kind === 'cmd-result').map((e) => e.payload);
  return { outbox, runs, refused, open, results };
}

const msg = (o: Record<string, unknown>) => Buffer.from(JSON.stringify({ v: 1, ts: 5, ...o }));

t.test('a command runs and its result is answered on cmd-result with its id', async (t) => {
  const s = await setup(t);
  const h = await s.open();
  await h.receive('test-call', msg({ id: 'c-1', circuit: 'fxo/0' }));
  t.same(s.runs, ['test-call fxo/0']);
  t.match(s.results(), [{ v: 1, seq: 1, id: 'c-1', name: 'test-call', ok: true, result: { outcomes: [{ circuit: 'fxo/0', result: 'pass' }] }, error: null }]);
});

t.test('a repeated id is answered again from memory, also after a restart, without running twice', async (t) => {
  const s = await setup(t);
  const h = await s.open();
  await h.receive('unblock', msg({ id: 'u-1', cic: 7 }));
  await h.receive('unblock', msg({ id: 'u-1', cic: 7 }));
  const again = await s.open();
  await again.receive('unblock', msg({ id: 'u-1', cic: 7 }));
  t.same(s.runs, ['unblock 7'], 'ran once');
  t.same(
    s.results().map((r) => [r.seq, r.id, r.ok]),
    [
      [1, 'u-1', true],
      [2, 'u-1', true],
      [3, 'u-1', true],
    ],
  );
});

t.test("a failing command answers ok:false with the firmware's error code", async (t) => {
  const s = await setup(t);
  const h = await s.open();
  await h.receive('block', msg({ id: 'b-1', cic: 3 }));
  t.match(s.results(), [{ id: 'b-1', ok: false, result: null, error: { code: 'no-isup', message: /ISUP|isup/ } }]);
});

t.test('a command that fails its schema is not run; answered bad-command naming the field', async (t) => {
  const s = await setup(t);
  const h = await s.open();
  await h.receive('block', msg({ id: 'b-2', cic: 'seven' }));
  t.same(s.runs, []);
  t.match(s.results(), [{ id: 'b-2', ok: false, error: { code: 'bad-command', message: /\/cic/ } }]);
  t.same(s.refused, ['bad-command']);
});

t.test('bulletins are set and cleared through their actions; an end already past answers bulletin-past', async (t) => {
  const s = await setup(t);
  const h = await s.open();
  await h.receive('bulletin-set', msg({ id: 'n-1', text: 'closed today', until: null }));
  await h.receive('bulletin-set', msg({ id: 'n-2', text: 'late', until: 500 }));
  await h.receive('bulletin-clear', msg({ id: 'n-3' }));
  t.same(s.runs, ['bulletin-set closed today null', 'bulletin-set late 500', 'bulletin-clear']);
  t.match(s.results(), [
    { id: 'n-1', ok: true, result: { bulletin: { text: 'closed today', until: null } } },
    { id: 'n-2', ok: false, error: { code: 'bulletin-past', message: /already past/ } },
    { id: 'n-3', ok: true, result: { cleared: true } },
  ]);
});

t.test('garbage without an id is counted and not answered', async (t) => {
  const s = await setup(t);
  const h = await s.open();
  await h.receive('rebirth', Buffer.from('not json'));
  await h.receive('rebirth', msg({ id: 5 }));
  t.same(s.results(), []);
  t.same(s.refused, ['bad-command', 'bad-command']);
  t.same(s.runs, []);
});
