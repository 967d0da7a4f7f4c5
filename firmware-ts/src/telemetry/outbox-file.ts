import type { BoxKind } from './schema.js';

/**
 * The lines of the outbox file (`<dataDir>/outbox.jsonl`), one JSON object each:
 *
 * - `{"m":seq,"b":bdSeq,"k":kind,"t":topic,"p":payload}`: a message waiting for its PUBACK;
 * - `{"a":seq}`: the broker acknowledged it (or the outbox dropped it to make room);
 * - `{"d":seq,"k":kind}`: a message the outbox refused when full (it still took its seq);
 * - `{"c":bdSeq}`: a connection was opened with this bdSeq;
 * - `{"h":1,"seq":n,"bdSeq":n}`: the first line after a compaction: the high-water marks,
 *   so that seq and bdSeq keep growing when the file holds no message any more.
 */
export type OutboxLine =
  | { m: number; b: number; k: BoxKind; t: string; p: Record<string, unknown> }
  | { a: number }
  | { d: number; k: BoxKind }
  | { c: number }
  | { h: 1; seq: number; bdSeq: number };

const isSeq = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Reads one line; null for anything this file never holds (a damaged line). */
export function parseOutboxLine(text: string): OutboxLine | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if ('m' in v) {
    if (!isSeq(v.m) || !isSeq(v.b) || typeof v.k !== 'string' || typeof v.t !== 'string' || typeof v.p !== 'object' || v.p === null) return null;
    return v as OutboxLine;
  }
  if ('a' in v) return isSeq(v.a) ? { a: v.a } : null;
  if ('d' in v) return isSeq(v.d) && typeof v.k === 'string' ? { d: v.d, k: v.k as BoxKind } : null;
  if ('c' in v) return isSeq(v.c) ? { c: v.c } : null;
  if (v.h === 1) return isSeq(v.seq) && isSeq(v.bdSeq) ? { h: 1, seq: v.seq, bdSeq: v.bdSeq } : null;
  return null;
}
