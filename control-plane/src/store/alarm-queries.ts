import { sql, type Kysely } from 'kysely';
import type { AlarmPayloadRecord } from '@countyline/firmware/telemetry';
import { pageSize, toAlarm } from './rows.js';
import type { AlarmFilter, CentralAlarm, NewCentralAlarm } from './store.js';
import type { Tables } from './tables.js';

/**
 * Alarms central keeps, after the box's own model (firmware alarm-types.ts): one active per
 * (box, source, type), held by the partial unique index `alarms_one_active`; a repeat while
 * active updates and counts; a clear moves it to history. Acknowledgement lives here only.
 */

type Db = Kysely<Tables>;

/** A box's alarm change, inside the transaction that stored the message. */
export async function applyBoxAlarm(db: Db, boxId: string, change: 'raised' | 'updated' | 'cleared', alarm: AlarmPayloadRecord): Promise<void> {
  const fields = {
    source: alarm.source,
    type: alarm.type,
    severity: alarm.severity,
    cause: alarm.cause,
    cause_code: alarm.causeCode ?? null,
    cause_args: alarm.causeArgs ? JSON.stringify(alarm.causeArgs) : null,
    raised_at: alarm.raisedAt,
    last_raised_at: alarm.lastRaisedAt,
    count: alarm.count,
  };
  const existing = await db.selectFrom('alarms').selectAll().where('box_id', '=', boxId).where('box_alarm_id', '=', alarm.id).executeTakeFirst();
  if (change === 'cleared') {
    const clearedAt = alarm.clearedAt ?? alarm.lastRaisedAt;
    if (existing) {
      await db.updateTable('alarms').set({ ...fields, state: 'cleared', cleared_at: clearedAt }).where('id', '=', existing.id).execute();
    } else {
      // Central never saw it raised (that message was lost or dropped by a full outbox): keep
      // it in history all the same.
      await db.insertInto('alarms').values({ ...fields, box_id: boxId, origin: 'box', box_alarm_id: alarm.id, state: 'cleared', cleared_at: clearedAt }).execute();
    }
    return;
  }
  // A box alarm id names one occurrence: once cleared it is over, and a raise for it can only
  // be an older message that arrived late.
  if (existing?.state === 'cleared') return;
  if (existing) {
    await db.updateTable('alarms').set(fields).where('id', '=', existing.id).execute();
    return;
  }
  // Another alarm still active for this key: the box has moved on (it cleared that one while
  // central was not listening), so it goes to history when this one is raised.
  await db
    .updateTable('alarms')
    .set({ state: 'cleared', cleared_at: alarm.raisedAt })
    .where('box_id', '=', boxId)
    .where('source', '=', alarm.source)
    .where('type', '=', alarm.type)
    .where('state', '=', 'active')
    .execute();
  await db.insertInto('alarms').values({ ...fields, box_id: boxId, origin: 'box', box_alarm_id: alarm.id, state: 'active', cleared_at: null }).execute();
}

/**
 * A birth's list of the box's active alarms, inside one transaction: each listed one is
 * raised or updated by its box alarm id (as a 'raised' message would), then every other
 * alarm of the box still active at central that came from the box is cleared at `at` (the
 * box no longer has it: its clear was lost or never sent). Central's own alarms are
 * central's to clear.
 */
export async function syncBoxAlarms(db: Db, boxId: string, active: AlarmPayloadRecord[], at: number): Promise<void> {
  for (const alarm of active) await applyBoxAlarm(db, boxId, 'raised', alarm);
  let stale = db.updateTable('alarms').set({ state: 'cleared', cleared_at: at }).where('box_id', '=', boxId).where('origin', '=', 'box').where('state', '=', 'active');
  // `not in ()` is no SQL: an empty list clears every box alarm.
  if (active.length > 0) stale = stale.where('box_alarm_id', 'not in', active.map((a) => a.id));
  await stale.execute();
}

