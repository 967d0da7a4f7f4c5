import { bitsParam, namedOctetParam, octetParam, type ParamValue } from './param-codec.js';

/*
 * The one- and two-octet indicator parameters of Q.763 clause 3. Bit positions count from
 * bit A (bit 1) of the first octet; bit A of the second octet is position 8. Octets go on
 * the wire first octet first.
 */

const END_TO_END_METHOD = ['none', 'pass-along', 'sccp', 'pass-along-and-sccp'] as const;
const SCCP_METHOD = ['none', 'connectionless', 'connection-oriented', 'connectionless-and-connection-oriented'] as const;

/**
 * Nature of connection indicators, Q.763 3.35 (code 0x06, 1 octet, IAM):
 *
 *     H G F | E    | D C           | B A
 *     spare | echo | continuity chk | satellite
 *
 * continuityCheck `required` asks for a continuity test on this circuit (a COT follows).
 */
export const NATURE_OF_CONNECTION = bitsParam(0x06, 'nature of connection indicators', 1, [
  // Number of satellite circuits so far: 0, 1, 2 (3 is spare in ITU, "three or more" in ANSI).
  ['satellite', 0, 2, 'uint'],
  ['continuityCheck', 2, 2, ['not-required', 'required', 'previous-circuit', null]],
  ['echoControlDevice', 4, 1, 'bool'],
]);
export type NatureOfConnection = ParamValue<typeof NATURE_OF_CONNECTION>;

/**
 * Forward call indicators, Q.763 3.23 (code 0x07, 2 octets, IAM):
 *
 *     octet 1:  H G        | F        | E      | D      | C B           | A
 *               ISUP pref. | ISUP a.t.w| e2e inf| interw.| e2e method    | international
 *     octet 2:  P O N M L         | K J         | I
 *               national (kept)   | SCCP method | ISDN access
 *
 * Bits L-P (spare, ported number translation in later editions, national use) are carried
 * as the number `national`, so a national meaning survives a round trip.
 */
export const FORWARD_CALL_INDICATORS = bitsParam(0x07, 'forward call indicators', 2, [
  ['international', 0, 1, 'bool'],
  ['endToEndMethod', 1, 2, END_TO_END_METHOD],
  ['interworking', 3, 1, 'bool'],
  ['endToEndInformation', 4, 1, 'bool'],
  ['isupAllTheWay', 5, 1, 'bool'],
  ['isupPreference', 6, 2, ['preferred', 'not-required', 'required', null]],
  ['isdnAccess', 8, 1, 'bool'],
  ['sccpMethod', 9, 2, SCCP_METHOD],
  ['national', 11, 5, 'uint'],
]);
export type ForwardCallIndicators = ParamValue<typeof FORWARD_CALL_INDICATORS>;

/** Calling party's category, Q.763 3.11 (code 0x09, 1 octet): the code as a number. */
export const CALLING_PARTYS_CATEGORY = octetParam(0x09, "calling party's category");

/** Common calling party's category codes (Q.763 3.11). */
export const CATEGORY = {
  unknown: 0x00,
  nationalOperator: 0x09,
  ordinarySubscriber: 0x0a,
  prioritySubscriber: 0x0b,
  dataCall: 0x0c,
  testCall: 0x0d,
  payphone: 0x0f,
} as const;

/** Transmission medium requirement, Q.763 3.54 (code 0x02, 1 octet): the code as a number. */
export const TRANSMISSION_MEDIUM_REQUIREMENT = octetParam(0x02, 'transmission medium requirement');

/** Common transmission medium requirement codes (Q.763 3.54). */
export const MEDIUM = { speech: 0, unrestricted64k: 2, audio3k1: 3 } as const;

/**
 * Backward call indicators, Q.763 3.5 (code 0x11, 2 octets; mandatory in ACM and CON,
 * optional in ANM):
 *
 *     octet 1:  H G        | F E            | D C            | B A
 *               e2e method | called category | called status  | charge
 *     octet 2:  P O         | N    | M    | L       | K          | J       | I
 *               SCCP method | echo | ISDN | holding | ISUP a.t.w.| e2e inf | interworking
 */
export const BACKWARD_CALL_INDICATORS = bitsParam(0x11, 'backward call indicators', 2, [
  ['charge', 0, 2, ['no-indication', 'no-charge', 'charge', null]],
  ['calledPartysStatus', 2, 2, ['no-indication', 'subscriber-free', 'connect-when-free', null]],
  ['calledPartysCategory', 4, 2, ['no-indication', 'ordinary', 'payphone', null]],
  ['endToEndMethod', 6, 2, END_TO_END_METHOD],
  ['interworking', 8, 1, 'bool'],
  ['endToEndInformation', 9, 1, 'bool'],
  ['isupAllTheWay', 10, 1, 'bool'],
  ['holdingRequested', 11, 1, 'bool'],
  ['isdnAccess', 12, 1, 'bool'],
  ['echoControlDevice', 13, 1, 'bool'],
  ['sccpMethod', 14, 2, SCCP_METHOD],
]);
export type BackwardCallIndicators = ParamValue<typeof BACKWARD_CALL_INDICATORS>;

/**
 * Optional backward call indicators, Q.763 3.37 (code 0x29, 1 octet):
 *
 *     H G F E         | D    | C            | B                | A
 *     national (kept) | MLPP | simple segm. | diversion may occur | in-band info
 *
 * `inbandInformation` tells the caller's side to connect the speech path for announcements.
 */
export const OPTIONAL_BACKWARD_CALL_INDICATORS = bitsParam(0x29, 'optional backward call indicators', 1, [
  ['inbandInformation', 0, 1, 'bool'],
  ['callDiversionMayOccur', 1, 1, 'bool'],
  ['simpleSegmentation', 2, 1, 'bool'],
  ['mlppUser', 3, 1, 'bool'],
  ['national', 4, 4, 'uint'],
]);
export type OptionalBackwardCallIndicators = ParamValue<typeof OPTIONAL_BACKWARD_CALL_INDICATORS>;

/** Continuity indicators, Q.763 3.18 (code 0x10, 1 octet, COT): bit A, the rest spare. */
export const CONTINUITY_INDICATORS = namedOctetParam(0x10, 'continuity indicators', 1, ['failed', 'successful']);
export type Continuity = ParamValue<typeof CONTINUITY_INDICATORS>;

/**
 * Circuit group supervision message type indicator, Q.763 3.13 (code 0x15, 1 octet; CGB,
 * CGU and their acknowledgements): bits B A, the rest spare. Code 2 (national use) and 3
 * (spare) are refused.
 */
export const SUPERVISION_TYPE = namedOctetParam(0x15, 'circuit group supervision message type', 2, ['maintenance', 'hardware-failure', null, null]);
export type SupervisionType = ParamValue<typeof SUPERVISION_TYPE>;
