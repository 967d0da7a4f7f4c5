import type { ParameterCodec, RawParameter, ValueOf } from './isup-parameter-codec.js';
import {
  BACKWARD_CALL_INDICATORS,
  CALLED_PARTY_NUMBER,
  CALLING_PARTY_NUMBER,
  CALLING_PARTYS_CATEGORY,
  CAUSE_INDICATORS,
  CIRCUIT_GROUP_SUPERVISION_TYPE,
  CIRCUIT_STATE_INDICATOR,
  CONTINUITY_INDICATORS,
  EVENT_INFORMATION,
  FORWARD_CALL_INDICATORS,
  NATURE_OF_CONNECTION,
  OPTIONAL_BACKWARD_CALL_INDICATORS,
  RANGE,
  RANGE_AND_STATUS,
  SUBSEQUENT_NUMBER,
  SUSPEND_RESUME_INDICATORS,
  TRANSMISSION_MEDIUM_REQUIREMENT,
} from './isup-parameters.js';

type Parameters = Readonly<Record<string, ParameterCodec<any>>>;

/**
 * One message type of Q.763 clause 4: its code (Table 4) and its parameters, part by part,
 * in the order they are sent. `optional: null` is a message with no optional part (no
 * pointer to it either); an object names the optional parameters the exchange reads, and
 * any other optional parameter is kept as a `RawParameter`.
 */
export interface MessageSpec {
  readonly code: number;
  readonly fixed: Parameters;
  readonly variable: Parameters;
  readonly optional: Parameters | null;
}

const spec = <F extends Parameters, V extends Parameters, O extends Parameters | null>(code: number, fixed: F, variable: V, optional: O) => ({ code, fixed, variable, optional });
/** CIC and message type only: BLO, BLA, UBL, UBA, RSC, CCR, UCIC. */
const bare = (code: number) => spec(code, {}, {}, null);
const groupSupervision = (code: number) => spec(code, { supervisionType: CIRCUIT_GROUP_SUPERVISION_TYPE }, { rangeAndStatus: RANGE_AND_STATUS }, null);
const BACKWARD_OPTIONALS = { causeIndicators: CAUSE_INDICATORS, backwardCallIndicators: BACKWARD_CALL_INDICATORS, optionalBackwardCallIndicators: OPTIONAL_BACKWARD_CALL_INDICATORS };

/**
 * The message types the exchange sends and reads. Wireshark calls them the same; the codes
 * are Q.763 Table 4's.
 */
export const ISUP_MESSAGES = {
  IAM: spec(
    0x01,
    { natureOfConnection: NATURE_OF_CONNECTION, forwardCallIndicators: FORWARD_CALL_INDICATORS, callingPartysCategory: CALLING_PARTYS_CATEGORY, transmissionMediumRequirement: TRANSMISSION_MEDIUM_REQUIREMENT },
    { calledPartyNumber: CALLED_PARTY_NUMBER },
    { callingPartyNumber: CALLING_PARTY_NUMBER },
  ),
  SAM: spec(0x02, {}, { subsequentNumber: SUBSEQUENT_NUMBER }, {}),
  COT: spec(0x05, { continuityIndicators: CONTINUITY_INDICATORS }, {}, null),
  ACM: spec(0x06, { backwardCallIndicators: BACKWARD_CALL_INDICATORS }, {}, { causeIndicators: CAUSE_INDICATORS, optionalBackwardCallIndicators: OPTIONAL_BACKWARD_CALL_INDICATORS }),
  CON: spec(0x07, { backwardCallIndicators: BACKWARD_CALL_INDICATORS }, {}, { optionalBackwardCallIndicators: OPTIONAL_BACKWARD_CALL_INDICATORS }),
  ANM: spec(0x09, {}, {}, { backwardCallIndicators: BACKWARD_CALL_INDICATORS, optionalBackwardCallIndicators: OPTIONAL_BACKWARD_CALL_INDICATORS }),
  REL: spec(0x0c, {}, { causeIndicators: CAUSE_INDICATORS }, {}),
  SUS: spec(0x0d, { suspendResumeIndicators: SUSPEND_RESUME_INDICATORS }, {}, {}),
  RES: spec(0x0e, { suspendResumeIndicators: SUSPEND_RESUME_INDICATORS }, {}, {}),
  RLC: spec(0x10, {}, {}, { causeIndicators: CAUSE_INDICATORS }),
  CCR: bare(0x11),
  RSC: bare(0x12),
  BLO: bare(0x13),
  UBL: bare(0x14),
  BLA: bare(0x15),
  UBA: bare(0x16),
  GRS: spec(0x17, {}, { rangeAndStatus: RANGE }, null),
  CGB: groupSupervision(0x18),
  CGU: groupSupervision(0x19),
  CGBA: groupSupervision(0x1a),
  CGUA: groupSupervision(0x1b),
  GRA: spec(0x29, {}, { rangeAndStatus: RANGE_AND_STATUS }, null),
  CQM: spec(0x2a, {}, { rangeAndStatus: RANGE }, null),
  CQR: spec(0x2b, {}, { rangeAndStatus: RANGE, circuitStateIndicators: CIRCUIT_STATE_INDICATOR }, null),
  CPG: spec(0x2c, { eventInformation: EVENT_INFORMATION }, {}, BACKWARD_OPTIONALS),
  UCIC: bare(0x2e),
  CFN: spec(0x2f, {}, { causeIndicators: CAUSE_INDICATORS }, {}),
} as const satisfies Record<string, MessageSpec>;

type Catalogue = typeof ISUP_MESSAGES;
export type IsupMessageType = keyof Catalogue;
export const ISUP_MESSAGE_TYPES = Object.keys(ISUP_MESSAGES) as IsupMessageType[];

type Values<P> = { -readonly [K in keyof P]: ValueOf<P[K]> };
type Optionals<O> = O extends Parameters ? Partial<Values<O>> & { otherParameters?: RawParameter[] } : unknown;
type Flat<T> = { [K in keyof T]: T[K] };

/** A message of one type: its CIC, then one field per parameter, named as in the table. */
export type IsupMessageOf<T extends IsupMessageType> = Flat<
  { type: T; cic: number } & Values<Catalogue[T]['fixed']> & Values<Catalogue[T]['variable']> & Optionals<Catalogue[T]['optional']>
>;

export type IsupMessage = { [T in IsupMessageType]: IsupMessageOf<T> }[IsupMessageType];

/**
 * A message type the table does not have, with everything after its type code as it came.
 * Q.764 2.9.5.1: an exchange answers such a message with CFN (cause 97) unless compatibility
 * information says otherwise; the codec only reports it.
 */
export interface UnrecognisedMessage {
  type: 'unrecognised';
  cic: number;
  code: number;
  data: Uint8Array;
}

const BY_CODE = new Map<number, IsupMessageType>(ISUP_MESSAGE_TYPES.map((t) => [ISUP_MESSAGES[t].code, t]));

export function messageTypeOf(code: number): IsupMessageType | undefined {
  return BY_CODE.get(code);
}