/** One statement (an upsert on the partial index), so two raises at once still make one alarm. */
export async function raiseCentralAlarm(db: Db, alarm: NewCentralAlarm): Promise<CentralAlarm> {
  const row = await db
    .insertInto('alarms')
    .values({
      box_id: alarm.boxId,
      origin: 'central',
      box_alarm_id: null,
      source: alarm.source,
      type: alarm.type,
      severity: alarm.severity,
      state: 'active',
      cause: alarm.cause,
      cause_code: alarm.causeCode ?? null,
      cause_args: alarm.causeArgs ? JSON.stringify(alarm.causeArgs) : null,
      raised_at: alarm.at,
      last_raised_at: alarm.at,
      cleared_at: null,
      count: 1,
    })
    .onConflict((oc) =>
      oc
        .columns(['box_id', 'source', 'type'])
        // The index's own predicate, as a literal: both dialects match the conflict target to
        // the partial index by it (a bound parameter would not match).
        .where(sql.ref('state'), '=', sql.lit('active'))
        .doUpdateSet((eb) => ({
          count: eb('alarms.count', '+', 1),
          severity: eb.ref('excluded.severity'),
          cause: eb.ref('excluded.cause'),
          cause_code: eb.ref('excluded.cause_code'),
          cause_args: eb.ref('excluded.cause_args'),
          last_raised_at: eb.ref('excluded.last_raised_at'),
        })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAlarm(row);
}

export async function clearCentralAlarm(db: Db, boxId: string, source: string, type: string, at: number): Promise<CentralAlarm | null> {
  const row = await db
    .updateTable('alarms')
    .set({ state: 'cleared', cleared_at: at })
    .where('box_id', '=', boxId)
    .where('source', '=', source)
    .where('type', '=', type)
    .where('state', '=', 'active')
    .returningAll()
    .executeTakeFirst();
  return row ? toAlarm(row) : null;
}

export async function listAlarms(db: Db, filter: AlarmFilter): Promise<CentralAlarm[]> {
  let query = db.selectFrom('alarms').selectAll();
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  if (filter.boxId !== undefined) query = query.where('box_id', '=', filter.boxId);
  if (filter.severity !== undefined) query = query.where('severity', '=', filter.severity);
  if (filter.acked !== undefined) query = query.where('acked_at', filter.acked ? 'is not' : 'is', null);
  if (filter.beforeId !== undefined && filter.before === undefined) throw new RangeError(`beforeId ${filter.beforeId} without before: page with the last alarm's raisedAt (before) and id (beforeId)`);
  if (filter.before !== undefined) {
    const { before, beforeId } = filter;
    // The cursor is the last alarm of the previous page, in the list's own order (raised_at,
    // id), so alarms raised in the same millisecond are neither skipped nor repeated.
    query = beforeId === undefined ? query.where('raised_at', '<', before) : query.where((eb) => eb.or([eb('raised_at', '<', before), eb.and([eb('raised_at', '=', before), eb('id', '<', beforeId)])]));
  }
  const rows = await query.orderBy('raised_at', 'desc').orderBy('id', 'desc').limit(pageSize(filter.limit)).execute();
  return rows.map(toAlarm);
}

/**
 * Every active alarm central raised with `source`, however many (no page limit: a rule that
 * reloads its state at start must see all of them), in the order they were stored.
 */
export async function listActiveCentralAlarms(db: Db, source: string): Promise<CentralAlarm[]> {
  const rows = await db.selectFrom('alarms').selectAll().where('origin', '=', 'central').where('source', '=', source).where('state', '=', 'active').orderBy('id').execute();
  return rows.map(toAlarm);
}

/** The first acknowledgement stands: a second one changes nothing. */
export async function ackAlarm(db: Db, id: number, by: string, comment: string, at: number): Promise<CentralAlarm | null> {
  await db.updateTable('alarms').set({ acked_at: at, acked_by: by, ack_comment: comment }).where('id', '=', id).where('acked_at', 'is', null).execute();
  const row = await db.selectFrom('alarms').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toAlarm(row) : null;
}

export async function getAlarm(db: Db, id: number): Promise<CentralAlarm | null> {
  const row = await db.selectFrom('alarms').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toAlarm(row) : null;
}
