import { bits, codeNames, decodeSignals, encodeSignals, flag, formatError, parameter } from './isup-parameter-codec.js';

// The ISUP parameters the exchange reads and writes, from Q.763 clause 3. Each diagram is
// the parameter's content, bit 8 on the left, bit 1 (sent first) on the right. Spare bits are
// sent as 0 and ignored on receipt (Q.763 1.10). Indicator fields of a few codes are names,
// spare codes included, so that decoding never fails on a value the standard leaves spare
// (Q.764 2.9.5 says what to do with those, not the codec); fields of many codes are numbers,
// with the codes the exchange uses named in isup-codes.ts.

/**
 * Nature of connection indicators, 1 octet (code 0x06).
 *
 *     H G F | E    | D C          | B A
 *     spare | echo | continuity   | satellite
 *
 * Continuity check: 00 not required, 01 required on this circuit, 10 performed on a
 * previous circuit, 11 spare. Satellite: number of satellite circuits in the connection.
 */
export const CONTINUITY_CHECK = codeNames('continuity check indicator', ['not-required', 'required', 'previous-circuit', 'spare'] as const);
export interface NatureOfConnection {
  satellite: number;
  continuityCheck: (typeof CONTINUITY_CHECK.names)[number];
  echoControlDevice: boolean;
}
export const NATURE_OF_CONNECTION = parameter<NatureOfConnection>({
  code: 0x06,
  name: 'nature of connection indicators',
  min: 1,
  max: 1,
  decode: ([o]) => ({ satellite: o! & 0x03, continuityCheck: CONTINUITY_CHECK.name((o! >> 2) & 0x03), echoControlDevice: (o! & 0x10) !== 0 }),
  encode: (v) => [bits('satellite indicator', v.satellite, 2) | (CONTINUITY_CHECK.code(v.continuityCheck) << 2) | (flag(v.echoControlDevice) << 4)],
});

/**
 * Forward call indicators, 2 octets (code 0x07).
 *
 *     octet 1:  H G        | F    | E    | D     | C B        | A
 *               preference | ISUP | e2e  | inter | e2e method | international
 *     octet 2:  P O N M    | L     | K J         | I
 *               national   | spare | SCCP method | ISDN access
 *
 * ISUP preference: 00 preferred, 01 not required, 10 required all the way, 11 spare.
 */
export const ISUP_PREFERENCE = codeNames('ISDN user part preference indicator', ['preferred', 'not-required', 'required', 'spare'] as const);
export interface ForwardCallIndicators {
  /** A: the call is treated as international. */
  international: boolean;
  endToEndMethod: number;
  /** D: interworking encountered (not No. 7 all the way). */
  interworking: boolean;
  endToEndInformation: boolean;
  /** F: the ISDN user part is used all the way. */
  isupAllTheWay: boolean;
  isupPreference: (typeof ISUP_PREFERENCE.names)[number];
  /** I: the originating access is ISDN. */
  isdnAccess: boolean;
  sccpMethod: number;
  /** Bits P-M, reserved for national use. */
  national: number;
}
export const FORWARD_CALL_INDICATORS = parameter<ForwardCallIndicators>({
  code: 0x07,
  name: 'forward call indicators',
  min: 2,
  max: 2,
  decode: ([a, b]) => ({
    international: (a! & 0x01) !== 0,
    endToEndMethod: (a! >> 1) & 0x03,
    interworking: (a! & 0x08) !== 0,
    endToEndInformation: (a! & 0x10) !== 0,
    isupAllTheWay: (a! & 0x20) !== 0,
    isupPreference: ISUP_PREFERENCE.name(a! >> 6),
    isdnAccess: (b! & 0x01) !== 0,
    sccpMethod: (b! >> 1) & 0x03,
    national: b! >> 4,
  }),
  encode: (v) => [
    flag(v.international) |
      (bits('end-to-end method indicator', v.endToEndMethod, 2) << 1) |
      (flag(v.interworking) << 3) |
      (flag(v.endToEndInformation) << 4) |
      (flag(v.isupAllTheWay) << 5) |
      (ISUP_PREFERENCE.code(v.isupPreference) << 6),
    flag(v.isdnAccess) | (bits('SCCP method indicator', v.sccpMethod, 2) << 1) | (bits('national use bits', v.national, 4) << 4),
  ],
});

