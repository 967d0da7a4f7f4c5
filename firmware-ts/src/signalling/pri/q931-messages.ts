import { CALL_STATE, CHANNEL_IDENTIFICATION, BEARER_CAPABILITY, PROGRESS_INDICATOR, RESTART_INDICATOR } from './q931-ies.js';
import { CAUSE, Q850_CAUSE } from './q931-cause.js';
import type { Q931Decoded } from './q931-codec.js';

/**
 * The Q.931 messages a PRI call and its restarts use (Q.931 Table 4-2 codes), with the
 * information elements clause 3 lists for each. Conditional IEs ("mandatory if this is the
 * first message in response to SETUP", the channel identification in ALERTING, CALL
 * PROCEEDING and CONNECT) are left to the call layer: only it knows what came before.
 *
 * - `mandatory`: M in both directions;
 * - `fromNetwork`: M only network to user (SETUP's channel identification, 3.1.14: a user
 *   may leave it out to mean "any channel");
 * - `firstClearing`: M in the first clearing message only (cause in RELEASE and RELEASE
 *   COMPLETE, 3.1.9 / 3.1.10 note 1); a RELEASE that answers a DISCONNECT may omit it;
 * - `permitted`: every codeset 0 IE the message may carry, M or O, either direction; a
 *   single-octet type 1 IE by its identifier with contents 0 (0xd0 repeat indicator). A
 *   recognised IE outside the list is "unexpected" (5.8.7.3). Facility (Q.932), connected
 *   number (Q.951) and redirecting number (Q.952) are listed where those supplements put them.
 */
export interface Q931MessageDef {
  readonly code: number;
  readonly mandatory: readonly number[];
  readonly fromNetwork?: readonly number[];
  readonly firstClearing?: readonly number[];
  readonly permitted: readonly number[];
  /** Sent with the global call reference (value 0), Q.931 3.4 / 5.5. */
  readonly global?: true;
}

const BC = BEARER_CAPABILITY.id;
const CAUSE_ID = CAUSE.id;
const CHANNEL = CHANNEL_IDENTIFICATION.id;
const PI = PROGRESS_INDICATOR.id;
const RI = RESTART_INDICATOR.id;
const [SENDING_COMPLETE, REPEAT, FACILITY, NSF, DISPLAY, DATE_TIME, KEYPAD, SIGNAL, CONNECTED, CONNECTED_SUB] = [0xa1, 0xd0, 0x1c, 0x20, 0x28, 0x29, 0x2c, 0x34, 0x4c, 0x4d];
const [CALLING, CALLING_SUB, CALLED, CALLED_SUB, REDIRECTING, TNS, LLC, HLC, USER_USER] = [0x6c, 0x6d, 0x70, 0x71, 0x74, 0x78, 0x7c, 0x7d, 0x7e];

export const Q931_MESSAGES = {
  ALERTING: { code: 0x01, mandatory: [], permitted: [BC, CHANNEL, FACILITY, PI, DISPLAY, SIGNAL, HLC, USER_USER] }, // 3.1.1
  'CALL PROCEEDING': { code: 0x02, mandatory: [], permitted: [BC, CHANNEL, FACILITY, PI, DISPLAY, HLC] }, // 3.1.2
  PROGRESS: { code: 0x03, mandatory: [PI], permitted: [BC, CAUSE_ID, FACILITY, PI, DISPLAY, HLC, USER_USER] }, // 3.1.8
  SETUP: {
    code: 0x05,
    mandatory: [BC],
    fromNetwork: [CHANNEL],
    permitted: [SENDING_COMPLETE, REPEAT, BC, CHANNEL, FACILITY, PI, NSF, DISPLAY, KEYPAD, SIGNAL, CALLING, CALLING_SUB, CALLED, CALLED_SUB, REDIRECTING, TNS, LLC, HLC, USER_USER],
  }, // 3.1.14
  CONNECT: { code: 0x07, mandatory: [], permitted: [BC, CHANNEL, FACILITY, PI, DISPLAY, DATE_TIME, SIGNAL, CONNECTED, CONNECTED_SUB, LLC, HLC, USER_USER] }, // 3.1.3
  'CONNECT ACKNOWLEDGE': { code: 0x0f, mandatory: [], permitted: [FACILITY, DISPLAY, SIGNAL] }, // 3.1.4
  DISCONNECT: { code: 0x45, mandatory: [CAUSE_ID], permitted: [CAUSE_ID, FACILITY, PI, DISPLAY, SIGNAL, USER_USER] }, // 3.1.5
  RESTART: { code: 0x46, mandatory: [RI], permitted: [CHANNEL, DISPLAY, RI], global: true }, // 3.4.1
  RELEASE: { code: 0x4d, mandatory: [], firstClearing: [CAUSE_ID], permitted: [CAUSE_ID, FACILITY, DISPLAY, SIGNAL, USER_USER] }, // 3.1.9
  'RESTART ACKNOWLEDGE': { code: 0x4e, mandatory: [RI], permitted: [CHANNEL, DISPLAY, RI], global: true }, // 3.4.2
  'RELEASE COMPLETE': { code: 0x5a, mandatory: [], firstClearing: [CAUSE_ID], permitted: [CAUSE_ID, FACILITY, DISPLAY, SIGNAL, USER_USER] }, // 3.1.10
  'STATUS ENQUIRY': { code: 0x75, mandatory: [], permitted: [DISPLAY] }, // 3.1.17
  INFORMATION: { code: 0x7b, mandatory: [], permitted: [SENDING_COMPLETE, CAUSE_ID, FACILITY, DISPLAY, KEYPAD, SIGNAL, CALLED] }, // 3.1.6
  STATUS: { code: 0x7d, mandatory: [CAUSE_ID, CALL_STATE.id], permitted: [CAUSE_ID, CALL_STATE.id, DISPLAY] }, // 3.1.16
} as const satisfies Record<string, Q931MessageDef>;

