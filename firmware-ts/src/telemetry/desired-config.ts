import { isDeepStrictEqual } from 'node:util';
import { Value } from '@sinclair/typebox/value';
import type { Config } from '../config/config-schema.js';
import { ConfigError, parseConfig } from '../config/load-config.js';
import type { MessageBody } from './outbox.js';
import { DesiredConfigPayload } from './schema.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `over` laid on `base`: objects merge key by key, anything else (arrays too) replaces. */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = isObject(value) && isObject(out[key]) ? mergeConfig(out[key], value) : value;
  return out;
}

/**
 * What the box makes of central's desired configuration (`config/desired`, retained): the
 * keys given are laid over the running config and the whole is checked as a config file is.
 * This firmware does not apply a desired config yet (nothing keeps it, so a restart would not
 * apply it either): a valid config that differs from the running one is reported
 * `applied: false`, saying the settings stay and where they are changed; one that changes
 * nothing is applied as it stands.
 */
export function judgeDesiredConfig(running: Config, raw: Buffer): MessageBody<'config/reported'> | null {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  const revision = isObject(body) && Number.isSafeInteger(body.revision) && (body.revision as number) >= 1 ? (body.revision as number) : null;
  if (revision === null) return null;
  const bad = Value.Errors(DesiredConfigPayload, body).First();
  if (bad) return { revision, applied: false, errors: [`${bad.path || '(the message)'}: ${bad.message}`] };
  const desired = (body as { config: Record<string, unknown> }).config;
  let merged: Config;
  try {
    merged = parseConfig(mergeConfig(structuredClone(running) as unknown as Record<string, unknown>, desired), 'config/desired');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { revision, applied: false, errors: err.problems.slice(0, 32).map((p) => p.slice(0, 500)) };
  }
  const changed = Object.keys(merged).filter((k) => !isDeepStrictEqual((merged as Record<string, unknown>)[k], (running as Record<string, unknown>)[k]));
  if (changed.length === 0) return { revision, applied: true, errors: [] };
  return {
    revision,
    applied: false,
    errors: [`valid, but this firmware does not apply a desired config yet: its settings stay as they are; a technician changes them in the box's config file, then restarts it (changed: ${changed.join(', ')})`],
  };
}
