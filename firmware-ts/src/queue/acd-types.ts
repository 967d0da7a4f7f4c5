/** Whether an agent takes calls: set by the agent (feature code, CLI) or by the ACD on a dead phone. */
export type AgentStatus = 'logged-out' | 'available' | 'on-break';
/** What an agent's phone is doing, as far as the queue knows. */
export type AgentState = 'idle' | 'ringing' | 'in-call' | 'wrap-up';

/**
 * Which idle agent a caller is offered to.
 * - `longest-idle`: the agent idle longest (fairest for the agents; the default);
 * - `round-robin`: the members in turn, after the one offered last;
 * - `fewest-calls`: the agent who answered fewest calls since logging in (ties: longest idle);
 * - `ring-all`: every idle member at once; the first to answer takes the call.
 */
export type Strategy = 'longest-idle' | 'round-robin' | 'fewest-calls' | 'ring-all';

export interface QueueOptions {
  id: string;
  /** Agent ids, in the order round-robin goes round them. */
  members: string[];
  strategy?: Strategy;
  /** How long one offer rings before it goes to the next agent (default 20 s). */
  ringTimeoutMs?: number;
  /** After this long in the queue a caller leaves it with outcome `overflowed` (default: no limit). */
  maxWaitMs?: number | null;
  /** Callers flagged as repeat callers who abandoned recently go ahead of the others (default true). */
  repeatAbandonersAhead?: boolean;
  /** Handling time assumed for the expected wait until calls have been measured (default 180 s). */
  assumedHandleMs?: number;
}

export interface AgentOptions {
  id: string;
  /** Time after each call before the agent is offered another (default 0). Per agent, not per queue. */
  wrapUpMs?: number;
  /** Status at start (default `logged-out`). */
  status?: AgentStatus;
}

export interface AcdOptions {
  /** How often `sweep()` runs by itself once `start()` was called (default 30 s). */
  sweepIntervalMs?: number;
  /** A call up longer than this is taken as lost and its agent freed (default 4 h). */
  maxCallMs?: number;
  /** How far past its timer a ringing or wrap-up agent must be before the sweep frees it (default 5 s). */
  sweepGraceMs?: number;
}

export interface EnterOptions {
  /** A whole number; higher goes first, equal priorities keep arrival order (default 0). */
  priority?: number;
  /** A caller who abandoned recently (the caller's side decides what recently is). */
  repeatAbandoner?: boolean;
}

/** Why the ring on an agent's phone must stop. */
export type WithdrawReason = 'no-answer' | 'answered-elsewhere' | 'caller-left' | 'overflowed' | 'phone-gone' | 'agent-unavailable' | 'swept';

export interface AcdEvents {
  /** Ring `agentId`'s phone with `callId`; answer with `agentAnswered`, or report `agentNoAnswer`. */
  offer: (e: { callId: string; queueId: string; agentId: string; waitedMs: number }) => void;
  /** Stop ringing `agentId` for `callId`. */
  'offer-withdrawn': (e: { callId: string; agentId: string; reason: WithdrawReason }) => void;
  /** `agentId` took the call; the caller is out of the queue. */
  answered: (e: { callId: string; queueId: string; agentId: string; waitedMs: number }) => void;
  /** A caller joined the queue (and waits, unless an agent is offered the call at once). */
  entered: (e: { callId: string; queueId: string }) => void;
  /** The caller hung up before an agent answered. */
  abandoned: (e: { callId: string; queueId: string; waitedMs: number }) => void;
  /** The caller waited `maxWaitMs`: the outside sends the call elsewhere (callback, trunk). */
  overflowed: (e: { callId: string; queueId: string; waitedMs: number }) => void;
  /** An agent's status or state changed. */
  agent: (e: { agentId: string; status: AgentStatus; state: AgentState; phoneUp: boolean }) => void;
  /** The sweep freed an agent that was stuck. */
  'agent-freed': (e: { agentId: string; was: AgentState; reason: string; stuckMs: number }) => void;
}

/** How the queue stands for one caller; neither figure ever goes up for that caller. */
export interface CallerPosition {
  /** 1: next to be offered. */
  position: number;
  expectedWaitMs: number;
}

export interface AgentView {
  id: string;
  status: AgentStatus;
  state: AgentState;
  phoneUp: boolean;
  callId: string | null;
  callsAnswered: number;
  stateSince: number;
}

export interface QueueView {
  id: string;
  strategy: Strategy;
  waiting: number;
  longestWaitMs: number;
  members: string[];
}

/** Running totals, for the KPIs and the bench. */
export interface AcdCounters {
  entered: number;
  answered: number;
  abandoned: number;
  overflowed: number;
  offers: number;
  noAnswers: number;
  /** Compare-and-set transitions refused because the agent had moved on. */
  casRefused: number;
  /** Agents the sweep freed. */
  swept: number;
}
