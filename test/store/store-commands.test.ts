// Commands, desired configuration, API tokens, and what a driver failure looks like; on
// SQLite and on PostgreSQL (a throwaway cluster for this file).
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import t from 'tap';
import { openDialect, type StoreLocation } from '../../control-plane/src/store/dialect.js';
import { migrations } from '../../control-plane/src/store/migrations.js';
import { openStore } from '../../control-plane/src/store/sql-store.js';
import { StoreConflictError, StoreDriverError, StoreNotFoundError } from '../../control-plane/src/store/store.js';
import { forEachStore, sharedPostgres } from '../../control-plane/test-support/stores.js';
import { twoBoxes } from './fixtures.js';

t.test('a command takes one answer: the first stands', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    const cmd = { id: 'cmd-1', boxId: 'a', name: 'test-call' as const, params: { circuit: 'fxo/0' }, requestedBy: 'ops', createdAt: 100, deadlineAt: 300_100 };
    t.same(await store.createCommand(cmd), { ...cmd, state: 'sent', completedAt: null, outcome: null, timedOutAt: null });
    await t.rejects(store.createCommand(cmd), new StoreConflictError('command cmd-1'));
    await t.rejects(store.createCommand({ ...cmd, id: 'cmd-2', boxId: 'nope' }), new StoreNotFoundError('box nope'));

    const ok = { ok: true, result: { verdict: 'pass' }, error: null };
    t.same(await store.completeCommand('cmd-1', ok, 200, { bdSeq: 1, seq: 12 }), { ...cmd, state: 'done', completedAt: 200, outcome: ok, timedOutAt: null });
    const late = { ok: false, result: null, error: { code: 'CL_X', message: 'late' } };
    t.match(await store.completeCommand('cmd-1', late, 300), { state: 'done', completedAt: 200, outcome: ok }, 'a repeated answer changes nothing');
    t.same(await store.getCommand('cmd-1'), { ...cmd, state: 'done', completedAt: 200, outcome: ok, timedOutAt: null });
    t.same(await store.lastSeq('a'), { bdSeq: 1, seq: 12 });

    await store.createCommand({ ...cmd, id: 'cmd-3' });
    t.match(await store.completeCommand('cmd-3', late, 400), { state: 'failed', outcome: late });
    t.equal(await store.completeCommand('unknown', ok, 1), null);
    t.equal(await store.getCommand('unknown'), null);
  }),
);

t.test('a command unanswered by its deadline times out once; a late answer still stands', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    const cmd = (id: string, boxId: string, deadlineAt: number) => store.createCommand({ id, boxId, name: 'block', params: { cic: 1 }, requestedBy: 'ops', createdAt: 100, deadlineAt });
    await cmd('early', 'a', 1_000);
    await cmd('answered', 'a', 1_000);
    await cmd('other-box', 'b', 1_000);
    await cmd('later', 'a', 2_000);
    const ok = { ok: true, result: { cic: 1 }, error: null };
    await store.completeCommand('answered', ok, 900);

    t.same(await store.timeOutCommands(999), [], 'nothing before its deadline');
    const timedOut = await store.timeOutCommands(1_000);
    t.same(
      timedOut.map((c) => [c.id, c.state, c.timedOutAt, c.completedAt, c.outcome]),
      [
        ['early', 'timed-out', 1_000, null, null],
        ['other-box', 'timed-out', 1_000, null, null],
      ],
      'at its deadline; an answered command is left alone',
    );
    t.match(await store.getCommand('answered'), { state: 'done', timedOutAt: null });
    t.same(await store.timeOutCommands(1_500), [], 'a command times out once');
    t.match(await store.getCommand('early'), { state: 'timed-out', timedOutAt: 1_000, deadlineAt: 1_000 });

    // The box ran it after all: its answer replaces the time-out, which stays on record.
    t.match(await store.completeCommand('early', ok, 1_700, { bdSeq: 2, seq: 40 }), { state: 'done', completedAt: 1_700, outcome: ok, timedOutAt: 1_000 });
    t.same(await store.lastSeq('a'), { bdSeq: 2, seq: 40 });
    const again = { ok: false, result: null, error: { code: 'X', message: 'again' } };
    t.match(await store.completeCommand('early', again, 1_800), { state: 'done', completedAt: 1_700, outcome: ok }, 'and the first answer stands');
    t.match(await store.completeCommand('other-box', again, 1_900), { state: 'failed', outcome: again, timedOutAt: 1_000 });

    t.same((await store.timeOutCommands(5_000)).map((c) => c.id), ['later']);
    t.same(await store.timeOutCommands(9_000), []);
  }),
);

