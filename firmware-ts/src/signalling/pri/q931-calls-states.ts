import type { Q931MessageType } from './q931-messages.js';

/**
 * The user-side call states of Q.931 2.1.1 that a PRI voice call passes through, with their
 * numbers (the call state IE of STATUS carries the number):
 *
 *   outgoing  U0 ─SETUP─► U1 call-initiated ─CALL PROC─► U3 outgoing-call-proceeding ─ALERT─► U4 call-delivered ─CONNECT─► U10 active
 *   incoming  U0 ─SETUP─► U6 call-present ─CALL PROC sent─► U9 incoming-call-proceeding ─ALERT sent─► U7 call-received
 *             ─CONNECT sent─► U8 connect-request ─CONNECT ACK─► U10 active
 *   clearing  any ─DISCONNECT sent─► U11 disconnect-request ─RELEASE─► U19 release-request ─RELEASE COMPLETE─► U0
 *             any ─DISCONNECT received (U12, left at once: RELEASE sent)─► U19;  any ─RELEASE received / RC─► U0
 *
 * Not used: U2 / U25 (overlap: the box sends SETUP with sending complete and takes the
 * network's SETUP as it comes), U12 as a resting state (the RELEASE goes at once), U15/U17
 * (suspend and resume exist only on basic access).
 */
export type Q931CallState =
  | 'null'
  | 'call-initiated'
  | 'outgoing-call-proceeding'
  | 'call-delivered'
  | 'call-present'
  | 'call-received'
  | 'connect-request'
  | 'incoming-call-proceeding'
  | 'active'
  | 'disconnect-request'
  | 'release-request';

export const Q931_STATE_NUMBERS: Readonly<Record<Q931CallState, number>> = {
  null: 0,
  'call-initiated': 1,
  'outgoing-call-proceeding': 3,
  'call-delivered': 4,
  'call-present': 6,
  'call-received': 7,
  'connect-request': 8,
  'incoming-call-proceeding': 9,
  active: 10,
  'disconnect-request': 11,
  'release-request': 19,
};

const CLEARING: readonly Q931CallState[] = ['disconnect-request', 'release-request', 'null'];
const MOVES: Readonly<Record<Q931CallState, readonly Q931CallState[]>> = {
  null: ['call-initiated', 'call-present'],
  'call-initiated': ['outgoing-call-proceeding', 'call-delivered', 'active', ...CLEARING],
  'outgoing-call-proceeding': ['call-delivered', 'active', ...CLEARING],
  'call-delivered': ['active', ...CLEARING],
  'call-present': ['incoming-call-proceeding', 'null'],
  'incoming-call-proceeding': ['call-received', 'connect-request', ...CLEARING],
  'call-received': ['connect-request', ...CLEARING],
  'connect-request': ['active', ...CLEARING],
  active: CLEARING,
  'disconnect-request': ['release-request', 'null'],
  'release-request': ['null'],
};

/** The guarded move: throws on one the diagram above does not have (a bug in call control, never the network's doing). */
export function nextState(from: Q931CallState, to: Q931CallState): Q931CallState {
  if (!MOVES[from].includes(to)) throw new Error(`Q.931 call state: no move from ${from} (U${Q931_STATE_NUMBERS[from]}) to ${to} (U${Q931_STATE_NUMBERS[to]})`);
  return to;
}

/** Messages the network may send in every state of a call (clearing, status; INFORMATION is read and ignored). */
const ALWAYS: readonly Q931MessageType[] = ['DISCONNECT', 'RELEASE', 'RELEASE COMPLETE', 'STATUS', 'STATUS ENQUIRY', 'INFORMATION'];

/**
 * What the network may send in each state (Q.931 Annex A, user side SDL); anything else is
 * "unexpected" (5.8.4). In U11 and U19 establishment messages that crossed our DISCONNECT or
 * RELEASE are dropped without a STATUS (`CROSSING`): the call is going away, and a STATUS
 * about it only adds traffic.
 */
export const EXPECTED: Readonly<Record<Q931CallState, readonly Q931MessageType[]>> = {
  null: [],
  'call-initiated': ['CALL PROCEEDING', 'ALERTING', 'CONNECT', 'PROGRESS', ...ALWAYS],
  'outgoing-call-proceeding': ['ALERTING', 'CONNECT', 'PROGRESS', ...ALWAYS],
  'call-delivered': ['CONNECT', 'PROGRESS', ...ALWAYS],
  'call-present': ALWAYS,
  'incoming-call-proceeding': ALWAYS,
  'call-received': ALWAYS,
  'connect-request': ['CONNECT ACKNOWLEDGE', ...ALWAYS],
  active: ALWAYS,
  'disconnect-request': ALWAYS,
  'release-request': ALWAYS,
};
export const CROSSING: readonly Q931MessageType[] = ['CALL PROCEEDING', 'ALERTING', 'CONNECT', 'PROGRESS', 'CONNECT ACKNOWLEDGE', 'DISCONNECT'];

const OUT_PATH = [1, 3, 4, 10];
const IN_PATH = [6, 9, 7, 8, 10];
/** Network clearing states: N11 disconnect request, N12 disconnect indication, N19 release request, N22 call abort. */
const NET_CLEARING = [11, 12, 19, 22];

/**
 * Whether the network's state in a STATUS fits ours (Q.931 5.8.11 leaves the rule to the
 * implementation, except for the Null state, handled by the caller). The rule: the two ends
 * may differ only by messages still in flight.
 * - Either side clearing: compatible (its clearing message is on its way).
 * - Our outgoing call (U1, U3, U4, U10): the network may be ahead of us on the same path
 *   (its CALL PROCEEDING, ALERTING or CONNECT not yet here), never behind.
 * - The network's call (U9, U7, U8): the network may be behind us (our CALL PROCEEDING,
 *   ALERTING or CONNECT not yet there) or, in U8, one step ahead (N10: its CONNECT
 *   ACKNOWLEDGE not yet here).
 * - Active (U10) either way: only N10.
 */
export function compatibleStates(ours: Q931CallState, network: number, direction: 'in' | 'out'): boolean {
  const mine = Q931_STATE_NUMBERS[ours];
  if (mine === 11 || mine === 19 || NET_CLEARING.includes(network)) return true;
  // Active is entered on the last message of set-up either way (our CONNECT ACKNOWLEDGE, the network's): N10 only.
  if (mine === 10) return network === 10;
  if (direction === 'out') {
    const a = OUT_PATH.indexOf(mine);
    const b = OUT_PATH.indexOf(network);
    return a >= 0 && b >= a;
  }
  const a = IN_PATH.indexOf(mine);
  const b = IN_PATH.indexOf(network);
  return a >= 0 && b >= 0 && (b <= a || (mine === 8 && network === 10));
}
