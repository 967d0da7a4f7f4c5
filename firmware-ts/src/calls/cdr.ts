import type { JournalRecord } from './cdr-journal.js';

/** The line a call came in on: an analog FXO port, or an E1 circuit. */
export type CallLine = { kind: 'fxo'; port: number } | { kind: 'e1'; span: number; timeslot: number; cic: number };

/**
 * How a call ended, one of:
 * - `answered`: a person took it;
 * - `abandoned`: the caller hung up while it rang, waited in the queue or heard the welcome;
 * - `deflected`: the caller hung up while the bulletin played, before joining the queue (the
 *   bulletin told them what they called to learn);
 * - `overflowed`: the caller waited the queue's longest wait and was sent on (the call left the box);
 * - `callback`: the caller left a callback request instead of waiting (a key, after hours, overflow);
 * - `forwarded`: nobody here could take it (after hours, nobody staffed, overflow) and the city
 *   centre answered it over its SIP trunk (`centre` says why it went);
 * - `no-agent`: nobody could take it and no callback could be taken;
 * - `failed`: with `reason`;
 * - `test-line`: answered by the box itself with a test tone, while it is set up as a test
 *   line: no person took it.
 */
export type CallResult = 'answered' | 'abandoned' | 'deflected' | 'overflowed' | 'callback' | 'forwarded' | 'no-agent' | 'failed' | 'test-line';

export const CALL_RESULTS: readonly CallResult[] = ['answered', 'abandoned', 'deflected', 'overflowed', 'callback', 'forwarded', 'no-agent', 'failed', 'test-line'];

/**
 * How a call sent to the city centre went: `answered`, or why not (`busy`, `rejected`,
 * `no-answer` in the ring time, `failed`: unreachable or an error), or `hangup`: the box hung
 * it up (the caller left while it rang, the box stopped).
 */
export type CentreOutcome = 'answered' | 'busy' | 'rejected' | 'no-answer' | 'failed' | 'hangup';
export const CENTRE_OUTCOMES: readonly CentreOutcome[] = ['answered', 'busy', 'rejected', 'no-answer', 'failed', 'hangup'];

/** A call's time in the queue. */
export interface CdrQueue {
  /** The queue's id. */
  id: string;
  /** Joined the queue: after the welcome and the bulletin. */
  enteredAt: number;
  /** Left it: answered, hung up, overflowed or left a callback request. */
  leftAt: number;
  /** The place in line it joined at (1: next). */
  position: number;
}

/**
 * One call detail record: what the box keeps of every call, appended to the CDR journal
 * (`<dataDir>/cdr.jsonl`) before the call is shown or reported. Times are ms since the
 * epoch; a step the call never reached is null.
 */
export interface Cdr extends JournalRecord {
  line: CallLine;
  calling: string;
  called: string;
  /** The agent who answered (or was last offered the call), by SIP user; null when none. */
  agent: string | null;
  arrivedAt: number;
  offeredAt: number | null;
  answeredAt: number | null;
  endedAt: number;
  result: CallResult;
  /** For `failed`, what went wrong, in words a technician can act on. */
  reason: string | null;
  /** The same as a code with arguments, for the reader's language; absent when there is no code. */
  reasonCode?: string;
  reasonArgs?: (string | number)[];
  hungUpBy: 'caller' | 'agent' | 'box' | null;
  /** The Q.850 cause of the release, where the line gave or took one. */
  cause: number | null;
  // Fields written since the queue (issue 10); a CDR written before them has none.
  /** `out` for a call the box placed (a callback); absent for a call that came in. */
  direction?: 'out';
  /** The calling number called within the repeat window before this call. */
  repeat?: boolean;
  /** The bulletin played to the caller: how long they heard it, and whether they skipped it with a key. */
  bulletin?: { heardMs: number; skipped: boolean };
  /** The caller's time in the queue; absent when the call never joined it. */
  queue?: CdrQueue;
  /** The callback request this call left, or (direction `out`) the one it placed. */
  callback?: string;
  /** The call was sent to the city centre's trunk: why, and how that went. */
  centre?: { reason: 'after-hours' | 'no-agent' | 'overflow'; outcome: CentreOutcome };
}
