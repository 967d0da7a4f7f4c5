/**
 * Alarm records as the box keeps them, after ThingsBoard's model: one ACTIVE alarm per
 * (source, type); a repeat updates it and counts; a clear closes it and moves it to history.
 * Acknowledgement belongs to central (operators ack there), so the box does not store it.
 */

/** Most to least urgent. */
export const SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type AlarmState = 'active' | 'cleared';

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
  /** Times raised while active; 1 on the first raise. */
  count: number;
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
