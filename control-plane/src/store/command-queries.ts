import type { Kysely } from 'kysely';
import { toCommand } from './rows.js';
import type { CommandOutcome, NewCommand, StoredCommand } from './store.js';
import type { Tables } from './tables.js';

/**
 * Commands central sends to boxes: stored 'sent' before they go out, then one answer from the
 * box ('done' or 'failed'), or 'timed-out' when none came by the deadline. A late answer still
 * replaces the time-out: the box did run the command, and what it says is the truth.
 */

type Db = Kysely<Tables>;

export async function createCommand(db: Db, cmd: NewCommand): Promise<StoredCommand> {
  const row = await db
    .insertInto('commands')
    .values({
      id: cmd.id,
      box_id: cmd.boxId,
      name: cmd.name,
      params: JSON.stringify(cmd.params),
      requested_by: cmd.requestedBy,
      created_at: cmd.createdAt,
      state: 'sent',
      completed_at: null,
      outcome: null,
      deadline_at: cmd.deadlineAt,
      timed_out_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toCommand(row);
}

/** Inside a transaction: the caller advances the box's seq with the same commit. */
export async function completeCommand(db: Db, id: string, result: CommandOutcome, at: number): Promise<StoredCommand | null> {
  // Only a command not yet answered takes an answer: the first answer stands.
  await db
    .updateTable('commands')
    .set({ state: result.ok ? 'done' : 'failed', completed_at: at, outcome: JSON.stringify(result) })
    .where('id', '=', id)
    .where('state', 'in', ['sent', 'timed-out'])
    .execute();
  return getCommand(db, id);
}

export async function getCommand(db: Db, id: string): Promise<StoredCommand | null> {
  const row = await db.selectFrom('commands').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toCommand(row) : null;
}

/** One conditional update: an answer committed first keeps its command out of it. */
export async function timeOutCommands(db: Db, now: number): Promise<StoredCommand[]> {
  const rows = await db.updateTable('commands').set({ state: 'timed-out', timed_out_at: now }).where('state', '=', 'sent').where('deadline_at', '<=', now).returningAll().execute();
  return rows.map(toCommand).sort((a, b) => a.deadlineAt - b.deadlineAt || a.id.localeCompare(b.id));
}
