import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { Tables } from './tables.js';

/**
 * Retention: rows older than the cut-offs go, a batch at a time. Each batch is its own short
 * statement, and the event loop turns between batches: SQLite has one writer, and ingest
 * must not wait behind a delete of a million CDRs.
 */
export const PRUNE_BATCH = 500;

type Db = Kysely<Tables>;
type TableWithId = 'cdrs' | 'events' | 'kpis' | 'alarms';

export async function prune(db: Db, cutoffs: { cdrsBefore: number; historyBefore: number }, batch = PRUNE_BATCH): Promise<{ cdrs: number; events: number; kpis: number; alarms: number }> {
  const cdrs = await inBatches(db, 'cdrs', 'arrived_at', cutoffs.cdrsBefore, batch);
  const events = await inBatches(db, 'events', 'at', cutoffs.historyBefore, batch);
  const kpis = await inBatches(db, 'kpis', 'interval_start', cutoffs.historyBefore, batch);
  // Only cleared alarms have a clearing time, so an active one is never pruned.
  const alarms = await inBatches(db, 'alarms', 'cleared_at', cutoffs.historyBefore, batch);
  // The keys that made ingest idempotent go with the oldest of what they stored. A message
  // older than both cut-offs arriving again after this would be stored again (and pruned
  // again next time): boxes do not hold messages that long.
  const keysBefore = Math.min(cutoffs.cdrsBefore, cutoffs.historyBefore);
  for (;;) {
    const result = await db
      .deleteFrom('messages')
      .where((eb) => eb(eb.refTuple('box_id', 'bd_seq', 'seq'), 'in', eb.selectFrom('messages').select(['box_id', 'bd_seq', 'seq']).where('at', '<', keysBefore).limit(batch).$asTuple('box_id', 'bd_seq', 'seq')))
      .executeTakeFirst();
    if (Number(result.numDeletedRows) < batch) break;
    await nextTurn();
  }
  return { cdrs, events, kpis, alarms };
}

async function inBatches(db: Db, table: TableWithId, column: string, before: number, batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    const old = db.selectFrom(table).select('id').where(sql.ref(column), '<', before).limit(batch);
    const result = await db.deleteFrom(table).where('id', 'in', old).executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    total += deleted;
    if (deleted < batch) return total;
    await nextTurn();
  }
}
