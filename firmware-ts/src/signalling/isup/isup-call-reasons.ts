/**
 * Why a call failed, as codes with their arguments, carried beside the English `reason` of
 * `CallOutcome` so that the CLI can word it in the reader's language. Several are the
 * resets, blocks and continuity checks that give an attempt up (the `why` it passes to `dropCall` and
 * `abandonAttempt`); a plain string there still works and shows as it is.
 */
export interface CallReasons {
  'link-down': [];
  'not-ready': [];
  'no-circuit': [];
  'no-acm': [];
  'no-answer': [];
  'released-before-answer': [cause: number];
  'busy-circuit-seized': [];
  'blocked-here': [];
  'release-not-confirmed': [];
  'firmware-stopping': [];
  'dual-seizure': [];
  'failed-on-repeat': [why: SimpleCallReason];
  'reset-by-exchange': [];
  'blocked-by-exchange': [];
  'group-reset-at-start': [];
  'group-reset-by-exchange': [];
  'circuit-reset': [];
  'span-failed': [];
  'exchange-hardware-failure': [];
  'continuity-check-by-exchange': [];
  'unequipped-at-exchange': [];
  /** The type code as Wireshark shows it, `0xee`. */
  'unrecognised-message': [typeCode: string];
  'not-resumed': [];
  'continuity-failed': [];
  'no-continuity': [];
  'invalid-parameter': [];
}
export type CallReasonCode = keyof CallReasons;
/** The reasons that take no arguments: those an attempt can be given up for and repeated. */
export type SimpleCallReason = { [K in keyof Others]: Others[K] extends [] ? K : never }[keyof Others];
type Others = Omit<CallReasons, 'failed-on-repeat'>;
export type CallReasonArg = CallReasons[CallReasonCode][number];

/** A failure: the English text, and its code where it has one. */
export interface CallFailure {
  reason: string;
  reasonCode?: CallReasonCode;
  reasonArgs?: CallReasonArg[];
}

export function callFailure<K extends CallReasonCode>(reason: string, code: K, ...args: CallReasons[K]): CallFailure {
  return { reason, reasonCode: code, reasonArgs: args };
}

export const asFailure = (why: string | CallFailure): CallFailure => (typeof why === 'string' ? { reason: why } : why);
export const LINK_DOWN = callFailure('signalling link out of service', 'link-down');
export const NOT_CONFIRMED = callFailure('release not confirmed (T5)', 'release-not-confirmed');
export const released = (cause: number) => callFailure(`the exchange released before answer (cause ${cause})`, 'released-before-answer', cause);

/** The same trouble again on the automatic repeat attempt (Q.764 2.9.1.4 b); the box repeats once. */
export function onRepeatToo(why: CallFailure): CallFailure {
  const reason = `${why.reason} on the repeat attempt too`;
  const simple = why.reasonCode !== undefined && (why.reasonArgs ?? []).length === 0;
  return simple ? callFailure(reason, 'failed-on-repeat', why.reasonCode as SimpleCallReason) : { reason };
}
