/**
 * ITU-T Q.850: the cause values and locations both ISUP (Q.763 3.12) and Q.931 (4.5.12)
 * carry. The numbers are what goes on the wire; the names and words are for logs, CDRs and
 * the operator's screen.
 */

/** Cause values by name (Q.850 Table 1). */
export const Q850_CAUSE = {
  unallocatedNumber: 1,
  noRouteToTransitNetwork: 2,
  noRouteToDestination: 3,
  sendSpecialInformationTone: 4,
  misdialledTrunkPrefix: 5,
  channelUnacceptable: 6,
  callAwardedInEstablishedChannel: 7,
  preemption: 8,
  preemptionCircuitReserved: 9,
  normalClearing: 16,
  userBusy: 17,
  noUserResponding: 18,
  noAnswer: 19,
  subscriberAbsent: 20,
  callRejected: 21,
  numberChanged: 22,
  redirectionToNewDestination: 23,
  exchangeRoutingError: 25,
  nonSelectedUserClearing: 26,
  destinationOutOfOrder: 27,
  invalidNumberFormat: 28,
  facilityRejected: 29,
  responseToStatusEnquiry: 30,
  normalUnspecified: 31,
  noChannelAvailable: 34,
  networkOutOfOrder: 38,
  temporaryFailure: 41,
  switchingEquipmentCongestion: 42,
  accessInformationDiscarded: 43,
  requestedChannelNotAvailable: 44,
  precedenceCallBlocked: 46,
  resourceUnavailable: 47,
  qualityOfServiceNotAvailable: 49,
  facilityNotSubscribed: 50,
  outgoingCallsBarredWithinCug: 53,
  incomingCallsBarredWithinCug: 55,
  bearerCapabilityNotAuthorized: 57,
  bearerCapabilityNotAvailable: 58,
  inconsistentOutgoingAccess: 62,
  serviceNotAvailable: 63,
  bearerCapabilityNotImplemented: 65,
  channelTypeNotImplemented: 66,
  facilityNotImplemented: 69,
  onlyRestrictedDigitalAvailable: 70,
  serviceNotImplemented: 79,
  invalidCallReference: 81,
  channelDoesNotExist: 82,
  suspendedCallIdentityUnknown: 83,
  callIdentityInUse: 84,
  noCallSuspended: 85,
  suspendedCallCleared: 86,
  userNotMemberOfCug: 87,
  incompatibleDestination: 88,
  nonExistentCug: 90,
  invalidTransitNetwork: 91,
  invalidMessage: 95,
  mandatoryIeMissing: 96,
  messageTypeNonExistent: 97,
  messageNotCompatibleOrNonExistent: 98,
  ieNonExistent: 99,
  invalidIeContents: 100,
  messageNotCompatibleWithCallState: 101,
  recoveryOnTimerExpiry: 102,
  parameterNonExistentPassedOn: 103,
  unrecognizedParameterDiscarded: 110,
  protocolError: 111,
  interworking: 127,
} as const;

export type Q850CauseName = keyof typeof Q850_CAUSE;

/** What each cause value means, in Q.850's words (shortened where Q.850 is long). */
const CAUSE_TEXT: Readonly<Record<number, string>> = {
  1: 'unallocated (unassigned) number',
  2: 'no route to specified transit network',
  3: 'no route to destination',
  4: 'send special information tone',
  5: 'misdialled trunk prefix',
  6: 'channel unacceptable',
  7: 'call awarded and being delivered in an established channel',
  8: 'preemption',
  9: 'preemption - circuit reserved for reuse',
  16: 'normal call clearing',
  17: 'user busy',
  18: 'no user responding',
  19: 'no answer from user (user alerted)',
  20: 'subscriber absent',
  21: 'call rejected',
  22: 'number changed',
  23: 'redirection to new destination',
  25: 'exchange routing error',
  26: 'non-selected user clearing',
  27: 'destination out of order',
  28: 'invalid number format (address incomplete)',
  29: 'facility rejected',
  30: 'response to STATUS ENQUIRY',
  31: 'normal, unspecified',
  34: 'no circuit/channel available',
  38: 'network out of order',
  41: 'temporary failure',
  42: 'switching equipment congestion',
  43: 'access information discarded',
  44: 'requested circuit/channel not available',
  46: 'precedence call blocked',
  47: 'resource unavailable, unspecified',
  49: 'quality of service not available',
  50: 'requested facility not subscribed',
  53: 'outgoing calls barred within CUG',
  55: 'incoming calls barred within CUG',
  57: 'bearer capability not authorized',
  58: 'bearer capability not presently available',
  62: 'inconsistency in designated outgoing access information and subscriber class',
  63: 'service or option not available, unspecified',
  65: 'bearer capability not implemented',
  66: 'channel type not implemented',
  69: 'requested facility not implemented',
  70: 'only restricted digital information bearer capability is available',
  79: 'service or option not implemented, unspecified',
  81: 'invalid call reference value',
  82: 'identified channel does not exist',
  83: 'a suspended call exists, but this call identity does not',
  84: 'call identity in use',
  85: 'no call suspended',
  86: 'call having the requested call identity has been cleared',
  87: 'user not member of CUG',
  88: 'incompatible destination',
  90: 'non-existent CUG',
  91: 'invalid transit network selection',
  95: 'invalid message, unspecified',
  96: 'mandatory information element is missing',
  97: 'message type non-existent or not implemented',
  98: 'message not compatible with call state or message type non-existent or not implemented',
  99: 'information element/parameter non-existent or not implemented',
  100: 'invalid information element contents',
  101: 'message not compatible with call state',
  102: 'recovery on timer expiry',
  103: 'parameter non-existent or not implemented, passed on',
  110: 'message with unrecognized parameter, discarded',
  111: 'protocol error, unspecified',
  127: 'interworking, unspecified',
};

/**
 * Q.850 tells a receiver to treat a value it does not know as the "unspecified" cause of
 * its class (bits 7-5), so every 7-bit value has a meaning.
 */
const CLASS_FALLBACK = [31, 31, 47, 63, 79, 95, 111, 127] as const;

/** Q.850's words for a cause value; an unlisted value is named by its class. */
export function causeText(value: number): string {
  const text = CAUSE_TEXT[value];
  if (text !== undefined) return text;
  const fallback = CLASS_FALLBACK[(value >> 4) & 7]!;
  return `cause ${value} (read as: ${CAUSE_TEXT[fallback]!})`;
}

/** Q.850 2.2.4 location codes (4 bits). */
export const Q850_LOCATION = {
  user: 0,
  privateLocal: 1,
  publicLocal: 2,
  transit: 3,
  publicRemote: 4,
  privateRemote: 5,
  international: 7,
  beyondInterworking: 10,
} as const;

const LOCATION_TEXT: Readonly<Record<number, string>> = {
  0: 'user',
  1: 'private network serving the local user',
  2: 'public network serving the local user',
  3: 'transit network',
  4: 'public network serving the remote user',
  5: 'private network serving the remote user',
  7: 'international network',
  10: 'network beyond interworking point',
};

/** Q.850's words for a location code ("location 6 (reserved)" for the spare ones). */
export function locationText(code: number): string {
  return LOCATION_TEXT[code] ?? `location ${code} (reserved)`;
}
