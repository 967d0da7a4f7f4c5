import type { Selectable } from 'kysely';
import type { Box, CentralAlarm, KpiInterval, Severity, StoredCommand } from './store.js';
import type { Tables } from './tables.js';

/** Rows to the records the Store interface answers with. */

export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function toBox(row: Selectable<Tables['boxes']>): Box {
  return {
    id: row.id,
    site: row.site_id,
    name: row.name,
    createdAt: row.created_at,
    enrolled: row.password_hash !== null,
    online: row.online === 1,
    onlineChangedAt: row.online_changed_at,
    lastBirthAt: row.last_birth_at,
    birth: parseJson(row.birth),
    trunks: parseJson(row.trunks),
    trunksAt: row.trunks_at,
    bdSeq: row.bd_seq,
  };
}

export function toAlarm(row: Selectable<Tables['alarms']>): CentralAlarm {
  return {
    id: row.id,
    boxId: row.box_id,
    origin: row.origin,
    boxAlarmId: row.box_alarm_id,
    source: row.source,
    type: row.type,
    severity: row.severity as Severity,
    state: row.state,
    cause: row.cause,
    causeCode: row.cause_code,
    causeArgs: parseJson(row.cause_args),
    raisedAt: row.raised_at,
    lastRaisedAt: row.last_raised_at,
    clearedAt: row.cleared_at,
    count: row.count,
    ackedAt: row.acked_at,
    ackedBy: row.acked_by,
    ackComment: row.ack_comment,
  };
}

export function toKpi(row: Selectable<Tables['kpis']>): KpiInterval {
  return {
    intervalStart: row.interval_start,
    intervalMs: row.interval_ms,
    offered: row.offered,
    answered: row.answered,
    answeredIn15s: row.answered_in_15s,
    abandoned: row.abandoned,
    noAgent: row.no_agent,
    failed: row.failed,
  };
}

export function toCommand(row: Selectable<Tables['commands']>): StoredCommand {
  return {
    id: row.id,
    boxId: row.box_id,
    name: row.name as StoredCommand['name'],
    params: JSON.parse(row.params) as Record<string, unknown>,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    state: row.state,
    completedAt: row.completed_at,
    outcome: parseJson(row.outcome),
    deadlineAt: row.deadline_at,
    timedOutAt: row.timed_out_at,
  };
}

/** Page sizes: default 100, at most 1000. */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return 100;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit ${limit}: give a whole number from 1 to 1000`);
  return Math.min(limit, 1000);
}
