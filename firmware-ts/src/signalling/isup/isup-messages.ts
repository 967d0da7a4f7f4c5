import { CAUSE_INDICATORS } from './isup-cause.js';
import {
  BACKWARD_CALL_INDICATORS,
  CALLING_PARTYS_CATEGORY,
  CONTINUITY_INDICATORS,
  FORWARD_CALL_INDICATORS,
  NATURE_OF_CONNECTION,
  OPTIONAL_BACKWARD_CALL_INDICATORS,
  SUPERVISION_TYPE,
  TRANSMISSION_MEDIUM_REQUIREMENT,
} from './isup-indicators.js';
import { CALLED_PARTY_NUMBER, CALLING_PARTY_NUMBER, ORIGINAL_CALLED_NUMBER, REDIRECTING_NUMBER } from './isup-numbers.js';
import { CIRCUIT_STATE_INDICATOR } from './isup-circuit-state.js';
import { EVENT_INFORMATION, SUBSEQUENT_NUMBER, SUSPEND_RESUME_INDICATORS } from './isup-progress-params.js';
import { RANGE_AND_STATUS, RANGE_ONLY } from './isup-range-status.js';
import type { ParamCodec, ParamValue } from './param-codec.js';

/**
 * The ISUP messages Countyline speaks, with their parameters as the message tables of
 * Q.763 clause 4 list them (parameter clauses cited in this directory follow the 12/1999
 * edition):
 *
 * - `fixed`: mandatory fixed part, in wire order;
 * - `variable`: mandatory variable part, one pointer each, in wire order;
 * - `optional`: `null` when the message has no optional part (no pointer is sent for it);
 *   else the optional parameters this codec types. Any other optional parameter is kept as
 *   `otherParameters` (code + raw contents) and sent back unchanged.
 *
 * The property name of each parameter is the name it has in the decoded message object.
 */
type Entries = readonly (readonly [name: string, codec: ParamCodec<any>])[];

export interface MessageDef {
  readonly code: number;
  readonly name: string;
  readonly fixed: Entries;
  readonly variable: Entries;
  readonly optional: Entries | null;
}

function def<const F extends Entries, const V extends Entries, const O extends Entries | null>(code: number, name: string, fixed: F, variable: V, optional: O) {
  return { code, name, fixed, variable, optional };
}

const none = [] as const;
const backwardCall = ['backwardCallIndicators', BACKWARD_CALL_INDICATORS] as const;
const optionalBackwardCall = ['optionalBackwardCallIndicators', OPTIONAL_BACKWARD_CALL_INDICATORS] as const;
const cause = ['causeIndicators', CAUSE_INDICATORS] as const;
const groupFixed = [['supervisionType', SUPERVISION_TYPE]] as const;
const rangeAndStatus = [['rangeAndStatus', RANGE_AND_STATUS]] as const;
const suspendResume = [['suspendResume', SUSPEND_RESUME_INDICATORS]] as const;

