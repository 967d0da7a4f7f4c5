import type { JournalRecord } from './cdr-journal.js';

/** The line a call came in on: an analog FXO port, or an E1 circuit. */
export type CallLine = { kind: 'fxo'; port: number } | { kind: 'e1'; span: number; timeslot: number; cic: number };

/**
 * How a call ended, one of: answered by a person; abandoned (the caller hung up while it rang
 * or waited); no agent (nobody could take it); failed (with `reason`); test-line (answered by
 * the box itself with a test tone, while it is set up as a test line: no person took it).
 */
export type CallResult = 'answered' | 'abandoned' | 'no-agent' | 'failed' | 'test-line';

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
}
