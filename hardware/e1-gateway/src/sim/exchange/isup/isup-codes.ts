/** Q.850 cause values the exchange sends or looks at (cause indicators, octet 2 bits 7-1). */
export const CAUSE = {
  unallocatedNumber: 1,
  normalClearing: 16,
  userBusy: 17,
  noUserResponding: 18,
  noAnswer: 19,
  callRejected: 21,
  normalUnspecified: 31,
  noCircuitAvailable: 34,
  temporaryFailure: 41,
  switchingEquipmentCongestion: 42,
  requestedCircuitUnavailable: 44,
  messageTypeNonExistent: 97,
  informationElementNonExistent: 99,
  invalidInformationElementContents: 100,
  messageNotCompatibleWithCallState: 101,
  recoveryOnTimerExpiry: 102,
} as const;

/** Cause location (cause indicators, octet 1 bits 4-1): where the cause was generated. */
export const LOCATION = {
  user: 0,
  privateNetworkLocalUser: 1,
  publicNetworkLocalUser: 2,
  transitNetwork: 3,
  publicNetworkRemoteUser: 4,
} as const;

/** Calling party's category codes (Q.763). */
export const CATEGORY = {
  unknown: 0x00,
  ordinary: 0x0a,
  priority: 0x0b,
  data: 0x0c,
  testCall: 0x0d,
  payphone: 0x0f,
} as const;

/** Transmission medium requirement codes. */
export const MEDIUM = { speech: 0, unrestricted64k: 2, audio3k1: 3 } as const;

/** Nature of address indicator codes of the called and calling party numbers (Q.763 3.9). */
export const NATURE_OF_ADDRESS = { subscriber: 1, unknown: 2, national: 3, international: 4 } as const;

/** Numbering plan indicator: ISDN (telephony) numbering plan, E.164. */
export const NUMBERING_PLAN_E164 = 1;

/** Event indicator codes of the event information parameter (CPG). */
export const EVENT = {
  alerting: 1,
  progress: 2,
  inBandInformation: 3,
  forwardedOnBusy: 4,
  forwardedOnNoReply: 5,
  forwardedUnconditional: 6,
} as const;
