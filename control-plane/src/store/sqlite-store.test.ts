// SQLite specifics of the store (no PostgreSQL here: the tests on both dialects are in
// test/store/): the connection's settings, the data folder, and pruning in batches.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import t, { type Test } from 'tap';
import { openDialect, type Dialect } from './dialect.js';
import { migrations } from './migrations.js';
import { prune } from './retention.js';
import { openStore } from './sql-store.js';
import { StoreDriverError } from './store.js';

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'countyline-sqlite-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function migrated(t: Test, file: string): Promise<Dialect> {
  const dialect = openDialect({ kind: 'sqlite', file });
  t.teardown(() => dialect.db.destroy());
  const { error } = await new Migrator({ db: dialect.db, provider: { getMigrations: async () => migrations(dialect) } }).migrateToLatest();
  if (error) throw error;
  return dialect;
}

t.test('the file is made in a data folder that does not exist yet, with WAL, FULL sync, foreign keys and a busy timeout', async (t) => {
  const dir = await tempDir(t);
  const { db } = await migrated(t, join(dir, 'data', 'central', 'central.db'));
  const pragma = async (name: string) => Object.values((await sql.raw<Record<string, unknown>>(`PRAGMA ${name}`).execute(db)).rows[0] ?? {})[0];
  t.equal(await pragma('journal_mode'), 'wal');
  t.equal(await pragma('synchronous'), 2, 'FULL');
  t.equal(await pragma('foreign_keys'), 1);
  t.equal(await pragma('busy_timeout'), 5000);
});

t.test('prune goes on past a full batch until nothing older is left', async (t) => {
  const dir = await tempDir(t);
  const { db } = await migrated(t, join(dir, 'central.db'));
  await db.insertInto('sites').values({ id: 's', name: 's', county: 'c', created_at: 0 }).execute();
  await db.insertInto('boxes').values({ id: 'a', site_id: 's', name: 'a', created_at: 0 }).execute();
  for (let i = 0; i < 10; i++) {
    await db.insertInto('messages').values({ box_id: 'a', bd_seq: 1, seq: i, kind: 'cdr', at: i }).execute();
    await db.insertInto('cdrs').values({ box_id: 'a', cdr_id: `c${i}`, arrived_at: i, result: 'answered', calling: '1', record: '{}' }).execute();
  }
  t.same(await prune(db, { cdrsBefore: 8, historyBefore: 100 }, 3), { cdrs: 8, events: 0, kpis: 0, alarms: 0 }, 'three batches of 3, 3 and 2');
  t.same((await db.selectFrom('cdrs').select('cdr_id').orderBy('id').execute()).map((r) => r.cdr_id), ['c8', 'c9']);
  t.same((await db.selectFrom('messages').select('seq').orderBy('seq').execute()).map((r) => r.seq), [8, 9], 'the keys before the earlier cut-off went too');
});

t.test('the store reopens its file with the data in it', async (t) => {
  const file = join(await tempDir(t), 'central.db');
  const first = openStore({ kind: 'sqlite', file });
  await first.migrate();
  await first.createSite({ id: 's1', name: 'North', county: 'Hill' });
  await first.close();
  const second = openStore({ kind: 'sqlite', file });
  t.teardown(() => second.close());
  await second.migrate();
  t.same((await second.listSites()).map((s) => s.id), ['s1']);
});

t.test('a data folder that cannot be made is refused with the path', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'not-a-folder'), '');
  const file = join(dir, 'not-a-folder', 'central.db');
  const err = t.throws(() => openStore({ kind: 'sqlite', file }));
  t.type(err, StoreDriverError);
  t.match(err, { message: `store: open ${file} (sqlite) failed: EEXIST: file already exists, mkdir '${join(dir, 'not-a-folder')}'` });
});
