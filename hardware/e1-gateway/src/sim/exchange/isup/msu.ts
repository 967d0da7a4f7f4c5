import { decodeIsup, encodeIsup } from './isup-codec.js';
import type { IsupMessage, UnrecognisedMessage } from './isup-messages.js';
import { decodeMtp3, encodeMtp3, SERVICE_INDICATOR, type Mtp3Header } from './mtp3-label.js';
import type { Mtp3Variant, NetworkIndicator } from './point-code.js';
import { decodeLinkTest, encodeLinkTest, linkTestType, type LinkTestMessage } from './signalling-link-test.js';

/** Where an MSU goes: the variant of its label, the SIO's network indicator, and the point codes. */
export interface Mtp3Route {
  variant: Mtp3Variant;
  ni: NetworkIndicator;
  opc: number;
  dpc: number;
}

/** An MSU as the exchange reads it: ISUP, a link test message, or anything else (kept as it came). */
export type DecodedMsu =
  | { kind: 'isup'; header: Mtp3Header; message: IsupMessage | UnrecognisedMessage }
  | { kind: 'link-test'; header: Mtp3Header; test: LinkTestMessage }
  | { kind: 'other'; header: Mtp3Header; sif: Uint8Array };

/** An ISUP message behind SIO 5 and a routing label whose SLS is the CIC's four low bits. */
export function encodeIsupMsu(route: Mtp3Route, message: IsupMessage | UnrecognisedMessage): Uint8Array {
  // The SLS follows the CIC so that all messages of a circuit take the same link and stay in order.
  return encodeMtp3(route.variant, { si: SERVICE_INDICATOR.isup, ni: route.ni, priority: 0, dpc: route.dpc, opc: route.opc, sls: message.cic & 0x0f }, encodeIsup(message));
}

/** An SLTM or SLTA behind SIO 1, the label's SLS carrying the SLC (Q.707 5). */
export function encodeLinkTestMsu(route: Mtp3Route, test: LinkTestMessage): Uint8Array {
  return encodeMtp3(route.variant, { si: SERVICE_INDICATOR.testing, ni: route.ni, priority: 0, dpc: route.dpc, opc: route.opc, sls: test.slc }, encodeLinkTest(test));
}

/**
 * TRA, traffic restart allowed (Q.704 9, 15.13): network management, heading H0 = 7 and
 * H1 = 1 in one octet (H1 in the high nibble), nothing after it; SLS is the SLC.
 */
export function encodeTraMsu(route: Mtp3Route, slc: number): Uint8Array {
  return encodeMtp3(route.variant, { si: SERVICE_INDICATOR.networkManagement, ni: route.ni, priority: 0, dpc: route.dpc, opc: route.opc, sls: slc }, Uint8Array.of(0x17));
}

/**
 * Reads an MSU of the given variant. Throws `Ss7CodecError` for an MSU too short for its
 * label, or an ISUP or link test message that is malformed; other service indicators and
 * other test and maintenance messages come back as `other`.
 */
export function decodeMsu(msu: Uint8Array, variant: Mtp3Variant): DecodedMsu {
  const { header, sif, sifOffset } = decodeMtp3(variant, msu);
  if (header.si === SERVICE_INDICATOR.isup) return { kind: 'isup', header, message: decodeIsup(sif, sifOffset) };
  if (header.si === SERVICE_INDICATOR.testing && linkTestType(sif) !== undefined) return { kind: 'link-test', header, test: decodeLinkTest(sif, header.sls, sifOffset) };
  return { kind: 'other', header, sif: sif.slice() };
}