const oneOctet = (code: number, name: string) =>
  parameter<number>({ code, name, min: 1, max: 1, decode: ([o]) => o!, encode: (v) => [bits(name, v, 8)] });

/** Calling party's category, 1 octet (code 0x09): 0x0A ordinary subscriber, 0x0D test call, ... */
export const CALLING_PARTYS_CATEGORY = oneOctet(0x09, "calling party's category");

/** Transmission medium requirement, 1 octet (code 0x02): 0 speech, 2 64 kbit/s unrestricted, 3 3.1 kHz audio. */
export const TRANSMISSION_MEDIUM_REQUIREMENT = oneOctet(0x02, 'transmission medium requirement');

/**
 * Called party number, 2 octets and the address signals (code 0x04).
 *
 *     octet 1:  H odd/even | G-A nature of address indicator
 *     octet 2:  H INN      | G F E numbering plan | D-A spare
 *     octet 3+: 2nd signal | 1st signal, ...  (filler 0000 after an odd last signal)
 *
 * INN (internal network number indicator): 0 routing to an internal network number allowed,
 * 1 not allowed. The signal ST (1111, end of pulsing) is `endOfPulsing`, not a digit.
 * Q.763 gives it at least one octet of signals.
 */
export interface CalledPartyNumber {
  natureOfAddress: number;
  internalNetworkNumber: 'allowed' | 'not-allowed';
  numberingPlan: number;
  /** Address signals before a final ST: 0-9, B (code 11), C (code 12). */
  digits: string;
  /** The last signal is ST (end of pulsing, 1111). */
  endOfPulsing: boolean;
}
export const CALLED_PARTY_NUMBER = parameter<CalledPartyNumber>({
  code: 0x04,
  name: 'called party number',
  min: 3,
  max: 255,
  decode: (data) => {
    const signals = decodeSignals(data, 2, (data[0]! & 0x80) !== 0);
    const endOfPulsing = signals.endsWith('F');
    return {
      natureOfAddress: data[0]! & 0x7f,
      internalNetworkNumber: data[1]! & 0x80 ? 'not-allowed' : 'allowed',
      numberingPlan: (data[1]! >> 4) & 0x07,
      digits: endOfPulsing ? signals.slice(0, -1) : signals,
      endOfPulsing,
    };
  },
  encode: (v) => {
    const { odd, octets } = encodeSignals('called party number digits', v.digits + (v.endOfPulsing ? 'F' : ''));
    if (octets.length === 0) throw new RangeError('called party number: needs at least one address signal (a digit or endOfPulsing)');
    return [
      (flag(odd) << 7) | bits('nature of address indicator', v.natureOfAddress, 7),
      (flag(v.internalNetworkNumber === 'not-allowed') << 7) | (bits('numbering plan indicator', v.numberingPlan, 3) << 4),
      ...octets,
    ];
  },
});

/**
 * Subsequent number, 1 octet and the address signals (code 0x05), sent in SAM (overlap).
 *
 *     octet 1:  H odd/even | G-A spare
 *     octet 2+: address signals as in the called party number
 */
export interface SubsequentNumber {
  digits: string;
  endOfPulsing: boolean;
}
export const SUBSEQUENT_NUMBER = parameter<SubsequentNumber>({
  code: 0x05,
  name: 'subsequent number',
  min: 2,
  max: 255,
  decode: (data) => {
    const signals = decodeSignals(data, 1, (data[0]! & 0x80) !== 0);
    const endOfPulsing = signals.endsWith('F');
    return { digits: endOfPulsing ? signals.slice(0, -1) : signals, endOfPulsing };
  },
  encode: (v) => {
    const { odd, octets } = encodeSignals('subsequent number digits', v.digits + (v.endOfPulsing ? 'F' : ''));
    if (octets.length === 0) throw new RangeError('subsequent number: needs at least one address signal');
    return [flag(odd) << 7, ...octets];
  },
});

