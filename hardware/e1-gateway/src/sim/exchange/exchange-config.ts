import { CircuitGroup, CircuitMap, CONTROL_RULES, SELECTION_METHODS, type CircuitMapEntry, type ControlRule, type HuntDirection, type SelectionMethod } from './circuits/index.js';
import { MTP3_VARIANTS, NETWORK_INDICATORS, parsePointCode, type Mtp3Variant, type NetworkIndicator } from './isup/index.js';

/**
 * The signalling link test (Q.707 2.2) the exchange runs on its link: an SLTM when the link
 * comes into service and every `periodMs` (T2) after, each answered within `timeoutMs` (T1)
 * or failed; two failed tests in a row are a link-test failure. With `required`, the
 * exchange sends and takes ISUP only while its last test passed, as an exchange whose MTP
 * takes a failing link out of service would; without, it tests and counts but never holds
 * ISUP (for a box that does not answer SLTM yet). It answers SLTMs either way.
 */
export interface LinkTestSettings {
  required: boolean;
  /** T2: from one test to the next. Q.707 5.5: 30 to 90 s; shorter for tests. */
  periodMs: number;
  /** T1: how long an SLTA may take. Q.707 5.5: 4 to 12 s; shorter for tests. */
  timeoutMs: number;
  /** The signalling link code of the link in its link set, sent in the SLS field of an SLTM. */
  slc: number;
}

/**
 * The far-end exchange's own settings (`--exchange <file>`). They are the far end's, not the
 * box's: a bench can give it a wrong point code, control rule or variant on purpose and
 * watch how the box copes. Anything left out keeps the bench default:
 *
 *     { "variant": "itu", "ni": "national", "pointCode": 2000, "peerPointCode": 1000,
 *       "link": 0, "cics": [{ "firstCic": 1, "span": 0, "timeslots": "1-15,17-31" }],
 *       "control": "point-code", "selection": "controlled-first",
 *       "answerDelayMs": 300, "holdSeconds": 60, "callsPerMinute": 0, "seed": 1,
 *       "calledNumber": "12345",
       "linkTest": { "required": false, "periodMs": 60000, "timeoutMs": 8000, "slc": 0 } }
 *
 * Point codes may be numbers or written 3-8-3 (ITU) / 8-8-8 (China), e.g. "0-250-0".
 */
export interface ExchangeConfig {
  /** MTP3 routing label: 14-bit ITU or 24-bit China point codes. */
  variant: Mtp3Variant;
  /** SIO network indicator the exchange sends and expects. */
  ni: NetworkIndicator;
  /** The exchange's own point code (OPC of what it sends, DPC of what it accepts). */
  pointCode: number;
  /** The box's point code. */
  peerPointCode: number;
  /** The card's signalling link the exchange sits behind. */
  link: number;
  /** The circuit group: runs `{firstCic, span, timeslots}` and single `{cic, span, timeslot}`. */
  cics: CircuitMapEntry[];
  /** Dual-seizure control rule, from the exchange's point of view. */
  control: ControlRule;
  selection: SelectionMethod;
  /** For `opposite-order`; null: derived from the point codes. */
  huntDirection: HuntDirection | null;
  /** From the box's IAM to ANM (CON when it is at most the ACM delay of 50 ms). */
  answerDelayMs: number;
  /** Mean hold time of answered calls (exponentially distributed). */
  holdSeconds: number;
  /** Poisson arrival rate of calls the exchange places towards the box; 0: none. */
  callsPerMinute: number;
  /** Seed of the exchange's random numbers (arrivals, hold times, glare, caller numbers). */
  seed: number;
  /** The number the exchange's calls dial (the hotline behind the box). */
  calledNumber: string;
  linkTest: LinkTestSettings;
}

export const DEFAULT_EXCHANGE_CONFIG: Readonly<ExchangeConfig> = Object.freeze({
  variant: 'itu',
  ni: 'national',
  pointCode: 2000,
  peerPointCode: 1000,
  link: 0,
  cics: [{ firstCic: 1, span: 0, timeslots: '1-15,17-31' }],
  control: 'point-code',
  selection: 'controlled-first',
  huntDirection: null,
  answerDelayMs: 300,
  holdSeconds: 60,
  callsPerMinute: 0,
  seed: 1,
  calledNumber: '12345',
  linkTest: Object.freeze({ required: true, periodMs: 60_000, timeoutMs: 8_000, slc: 0 }),
});

/** Traffic limits, shared with the control API. */
export const MAX_CALLS_PER_MINUTE = 6000;
export const MIN_HOLD_SECONDS = 0.1;
export const MAX_HOLD_SECONDS = 86_400;

const FIELDS = Object.keys(DEFAULT_EXCHANGE_CONFIG) as (keyof ExchangeConfig)[];

/**
 * Checks a parsed exchange config (from JSON) and fills in defaults. Throws a TypeError that
 * names the field and says what is accepted. The circuit group is built once here, so a map
 * or pair of point codes it refuses is refused at start-up.
 */
