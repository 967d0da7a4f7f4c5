import { need } from '../isup/isup-codec-error.js';
import { checkBytes, checkInt } from '../isup/param-codec.js';

/**
 * MTP3 signalling information of a message signal unit (Q.704 clause 2.2 and 14.2): the
 * service information octet (SIO), the routing label, then the user part's payload.
 *
 *     SIO:    8 7   | 6 5   | 4 3 2 1
 *             NI    | spare | service indicator (5 = ISUP, 0 = SNM, 1/2 = test; service-indicator.ts)
 *
 *     label `itu` (Q.704 2.2), 4 octets read as one little-endian 32-bit number:
 *             bits 31-28 SLS | bits 27-14 OPC | bits 13-0 DPC
 *
 *     label `china` (GF 001-9001, 24-bit point codes), 7 octets:
 *             DPC (3 octets, least significant first) | OPC (3 octets, LSB first) |
 *             SLS (bits 4-1; bits 8-5 spare)
 *
 * The SIO spare bits (a national priority option) and the China SLS octet's spare bits are
 * sent as 0 and ignored on receipt. The variant is a property of the link, never guessed
 * from the bytes: the same octets read differently under each.
 */
export type Mtp3Variant = 'itu' | 'china';

/** SIO network indicator (Q.704 14.2.2): bits 8-7 = 0, 1, 2, 3 in this order. */
export const NETWORK_INDICATORS = ['international', 'international-spare', 'national', 'national-spare'] as const;
export type NetworkIndicator = (typeof NETWORK_INDICATORS)[number];

/** Service indicator of ISUP (Q.704 14.2.1). */
export const SI_ISUP = 5;

export const MAX_POINT_CODE: Readonly<Record<Mtp3Variant, number>> = { itu: 0x3fff, china: 0xffffff };
export const LABEL_LENGTH: Readonly<Record<Mtp3Variant, number>> = { itu: 4, china: 7 };

export interface Mtp3Label {
  variant: Mtp3Variant;
  ni: NetworkIndicator;
  /** Service indicator, 0..15. */
  si: number;
  dpc: number;
  opc: number;
  /** Signalling link selection, 0..15 in both variants. */
  sls: number;
}

export interface Msu extends Mtp3Label {
  payload: Uint8Array;
}

export interface DecodedMsu extends Msu {
  /** Where the payload starts in the decoded bytes (1 + label length). */
  payloadOffset: number;
}

/** SIO + routing label + payload. `si` defaults to 5 (ISUP). Throws RangeError/TypeError. */
export function encodeMsu(msu: Omit<Msu, 'si'> & { si?: number }): Uint8Array {
  const { variant, si = SI_ISUP } = msu;
  checkVariant(variant);
  const niCode = NETWORK_INDICATORS.indexOf(msu.ni);
  if (niCode < 0) throw new RangeError(`ni: ${String(msu.ni)} is not one of ${NETWORK_INDICATORS.join(', ')}`);
  const dpc = checkPointCode(msu.dpc, variant, 'dpc');
  const opc = checkPointCode(msu.opc, variant, 'opc');
  const sls = checkInt(msu.sls, 0, 15, 'sls');
  const payload = checkBytes(msu.payload, 'payload');
  const head = [(niCode << 6) | checkInt(si, 0, 15, 'si')];
  if (variant === 'itu') {
    const label = (dpc | (opc << 14) | (sls << 28)) >>> 0;
    head.push(label & 0xff, (label >>> 8) & 0xff, (label >>> 16) & 0xff, label >>> 24);
  } else {
    head.push(dpc & 0xff, (dpc >> 8) & 0xff, dpc >> 16, opc & 0xff, (opc >> 8) & 0xff, opc >> 16, sls);
  }
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/** Reads SIO and routing label; the rest is the payload (copied). Throws only IsupCodecError. */
export function decodeMsu(bytes: Uint8Array, variant: Mtp3Variant): DecodedMsu {
  checkVariant(variant);
  const payloadOffset = 1 + LABEL_LENGTH[variant];
  need(bytes, 0, payloadOffset, `SIO and ${variant} routing label`);
  const sio = bytes[0]!;
  const b = (i: number) => bytes[i]!;
  let dpc: number, opc: number, sls: number;
  if (variant === 'itu') {
    const label = (b(1) | (b(2) << 8) | (b(3) << 16) | (b(4) << 24)) >>> 0;
    dpc = label & 0x3fff;
    opc = (label >>> 14) & 0x3fff;
    sls = label >>> 28;
  } else {
    dpc = b(1) | (b(2) << 8) | (b(3) << 16);
    opc = b(4) | (b(5) << 8) | (b(6) << 16);
    sls = b(7) & 0x0f;
  }
  return {
    variant,
    ni: NETWORK_INDICATORS[sio >> 6]!,
    si: sio & 0x0f,
    dpc,
    opc,
    sls,
    payload: Uint8Array.from(bytes.subarray(payloadOffset)),
    payloadOffset,
  };
}

/**
 * A point code as people write it: ITU 3-8-3 (zone-area-point, e.g. `2-100-5` = 4901),
 * China 8-8-8 (main area-sub area-point, e.g. `1-2-3` = 0x010203).
 */
export function formatPointCode(pc: number, variant: Mtp3Variant): string {
  checkPointCode(pc, variant, 'point code');
  return variant === 'itu' ? `${pc >> 11}-${(pc >> 3) & 0xff}-${pc & 7}` : `${pc >> 16}-${(pc >> 8) & 0xff}-${pc & 0xff}`;
}

/**
 * Reads a point code written as `formatPointCode` writes it, or as a plain decimal number
 * (as many switch consoles show it). Throws RangeError saying which forms are accepted.
 */
export function parsePointCode(text: string | number, variant: Mtp3Variant): number {
  checkVariant(variant);
  const widths = variant === 'itu' ? [3, 8, 3] : [8, 8, 8];
  const hint = `write it as ${widths.join('-')} (e.g. ${variant === 'itu' ? '2-100-5' : '1-2-3'}) or as a number 0..${MAX_POINT_CODE[variant]}`;
  const s = String(text).trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n > MAX_POINT_CODE[variant]) throw new RangeError(`point code ${s} is too large for ${variant}: ${hint}`);
    return n;
  }
  const parts = /^(\d+)-(\d+)-(\d+)$/.exec(s);
  if (parts === null) throw new RangeError(`point code '${s}' is not a point code: ${hint}`);
  let pc = 0;
  widths.forEach((width, i) => {
    const part = Number(parts[i + 1]);
    if (part >= 2 ** width) throw new RangeError(`point code '${s}': part ${i + 1} is ${part}, at most ${2 ** width - 1}; ${hint}`);
    pc = pc * 2 ** width + part;
  });
  return pc;
}

function checkVariant(variant: unknown): asserts variant is Mtp3Variant {
  if (variant !== 'itu' && variant !== 'china') throw new TypeError(`MTP3 variant ${String(variant)} is not 'itu' or 'china'`);
}

function checkPointCode(pc: unknown, variant: Mtp3Variant, what: string): number {
  return checkInt(pc, 0, MAX_POINT_CODE[variant], `${what} (${variant})`);
}

