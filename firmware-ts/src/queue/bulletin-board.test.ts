import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { CountylineError } from '../errors.js';
import { BulletinBoard } from './bulletin-board.js';

const T0 = Date.UTC(2026, 11, 1, 8);

async function board(t: Test, clock = new FakeClock(T0)) {
  const dir = await mkdtemp(join(tmpdir(), 'bulletin-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'bulletin.json');
  const open = async () => {
    const b = new BulletinBoard({ file, clock, logger: pino({ level: 'silent' }) });
    await b.load();
    t.teardown(() => b.close());
    return b;
  };
  return { dir, file, clock, open };
}

t.test('a bulletin set is on disk when set() resolves, and a restart still has it', async (t) => {
  const { file, open } = await board(t);
  const b = await open();
  let changes = 0;
  b.on('changed', () => changes++);
  t.same(await b.set('城关镇停水至 18:00', T0 + 3_600_000), { text: '城关镇停水至 18:00', until: T0 + 3_600_000, setAt: T0 });
  t.equal(changes, 1);
  t.match(JSON.parse(await readFile(file, 'utf8')), { version: 1, bulletin: { text: '城关镇停水至 18:00' } });
  const again = await open();
  t.same(again.current(), { text: '城关镇停水至 18:00', until: T0 + 3_600_000, setAt: T0 });
});

t.test('a bulletin ends by itself at its until, and is gone after a restart', async (t) => {
  const { clock, open } = await board(t);
  const b = await open();
  await b.set('notice', T0 + 60_000);
  const ended = new Promise<void>((resolve) => b.once('changed', resolve));
  clock.advance(59_999);
  t.not(b.current(), null, 'still up a millisecond before its end');
  clock.advance(1);
  await ended;
  t.equal(b.current(), null);
  t.equal((await open()).current(), null);
});

t.test('a bulletin whose end passed while the box was off is not revived', async (t) => {
  const { clock, open } = await board(t);
  await (await open()).set('notice', T0 + 60_000);
  clock.advance(120_000);
  t.equal((await open()).current(), null);
});

t.test('an end already past is refused with a coded error, and the old bulletin stays', async (t) => {
  const { open } = await board(t);
  const b = await open();
  await b.set('first', null);
  const err: unknown = await b.set('late', T0 - 1).catch((e: unknown) => e);
  t.ok(err instanceof CountylineError);
  t.equal((err as CountylineError).code, 'bulletin-past');
  t.match((err as Error).message, /already past/);
  t.equal(b.current()?.text, 'first');
});

t.test('clear says whether there was one, and survives a restart', async (t) => {
  const { open } = await board(t);
  const b = await open();
  await b.set('first', null);
  t.equal(await b.clear(), true);
  t.equal(await b.clear(), false);
  t.equal((await open()).current(), null);
});

t.test('an unreadable bulletin file is moved aside; the box starts without one', async (t) => {
  const { dir, file, open } = await board(t);
  await writeFile(file, '{"version":1,"bulletin":{"text":');
  const b = await open();
  t.equal(b.current(), null);
  t.match((await readdir(dir)).join(' '), /bulletin\.json\.corrupt-\d+/);
});
