import type { CallLine } from '../calls/cdr.js';
import type { JournalRecord } from '../calls/cdr-journal.js';

/** Characters of a request's id the CLI shows, and the fewest the store takes as a prefix of one. */
export const SHORT_ID_LENGTH = 8;

/**
 * Why a caller left a callback request: they pressed 1 while waiting (`key`), the office was
 * closed (`after-hours`), the queue was full or they waited its longest wait (`overflow`), or
 * nobody was logged in (`no-agent`).
 */
export type CallbackReason = 'key' | 'after-hours' | 'overflow' | 'no-agent';
export const CALLBACK_REASONS: readonly CallbackReason[] = ['key', 'after-hours', 'overflow', 'no-agent'];

/** How one call the box placed to the caller went. */
export type AttemptOutcome = 'answered' | 'no-answer' | 'busy' | 'failed';
export const ATTEMPT_OUTCOMES: readonly AttemptOutcome[] = ['answered', 'no-answer', 'busy', 'failed'];

/** Who ended a request: a placed call answered and bridged to an agent, staff by hand, or its age. */
export type DoneBy = 'callback' | 'staff' | 'expired';
export const DONE_BY: readonly DoneBy[] = ['callback', 'staff', 'expired'];

/**
 * The lines of `<dataDir>/callbacks.jsonl`, one JSON object each. `callback` is the request's
 * id; `id` is the line's own key for the journal, made from what the line records
 * (`<callback>/requested/<callId>`, `<callback>/attempt/<callId>`, `<callback>/done`), so the
 * same event written twice (a caller unsure whether its write got through) is kept once.
 * A `requested` line with the id of a request still pending is the same number asking again;
 * a `message` line (`<callback>/message/<callId>`) is the voice message call `callId` left,
 * recorded after its request was taken.
 */
export type CallbackRecord = JournalRecord & { callback: string; at: number } & (
    | { type: 'requested'; number: string; line: CallLine; reason: CallbackReason; callId: string; message?: string }
    | { type: 'attempt'; outcome: AttemptOutcome; callId: string; agent?: string }
    | { type: 'message'; callId: string; message: string }
    | { type: 'done'; by: DoneBy }
  );

export function recordKey(r: Pick<CallbackRecord, 'callback'> & ({ type: 'requested' | 'attempt' | 'message'; callId: string } | { type: 'done' })): string {
  return r.type === 'done' ? `${r.callback}/done` : `${r.callback}/${r.type}/${r.callId}`;
}

/** What each field takes, in words, for the error that names a bad one. */
export const FIELD_WORDS = {
  number: { en: "the caller's number: 3 to 32 digits, a leading + allowed", zh: '来电号码: 3 至 32 位数字, 可带前导 +' },
  line: { en: 'a line: {"kind": "fxo", "port"} or {"kind": "e1", "span", "timeslot", "cic"}', zh: '线路: {"kind": "fxo", "port"} 或 {"kind": "e1", "span", "timeslot", "cic"}' },
  reason: { en: `one of ${CALLBACK_REASONS.join(', ')}`, zh: `${CALLBACK_REASONS.join('、')} 之一` },
  callId: { en: "the call's CDR id (not empty)", zh: '该呼叫的话单编号 (不能为空)' },
  message: { en: 'the file name of the voice message, without a folder', zh: '留言录音的文件名 (不含目录)' },
  outcome: { en: `one of ${ATTEMPT_OUTCOMES.join(', ')}`, zh: `${ATTEMPT_OUTCOMES.join('、')} 之一` },
  agent: { en: "the agent's SIP user", zh: '坐席的 SIP 用户名' },
  by: { en: `one of ${DONE_BY.join(', ')}`, zh: `${DONE_BY.join('、')} 之一` },
  limit: { en: 'a whole number from 1 up', zh: '不小于 1 的整数' },
} as const;
export type Field = keyof typeof FIELD_WORDS;

const NUMBER = /^\+?[0-9]{3,32}$/;
const nonEmpty = (v: unknown, max = 200): v is string => typeof v === 'string' && v !== '' && v.length <= max;
const count = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

function isLine(v: unknown): v is CallLine {
  if (typeof v !== 'object' || v === null) return false;
  const l = v as Record<string, unknown>;
  if (l.kind === 'fxo') return count(l.port) && Object.keys(l).length === 2;
  return l.kind === 'e1' && count(l.span) && count(l.timeslot) && count(l.cic) && Object.keys(l).length === 4;
}

/** A file name the box can open in its own folder: no path, not `.` or `..`. */
function isFileName(v: unknown): boolean {
  return nonEmpty(v, 255) && !/[/\\\0]/.test(v) && v !== '.' && v !== '..';
}

/** The first field of an event that is not what it must be; null when all are. */
export function badField(r: Record<string, unknown>): Field | null {
  switch (r.type) {
    case 'requested':
      if (typeof r.number !== 'string' || !NUMBER.test(r.number)) return 'number';
      if (!isLine(r.line)) return 'line';
      if (!CALLBACK_REASONS.includes(r.reason as CallbackReason)) return 'reason';
      if (!nonEmpty(r.callId)) return 'callId';
      if (r.message !== undefined && !isFileName(r.message)) return 'message';
      return null;
    case 'attempt':
      if (!ATTEMPT_OUTCOMES.includes(r.outcome as AttemptOutcome)) return 'outcome';
      if (!nonEmpty(r.callId)) return 'callId';
      if (r.agent !== undefined && !nonEmpty(r.agent, 64)) return 'agent';
      return null;
    case 'message':
      if (!nonEmpty(r.callId)) return 'callId';
      if (!isFileName(r.message)) return 'message';
      return null;
    default:
      return DONE_BY.includes(r.by as DoneBy) ? null : 'by';
  }
}

/** A line read back from the file as a record, or null when it is not one this store wrote. */
export function asRecord(value: JournalRecord): CallbackRecord | null {
  const r = value as unknown as Record<string, unknown>;
  if (!['requested', 'attempt', 'message', 'done'].includes(r.type as string) || !nonEmpty(r.callback) || typeof r.at !== 'number' || !Number.isFinite(r.at)) return null;
  return badField(r) === null ? (value as CallbackRecord) : null;
}
