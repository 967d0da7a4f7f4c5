import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type ColumnDefinitionBuilder, type CreateTableBuilder } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { StoreDriverError } from './store.js';
import type { Tables } from './tables.js';

/**
 * Everything that differs between SQLite and PostgreSQL, in one place. The queries
 * themselves are the same for both: `on conflict` (upsert and do-nothing), `returning` and
 * partial indexes exist in both, JSON is text in both, flags are 0/1 integers in both.
 */
export type StoreLocation = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
export type DialectKind = StoreLocation['kind'];

export interface Dialect {
  kind: DialectKind;
  db: Kysely<Tables>;
  /** Adds an auto-numbered primary key `id`. */
  addIdColumn<T extends string>(table: CreateTableBuilder<T>): CreateTableBuilder<T, 'id'>;
  isUniqueViolation(err: unknown): boolean;
  isForeignKeyViolation(err: unknown): boolean;
}

/** PostgreSQL's type id for int8 (`bigint`, and what count(*) answers). */
const INT8_OID = 20;

export function openDialect(location: StoreLocation, logger?: Logger): Dialect {
  return location.kind === 'sqlite' ? sqlite(location.file) : postgres(location.url, logger);
}

function sqlite(file: string): Dialect {
  let database: Database.Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    database = new Database(file);
  } catch (err) {
    throw new StoreDriverError(`open ${file} (sqlite)`, err);
  }
  // WAL: readers (the API) do not wait for the writer (ingest), and a commit is one append.
  database.pragma('journal_mode = WAL');
  // FULL, not NORMAL: ingest acknowledges a message (PUBACK) once its transaction commits, and
  // the box then deletes its copy. With NORMAL a WAL commit can be lost on power loss, and
  // that message would be gone on both sides. FULL fsyncs the WAL at each commit.
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const code = (err: unknown) => (err as { code?: unknown } | null)?.code;
  return {
    kind: 'sqlite',
    db: new Kysely<Tables>({ dialect: new SqliteDialect({ database }) }),
    addIdColumn: (table) => table.addColumn('id', 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement()),
    isUniqueViolation: (err) => code(err) === 'SQLITE_CONSTRAINT_UNIQUE' || code(err) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
    isForeignKeyViolation: (err) => code(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY',
  };
}

function postgres(url: string, logger: Logger | undefined): Dialect {
  // Times and ids are bigint columns; pg answers int8 as a string by default (it may exceed
  // 2^53). Ours stay far below (ms times, row counts), so read them as numbers, for this pool
  // only (pg's global type table is left alone).
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString: url, types, max: 10 });
  // An idle client losing its connection (the server restarted) must not crash central: it is
  // logged, the pool drops it, and the next query gets a fresh one (or its caller the error).
  pool.on('error', (err) => logger?.warn({ err: err.message }, 'PostgreSQL closed an idle connection of the store; the next query opens another'));
  const code = (err: unknown) => (err as { code?: unknown } | null)?.code;
  return {
    kind: 'postgres',
    db: new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }),
    addIdColumn: (table) => table.addColumn('id', 'bigint', (c: ColumnDefinitionBuilder) => c.primaryKey().generatedByDefaultAsIdentity()),
    // SQLSTATE 23505 unique_violation, 23503 foreign_key_violation (PostgreSQL, Appendix A).
    isUniqueViolation: (err) => code(err) === '23505',
    isForeignKeyViolation: (err) => code(err) === '23503',
  };
}
