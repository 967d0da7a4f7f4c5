import type { Clock, TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { OFFICE_QUEUE } from '../queue/office-queue.js';
import type { AgentCallLeg, AgentRef, CallMedia, CentreReason } from './call-ports.js';
import type { CallMove, CallState } from './call-state.js';
import type { CallResult, Cdr, CentreOutcome } from './cdr.js';
import type { LineLeg } from './line-leg.js';

// Q.850 causes the call model releases with.
export const NORMAL_CLEARING = 16;
/** No agent could take the call: the hotline is busy, as the caller's exchange will tell them. */
export const USER_BUSY = 17;
export const TEMPORARY_FAILURE = 41;

/** A call in progress, as the call model keeps it (CallManager and the flows it hands calls to). */
export interface Call {
  id: string;
  leg: LineLeg;
  state: CallState;
  calling: string;
  offeredAt: number | null;
  answeredAt: number | null;
  /** The agent who answered, or the last one offered the call. */
  agent: AgentRef | null;
  /** Phones ringing for the call (several with ring-all), or the one it talks on. */
  phones: Map<string, AgentCallLeg>;
  /** The call to the city centre's trunk, while it rings or talks. */
  centreLeg: AgentCallLeg | null;
  /** Sent to the city centre: why, and how it went (null while it rings). */
  centre: { reason: CentreReason; outcome: CentreOutcome | null } | null;
  media: CallMedia | null;
  timer: TimerHandle | null;
  alerted: boolean;
  /** The line is answered (for prompts, or by an agent): the caller hears the box. */
  lineAnswered: boolean;
  repeat: boolean;
  abandonedLast: boolean;
  /** The bulletin as this caller heard it; `heardMs` is fixed when it stops (played out, skipped, or the call ended). */
  bulletin: { startedAt: number; heardMs: number | null; skipped: boolean } | null;
  /** What the announcement that plays now ends the call as (`callback`: the caller pressed 1). */
  announcing: 'no-agent' | 'overflowed' | 'callback' | null;
  /** The callback request the call left: resolves to its id once on disk, or null when none was taken. */
  callback: Promise<string | null> | null;
  queue: { enteredAt: number; leftAt: number | null; position: number } | null;
  /** Keys pressed now go here (the bulletin's skip); null: keys do nothing. */
  onKey: ((digit: string) => void) | null;
}

/** How a call ended, as its CDR will say. */
export interface Ending {
  result: CallResult;
  hungUpBy: Cdr['hungUpBy'];
  cause: number | null;
  reason: string | null;
  reasonCode?: string;
  reasonArgs?: (string | number)[];
}

/**
 * What the flows a call is handed to (the city centre, the announcements, voice messages,
 * callback requests) may do to it. CallManager implements it; it alone keeps the calls, moves
 * their state and ends them, so each flow sees only these.
 */
export interface CallOps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The guarded state move (call-state.ts); throws on an illegal one. */
  move(call: Call, move: CallMove): void;
  /** The caller hears ringing from the exchange (once; not on a line already answered). */
  alert(call: Call): void;
  /** Answers the line (once): the caller hears the box from here on, and is charged. */
  answerLine(call: Call): void;
  clearTimer(call: Call): void;
  /** The caller is out of the queue: their time in it stops here (once). */
  leaveQueue(call: Call): void;
  /** Ends the call (once): its CDR goes to disk, then `call-ended`. */
  finish(call: Call, ending: Ending): void;
  /** Disk work under way in the background, that `written()` and `stop()` wait for. */
  track(work: Promise<void>): void;
}

/** The CDR of a call that ends now (`endedAt`) as `ending` says; the callback request is added once it resolves. */
export function cdrOf(call: Call, ending: Ending, endedAt: number): Cdr {
  const leg = call.leg;
  return {
    id: call.id,
    line: leg.line,
    calling: call.calling,
    called: leg.called,
    agent: call.agent?.user ?? null,
    arrivedAt: leg.arrivedAt,
    offeredAt: call.offeredAt,
    answeredAt: call.answeredAt,
    endedAt,
    result: ending.result,
    reason: ending.reason,
    ...(ending.reasonCode && { reasonCode: ending.reasonCode, reasonArgs: ending.reasonArgs ?? [] }),
    hungUpBy: ending.hungUpBy,
    cause: ending.cause,
    ...(call.repeat && { repeat: true }),
    ...(call.bulletin && { bulletin: { heardMs: call.bulletin.heardMs ?? 0, skipped: call.bulletin.skipped } }),
    ...(call.centre && { centre: { reason: call.centre.reason, outcome: call.centre.outcome ?? 'hangup' } }),
    ...(call.queue && { queue: { id: OFFICE_QUEUE, enteredAt: call.queue.enteredAt, leftAt: call.queue.leftAt ?? call.queue.enteredAt, position: call.queue.position } }),
  };
}