/**
 * Calling party number, 2 octets and the address signals (code 0x0A).
 *
 *     octet 1:  H odd/even | G-A nature of address indicator
 *     octet 2:  H NI | G F E numbering plan | D C presentation | B A screening
 *     octet 3+: address signals (none when the number is not available)
 *
 * NI: number incomplete. Presentation: 00 allowed, 01 restricted, 10 address not available,
 * 11 reserved. Screening: 00 user provided, not verified; 01 user provided, verified and
 * passed; 10 user provided, verified and failed; 11 network provided.
 */
export const PRESENTATION = codeNames('address presentation restricted indicator', ['allowed', 'restricted', 'not-available', 'reserved'] as const);
export const SCREENING = codeNames('screening indicator', ['user-provided-not-verified', 'user-provided-verified-passed', 'user-provided-verified-failed', 'network-provided'] as const);
export interface CallingPartyNumber {
  natureOfAddress: number;
  numberIncomplete: boolean;
  numberingPlan: number;
  presentation: (typeof PRESENTATION.names)[number];
  screening: (typeof SCREENING.names)[number];
  digits: string;
}
export const CALLING_PARTY_NUMBER = parameter<CallingPartyNumber>({
  code: 0x0a,
  name: 'calling party number',
  min: 2,
  max: 255,
  decode: (data) => ({
    natureOfAddress: data[0]! & 0x7f,
    numberIncomplete: (data[1]! & 0x80) !== 0,
    numberingPlan: (data[1]! >> 4) & 0x07,
    presentation: PRESENTATION.name((data[1]! >> 2) & 0x03),
    screening: SCREENING.name(data[1]! & 0x03),
    digits: decodeSignals(data, 2, (data[0]! & 0x80) !== 0),
  }),
  encode: (v) => {
    const { odd, octets } = encodeSignals('calling party number digits', v.digits);
    return [
      (flag(odd) << 7) | bits('nature of address indicator', v.natureOfAddress, 7),
      (flag(v.numberIncomplete) << 7) | (bits('numbering plan indicator', v.numberingPlan, 3) << 4) | (PRESENTATION.code(v.presentation) << 2) | SCREENING.code(v.screening),
      ...octets,
    ];
  },
});

/**
 * Backward call indicators, 2 octets (code 0x11).
 *
 *     octet 1:  H G e2e method | F E called party's category | D C called party's status | B A charge
 *     octet 2:  P O SCCP method | N echo | M ISDN access | L holding | K ISUP | J e2e info | I interworking
 *
 * Charge: 00 no indication, 01 no charge, 10 charge. Status: 00 no indication, 01 subscriber
 * free, 10 connect when free. Category: 00 no indication, 01 ordinary subscriber, 10 payphone.
 */
