import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { checkOfficeHours } from '../queue/office-hours.js';
import { parsePointCode, type Mtp3Variant } from '../signalling/mtp3/mtp3-label.js';
import { ConfigSchema, DEFAULT_TEST_SCHEDULE, type Config } from './config-schema.js';

export const DEFAULT_CONFIG_PATH = '/etc/countyline/config.json';

/** A config file that cannot be used, with every problem listed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`${path}: ${problems.join('; ')}`);
  }
}

/** Reads, checks and completes a config file. Relative paths inside it are taken from its folder. */
export async function loadConfig(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [code === 'ENOENT' ? 'no such file; pass --config <file>' : `cannot read it (${code ?? String(err)})`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, [`not valid JSON: ${(err as Error).message}`]);
  }
  return parseConfig(raw, path);
}

export function parseConfig(raw: unknown, path = 'config'): Config {
  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw));
  const errors = [...Value.Errors(ConfigSchema, withDefaults)];
  // A missing key also fails its type check; report it once, as missing.
  const missing = new Set(errors.filter((e) => e.message.includes('required property')).map((e) => e.path));
  const problems = errors.filter((e) => !missing.has(e.path) || e.message.includes('required property')).map(describe);
  if (problems.length > 0) throw new ConfigError(path, [...new Set(problems)]);
  const config = withDefaults as Config;
  config.testCalls.schedule ??= { ...DEFAULT_TEST_SCHEDULE };
  if (config.isup) {
    const isup = config.isup as { ownPointCode: number | string; peerPointCode: number | string; variant: Mtp3Variant; link: number };
    for (const key of ['ownPointCode', 'peerPointCode'] as const) {
      try {
        isup[key] = parsePointCode(isup[key], isup.variant);
      } catch (err) {
        throw new ConfigError(path, [`isup.${key}: ${(err as Error).message}`]);
      }
    }
    if (isup.ownPointCode === isup.peerPointCode) throw new ConfigError(path, ['isup: ownPointCode and peerPointCode are the same']);
    if (isup.link >= config.card.links.length) throw new ConfigError(path, [`isup.link: ${isup.link} is not one of card.links (there are ${config.card.links.length})`]);
  }
  // A bad office schedule stops the box at start, not at the first caller after hours.
  const hours = checkOfficeHours(config.queue.hours);
  if (hours.length > 0) throw new ConfigError(path, hours.map((e) => e.message));
  const base = dirname(resolve(path));
  config.dataDir = resolve(base, config.dataDir);
  config.control.socket = resolve(base, config.control.socket);
  if (config.central?.caFile) config.central.caFile = resolve(base, config.central.caFile);
  // One number cannot ask for two actions.
  const actions = ['login', 'logout', 'break'] as const;
  for (const [i, action] of actions.entries()) {
    const code = config.sip.featureCodes[action];
    const other = actions.slice(i + 1).find((a) => config.sip.featureCodes[a] === code);
    if (other) throw new ConfigError(path, [`sip.featureCodes: ${action} and ${other} are both ${code}; give each its own number`]);
  }
  const seen = new Set<string>();
  for (const link of config.card.links) {
    const key = `${link.span}/${link.timeslot}`;
    if (seen.has(key)) throw new ConfigError(path, [`card.links: span ${link.span} timeslot ${link.timeslot} is listed twice`]);
    seen.add(key);
  }
  return config;
}

/** Keys older configs have, and what took their place. */
const REMOVED_KEYS: Record<string, string> = {
  'isup.answerAfterMs': 'removed: agents answer calls now; for a box that answers by itself, set calls.noAgent to "test-line" and calls.testLineAnswerMs',
};

function describe(error: { path: string; message: string; schema: unknown; value: unknown }): string {
  const where = error.path === '' ? '(top level)' : error.path.slice(1).replaceAll('/', '.');
  if (error.message.includes('Unexpected property') || error.message.includes('additional')) {
    return `${where}: unknown key${REMOVED_KEYS[where] ? ` (${REMOVED_KEYS[where]})` : ''}`;
  }
  if (error.message.includes('required property')) return `${where}: missing`;
  const range = error.schema as { q764?: string; minimum?: number; maximum?: number };
  if (range.q764 && typeof error.value === 'number') {
    return `${where}: ${error.value} ms is outside ${range.minimum}-${range.maximum} ms, the range Q.764 Annex A gives ${range.q764}`;
  }
  const description = (error.schema as { description?: string }).description;
  if (error.message.includes('union') && description) return `${where}: expected ${description} (got ${JSON.stringify(error.value)})`;
  return `${where}: ${error.message.toLowerCase()}${error.value === undefined ? '' : ` (got ${JSON.stringify(error.value)})`}`;
}
