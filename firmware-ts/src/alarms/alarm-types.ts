import type { CardErrorCode } from '../card/card-driver.js';
import type { PriDownReason } from '../signalling/pri/pri-stack.js';
import type { LinkTestFailure } from '../signalling/mtp3/link-test.js';
import type { CounterName } from '../trunks/g826-counters.js';
import type { TestReasons } from '../trunks/circuit-tests.js';

/**
 * Alarm records as the box keeps them, after ThingsBoard's model: one ACTIVE alarm per
 * (source, type); a repeat updates it and counts; a clear closes it and moves it to history.
 * Acknowledgement belongs to central (operators ack there), so the box does not store it.
 */

/** Most to least urgent. */
export const SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALARM_STATES = ['active', 'cleared'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** Alarm types with fixed names (alarm-rules.ts); threshold crossings are `tca-<counter>-<period>`. */
export const ALARM_TYPES = ['card-link', 'span-red', 'span-blue', 'span-yellow', 'fxo-unplugged', 'test-call-failed', 'test-call-block-limit', 'link-test-failed', 'd-channel-down', 'cic-unequipped', 'fxo-off-hook-guard'] as const;
export type KnownAlarmType = (typeof ALARM_TYPES)[number];

export interface AlarmRecord {
  /** Unique and stable across restarts: `<raisedAt>-<sequence>`, the sequence kept in the file. */
  id: string;
  /** What the alarm is about: `card`, `span/0`, `fxo/3`, `circuit/e1/0/5`. */
  source: string;
  /** What is wrong: `card-link`, `span-red`, `fxo-unplugged`, `tca-es-15min`, ... */
  type: string;
  severity: Severity;
  state: AlarmState;
  /** Clock time (ms) of the first raise. */
  raisedAt: number;
  clearedAt: number | null;
  /** Clock time (ms) of the latest raise that counted. */
  lastRaisedAt: number;
  /** Free text from the raiser, e.g. `LOS since 10:02:11`. */
  cause: string;
  /** The cause as a code and its arguments, for texts in the reader's language; absent in older files. */
  causeCode?: AlarmCauseCode;
  causeArgs?: AlarmCauseArg[];
  /** Times raised while active; 1 on the first raise. */
  count: number;
}

/**
 * Alarm causes as codes with their arguments. A failed test call's cause is its test reason
 * (`no-dial-tone`, ...); `test-failed` is for a record that lost its reason.
 */
export interface AlarmCauses extends TestReasons {
  'card-error': [code: CardErrorCode];
  /** Defect names as operators read them, e.g. `LOS`, `AIS`. */
  'span-defects': [...defects: string[]];
  'threshold-crossed': [counter: CounterName, value: number, threshold: number];
  'no-battery': [];
  'test-failed': [];
  /** One pass of test calls reached its blocking limit at `circuit`, which stayed in service. */
  'block-limit': [limit: number, circuit: string];
  /** Two signalling link tests failed in a row (Q.707 T1 in seconds, for `no-answer`). */
  'link-test-failed': [failure: LinkTestFailure, t1Seconds: number];
  /** The PRI D-channel stayed down: why Q.921 last released it, or `never-up`. */
  'd-channel-down': [reason: PriDownReason];
  /** The exchange says it has no such CIC (UCIC, Q.764 2.12). */
  'cic-unequipped': [cic: number];
  'off-hook-guard': [minutes: number];
}
export type AlarmCauseCode = keyof AlarmCauses;
export type AlarmCauseArg = AlarmCauses[AlarmCauseCode][number];

/** A cause code with the arguments its texts expect, as `AlarmStore.raise` takes it. */
export interface CodedCause {
  causeCode: AlarmCauseCode;
  causeArgs: AlarmCauseArg[];
}

export function alarmCause<K extends AlarmCauseCode>(code: K, ...args: AlarmCauses[K]): CodedCause {
  return { causeCode: code, causeArgs: args };
}

/** Sets or removes the record's cause code (a raise without a code leaves none behind). */
export function setCauseCode(record: AlarmRecord, coded: CodedCause | undefined): void {
  if (coded) {
    record.causeCode = coded.causeCode;
    record.causeArgs = [...coded.causeArgs];
  } else {
    delete record.causeCode;
    delete record.causeArgs;
  }
}

/** The cause code of a record read from a file: kept when well formed, else left out (the text still shows). */
export function readCauseCode(raw: Record<string, unknown>): Partial<CodedCause> {
  const { causeCode, causeArgs } = raw;
  if (typeof causeCode !== 'string' || !Array.isArray(causeArgs)) return {};
  if (!causeArgs.every((a) => typeof a === 'string' || typeof a === 'number')) return {};
  return { causeCode: causeCode as AlarmCauseCode, causeArgs: causeArgs as AlarmCauseArg[] };
}

export interface AlarmEvents {
  /** A new active alarm. */
  raised: (alarm: AlarmRecord) => void;
  /** An active alarm raised again (count, cause or severity changed). */
  updated: (alarm: AlarmRecord) => void;
  /** An active alarm cleared; it is now in history. */
  cleared: (alarm: AlarmRecord) => void;
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** The key that makes an active alarm unique. */
export function alarmKey(source: string, type: string): string {
  return `${source}\u0000${type}`;
}