export const CHARGE = codeNames('charge indicator', ['no-indication', 'no-charge', 'charge', 'spare'] as const);
export const CALLED_STATUS = codeNames("called party's status indicator", ['no-indication', 'subscriber-free', 'connect-when-free', 'spare'] as const);
export const CALLED_CATEGORY = codeNames("called party's category indicator", ['no-indication', 'ordinary', 'payphone', 'spare'] as const);
export interface BackwardCallIndicators {
  charge: (typeof CHARGE.names)[number];
  calledPartysStatus: (typeof CALLED_STATUS.names)[number];
  calledPartysCategory: (typeof CALLED_CATEGORY.names)[number];
  endToEndMethod: number;
  interworking: boolean;
  endToEndInformation: boolean;
  isupAllTheWay: boolean;
  holdingRequested: boolean;
  isdnAccess: boolean;
  echoControlDevice: boolean;
  sccpMethod: number;
}
export const BACKWARD_CALL_INDICATORS = parameter<BackwardCallIndicators>({
  code: 0x11,
  name: 'backward call indicators',
  min: 2,
  max: 2,
  decode: ([a, b]) => ({
    charge: CHARGE.name(a! & 0x03),
    calledPartysStatus: CALLED_STATUS.name((a! >> 2) & 0x03),
    calledPartysCategory: CALLED_CATEGORY.name((a! >> 4) & 0x03),
    endToEndMethod: a! >> 6,
    interworking: (b! & 0x01) !== 0,
    endToEndInformation: (b! & 0x02) !== 0,
    isupAllTheWay: (b! & 0x04) !== 0,
    holdingRequested: (b! & 0x08) !== 0,
    isdnAccess: (b! & 0x10) !== 0,
    echoControlDevice: (b! & 0x20) !== 0,
    sccpMethod: b! >> 6,
  }),
  encode: (v) => [
    CHARGE.code(v.charge) | (CALLED_STATUS.code(v.calledPartysStatus) << 2) | (CALLED_CATEGORY.code(v.calledPartysCategory) << 4) | (bits('end-to-end method indicator', v.endToEndMethod, 2) << 6),
    flag(v.interworking) |
      (flag(v.endToEndInformation) << 1) |
      (flag(v.isupAllTheWay) << 2) |
      (flag(v.holdingRequested) << 3) |
      (flag(v.isdnAccess) << 4) |
      (flag(v.echoControlDevice) << 5) |
      (bits('SCCP method indicator', v.sccpMethod, 2) << 6),
  ],
});

/**
 * Optional backward call indicators, 1 octet (code 0x29).
 *
 *     H G F E national | D MLPP user | C simple segmentation | B call diversion may occur | A in-band information
 */
export interface OptionalBackwardCallIndicators {
  /** A: in-band information or an appropriate pattern is now available. */
  inBandInformation: boolean;
  callDiversionMayOccur: boolean;
  simpleSegmentation: boolean;
  mlppUser: boolean;
}
export const OPTIONAL_BACKWARD_CALL_INDICATORS = parameter<OptionalBackwardCallIndicators>({
  code: 0x29,
  name: 'optional backward call indicators',
  min: 1,
  max: 1,
  decode: ([o]) => ({ inBandInformation: (o! & 0x01) !== 0, callDiversionMayOccur: (o! & 0x02) !== 0, simpleSegmentation: (o! & 0x04) !== 0, mlppUser: (o! & 0x08) !== 0 }),
  encode: (v) => [flag(v.inBandInformation) | (flag(v.callDiversionMayOccur) << 1) | (flag(v.simpleSegmentation) << 2) | (flag(v.mlppUser) << 3)],
});

/**
 * Cause indicators, at least 2 octets (code 0x12), coded as Q.850 says.
 *
 *     octet 1:   H ext | G F coding standard | E spare | D-A location
 *     octet 1a:  H ext=1 | G-A recommendation            (only when octet 1's ext bit is 0)
 *     octet 2:   H ext=1 | G-A cause value
 *     octet 3+:  diagnostics
 */
