import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './dialect.js';

/**
 * The schema's history, as code (no migration files read at run time), for kysely's
 * Migrator. Never edit a migration that has shipped: add the next one. Names sort in order.
 * Columns use types both dialects read alike: `text`, `bigint` (SQLite: 64-bit integer
 * affinity), `integer`.
 */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-initial': { up: (db) => initial(db, dialect) },
    '0002-command-deadline': { up: commandDeadline },
  };
}

async function initial(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('sites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('county', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('boxes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('online', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('online_changed_at', 'bigint')
    .addColumn('last_birth_at', 'bigint')
    .addColumn('birth', 'text')
    .addColumn('bd_seq', 'bigint')
    .addColumn('trunks', 'text')
    .addColumn('trunks_at', 'bigint')
    .addColumn('last_seq', 'bigint')
    .addColumn('last_seq_bd_seq', 'bigint')
    .addColumn('desired_revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reported_revision', 'integer')
    .addColumn('reported_applied', 'integer')
    .addColumn('reported_errors', 'text')
    .addColumn('reported_at', 'bigint')
    .execute();
  await db.schema.createIndex('boxes_site').on('boxes').column('site_id').execute();

  await db.schema
    .createTable('enrolments')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('box_id', 'text', (c) => c.notNull().references('boxes.id').onDelete('cascade'))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('enrolments_box').on('enrolments').column('box_id').execute();

  await db.schema
    .createTable('messages')
    .addColumn('box_id', 'text', (c) => c.notNull().references('boxes.id').onDelete('cascade'))
    .addColumn('bd_seq', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('messages_key', ['box_id', 'bd_seq', 'seq'])
    .execute();
  await db.schema.createIndex('messages_at').on('messages').column('at').execute();

  await dialect
    .addIdColumn(db.schema.createTable('alarms'))
    .addColumn('box_id', 'text', (c) => c.notNull().references('boxes.id').onDelete('cascade'))
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('box_alarm_id', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('cause_code', 'text')
    .addColumn('cause_args', 'text')
    .addColumn('raised_at', 'bigint', (c) => c.notNull())
    .addColumn('last_raised_at', 'bigint', (c) => c.notNull())
    .addColumn('cleared_at', 'bigint')
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('acked_at', 'bigint')
    .addColumn('acked_by', 'text')
    .addColumn('ack_comment', 'text')
    .execute();
  // One active alarm per (box, source, type), held by the database too. The predicate is a
  // literal: an upsert's conflict target must repeat it, and both dialects match it by text.
  await db.schema
    .createIndex('alarms_one_active')
    .on('alarms')
    .columns(['box_id', 'source', 'type'])
    .unique()
    .where(sql.ref('state'), '=', sql.lit('active'))
    .execute();
  // A box's alarm ids are unique and stable across its restarts (firmware alarm-types.ts).
  await db.schema.createIndex('alarms_box_alarm').on('alarms').columns(['box_id', 'box_alarm_id']).unique().execute();
  await db.schema.createIndex('alarms_raised').on('alarms').column('raised_at').execute();
  await db.schema.createIndex('alarms_cleared').on('alarms').column('cleared_at').execute();

  await dialect
    .addIdColumn(db.schema.createTable('cdrs'))
    .addColumn('box_id', 'text', (c) => c.notNull().references('boxes.id').onDelete('cascade'))
    .addColumn('cdr_id', 'text', (c) => c.notNull())
    .addColumn('arrived_at', 'bigint', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('calling', 'text', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .addUniqueConstraint('cdrs_box_cdr', ['box_id', 'cdr_id'])
    .execute();
  await db.schema.createIndex('cdrs_arrived').on('cdrs').column('arrived_at').execute();
  await db.schema.createIndex('cdrs_box_arrived').on('cdrs').columns(['box_id', 'arrived_at']).execute();

  await dialect
    .addIdColumn(db.schema.createTable('kpis'))
    .addColumn('box_id', 'text', (c) => c.notNull().references('boxes.id').onDelete('cascade'))
    .addColumn('interval_start', 'bigint', (c) => c.notNull())
    .addColumn('interval_ms', 'bigint', (c) => c.notNull())
    .addColumn('offered', 'integer', (c) => c.notNull())
    .addColumn('answered', 'integer', (c) => c.notNull())
    .addColumn('answered_in_15s', 'integer', (c) => c.notNull())
    .addColumn('abandoned', 'integer', (c) => c.notNull())
    .addColumn('no_agent', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addUniqueConstraint('kpis_box_interval', ['box_id', 'interval_start'])
    .execute();
  await db.schema.createIndex('kpis_start').on('kpis').column('interval_start').execute();

  await dialect
    .addIdColumn(db.schema.createTable('events'))
    .addColumn('box_id', 'text', (c) => c.notNull().references('boxes.id').onDelete('cascade'))
    .addColumn('bd_seq', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_at').on('events').column('at').execute();

  await db.schema
    .createTable('commands')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('box_id', 'text', (c) => c.notNull().references('boxes.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .addColumn('outcome', 'text')
    .execute();

  await db.schema
    .createTable('config_revisions')
    .addColumn('box_id', 'text', (c) => c.notNull().references('boxes.id').onDelete('cascade'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('config_revisions_key', ['box_id', 'revision'])
    .execute();

  await dialect
    .addIdColumn(db.schema.createTable('api_tokens'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
}

/**
 * A command's deadline (central stops waiting for the box's answer then) and when it timed
 * out. Commands stored before get 300 s after they were made, the default `--command-timeout`
 * (a literal: this migration must not change with the default). Only the commands still
 * waiting are indexed by deadline, the ones the sweep looks for.
 */
async function commandDeadline(db: Kysely<any>): Promise<void> {
  // SQLite adds a NOT NULL column to existing rows only with a default; every insert gives its own.
  await db.schema.alterTable('commands').addColumn('deadline_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('commands').addColumn('timed_out_at', 'bigint').execute();
  await db
    .updateTable('commands')
    .set((eb) => ({ deadline_at: eb('created_at', '+', 300_000) }))
    .execute();
  await db.schema.createIndex('commands_waiting').on('commands').column('deadline_at').where(sql.ref('state'), '=', sql.lit('sent')).execute();
}
