import { NETWORK_INDICATORS, pointCodeBits, type Mtp3Variant, type NetworkIndicator } from './point-code.js';
import { Ss7CodecError } from './ss7-codec-error.js';

/** Service indicators (Q.704 14.2.1) the exchange tells apart. */
export const SERVICE_INDICATOR = {
  /** Signalling network management messages (Q.704 15). */
  networkManagement: 0,
  /** Signalling network testing and maintenance messages (Q.707: SLTM, SLTA). */
  testing: 1,
  sccp: 3,
  tup: 4,
  isup: 5,
} as const;

/**
 * What the MTP3 header of an MSU says: the SIO (service information octet, Q.704 14.2)
 * and the routing label (Q.704 2.2).
 */
export interface Mtp3Header {
  /** Service indicator, 0..15: which user part the SIF is for. */
  si: number;
  ni: NetworkIndicator;
  /** The SIO's two spare bits (F E), used for message priority in some national networks; sent as 0. */
  priority: number;
  dpc: number;
  opc: number;
  /**
   * Signalling link selection, 0..15. ISUP puts the CIC's four low bits here so that all the
   * messages of one circuit take the same link; Q.707 test messages put the signalling link
   * code (SLC) of the link under test here.
   */
  sls: number;
}

/** Octets of the routing label: 4 for ITU, 7 for China. */
export function labelLength(variant: Mtp3Variant): 4 | 7 {
  return variant === 'itu' ? 4 : 7;
}

/**
 * SIO and routing label, then the SIF.
 *
 * SIO (Q.704 14.2):
 *
 *     bit  8 7 | 6 5 | 4 3 2 1
 *          NI  | pri | service indicator
 *
 * ITU label (Q.704 2.2, Figure 3), 32 bits sent least significant bit first, so as a
 * little-endian number: DPC in bits 0-13, OPC in bits 14-27, SLS in bits 28-31.
 *
 *     octet 1: DPC 8..1        octet 2: OPC 2..1 | DPC 14..9
 *     octet 3: OPC 10..3       octet 4: SLS 4..1 | OPC 14..11
 *
 * China label (24-bit point codes), 56 bits: DPC in octets 1-3 and OPC in octets 4-6,
 * each least significant octet first; octet 7 has the SLS in bits 4-1, bits 8-5 spare.
 */
export function encodeMtp3(variant: Mtp3Variant, header: Mtp3Header, sif: Uint8Array | readonly number[]): Uint8Array {
  const { si, ni, priority, dpc, opc, sls } = header;
  field('service indicator', si, 15);
  field('priority', priority, 3);
  field('SLS', sls, 15);
  const pcMax = 2 ** pointCodeBits(variant) - 1;
  field('DPC', dpc, pcMax);
  field('OPC', opc, pcMax);
  const niCode = NETWORK_INDICATORS.indexOf(ni);
  if (niCode < 0) throw new RangeError(`network indicator ${JSON.stringify(ni)} is not one of ${NETWORK_INDICATORS.join(', ')}`);
  const n = labelLength(variant);
  const out = new Uint8Array(1 + n + sif.length);
  out[0] = (niCode << 6) | (priority << 4) | si;
  if (variant === 'itu') {
    // dpc | opc << 14 | sls << 28, little-endian; >>> keeps it unsigned past bit 31.
    const label = (dpc | (opc << 14) | (sls << 28)) >>> 0;
    for (let i = 0; i < 4; i++) out[1 + i] = (label >>> (8 * i)) & 0xff;
  } else {
    for (let i = 0; i < 3; i++) {
      out[1 + i] = (dpc >>> (8 * i)) & 0xff;
      out[4 + i] = (opc >>> (8 * i)) & 0xff;
    }
    out[7] = sls;
  }
  out.set(sif, 1 + n);
  return out;
}

/** Reads SIO and label; the SIF is what follows (a view, not a copy), from `sifOffset`. */
export function decodeMtp3(variant: Mtp3Variant, msu: Uint8Array): { header: Mtp3Header; sif: Uint8Array; sifOffset: number } {
  const n = labelLength(variant);
  if (msu.length < 1 + n) throw new Ss7CodecError(`MSU of ${msu.length} octets is shorter than SIO and a ${variant} routing label (${1 + n})`, msu.length);
  const sio = msu[0]!;
  const header: Mtp3Header = { si: sio & 0x0f, priority: (sio >> 4) & 0x03, ni: NETWORK_INDICATORS[sio >> 6]!, dpc: 0, opc: 0, sls: 0 };
  if (variant === 'itu') {
    const label = (msu[1]! | (msu[2]! << 8) | (msu[3]! << 16) | (msu[4]! << 24)) >>> 0;
    header.dpc = label & 0x3fff;
    header.opc = (label >>> 14) & 0x3fff;
    header.sls = label >>> 28;
  } else {
    header.dpc = msu[1]! | (msu[2]! << 8) | (msu[3]! << 16);
    header.opc = msu[4]! | (msu[5]! << 8) | (msu[6]! << 16);
    // The four high bits of octet 7 are spare: ignored on receipt.
    header.sls = msu[7]! & 0x0f;
  }
  return { header, sif: msu.subarray(1 + n), sifOffset: 1 + n };
}

function field(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${name} ${value} must be a whole number from 0 to ${max}`);
}