export const CODING_STANDARD = codeNames('coding standard', ['itu-t', 'iso-iec', 'national', 'network-specific'] as const);
export interface CauseIndicators {
  codingStandard: (typeof CODING_STANDARD.names)[number];
  location: number;
  /** Octet 1a, present only when a recommendation is named. */
  recommendation?: number;
  causeValue: number;
  diagnostics: Uint8Array;
}
export const CAUSE_INDICATORS = parameter<CauseIndicators>({
  code: 0x12,
  name: 'cause indicators',
  min: 2,
  max: 255,
  decode(data, at) {
    const extended = (data[0]! & 0x80) === 0;
    const causeAt = extended ? 2 : 1;
    if (data.length <= causeAt) throw formatError(this, `octet 1a is announced (extension bit 0), so ${causeAt + 1} octets are needed, got ${data.length}`, at + data.length);
    return {
      codingStandard: CODING_STANDARD.name((data[0]! >> 5) & 0x03),
      location: data[0]! & 0x0f,
      ...(extended ? { recommendation: data[1]! & 0x7f } : {}),
      causeValue: data[causeAt]! & 0x7f,
      diagnostics: data.slice(causeAt + 1),
    };
  },
  encode: (v) => [
    (flag(v.recommendation === undefined) << 7) | (CODING_STANDARD.code(v.codingStandard) << 5) | bits('location', v.location, 4),
    ...(v.recommendation === undefined ? [] : [0x80 | bits('recommendation', v.recommendation, 7)]),
    0x80 | bits('cause value', v.causeValue, 7),
    ...v.diagnostics,
  ],
});

/** Continuity indicators, 1 octet (code 0x10): bit A, 0 continuity check failed, 1 successful. */
export type Continuity = 'failed' | 'successful';
export const CONTINUITY_INDICATORS = parameter<Continuity>({
  code: 0x10,
  name: 'continuity indicators',
  min: 1,
  max: 1,
  decode: ([o]) => (o! & 0x01 ? 'successful' : 'failed'),
  encode: (v) => [v === 'successful' ? 1 : 0],
});

/**
 * Event information, 1 octet (code 0x24), in CPG.
 *
 *     H presentation restricted | G-A event indicator
 *
 * Events: 1 alerting, 2 progress, 3 in-band information available, 4 forwarded on busy,
 * 5 forwarded on no reply, 6 forwarded unconditional.
 */
export interface EventInformation {
  event: number;
  presentationRestricted: boolean;
}
export const EVENT_INFORMATION = parameter<EventInformation>({
  code: 0x24,
  name: 'event information',
  min: 1,
  max: 1,
  decode: ([o]) => ({ event: o! & 0x7f, presentationRestricted: (o! & 0x80) !== 0 }),
  encode: (v) => [(flag(v.presentationRestricted) << 7) | bits('event indicator', v.event, 7)],
});

/** Suspend/resume indicators, 1 octet (code 0x22): bit A, 0 ISDN subscriber initiated, 1 network initiated. */
export type SuspendResumeInitiator = 'subscriber' | 'network';
export const SUSPEND_RESUME_INDICATORS = parameter<SuspendResumeInitiator>({
  code: 0x22,
  name: 'suspend/resume indicators',
  min: 1,
  max: 1,
  decode: ([o]) => (o! & 0x01 ? 'network' : 'subscriber'),
  encode: (v) => [v === 'network' ? 1 : 0],
});

/**
 * Circuit group supervision message type, 1 octet (code 0x15), in CGB, CGU and their
 * acknowledgements: bits B A, 00 maintenance oriented, 01 hardware failure oriented,
 * 10 reserved for national use, 11 spare.
 */
export const SUPERVISION_TYPE = codeNames('circuit group supervision message type', ['maintenance', 'hardware-failure', 'national', 'spare'] as const);
export type SupervisionType = (typeof SUPERVISION_TYPE.names)[number];
export const CIRCUIT_GROUP_SUPERVISION_TYPE = parameter<SupervisionType>({
  code: 0x15,
  name: 'circuit group supervision message type',
  min: 1,
  max: 1,
  decode: ([o]) => SUPERVISION_TYPE.name(o! & 0x03),
  encode: (v) => [SUPERVISION_TYPE.code(v)],
});

/**
 * Range and status (code 0x16). The range, 0..255, is one less than the number of circuits
 * the message covers, from the CIC of the message up. GRS and CQM (and CQR) carry the range
 * only; GRA, CGB, CGU, CGBA and CGUA carry one status bit per circuit after it, the message's
 * own CIC in bit 1 of the first status octet:
 *
 *     octet 1:   range
 *     octet 2+:  status bits, CIC+7 .. CIC in the first octet; unused high bits of the last spare
 *
 * Which ranges a message may use (1..31 for the ITU group messages) is a procedure rule
 * (Q.764), not a format one, so the codec takes any.
 */
