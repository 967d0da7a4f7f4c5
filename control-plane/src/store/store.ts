import type { AlarmPayloadRecord, Birth, BoxPayload, CdrPayloadRecord, CommandName, KpiMessage } from '@countyline/firmware/telemetry';

/**
 * Central's storage, one interface over two dialects (SQLite embedded, PostgreSQL at scale).
 * Every method is one transaction. Times are ms since the epoch. Secrets (box passwords,
 * enrolment and API tokens) are stored only as hashes; hashing is the caller's (the store
 * compares nothing but equal strings).
 */
export interface Store {
  /** Runs the migrations that have not run yet. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // Sites and boxes ----------------------------------------------------------------------
  createSite(site: NewSite): Promise<Site>;
  listSites(): Promise<Site[]>;
  /** Refused (`StoreConflictError`) when the id exists; `StoreNotFoundError` for an unknown site. */
  createBox(box: NewBox): Promise<Box>;
  getBox(id: string): Promise<Box | null>;
  listBoxes(filter?: { site?: string }): Promise<Box[]>;
  /** Stores a one-time enrolment token's hash for the box, replacing any earlier one. */
  setEnrolment(boxId: string, tokenHash: string, expiresAt: number): Promise<void>;
  /**
   * Uses an enrolment token once: on success the box gets `passwordHash` as its MQTT
   * credential, and the token cannot be used again. A token that was used, expired or never
   * existed is refused with the reason.
   */
  redeemEnrolment(tokenHash: string, passwordHash: string, now: number): Promise<{ ok: true; boxId: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' }>;
  /** The scrypt hash of the box's MQTT password; null for an unknown or not-yet-enrolled box. */
  boxCredential(boxId: string): Promise<string | null>;

  // What the box says about itself --------------------------------------------------------
  /**
   * The latest birth replaces the previous one (and the trunk snapshot, from its spans, FXO
   * ports and circuit counts); the box is online from `at`. A birth counts in `lastSeq` (it
   * carries its own seq and bdSeq). A birth whose bdSeq is older than the stored one is
   * ignored. `StoreNotFoundError` for an unknown box.
   */
  recordBirth(boxId: string, birth: Birth, at: number): Promise<boolean>;
  /** Online or offline from `at`, for the connection `bdSeq`; ignored (returns false) when `bdSeq` is older than the box's latest birth. */
  recordStatus(boxId: string, online: boolean, bdSeq: number, at: number): Promise<boolean>;
  /**
   * The box's latest trunk snapshot (spans, FXO, circuit counts), replacing the previous one.
   * `key`, when given, counts in `lastSeq`.
   */
  recordTrunks(boxId: string, trunks: BoxTrunks, at: number, key?: MessageKey): Promise<void>;

  /**
   * The durable messages are idempotent on (box, bdSeq, seq): a repeat changes nothing and
   * answers 'duplicate', also when two identical calls run at once (the database's unique key
   * decides). A CDR whose id the box already sent under another key is a duplicate too. KPI
   * intervals are one per (box, intervalStart): a later message for the same interval
   * replaces it. `StoreNotFoundError` for an unknown box.
   *
   * Box alarms are keyed by the box's alarm id: 'raised'/'updated' create or update it,
   * 'cleared' clears it (and records it cleared when central never saw it raised, so history
   * is complete). A cleared alarm is never made active again by an older message. A box
   * alarm raised while another one is active for the same (box, source, type) clears the
   * older one first (the box has moved on: one active per key).
   */
  applyBoxAlarm(boxId: string, key: MessageKey, change: 'raised' | 'updated' | 'cleared', alarm: AlarmPayloadRecord): Promise<'applied' | 'duplicate'>;
  addCdr(boxId: string, key: MessageKey, cdr: CdrPayloadRecord): Promise<'applied' | 'duplicate'>;
  addKpi(boxId: string, key: MessageKey, kpi: KpiInterval): Promise<'applied' | 'duplicate'>;
  /** `at`: when it happened (the message's `ts`), for retention; default now. */
  addEvent(boxId: string, key: MessageKey, type: string, data: Record<string, unknown>, at?: number): Promise<'applied' | 'duplicate'>;
  /**
   * A birth lists the box's active alarms: makes the box's active alarms at central (origin
   * 'box') exactly those, in one transaction. Each listed one is raised or updated by its box
   * alarm id, as `applyBoxAlarm` 'raised' does (so an id central has seen cleared stays
   * cleared); every other active box alarm of the box is cleared at `at`. Central's own
   * alarms are left alone. `StoreNotFoundError` for an unknown box.
   */
  syncBoxAlarms(boxId: string, active: AlarmPayloadRecord[], at: number): Promise<void>;
  /**
   * The highest seq stored for the box and its bdSeq; null before its first message. Counts
   * the durable messages above, births, and the calls below that take a `key`.
   */
  lastSeq(boxId: string): Promise<MessageKey | null>;

  // Alarms --------------------------------------------------------------------------------
  /**
   * Raises an alarm central detects itself (box offline, telemetry gap, answer rates).
   * One active alarm per (box, source, type): a repeat updates it (count, cause, severity).
   */
  raiseCentralAlarm(alarm: NewCentralAlarm): Promise<CentralAlarm>;
  /** Clears the active alarm (box, source, type), if there is one. */
  clearCentralAlarm(boxId: string, source: string, type: string, at: number): Promise<CentralAlarm | null>;
  listAlarms(filter: AlarmFilter): Promise<CentralAlarm[]>;
  /** Every active alarm central raised itself with `source` (origin 'central'), in the order stored, with no page limit. */
  listActiveCentralAlarms(source: string): Promise<CentralAlarm[]>;
  /** Active alarms (box and central) by severity, every severity named (0 when none). */
  countActiveAlarms(): Promise<Record<Severity, number>>;
  getAlarm(id: number): Promise<CentralAlarm | null>;
  /** Acknowledges an alarm (active or cleared); null when there is no such alarm. Acknowledging twice keeps the first. */
  ackAlarm(id: number, by: string, comment: string, at: number): Promise<CentralAlarm | null>;

  // Calls and KPIs ----------------------------------------------------------------------
  searchCdrs(filter: CdrFilter): Promise<StoredCdr[]>;
  listKpis(boxId: string, from: number, to: number): Promise<KpiInterval[]>;

  // Commands ----------------------------------------------------------------------------
  createCommand(cmd: NewCommand): Promise<StoredCommand>;
  /**
   * The box's answer, once: a command 'sent' or 'timed-out' takes it (a late answer replaces
   * the time-out, since the box did run it; `timedOutAt` stays); a command already answered
   * keeps its first answer. Null for an unknown id. `key`, when given, counts in `lastSeq`.
   */
  completeCommand(id: string, result: CommandOutcome, at: number, key?: MessageKey): Promise<StoredCommand | null>;
  getCommand(id: string): Promise<StoredCommand | null>;
  /**
   * Every command still 'sent' whose deadline is at or before `now` becomes 'timed-out' with
   * `timedOutAt` now, in one statement (an answer stored at the same moment wins or loses
   * whole); answers those.
   */
  timeOutCommands(now: number): Promise<StoredCommand[]>;

  // Desired configuration ------------------------------------------------------------------
  /** The next revision of the box's desired config (1, 2, ...). `StoreNotFoundError` for an unknown box. */
  setDesiredConfig(boxId: string, config: Record<string, unknown>, at: number): Promise<{ revision: number }>;
  getConfigState(boxId: string): Promise<ConfigState>;
  /** The latest report replaces the previous one. `key`, when given, counts in `lastSeq`. */
  recordReportedConfig(boxId: string, revision: number, applied: boolean, errors: string[], at: number, key?: MessageKey): Promise<void>;

  // API tokens ----------------------------------------------------------------------------
  createApiToken(token: { name: string; role: Role; tokenHash: string; createdAt: number }): Promise<ApiToken>;
  /** The token for a hash; null when unknown or revoked. */
  findApiToken(tokenHash: string): Promise<ApiToken | null>;
  /** Counts the tokens not revoked. */
  countApiTokens(): Promise<number>;
  /** The token stops working; false when there is no such token or it was already revoked. */
  revokeApiToken(id: number, at: number): Promise<boolean>;

  // Retention -----------------------------------------------------------------------------
  /**
   * Deletes CDRs (by arrival) before `cdrsBefore`, and events, KPI intervals (by start) and
   * cleared alarms (by clearing) before `historyBefore`; answers how many of each went.
   * Deletes in small batches, so a big prune does not hold the database for long.
   */
  prune(cutoffs: { cdrsBefore: number; historyBefore: number }): Promise<{ cdrs: number; events: number; kpis: number; alarms: number }>;
}

export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

export interface MessageKey {
  bdSeq: number;
  seq: number;
}

export interface NewSite {
  id: string;
  name: string;
  county: string;
}
export interface Site extends NewSite {
  createdAt: number;
}

export interface NewBox {
  id: string;
  site: string;
  name: string;
  createdAt: number;
}
export interface Box extends NewBox {
  /** True once the box has exchanged its enrolment token for credentials. */
  enrolled: boolean;
  online: boolean;
  /** When `online` last changed; null before the box ever connected. */
  onlineChangedAt: number | null;
  lastBirthAt: number | null;
  /** The latest birth as the box sent it. */
  birth: Birth | null;
  trunks: BoxTrunks | null;
  trunksAt: number | null;
  /** The bdSeq of the latest birth. */
  bdSeq: number | null;
}

/** The box's latest live snapshot (a trunks message, or the birth's state). The last three are absent from older firmware. */
export interface BoxTrunks {
  spans: Birth['spans'];
  fxo: Birth['fxo'];
  circuits: { total: number; idle: number; busy: number; blocked: number };
  circuitList?: Birth['circuits']['list'];
  agents?: Birth['agents'];
  queue?: Birth['queue'];
  callbacks?: BoxPayload<'trunks'>['callbacks'];
  callbacksPending?: number;
}

export type Severity = AlarmPayloadRecord['severity'];

export interface NewCentralAlarm {
  boxId: string;
  source: string;
  type: string;
  severity: Severity;
  cause: string;
  causeCode?: string;
  causeArgs?: (string | number)[];
  at: number;
}

/**
 * An alarm as central keeps it: from a box (`origin` 'box', its `boxAlarmId`) or raised by
 * central itself (`origin` 'central'). Active or cleared, and acknowledged or not.
 */
export interface CentralAlarm {
  id: number;
  boxId: string;
  origin: 'box' | 'central';
  boxAlarmId: string | null;
  source: string;
  type: string;
  severity: Severity;
  state: 'active' | 'cleared';
  cause: string;
  causeCode: string | null;
  causeArgs: (string | number)[] | null;
  raisedAt: number;
  lastRaisedAt: number;
  clearedAt: number | null;
  count: number;
  ackedAt: number | null;
  ackedBy: string | null;
  ackComment: string | null;
}

export interface AlarmFilter {
  state?: 'active' | 'cleared';
  boxId?: string;
  severity?: Severity;
  acked?: boolean;
  /** Newest first; at most this many (default 100, at most 1000). */
  limit?: number;
  /**
   * Paging, with the last alarm of the previous page as the cursor: alarms raised before
   * this time, and with `beforeId` also those raised at this very time with a smaller id.
   * Alarms often share a raisedAt (a birth lists several): page with both, or an alarm at the
   * page boundary is skipped.
   */
  before?: number;
  /** The id of the previous page's last alarm; only with `before` (a RangeError without). */
  beforeId?: number;
}

export interface StoredCdr extends CdrPayloadRecord {
  boxId: string;
}

export interface CdrFilter {
  boxId?: string;
  /** Calls that arrived at or after this time. */
  from?: number;
  /** Calls that arrived before this time. */
  to?: number;
  result?: CdrPayloadRecord['result'];
  /** The calling number exactly. */
  calling?: string;
  /** Newest first; default 100, at most 1000. */
  limit?: number;
}

export type KpiInterval = Pick<KpiMessage, 'intervalStart' | 'intervalMs' | 'offered' | 'answered' | 'answeredIn15s' | 'abandoned' | 'noAgent' | 'failed'>;

export interface NewCommand {
  id: string;
  boxId: string;
  name: CommandName;
  params: Record<string, unknown>;
  requestedBy: string;
  createdAt: number;
  /** When central stops waiting for the box's answer (`--command-timeout` after it was sent). */
  deadlineAt: number;
}
export interface CommandOutcome {
  ok: boolean;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}
/**
 * 'sent': waiting for the box's answer; 'done' / 'failed': the box answered ok or not (or
 * central could not send it); 'timed-out': no answer by the deadline.
 */
export type CommandState = 'sent' | 'done' | 'failed' | 'timed-out';
export interface StoredCommand extends NewCommand {
  state: CommandState;
  /** When the answer was stored. */
  completedAt: number | null;
  outcome: CommandOutcome | null;
  /** When central gave up waiting; kept when a late answer comes after it. */
  timedOutAt: number | null;
}

export interface ConfigState {
  desired: { revision: number; config: Record<string, unknown>; at: number } | null;
  reported: { revision: number; applied: boolean; errors: string[]; at: number } | null;
}

export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  createdAt: number;
}

/** A unique key already taken (a box or site id). */
export class StoreConflictError extends Error {
  constructor(readonly what: string) {
    super(`${what} already exists`);
    this.name = 'StoreConflictError';
  }
}

/** A reference to something that does not exist (a box's site). */
export class StoreNotFoundError extends Error {
  constructor(readonly what: string) {
    super(`${what} does not exist`);
    this.name = 'StoreNotFoundError';
  }
}

/** The database failed (unreachable, full, a constraint this module does not expect): what was being done, the driver's error as `cause`. */
export class StoreDriverError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`store: ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StoreDriverError';
  }
}
