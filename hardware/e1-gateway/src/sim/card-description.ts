/**
 * What the simulated card says it is in its `inventory` answer, and how much of each
 * resource it has. A `--card` file may give any subset; the rest comes from the default.
 */
export interface CardDescription {
  model: string;
  serial: string;
  firmware: string;
  /** E1 spans, numbered from 0. */
  spans: number;
  /** Analog FXO ports, numbered from 0. */
  fxoPorts: number;
  /** Signalling links (MTP2 or raw HDLC on a timeslot), numbered from 0. */
  links: number;
}

export const DEFAULT_CARD: Readonly<CardDescription> = Object.freeze({
  model: 'CL-E1F-108',
  serial: 'SIM-0001',
  firmware: 'sim-1.0',
  spans: 1,
  fxoPorts: 5,
  links: 2,
});

const TEXT_FIELDS = ['model', 'serial', 'firmware'] as const;
const COUNT_FIELDS = ['spans', 'fxoPorts', 'links'] as const;

/**
 * Checks a parsed card description (from JSON) and fills in defaults. Throws a TypeError
 * that names the field and says what is accepted. Text fields travel as protocol `str`
 * (at most 255 bytes of UTF-8) and counts as `u8`.
 */
export function parseCardDescription(value: unknown): CardDescription {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`a card description is a JSON object with any of ${[...TEXT_FIELDS, ...COUNT_FIELDS].join(', ')}`);
  }
  const card: CardDescription = { ...DEFAULT_CARD };
  for (const [key, v] of Object.entries(value)) {
    if ((TEXT_FIELDS as readonly string[]).includes(key)) {
      if (typeof v !== 'string' || v.length === 0 || Buffer.byteLength(v, 'utf8') > 255) {
        throw new TypeError(`card ${key} must be a non-empty string of at most 255 bytes`);
      }
      card[key as (typeof TEXT_FIELDS)[number]] = v;
    } else if ((COUNT_FIELDS as readonly string[]).includes(key)) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
        throw new TypeError(`card ${key} must be a whole number from 0 to 255`);
      }
      card[key as (typeof COUNT_FIELDS)[number]] = v;
    } else {
      throw new TypeError(`unknown card field "${key}"; accepted: ${[...TEXT_FIELDS, ...COUNT_FIELDS].join(', ')}`);
    }
  }
  return card;
}