export type Q931MessageType = keyof typeof Q931_MESSAGES;

export const Q931_TYPE_BY_CODE: ReadonlyMap<number, Q931MessageType> = new Map(Object.entries(Q931_MESSAGES).map(([name, def]) => [def.code, name as Q931MessageType]));

/** Which side sent a message: the box is the user side of its PRI spans. */
export type Q931Side = 'network' | 'user';

/** The IEs a message of `type` must carry when sent by `from` (clause 3). */
export function mandatoryIes(type: Q931MessageType, from: Q931Side, firstClearing = true): number[] {
  const def: Q931MessageDef = Q931_MESSAGES[type];
  return [...def.mandatory, ...(from === 'network' ? (def.fromNetwork ?? []) : []), ...(firstClearing ? (def.firstClearing ?? []) : [])];
}

/** What the receiver of a message sends back, and with which cause. */
export interface Q931Reply {
  /**
   * STATUS: send it (after acting on the message when `act` is true), with the call state.
   * RELEASE COMPLETE: answer a SETUP with it instead of taking the call.
   * RELEASE (to a DISCONNECT) / RELEASE COMPLETE (to a RELEASE): the clearing message the
   * normal procedure sends carries this cause instead of its usual one.
   */
  message: 'STATUS' | 'RELEASE' | 'RELEASE COMPLETE';
  /** Q.850 cause value (96, 97, 99, 100...). */
  cause: number;
  /** The IE identifiers concerned, for the cause's diagnostics field. */
  diagnostics: number[];
  /** Q.931 says "may": the box sends it, a peer need not. */
  optional?: true;
}

/** The Q.931 5.8 action for one received message. */
export interface Q931Verdict {
  /** true: act on the message (its recognised, valid IEs); false: drop it, no state change. */
  act: boolean;
  /** Read the message as carrying this cause (31, normal unspecified): its own is missing or bad. */
  assumeCause?: number;
  reply?: Q931Reply;
  /** The Q.931 clause applied (none for a valid message). */
  clause?: string;
  /** For logs. */
  reason: string;
}

export interface Q931VerdictOptions {
  /**
   * Whether a RELEASE / RELEASE COMPLETE is the first clearing message of its call (no
   * DISCONNECT or RELEASE came before it). Default true: the cause is then mandatory.
   */
  firstClearing?: boolean;
}

const CLEARING = new Set<string>(['DISCONNECT', 'RELEASE', 'RELEASE COMPLETE']);

/**
 * What Q.931 5.8 tells the receiver of `decoded` to do. Pure: the call layer applies it.
 *
 * Left to the caller, which holds the call table and the states, and whose checks come first:
 * - call reference errors of 5.8.3.2 (a message for no known call: RELEASE COMPLETE with
 *   cause 81, which also answers an unknown message type in the Null state), except a
 *   SETUP with the flag set, refused here;
 * - 5.8.4 messages the call state does not allow: STATUS with cause 101 (or 98), and the
 *   exceptions for RELEASE and RELEASE COMPLETE;
 * - conditional IEs (the channel identification in the first answer to SETUP).
 */