export const ISUP_MESSAGES = {
  IAM: def(
    0x01,
    'initial address',
    [
      ['natureOfConnection', NATURE_OF_CONNECTION],
      ['forwardCallIndicators', FORWARD_CALL_INDICATORS],
      ['callingPartysCategory', CALLING_PARTYS_CATEGORY],
      ['transmissionMediumRequirement', TRANSMISSION_MEDIUM_REQUIREMENT],
    ],
    [['calledPartyNumber', CALLED_PARTY_NUMBER]],
    [
      ['callingPartyNumber', CALLING_PARTY_NUMBER],
      ['originalCalledNumber', ORIGINAL_CALLED_NUMBER],
      ['redirectingNumber', REDIRECTING_NUMBER],
    ],
  ),
  SAM: def(0x02, 'subsequent address', none, [['subsequentNumber', SUBSEQUENT_NUMBER]], none),
  COT: def(0x05, 'continuity', [['continuity', CONTINUITY_INDICATORS]], none, null),
  ACM: def(0x06, 'address complete', [backwardCall], none, [cause, optionalBackwardCall]),
  CON: def(0x07, 'connect', [backwardCall], none, [optionalBackwardCall]),
  ANM: def(0x09, 'answer', none, none, [backwardCall, optionalBackwardCall]),
  REL: def(0x0c, 'release', none, [cause], none),
  SUS: def(0x0d, 'suspend', suspendResume, none, none),
  RES: def(0x0e, 'resume', suspendResume, none, none),
  RLC: def(0x10, 'release complete', none, none, [cause]),
  CCR: def(0x11, 'continuity check request', none, none, null),
  RSC: def(0x12, 'reset circuit', none, none, null),
  BLO: def(0x13, 'blocking', none, none, null),
  UBL: def(0x14, 'unblocking', none, none, null),
  BLA: def(0x15, 'blocking acknowledgement', none, none, null),
  UBA: def(0x16, 'unblocking acknowledgement', none, none, null),
  GRS: def(0x17, 'circuit group reset', none, [['rangeAndStatus', RANGE_ONLY]], null),
  CGB: def(0x18, 'circuit group blocking', groupFixed, rangeAndStatus, null),
  CGU: def(0x19, 'circuit group unblocking', groupFixed, rangeAndStatus, null),
  CGBA: def(0x1a, 'circuit group blocking acknowledgement', groupFixed, rangeAndStatus, null),
  CGUA: def(0x1b, 'circuit group unblocking acknowledgement', groupFixed, rangeAndStatus, null),
  GRA: def(0x29, 'circuit group reset acknowledgement', none, rangeAndStatus, null),
  CQM: def(0x2a, 'circuit group query', none, [['rangeAndStatus', RANGE_ONLY]], null),
  CQR: def(0x2b, 'circuit group query response', none, [['rangeAndStatus', RANGE_ONLY], ['circuitStates', CIRCUIT_STATE_INDICATOR]], null),
  CPG: def(0x2c, 'call progress', [['eventInformation', EVENT_INFORMATION]], none, [cause, backwardCall, optionalBackwardCall]),
  UCIC: def(0x2e, 'unequipped circuit identification code', none, none, null),
  CFN: def(0x2f, 'confusion', none, [cause], none),
} as const satisfies Record<string, MessageDef>;

type Catalogue = typeof ISUP_MESSAGES;
export type IsupMessageType = keyof Catalogue;

/** An optional parameter this codec does not type: its name code and raw contents. */
export interface RawParameter {
  code: number;
  data: Uint8Array;
}

type Required<L extends Entries> = { -readonly [E in L[number] as E[0]]: ParamValue<E[1]> };
type Optional<L extends Entries> = { -readonly [E in L[number] as E[0]]?: ParamValue<E[1]> };
/**
 * `invalidParameters`: optional parameters this codec types that came with a spare value
 * (Q.764 2.9.5.3): left out of the message, kept here for the log; never sent.
 */
type OptionalPart<O> = O extends Entries ? Optional<O> & { otherParameters?: RawParameter[]; invalidParameters?: RawParameter[] } : unknown;
type Flat<T> = { [K in keyof T]: T[K] } & {};

/** The message of one type: type name, CIC, then its parameters by name. */
export type IsupMessageOf<K extends IsupMessageType> = Flat<
  { type: K; cic: number } & Required<Catalogue[K]['fixed']> & Required<Catalogue[K]['variable']> & OptionalPart<Catalogue[K]['optional']>
>;

/** Any ISUP message this codec knows. */
export type IsupMessage = { [K in IsupMessageType]: IsupMessageOf<K> }[IsupMessageType];

export const ISUP_TYPE_BY_CODE: ReadonlyMap<number, IsupMessageType> = new Map(
  (Object.keys(ISUP_MESSAGES) as IsupMessageType[]).map((type) => [ISUP_MESSAGES[type].code, type]),
);