export interface Range {
  range: number;
}
export const RANGE = parameter<Range>({
  code: 0x16,
  name: 'range and status (range only)',
  min: 1,
  max: 1,
  decode: ([o]) => ({ range: o! }),
  encode: (v) => [bits('range', v.range, 8)],
});

export interface RangeAndStatus {
  range: number;
  /** One per circuit, `range + 1` of them: set where the circuit is affected (blocked, say). */
  status: boolean[];
}
export const RANGE_AND_STATUS = parameter<RangeAndStatus>({
  code: 0x16,
  name: 'range and status',
  min: 2,
  max: 33,
  decode(data, at) {
    const range = data[0]!;
    const octets = Math.ceil((range + 1) / 8);
    if (data.length !== 1 + octets) throw formatError(this, `range ${range} needs ${octets} status octets, got ${data.length - 1}`, at);
    return { range, status: Array.from({ length: range + 1 }, (_, i) => ((data[1 + (i >> 3)]! >> (i & 7)) & 1) === 1) };
  },
  encode: (v) => {
    bits('range', v.range, 8);
    if (v.status.length !== v.range + 1) throw new RangeError(`range and status: range ${v.range} needs ${v.range + 1} status bits, got ${v.status.length}`);
    const out = [v.range, ...new Array<number>(Math.ceil((v.range + 1) / 8)).fill(0)];
    v.status.forEach((on, i) => {
      if (on) out[1 + (i >> 3)]! |= 1 << (i & 7);
    });
    return out;
  },
});

/**
 * Circuit state indicator (code 0x26), in CQR: one octet per circuit of the range.
 *
 *     H G spare | F E hardware blocking | D C call processing | B A maintenance blocking
 *
 * Call processing: 01 incoming busy, 10 outgoing busy, 11 idle; with 00 the circuit has no
 * such state and B A say why: 00 transient, 11 unequipped (01, 10 spare). Blocking, both
 * kinds: 00 none, 01 locally, 10 remotely, 11 locally and remotely blocked. A hardware
 * block is reported with call processing 11 (idle).
 */
export const BLOCKING = codeNames('blocking state', ['none', 'local', 'remote', 'both'] as const);
export type Blocking = (typeof BLOCKING.names)[number];
export type CircuitStateCode =
  | { state: 'idle' | 'incoming-busy' | 'outgoing-busy'; maintenance: Blocking; hardware: Blocking }
  | { state: 'transient' | 'unequipped' }
  /** Call processing 00 with B A 01 or 10: the octet as it came. */
  | { state: 'spare'; octet: number };
const CALL_PROCESSING = [null, 'incoming-busy', 'outgoing-busy', 'idle'] as const;
export const CIRCUIT_STATE_INDICATOR = parameter<CircuitStateCode[]>({
  code: 0x26,
  name: 'circuit state indicator',
  min: 1,
  max: 32,
  decode: (data) =>
    [...data].map((o): CircuitStateCode => {
      const call = CALL_PROCESSING[(o >> 2) & 0x03]!;
      if (call) return { state: call, maintenance: BLOCKING.name(o & 0x03), hardware: BLOCKING.name((o >> 4) & 0x03) };
      if ((o & 0x03) === 0) return { state: 'transient' };
      if ((o & 0x03) === 3) return { state: 'unequipped' };
      return { state: 'spare', octet: o };
    }),
  encode: (states) =>
    states.map((s) => {
      switch (s.state) {
        case 'transient':
          return 0;
        case 'unequipped':
          return 3;
        case 'spare':
          return bits('circuit state octet', s.octet, 8);
        default:
          return BLOCKING.code(s.maintenance) | (CALL_PROCESSING.indexOf(s.state) << 2) | (BLOCKING.code(s.hardware) << 4);
      }
    }),
});
