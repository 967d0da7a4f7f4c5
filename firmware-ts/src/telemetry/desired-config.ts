import { isDeepStrictEqual } from 'node:util';
import { Value } from '@sinclair/typebox/value';
import type { Config } from '../config/config-schema.js';
import { ConfigError, parseConfig } from '../config/load-config.js';
import type { MessageBody } from './outbox.js';
import { DesiredConfigPayload } from './schema.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Settings central may not change: the link to central itself (a wrong URL or password would
 * cut the box off for good), and where the box keeps its state and its control socket. They
 * are set on the box, by `countyline provision` or a technician.
 */
export const LOCAL_ONLY_KEYS = ['central', 'dataDir', 'control'] as const;

/** `patch` applied to `target` as a JSON merge patch (RFC 7386): objects merge, `null` deletes a key, anything else replaces. */
export function mergePatch(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    // An own property even for `__proto__` (JSON.parse makes it one): the checks then see it.
    else Object.defineProperty(out, key, { value: isObject(value) ? mergePatch(isObject(out[key]) ? out[key] : {}, value) : value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A desired revision that was tried and undone, kept so the same revision is not tried again. */
export interface RolledBack {
  revision: number;
  reason: string;
  at: number;
}

export interface DesiredContext {
  /** The config the box runs on. */
  running: Config;
  /** The box's config file as it is on disk, and its path; null when there is none to rewrite. */
  file: { path: string; raw: Record<string, unknown> } | null;
  /** Why there is no file, when it could not be read back. */
  fileError?: string;
  /** The last revision undone because the box did not start with it. */
  rolledBack: RolledBack | null;
}

/** A desired config that passed every check and changes something: the file to write and what it starts. */
export interface ConfigChange {
  revision: number;
  /** The new config file (the old one with the patch applied). */
  raw: Record<string, unknown>;
  /** The same, checked and completed as `loadConfig` does. */
  config: Config;
  /** The top-level sections it changes. */
  changed: string[];
}

export type Reported = MessageBody<'config/reported'>;

/**
 * What the box makes of central's desired configuration (`config/desired`, retained): a merge
 * patch on the box's config file. It is refused, with the reasons, when it fails the checks a
 * config file gets, touches a local-only key, or is the revision rolled back before; a patch
 * that changes nothing is applied as it stands; otherwise it is a change to apply (which
 * restarts the firmware). Null: not a desired config at all (no revision to answer to).
 */
export function judgeDesiredConfig(ctx: DesiredContext, raw: Buffer): { report: Reported } | { apply: ConfigChange } | null {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  const revision = isObject(body) && Number.isSafeInteger(body.revision) && (body.revision as number) >= 1 ? (body.revision as number) : null;
  if (revision === null) return null;
  const refuse = (errors: string[]) => ({ report: { revision, applied: false, errors: errors.slice(0, 32).map((e) => e.slice(0, 500)) } });
  const bad = Value.Errors(DesiredConfigPayload, body).First();
  if (bad) return refuse([`${bad.path || '(the message)'}: ${bad.message}`]);
  if (ctx.rolledBack?.revision === revision) return refuse([`revision ${revision} was applied and rolled back: ${ctx.rolledBack.reason}`]);
  const patch = (body as { config: Record<string, unknown> }).config;
  const local = LOCAL_ONLY_KEYS.filter((k) => k in patch);
  if (local.length > 0) return refuse(local.map((k) => `${k}: set on the box only (countyline provision or its config file); central cannot change it`));
  const base = ctx.file?.raw ?? (structuredClone(ctx.running) as unknown as Record<string, unknown>);
  const path = ctx.file?.path ?? 'config/desired';
  const merged = mergePatch(base, patch);
  let config: Config;
  try {
    config = parseConfig(merged, path);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return refuse(err.problems);
  }
  const running = ctx.running as unknown as Record<string, unknown>;
  const next = config as unknown as Record<string, unknown>;
  const changed = [...new Set([...Object.keys(next), ...Object.keys(running)])].filter((k) => !isDeepStrictEqual(next[k], running[k]));
  if (changed.length === 0) return { report: { revision, applied: true, errors: [] } };
  if (!ctx.file) {
    const why = ctx.fileError ? `cannot read its config file back (${ctx.fileError})` : 'runs without a config file it can rewrite';
    return refuse([`valid, but this box ${why}, so it cannot apply it; nothing changed (changed: ${changed.join(', ')})`]);
  }
  return { apply: { revision, raw: merged, config, changed } };
}
