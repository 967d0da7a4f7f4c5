import { FakeClock } from '@countyline/e1-gateway';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import type { AgentPhones } from '../calls/call-ports.js';
import { AgentStatusFile } from './agent-status-file.js';
import { OfficeQueue } from './office-queue.js';

// An agent's status, set by the CLI or a feature code, outlives a restart: each "restart" here
// is a new file reader and a new queue over the same data folder.

const silent = pino({ level: 'silent' });

function phones(users: string[]): AgentPhones {
  return {
    list: () => users.map((user) => ({ user, name: `Agent ${user}`, wrapUpMs: 0 })),
    phoneUp: () => true,
    onPhoneChange: () => () => {},
    setBusy: () => {},
    call: () => {
      throw new Error('no calls in this test');
    },
  };
}

async function dataDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cl-agents-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The box starting: the file read, the queue built with what it held. */
async function boot(dir: string, users: string[], agentsStart: 'available' | 'logged-out', logger = silent) {
  const file = new AgentStatusFile({ file: join(dir, 'agent-status.json'), clock: new FakeClock(1_000), logger });
  const restored = await file.load();
  const queue = new OfficeQueue({
    clock: new FakeClock(1_000),
    logger: silent,
    agents: phones(users),
    settings: { strategy: 'longest-idle', ringTimeoutMs: 20_000, maxWaitMs: 0, repeatAbandonersAhead: true, agentsStart },
    restored,
    saveStatuses: (agents) => file.save(agents),
  });
  const statuses = () => Object.fromEntries(queue.agents().map((a) => [a.id, a.status]));
  return { file, queue, statuses };
}

t.test('the status last given to each agent comes back after a restart, over queue.agentsStart', async (t) => {
  const dir = await dataDir(t);
  const first = await boot(dir, ['1001', '1002', '1003'], 'available');
  first.queue.setStatus('1001', 'break');
  first.queue.setStatus('1002', 'logout');
  first.queue.setStatus('1002', 'login');
  first.queue.setStatus('1002', 'logout'); // the last one counts
  await first.file.flush();
  first.queue.stop();

  const second = await boot(dir, ['1001', '1002', '1003'], 'available');
  t.same(second.statuses(), { '1001': 'on-break', '1002': 'logged-out', '1003': 'available' }, '1003 was never set: agentsStart');
  second.queue.stop();
  const loggedOutStart = await boot(dir, ['1001', '1002', '1003'], 'logged-out');
  t.same(loggedOutStart.statuses(), { '1001': 'on-break', '1002': 'logged-out', '1003': 'logged-out' });
  loggedOutStart.queue.setStatus('1001', 'login');
  await loggedOutStart.file.flush();
  loggedOutStart.queue.stop();

  // 1002 left the config, 1004 joined: the saved 1002 is ignored, 1004 starts as configured.
  const third = await boot(dir, ['1001', '1003', '1004'], 'logged-out');
  t.same(third.statuses(), { '1001': 'available', '1003': 'logged-out', '1004': 'logged-out' });
  third.queue.stop();
});

t.test('the file is replaced whole, with nothing left beside it', async (t) => {
  const dir = await dataDir(t);
  const box = await boot(dir, ['1001'], 'available');
  box.queue.setStatus('1001', 'break');
  box.queue.setStatus('1001', 'login');
  await box.file.flush();
  box.queue.stop();
  t.same(JSON.parse(await readFile(join(dir, 'agent-status.json'), 'utf8')), { version: 1, agents: { '1001': 'available' } });
  t.same(await readdir(dir), ['agent-status.json'], 'no temp file left');
});

t.test('a corrupt file is logged, moved aside and ignored: the box starts with agentsStart', async (t) => {
  for (const [what, text] of [
    ['torn JSON', '{"version": 1, "agents": {"1001": "on-br'],
    ['a status that does not exist', '{"version": 1, "agents": {"1001": "asleep"}}'],
    ['another shape', '["1001"]'],
  ] as const) {
    const dir = await dataDir(t);
    await writeFile(join(dir, 'agent-status.json'), text);
    const logged: { msg: string; file?: string; movedTo?: string }[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    const box = await boot(dir, ['1001', '1002'], 'logged-out', logger);
    t.same(box.statuses(), { '1001': 'logged-out', '1002': 'logged-out' }, `${what}: agentsStart`);
    t.equal(logged.length, 1, `${what}: one error logged`);
    t.match(logged[0], { msg: /agent status file is not a saved status list; ignored/, file: join(dir, 'agent-status.json'), movedTo: /agent-status\.json\.corrupt-1000$/ });
    t.equal(await readFile(logged[0]!.movedTo!, 'utf8'), text, 'kept aside as it was');
    box.queue.setStatus('1002', 'login');
    await box.file.flush();
    t.same(JSON.parse(await readFile(join(dir, 'agent-status.json'), 'utf8')).agents, { '1002': 'available' }, 'and the next change is saved afresh');
    box.queue.stop();
  }
});
