/**
 * Signalling point codes and the MTP3 variants the exchange speaks.
 *
 * - `itu`: Q.704 2.2, 14-bit point codes, usually written 3-8-3 (zone-area-point).
 * - `china`: China's national network, 24-bit point codes written 8-8-8 (main signalling
 *   area, sub-area, point) in a 7-octet label; the messages are otherwise the ITU ones.
 */
export const MTP3_VARIANTS = ['itu', 'china'] as const;
export type Mtp3Variant = (typeof MTP3_VARIANTS)[number];

/** The network indicator of the SIO (Q.704 14.2.2), in the order of its code 0..3. */
export const NETWORK_INDICATORS = ['international', 'international-spare', 'national', 'national-spare'] as const;
export type NetworkIndicator = (typeof NETWORK_INDICATORS)[number];

const BITS: Readonly<Record<Mtp3Variant, number>> = { itu: 14, china: 24 };
/** How each variant writes a point code as text: field widths in bits, most significant first. */
const FIELDS: Readonly<Record<Mtp3Variant, readonly number[]>> = { itu: [3, 8, 3], china: [8, 8, 8] };

export function pointCodeBits(variant: Mtp3Variant): number {
  return BITS[variant];
}

/**
 * A point code from config: a whole number, or text in the variant's dotted form
 * ("2-100-5" for ITU, "1-2-3" for China). Throws a RangeError saying what is accepted.
 */
export function parsePointCode(value: number | string, variant: Mtp3Variant): number {
  const max = 2 ** BITS[variant] - 1;
  const form = FIELDS[variant].join('-');
  let pc: number;
  if (typeof value === 'number') {
    pc = value;
  } else {
    const parts = value.split('-');
    const widths = FIELDS[variant];
    if (parts.length !== widths.length || !parts.every((p) => /^[0-9]{1,3}$/.test(p))) {
      throw new RangeError(`point code "${value}" is not a number or ${form} text (each field a decimal number) for ${variant}`);
    }
    pc = 0;
    parts.forEach((p, i) => {
      const width = widths[i]!;
      const field = Number(p);
      if (field >= 2 ** width) throw new RangeError(`point code "${value}": field ${i + 1} is ${field}, above ${2 ** width - 1} (${form} bits for ${variant})`);
      pc = pc * 2 ** width + field;
    });
  }
  if (!Number.isInteger(pc) || pc < 0) throw new RangeError(`point code ${value} must be a whole number from 0 to ${max}`);
  if (pc > max) throw new RangeError(`point code ${value} is too large for ${variant}: ${BITS[variant]} bits, at most ${max}`);
  return pc;
}

/** The dotted text form of a point code ("0-250-0" for ITU 2000). */
export function formatPointCode(pc: number, variant: Mtp3Variant): string {
  const widths = FIELDS[variant];
  const out: number[] = [];
  let rest = pc;
  for (let i = widths.length - 1; i >= 0; i--) {
    const width = widths[i]!;
    out.unshift(rest % 2 ** width);
    rest = Math.floor(rest / 2 ** width);
  }
  return out.join('-');
}
