import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { MessagePruner, pruneMessages } from './message-pruner.js';

const DAY = 24 * 3_600_000;
const NOW = Date.UTC(2026, 11, 2, 4, 0, 0);
const silent = pino({ level: 'silent' });

async function folder(t: Test, files: string[]): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'cl-messages-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const dir = join(root, 'messages');
  await mkdir(dir);
  for (const f of files) await writeFile(join(dir, f), 'x');
  return dir;
}

t.test('messages past the keep time go, unless their request is still pending; other files stay', async (t) => {
  const old = NOW - 91 * DAY;
  const dir = await folder(t, [`a1b2-c3d4-${old}.alaw`, `e5f6-${old}.alaw`, `e5f6-${NOW - DAY}.alaw`, `pending-1-${old}.alaw`, 'notes.txt', `x-${old}.wav`]);
  const r = await pruneMessages({ dir, keepMs: 90 * DAY, clock: new FakeClock(NOW), logger: silent, pending: () => new Set(['pending-1']) });
  t.same(r, { removed: 2, kept: 2 });
  t.same((await readdir(dir)).sort(), [`e5f6-${NOW - DAY}.alaw`, `pending-1-${old}.alaw`, 'notes.txt', `x-${old}.wav`].sort());
});

t.test('no messages folder yet: nothing to do', async (t) => {
  const dir = join(await folder(t, []), 'nowhere');
  t.same(await pruneMessages({ dir, keepMs: DAY, clock: new FakeClock(NOW), logger: silent, pending: () => new Set() }), { removed: 0, kept: 0 });
});

t.test('the pruner runs at start and again a day later', async (t) => {
  const clock = new FakeClock(NOW);
  const dir = await folder(t, [`r1-${NOW - 2 * DAY}.alaw`, `r2-${NOW}.alaw`]);
  const pruner = new MessagePruner({ dir, keepMs: DAY, clock, logger: silent, pending: () => new Set() });
  pruner.start();
  await pruner.stop();
  t.same(await readdir(dir), [`r2-${NOW}.alaw`], 'the old one went at start');
  pruner.start();
  clock.advance(DAY + 1);
  await pruner.stop();
  t.same(await readdir(dir), [], 'a day on, the next went too');
});
