import type { TimerHandle } from '@countyline/e1-gateway';
import type { AgentState, AgentStatus, Strategy } from './acd-types.js';
import type { Candidate } from './agent-picker.js';
import type { WaitingLine } from './waiting-line.js';

/** The ACD's own records of agents, queues and waiting callers (not exported from the package). */
export interface Agent extends Candidate {
  readonly id: string;
  readonly wrapUpMs: number;
  status: AgentStatus;
  state: AgentState;
  phoneUp: boolean;
  /** The call it is ringing for or talking on. */
  callId: string | null;
  /** The queue of that call, for the handling time. */
  queue: Queue | null;
  stateSince: number;
  idleSince: number;
  callsAnswered: number;
  /** The ring timeout while ringing, the end of wrap-up while in wrap-up. */
  timer: TimerHandle | null;
}

export interface Queue {
  readonly id: string;
  readonly strategy: Strategy;
  readonly ringTimeoutMs: number;
  readonly maxWaitMs: number | null;
  readonly repeatAbandonersAhead: boolean;
  readonly members: string[];
  readonly line: WaitingLine<Caller>;
  cursor: number;
  /** Handling time, an exponentially weighted mean of the calls ended (talk + wrap-up). */
  handleMs: number;
}

export interface Caller {
  readonly callId: string;
  readonly queue: Queue;
  readonly rank: number;
  readonly seq: number;
  readonly enteredAt: number;
  /** Agents ringing for this caller now. */
  readonly ringing: Set<string>;
  /** Agents that did not answer this caller, passed over until every idle member has been tried. */
  readonly tried: Set<string>;
  overflowTimer: TimerHandle | null;
  lastPosition: number;
  lastExpectedWaitMs: number;
}

/** What a compare-and-set expects the agent to be; unset fields are not compared. */
export interface Expect {
  status?: AgentStatus;
  state?: AgentState;
  callId?: string | null;
}
