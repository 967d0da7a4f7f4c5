import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { BoxPayloads, type BoxKind, type BoxPayload } from '@countyline/firmware/telemetry';

/** One compiled checker per kind, built once at start (TypeBox compiles each schema to a function). */
const checks = Object.fromEntries(Object.entries(BoxPayloads).map(([kind, schema]) => [kind, TypeCompiler.Compile(schema)])) as { [K in BoxKind]: TypeCheck<(typeof BoxPayloads)[K]> };

export type ParseResult<K extends BoxKind> = { ok: true; payload: BoxPayload<K> } | { ok: false; reason: 'too-large' | 'not-json' | 'schema'; detail: string };

/**
 * Reads a box's payload: bounded in size, JSON, then the kind's schema. The detail names the
 * first thing wrong (path and TypeBox's message), for the log line an operator reads.
 */
export function parsePayload<K extends BoxKind>(kind: K, payload: Buffer, maxBytes: number): ParseResult<K> {
  if (payload.length > maxBytes) return { ok: false, reason: 'too-large', detail: `${payload.length} bytes, more than the ${maxBytes} allowed` };
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: 'not-json', detail: (err as Error).message };
  }
  const check = checks[kind] as TypeCheck<(typeof BoxPayloads)[K]>;
  if (check.Check(value)) return { ok: true, payload: value as BoxPayload<K> };
  const first = check.Errors(value).First();
  return { ok: false, reason: 'schema', detail: first ? `${first.path || '/'}: ${first.message}` : 'does not match the schema' };
}