export function q931Verdict(decoded: Q931Decoded, options: Q931VerdictOptions = {}): Q931Verdict {
  if (!decoded.ok) {
    const clause = { 'protocol-discriminator': '5.8.1', 'too-short': '5.8.2', 'call-reference-length': '5.8.3.1', 'ie-overrun': '5.8.2' }[decoded.error.code];
    // An IE running past the end of the message leaves it cut short, as in 5.8.2: ignored.
    return { act: false, clause, reason: decoded.error.reason };
  }
  const { message, report } = decoded;
  if (message.type === 'unknown') {
    return { act: false, reply: { message: 'STATUS', cause: Q850_CAUSE.messageTypeNonExistent, diagnostics: [message.code] }, clause: '5.8.4', reason: `message type 0x${hex(message.code)} is not implemented` };
  }
  const type = message.type;
  // 5.8.3.2: a SETUP always comes from the side that chose the call reference; one with the
  // flag set is ignored.
  if (type === 'SETUP' && message.callReference.flag) return { act: false, clause: '5.8.3.2', reason: 'SETUP with call reference flag 1' };

  // A RELEASE after DISCONNECT may leave its cause out (3.1.9 note 1): not missing, and a
  // bad one is an optional IE's content error.
  const notMandatory = options.firstClearing === false ? new Set<number>((Q931_MESSAGES[type] as Q931MessageDef).firstClearing ?? []) : new Set<number>();
  const missing = report.missingMandatory.filter((id) => !notMandatory.has(id));
  const required = report.unrecognised.filter((u) => u.comprehensionRequired).map((u) => u.id);
  if (missing.length > 0 || required.length > 0) {
    // 5.8.7.1: an unrecognised "comprehension required" IE counts as a missing mandatory one.
    const reason = missing.length > 0 ? `mandatory IE(s) ${ids(missing)} missing` : `comprehension-required IE(s) ${ids(required)} not recognised`;
    return fatal(type, Q850_CAUSE.mandatoryIeMissing, [...missing, ...required], missing.includes(CAUSE.id), '5.8.6.1', reason);
  }
  const badMandatory = report.mandatoryContentErrors.map((e) => e.id).filter((id) => !notMandatory.has(id));
  if (badMandatory.length > 0) {
    return fatal(type, Q850_CAUSE.invalidIeContents, badMandatory, badMandatory.includes(CAUSE.id), '5.8.6.2', `mandatory IE(s) ${ids(badMandatory)} with bad contents`);
  }

  // 5.8.7.3: a recognised IE this message type does not carry is handled as unrecognised
  // (5.8.7.1). The box never treats one as "comprehension required", even a bearer
  // capability or cause: a misplaced IE from a switch does not cost the call.
  const unrecognised = [...report.unrecognised.map((u) => u.id), ...report.unexpected];
  const badOptional = [...report.optionalContentErrors.map((e) => e.id), ...report.mandatoryContentErrors.map((e) => e.id).filter((id) => notMandatory.has(id))];
  if (unrecognised.length > 0) {
    // 5.8.7.1: clearing messages report it in the clearing reply, others by STATUS.
    const reason = `IE(s) ${ids(unrecognised)} not recognised or not expected; acted on the rest`;
    if (type === 'DISCONNECT') return { act: true, reply: { message: 'RELEASE', cause: Q850_CAUSE.ieNonExistent, diagnostics: unrecognised }, clause: '5.8.7.1', reason };
    if (type === 'RELEASE') return { act: true, reply: { message: 'RELEASE COMPLETE', cause: Q850_CAUSE.ieNonExistent, diagnostics: unrecognised }, clause: '5.8.7.1', reason };
    if (type === 'RELEASE COMPLETE') return { act: true, clause: '5.8.7.1', reason };
    return { act: true, reply: { message: 'STATUS', cause: Q850_CAUSE.ieNonExistent, diagnostics: unrecognised, optional: true }, clause: report.unrecognised.length > 0 ? '5.8.7.1' : '5.8.7.3', reason };
  }
  if (badOptional.length > 0) {
    const reason = `optional IE(s) ${ids(badOptional)} with bad contents, ignored`;
    // 5.8.7.2 allows a STATUS; on a clearing message the call is going away and none is sent.
    if (CLEARING.has(type)) return { act: true, clause: '5.8.7.2', reason };
    return { act: true, reply: { message: 'STATUS', cause: Q850_CAUSE.invalidIeContents, diagnostics: badOptional, optional: true }, clause: '5.8.7.2', reason };
  }
  // 5.8.5.1 lets the receiver take out-of-sequence IEs as if in sequence, which the decoder
  // does; 5.8.5.2: repeats beyond those allowed were ignored. Neither calls for an answer.
  if (report.outOfSequence.length > 0 || report.repeated.length > 0) return { act: true, clause: '5.8.5', reason: 'IE(s) out of sequence or repeated; acted on as received' };
  return { act: true, reason: 'valid' };
}

/** 5.8.6.1 / 5.8.6.2: the answer to a message missing (or with a bad) mandatory IE. */
function fatal(type: Q931MessageType, cause: number, diagnostics: number[], causeIeBad: boolean, clause: string, reason: string): Q931Verdict {
  const assume = causeIeBad ? { assumeCause: Q850_CAUSE.normalUnspecified } : {};
  switch (type) {
    case 'SETUP':
      return { act: false, reply: { message: 'RELEASE COMPLETE', cause, diagnostics }, clause, reason };
    case 'DISCONNECT':
      return { act: true, ...assume, reply: { message: 'RELEASE', cause, diagnostics }, clause, reason };
    case 'RELEASE':
      return { act: true, ...assume, reply: { message: 'RELEASE COMPLETE', cause, diagnostics }, clause, reason };
    case 'RELEASE COMPLETE':
      return { act: true, ...assume, clause, reason };
    default:
      return { act: false, reply: { message: 'STATUS', cause, diagnostics }, clause, reason };
  }
}

function ids(list: readonly number[]): string {
  return list.map((id) => `0x${hex(id)}`).join(', ');
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
