import type { Generated } from 'kysely';

/**
 * The tables as kysely sees them. Both dialects store the same shapes: times are ms since the
 * epoch in 64-bit integer columns, flags are 0/1 integers (SQLite has no boolean), and JSON
 * is text (one set of queries; nothing queries inside it).
 */
export interface Tables {
  sites: { id: string; name: string; county: string; created_at: number };
  boxes: {
    id: string;
    site_id: string;
    name: string;
    created_at: number;
    /** The scrypt hash of the MQTT password; null until enrolled. */
    password_hash: string | null;
    online: Generated<number>;
    online_changed_at: number | null;
    last_birth_at: number | null;
    birth: string | null;
    /** The latest birth's bdSeq: a status from an older connection is a late will. */
    bd_seq: number | null;
    trunks: string | null;
    trunks_at: number | null;
    last_seq: number | null;
    last_seq_bd_seq: number | null;
    desired_revision: Generated<number>;
    reported_revision: number | null;
    reported_applied: number | null;
    reported_errors: string | null;
    reported_at: number | null;
  };
  enrolments: { token_hash: string; box_id: string; expires_at: number; used_at: number | null };
  /** Every durable message stored, by its key: the idempotence of ingest. */
  messages: { box_id: string; bd_seq: number; seq: number; kind: string; at: number };
  alarms: {
    id: Generated<number>;
    box_id: string;
    origin: 'box' | 'central';
    box_alarm_id: string | null;
    source: string;
    type: string;
    severity: string;
    state: 'active' | 'cleared';
    cause: string;
    cause_code: string | null;
    cause_args: string | null;
    raised_at: number;
    last_raised_at: number;
    cleared_at: number | null;
    count: number;
    acked_at: number | null;
    acked_by: string | null;
    ack_comment: string | null;
  };
  cdrs: {
    id: Generated<number>;
    box_id: string;
    cdr_id: string;
    arrived_at: number;
    result: string;
    calling: string;
    /** The CDR as the box sent it. */
    record: string;
  };
  kpis: {
    id: Generated<number>;
    box_id: string;
    interval_start: number;
    interval_ms: number;
    offered: number;
    answered: number;
    answered_in_15s: number;
    abandoned: number;
    no_agent: number;
    failed: number;
  };
  events: { id: Generated<number>; box_id: string; bd_seq: number; seq: number; type: string; data: string; at: number };
  commands: {
    id: string;
    box_id: string;
    name: string;
    params: string;
    requested_by: string;
    created_at: number;
    state: 'sent' | 'done' | 'failed' | 'timed-out';
    completed_at: number | null;
    outcome: string | null;
    /** When central stops waiting for the answer (migration 0002). */
    deadline_at: number;
    /** When the sweep marked it timed out; kept when a late answer comes after. */
    timed_out_at: number | null;
  };
  config_revisions: { box_id: string; revision: number; config: string; at: number };
  api_tokens: { id: Generated<number>; name: string; role: string; token_hash: string; created_at: number; revoked_at: number | null };
}
