import { readFile } from 'node:fs/promises';
import { alarmKey, isSeverity, readCauseCode, type AlarmRecord } from './alarm-types.js';

/**
 * The alarm file on the box's data folder. JSON, one object:
 *
 *   { "version": 1, "nextSeq": 42, "active": [AlarmRecord...], "history": [AlarmRecord...] }
 *
 * `history` is newest first. `nextSeq` numbers alarm ids, so ids stay unique across restarts.
 */
export interface AlarmFileContent {
  version: 1;
  nextSeq: number;
  active: AlarmRecord[];
  history: AlarmRecord[];
}

/** The file exists but cannot be used. `reason` says why, for the log. */
export class AlarmFileError extends Error {
  override readonly name = 'AlarmFileError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

export function serializeAlarmFile(content: AlarmFileContent): string {
  return `${JSON.stringify(content)}\n`;
}

/** Parses and checks a whole file; any bad part makes the whole file unusable. */
export function parseAlarmFile(text: string, path = 'alarm file'): AlarmFileContent {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AlarmFileError(path, `not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(raw)) throw new AlarmFileError(path, 'not a JSON object');
  if (raw.version !== 1) throw new AlarmFileError(path, `unknown version ${JSON.stringify(raw.version)}`);
  if (!Number.isSafeInteger(raw.nextSeq) || (raw.nextSeq as number) < 1) throw new AlarmFileError(path, 'nextSeq: not a positive integer');
  if (!Array.isArray(raw.active)) throw new AlarmFileError(path, 'active: not a list');
  if (!Array.isArray(raw.history)) throw new AlarmFileError(path, 'history: not a list');
  const active = raw.active.map((r: unknown, i: number) => checkRecord(r, 'active', `active.${i}`, path));
  const history = raw.history.map((r: unknown, i: number) => checkRecord(r, 'cleared', `history.${i}`, path));
  const keys = new Set<string>();
  for (const a of active) {
    const key = alarmKey(a.source, a.type);
    if (keys.has(key)) throw new AlarmFileError(path, `active: ${a.source} ${a.type} is listed twice`);
    keys.add(key);
  }
  return { version: 1, nextSeq: raw.nextSeq as number, active, history };
}

function checkRecord(raw: unknown, state: AlarmRecord['state'], where: string, path: string): AlarmRecord {
  const bad = (what: string) => new AlarmFileError(path, `${where}.${what}`);
  if (!isObject(raw)) throw new AlarmFileError(path, `${where}: not an object`);
  for (const key of ['id', 'source', 'type', 'cause'] as const) {
    if (typeof raw[key] !== 'string') throw bad(`${key}: not a string`);
  }
  if (!isSeverity(raw.severity)) throw bad(`severity: unknown ${JSON.stringify(raw.severity)}`);
  if (raw.state !== state) throw bad(`state: expected ${state}`);
  for (const key of ['raisedAt', 'lastRaisedAt'] as const) {
    if (!Number.isFinite(raw[key])) throw bad(`${key}: not a number`);
  }
  if (!Number.isSafeInteger(raw.count) || (raw.count as number) < 1) throw bad('count: not a positive integer');
  if (state === 'cleared' ? !Number.isFinite(raw.clearedAt) : raw.clearedAt !== null) throw bad('clearedAt: wrong for its state');
  // Copy field by field so stray keys in the file do not ride along.
  return {
    id: raw.id as string,
    source: raw.source as string,
    type: raw.type as string,
    severity: raw.severity,
    state,
    raisedAt: raw.raisedAt as number,
    clearedAt: raw.clearedAt as number | null,
    lastRaisedAt: raw.lastRaisedAt as number,
    cause: raw.cause as string,
    ...readCauseCode(raw),
    count: raw.count as number,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the file: null if it does not exist; AlarmFileError if it exists but cannot be read
 * or parsed.
 */
export async function readAlarmFile(path: string): Promise<AlarmFileContent | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new AlarmFileError(path, `cannot read it (${code ?? String(err)})`);
  }
  return parseAlarmFile(text, path);
}
