// Runs a test body on both of the store's dialects: a fresh SQLite file and a fresh
// PostgreSQL database (one throwaway cluster per test file, a new database per call).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tap, { type Test } from 'tap';
import type { StoreLocation } from '../src/store/dialect.js';
import { openStore } from '../src/store/sql-store.js';
import type { Store } from '../src/store/store.js';
import { startPostgres, type PostgresCluster } from './postgres.js';

export type StoreKind = 'sqlite' | 'postgres';

let cluster: Promise<PostgresCluster> | undefined;

/** The file's cluster, started on first use and stopped when the file's tests end. */
export function sharedPostgres(): Promise<PostgresCluster> {
  cluster ??= startPostgres(tap);
  return cluster;
}

/** Where a fresh, empty database of the kind is, and how to remove it (a SQLite file's folder). */
async function newLocation(kind: StoreKind): Promise<{ location: StoreLocation; remove: () => Promise<void> }> {
  if (kind === 'postgres') return { location: { kind, url: await (await sharedPostgres()).createDatabase() }, remove: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'countyline-store-'));
  return { location: { kind, file: join(dir, 'central.db') }, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A migrated store on a fresh database of the kind, closed (and its file removed) when `t` ends. */
export async function freshStore(t: Test, kind: StoreKind): Promise<{ store: Store; location: StoreLocation }> {
  const { location, remove } = await newLocation(kind);
  const store = openStore(location);
  t.teardown(async () => {
    await store.close();
    await remove();
  });
  await store.migrate();
  return { store, location };
}

/**
 * Runs `body` as two subtests of `t`, `sqlite` and `postgres`, each on a fresh migrated
 * store; `location` is for a test that must reach the database underneath.
 */
export async function forEachStore(t: Test, body: (t: Test, store: Store, location: StoreLocation) => Promise<void> | void): Promise<void> {
  for (const kind of ['sqlite', 'postgres'] as const) {
    await t.test(kind, async (t) => {
      const { store, location } = await freshStore(t, kind);
      await body(t, store, location);
    });
  }
}