export function parseExchangeConfig(value: unknown): ExchangeConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`an exchange config is a JSON object with any of ${FIELDS.join(', ')}`);
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(FIELDS as string[]).includes(key)) throw new TypeError(`unknown exchange field "${key}"; accepted: ${FIELDS.join(', ')}`);
  }
  const d = DEFAULT_EXCHANGE_CONFIG;
  const variant = oneOf(raw, 'variant', MTP3_VARIANTS, d.variant);
  const config: ExchangeConfig = {
    variant,
    ni: oneOf(raw, 'ni', NETWORK_INDICATORS, d.ni),
    pointCode: pointCode(raw, 'pointCode', variant, d.pointCode),
    peerPointCode: pointCode(raw, 'peerPointCode', variant, d.peerPointCode),
    link: num(raw, 'link', 0, 255, true, d.link),
    cics: raw.cics === undefined ? structuredClone(d.cics) : (raw.cics as CircuitMapEntry[]),
    control: oneOf(raw, 'control', CONTROL_RULES, d.control),
    selection: oneOf(raw, 'selection', SELECTION_METHODS, d.selection),
    huntDirection: raw.huntDirection === undefined || raw.huntDirection === null ? null : oneOf(raw, 'huntDirection', ['high-to-low', 'low-to-high'] as const, 'high-to-low'),
    answerDelayMs: num(raw, 'answerDelayMs', 0, 600_000, true, d.answerDelayMs),
    holdSeconds: num(raw, 'holdSeconds', MIN_HOLD_SECONDS, MAX_HOLD_SECONDS, false, d.holdSeconds),
    callsPerMinute: num(raw, 'callsPerMinute', 0, MAX_CALLS_PER_MINUTE, false, d.callsPerMinute),
    seed: num(raw, 'seed', 0, 2 ** 32 - 1, true, d.seed),
    calledNumber: digits(raw, 'calledNumber', d.calledNumber),
    linkTest: linkTest(raw.linkTest, d.linkTest),
  };
  try {
    buildGroup(config, 0);
  } catch (err) {
    throw new TypeError(`exchange ${(err as Error).message}`);
  }
  return config;
}

/** The exchange's circuit group, from its own point of view (it is the "own" point code). */
export function buildGroup(config: ExchangeConfig, now: number): CircuitGroup {
  let map: CircuitMap;
  try {
    map = CircuitMap.fromEntries(config.cics);
  } catch (err) {
    throw new TypeError(`circuit map ${(err as Error).message}`);
  }
  return new CircuitGroup(map, {
    ownPointCode: config.pointCode,
    peerPointCode: config.peerPointCode,
    control: config.control,
    selection: config.selection,
    ...(config.huntDirection ? { huntDirection: config.huntDirection } : {}),
    now,
  });
}

function linkTest(value: unknown, d: Readonly<LinkTestSettings>): LinkTestSettings {
  if (value === undefined) return { ...d };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('exchange linkTest must be an object with any of required, periodMs, timeoutMs, slc');
  const raw = value as Record<string, unknown>;
  const fields = Object.keys(d);
  for (const key of Object.keys(raw)) if (!fields.includes(key)) throw new TypeError(`unknown exchange linkTest field "${key}"; accepted: ${fields.join(', ')}`);
  if (raw.required !== undefined && typeof raw.required !== 'boolean') throw new TypeError(`exchange linkTest.required must be true or false, got ${JSON.stringify(raw.required)}`);
  const settings: LinkTestSettings = {
    required: (raw.required as boolean | undefined) ?? d.required,
    periodMs: num(raw, 'periodMs', 100, 90_000, true, d.periodMs, 'linkTest.'),
    timeoutMs: num(raw, 'timeoutMs', 50, 12_000, true, d.timeoutMs, 'linkTest.'),
    slc: num(raw, 'slc', 0, 15, true, d.slc, 'linkTest.'),
  };
  if (settings.timeoutMs >= settings.periodMs) throw new TypeError(`exchange linkTest.timeoutMs (${settings.timeoutMs}) must be shorter than linkTest.periodMs (${settings.periodMs}): a test ends before the next starts`);
  return settings;
}

function oneOf<T extends string>(raw: Record<string, unknown>, key: string, allowed: readonly T[], fallback: T): T {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (!allowed.includes(v as T)) throw new TypeError(`exchange ${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

function num(raw: Record<string, unknown>, key: string, min: number, max: number, integer: boolean, fallback: number, prefix = ''): number {
  const v = raw[key];
  if (v === undefined) return fallback;
  const what = `${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new TypeError(`exchange ${prefix}${key} must be ${what}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function pointCode(raw: Record<string, unknown>, key: string, variant: Mtp3Variant, fallback: number): number {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' && typeof v !== 'string') throw new TypeError(`exchange ${key} must be a number or a string like "0-250-0"`);
  try {
    return parsePointCode(v, variant);
  } catch (err) {
    throw new TypeError(`exchange ${key}: ${(err as Error).message}`);
  }
}

function digits(raw: Record<string, unknown>, key: string, fallback: string): string {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^[0-9]{1,20}$/.test(v)) throw new TypeError(`exchange ${key} must be 1 to 20 digits, got ${JSON.stringify(v)}`);
  return v;
}
