import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Low } from 'lowdb';
import t, { type Test } from 'tap';
import { FsyncJsonFile } from './fsync-json-file.js';

// The box config written through lowdb with this adapter: complete, private, and never half
// written.

async function folder(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'fsync-json-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('lowdb reads and writes the file: JSON, mode 0600, no temp file left', async (t) => {
  const dir = await folder(t);
  const path = join(dir, 'config.json');
  await writeFile(path, '{"card": {"path": "/dev/ttyS1"}}\n', { mode: 0o644 });
  const db = new Low<Record<string, unknown>>(new FsyncJsonFile(path), {});
  await db.read();
  t.same(db.data, { card: { path: '/dev/ttyS1' } });
  db.data.central = { url: 'mqtt://c:1883', boxId: 'north-1', password: 'secret' };
  await db.write();
  t.same(JSON.parse(await readFile(path, 'utf8')), { card: { path: '/dev/ttyS1' }, central: { url: 'mqtt://c:1883', boxId: 'north-1', password: 'secret' } });
  t.equal((await stat(path)).mode & 0o777, 0o600, 'only its owner reads the password');
  t.same(await readdir(dir), ['config.json'], 'the temp file was renamed, not left behind');
});

t.test('a missing file reads as null (lowdb keeps its default)', async (t) => {
  const dir = await folder(t);
  t.equal(await new FsyncJsonFile(join(dir, 'none.json')).read(), null);
  await writeFile(join(dir, 'bad.json'), '{"card": ');
  await t.rejects(new FsyncJsonFile(join(dir, 'bad.json')).read(), SyntaxError);
});

t.test('a failing rename leaves the old file intact and removes the temp file', async (t) => {
  const dir = await folder(t);
  const path = join(dir, 'config.json');
  await writeFile(path, '{"old": true}\n');
  const refused = Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
  const file = new FsyncJsonFile<object>(path, { ops: { rename: async () => Promise.reject(refused) } });
  await t.rejects(file.write({ new: true }), { code: 'EROFS' });
  t.equal(await readFile(path, 'utf8'), '{"old": true}\n');
  t.same(await readdir(dir), ['config.json']);
});

t.test('the data is fsynced before the rename, and the folder after it', async (t) => {
  const dir = await folder(t);
  const path = join(dir, 'config.json');
  const steps: string[] = [];
  const { open, rename } = await import('node:fs/promises');
  const file = new FsyncJsonFile<object>(path, {
    ops: {
      open: async (p, flags, mode) => {
        const handle = await open(p, flags, mode);
        const sync = handle.sync.bind(handle);
        handle.sync = async () => {
          steps.push(`fsync ${p === dir ? 'folder' : 'temp'}`);
          return sync();
        };
        return handle;
      },
      rename: async (from, to) => {
        steps.push('rename');
        return rename(from, to);
      },
    },
  });
  await file.write({ a: 1 });
  t.same(steps, ['fsync temp', 'rename', 'fsync folder']);
});

t.test('writes at once end as the last one, whole', async (t) => {
  const dir = await folder(t);
  const path = join(dir, 'config.json');
  const file = new FsyncJsonFile<{ n: number; pad: string }>(path);
  await Promise.all(Array.from({ length: 5 }, (_, n) => file.write({ n, pad: 'x'.repeat(10_000) })));
  t.equal(JSON.parse(await readFile(path, 'utf8')).n, 4);
  t.same(await readdir(dir), ['config.json']);
});
