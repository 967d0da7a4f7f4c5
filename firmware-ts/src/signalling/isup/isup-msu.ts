import { decodeIsup, encodeIsup } from './isup-codec.js';
import { IsupCodecError } from './isup-codec-error.js';
import type { IsupMessage } from './isup-messages.js';
import { decodeMsu, encodeMsu, SI_ISUP, type Mtp3Label, type Mtp3Variant, type NetworkIndicator } from '../mtp3/mtp3-label.js';

/**
 * The two layers together, for a signalling link: an MSU that carries ISUP. Error offsets
 * count from the SIO octet, so they match the byte column of a capture.
 *
 * Only the routing label depends on the variant: the China national ISUP codes these
 * messages as Q.763 does (Wireshark, too, decodes them with its ITU ISUP dissector behind
 * its Chinese-ITU MTP3 label).
 */
export interface IsupMsu {
  label: Mtp3Label;
  message: IsupMessage;
}

export interface IsupRoute {
  variant: Mtp3Variant;
  ni: NetworkIndicator;
  dpc: number;
  opc: number;
  /** Defaults to the four low bits of the CIC, the customary choice: all messages of one
   * circuit then take the same link and stay in order (Q.764 relies on that). */
  sls?: number;
}

export function encodeIsupMsu(route: IsupRoute, message: IsupMessage): Uint8Array {
  const payload = encodeIsup(message);
  return encodeMsu({ ...route, si: SI_ISUP, sls: route.sls ?? message.cic & 0x0f, payload });
}

/** Throws only IsupCodecError: `not-isup` for another service indicator. */
export function decodeIsupMsu(bytes: Uint8Array, variant: Mtp3Variant): IsupMsu {
  const { payload: _payload, payloadOffset, ...label } = decodeMsu(bytes, variant);
  if (label.si !== SI_ISUP) throw new IsupCodecError('not-isup', `service indicator ${label.si} is not ISUP (5)`, 0);
  return { label, message: decodeIsup(bytes, payloadOffset) };
}