t.test('a command stored before the deadline migration gets one 300 s after it was made', async (t) => {
  for (const kind of ['sqlite', 'postgres'] as const) {
    await t.test(kind, async (t) => {
      const location: StoreLocation = kind === 'postgres' ? { kind, url: await (await sharedPostgres()).createDatabase() } : { kind, file: join(t.testdir(), 'central.db') };
      // The schema as 0001 left it, with a command waiting and one answered.
      const old = openDialect(location);
      const initial = migrations(old)['0001-initial']!;
      const { error } = await new Migrator({ db: old.db, provider: { getMigrations: async () => ({ '0001-initial': initial }) } }).migrateToLatest();
      t.equal(error, undefined);
      await old.db.insertInto('sites').values({ id: 's1', name: 'North', county: 'Hill County', created_at: 1 }).execute();
      await old.db.insertInto('boxes').values({ id: 'a', site_id: 's1', name: 'Box A', created_at: 1 }).execute();
      // Raw SQL: the typed tables have the columns of the latest schema.
      await sql`insert into commands (id, box_id, name, params, requested_by, created_at, state) values ('waiting', 'a', 'block', '{"cic":1}', 'ops', 10000, 'sent'), ('answered', 'a', 'block', '{"cic":1}', 'ops', 10000, 'done')`.execute(old.db);
      await old.db.destroy();

      const store = openStore(location);
      t.teardown(() => store.close());
      await store.migrate();
      t.match(await store.getCommand('waiting'), { state: 'sent', createdAt: 10_000, deadlineAt: 310_000, timedOutAt: null });
      t.same((await store.timeOutCommands(309_999)).map((c) => c.id), []);
      t.same((await store.timeOutCommands(310_000)).map((c) => c.id), ['waiting'], 'the answered one does not time out');
    });
  }
});

t.test('desired config: revisions 1, 2, ... per box; the reported state beside it', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    t.same(await store.getConfigState('a'), { desired: null, reported: null });
    t.same(await store.setDesiredConfig('a', { trunks: { spans: 1 } }, 100), { revision: 1 });
    t.same(await store.setDesiredConfig('a', { trunks: { spans: 2 } }, 200), { revision: 2 });
    t.same(await store.setDesiredConfig('b', { x: 1 }, 300), { revision: 1 }, 'each box counts its own');
    await store.recordReportedConfig('a', 2, false, ['trunks.spans: at most 1'], 250, { bdSeq: 3, seq: 30 });
    t.same(await store.getConfigState('a'), {
      desired: { revision: 2, config: { trunks: { spans: 2 } }, at: 200 },
      reported: { revision: 2, applied: false, errors: ['trunks.spans: at most 1'], at: 250 },
    });
    t.same(await store.lastSeq('a'), { bdSeq: 3, seq: 30 });
    const revisions = await Promise.all([1, 2, 3, 4].map((i) => store.setDesiredConfig('b', { x: i }, 400)));
    t.same(revisions.map((r) => r.revision).sort(), [2, 3, 4, 5], 'changes at once get their own revisions');
    await t.rejects(store.setDesiredConfig('nope', {}, 1), new StoreNotFoundError('box nope'));
    await t.rejects(store.recordReportedConfig('nope', 1, true, [], 1), new StoreNotFoundError('box nope'));
  }),
);

t.test('API tokens: found by hash until revoked, counted', (t) =>
  forEachStore(t, async (t, store) => {
    t.equal(await store.countApiTokens(), 0);
    const admin = await store.createApiToken({ name: 'first admin', role: 'admin', tokenHash: 'h1', createdAt: 100 });
    const viewer = await store.createApiToken({ name: 'wallboard', role: 'viewer', tokenHash: 'h2', createdAt: 200 });
    t.equal(typeof admin.id, 'number');
    t.not(admin.id, viewer.id);
    t.same(await store.findApiToken('h2'), { id: viewer.id, name: 'wallboard', role: 'viewer', createdAt: 200 });
    t.equal(await store.findApiToken('nope'), null);
    t.equal(await store.countApiTokens(), 2);
    await t.rejects(store.createApiToken({ name: 'again', role: 'viewer', tokenHash: 'h2', createdAt: 1 }), new StoreConflictError('API token'));
    t.equal(await store.revokeApiToken(viewer.id, 300), true);
    t.equal(await store.revokeApiToken(viewer.id, 400), false, 'already revoked');
    t.equal(await store.findApiToken('h2'), null);
    t.equal(await store.countApiTokens(), 1);
    t.same(await store.findApiToken('h1'), { id: admin.id, name: 'first admin', role: 'admin', createdAt: 100 });
  }),
);

t.test('times and counts come back as numbers, also past 2^31', (t) =>
  forEachStore(t, async (t, store) => {
    await twoBoxes(store);
    const at = 1_764_560_000_123;
    await store.recordStatus('a', true, 5_000_000_000, at);
    const box = await store.getBox('a');
    t.equal(box?.onlineChangedAt, at);
    await store.addEvent('a', { bdSeq: 5_000_000_000, seq: 6_000_000_000 }, 'x', {}, at);
    t.same(await store.lastSeq('a'), { bdSeq: 5_000_000_000, seq: 6_000_000_000 });
    t.equal(typeof (await store.countApiTokens()), 'number');
  }),
);

t.test('a driver failure says what was being done and keeps the cause', async (t) => {
  const cluster = await sharedPostgres();
  const store = openStore({ kind: 'postgres', url: cluster.url('no_such_database') });
  t.teardown(() => store.close());
  const err = await store.listBoxes().then(
    () => null,
    (e: unknown) => e,
  );
  t.type(err, StoreDriverError);
  t.match((err as Error).message, /^store: listBoxes \(postgres\) failed: database "no_such_database" does not exist/);
  t.match((err as Error).cause, { code: '3D000' });
  await t.rejects(store.migrate(), { name: 'StoreDriverError', message: /migrate \(postgres\)/ });
});
