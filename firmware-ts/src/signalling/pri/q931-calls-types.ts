import type { Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { Q931DecodeError, Q931Message } from './q931-codec.js';
import type { Q931MessageType } from './q931-messages.js';
import type { Q931CallReasonArg, Q931CallReasonCode } from './q931-calls-reasons.js';
import type { Q931CallState } from './q931-calls-states.js';
import type { Q931TimerSettings } from './q931-calls-timers.js';

// The options, channel policy, events and snapshot of Q.931 user-side call control
// (q931-calls.ts).

/**
 * How the box's B-channels are shared with the rest of the stack. Call control never owns a
 * channel: it asks for one when a call starts and hands it back when the call is over. A
 * channel handed to a call comes back exactly once: by `release` (the call reached the Null
 * state), or inside a `restarted` list (a restart, the network's or the box's, made it idle).
 * A channel whose call could not be cleared (T308 ran out twice) comes back only through the
 * restart that follows.
 */
export interface ChannelPolicy {
  /**
   * The network offers a call on `channel` (1-31; `null`: any channel), `exclusive` when only
   * that channel will do. Return the B-channel the box takes (the offered one when
   * exclusive), or a cause refusing the call: 34 no circuit/channel available, 44 requested
   * circuit/channel not available.
   */
  takeIncoming(channel: number | null, exclusive: boolean): number | { cause: number };
  /** A free B-channel for an outgoing call, none of `avoid`; null when there is none (the call fails with cause 34). */
  reserveOutgoing(avoid: readonly number[]): number | null;
  /**
   * The network's first answer to our SETUP named `given` (it may name another channel than
   * the `reserved` one when ours was only preferred, Q.931 5.1.2). True: the box's call is on
   * `given` from now on (a moved reservation: `reserved` is not released separately); false:
   * the call is cleared with cause 6 and `reserved` is released when the call is over.
   */
  confirmOutgoing(reserved: number, given: number): boolean;
  /** The call on `channel` is over (RELEASE COMPLETE sent or received): the channel is free. */
  release(channel: number): void;
  /** A restart made these channels idle (`null`: every channel of the interface). */
  restarted(channels: readonly number[] | null): void;
}

export interface Q931CallsOptions {
  clock: Clock;
  logger?: Logger;
  /** Sends one message to the network (the stack encodes it and gives it to `Q921Link.send`). */
  send: (message: Q931Message) => void;
  channels: ChannelPolicy;
  timers?: Partial<Q931TimerSettings>;
  /** The highest B-channel number (E1: 31; channel 16 is the D-channel and never a B-channel). */
  maxChannel?: number;
}

export type Q931Direction = 'in' | 'out';
export type Q931Bearer = 'speech' | '3.1khz';

export interface Q931PlaceRequest {
  /** The number called (IA5 digits, `*`, `#`). */
  called: string;
  /** Our number; empty: no calling party number IE. */
  calling: string;
  /** The B-channel to ask for; left out: one from `ChannelPolicy.reserveOutgoing`. */
  channel?: number;
  /** Only that channel will do (default true: a PRI user usually names its channel). */
  exclusive?: boolean;
  /** Default 'speech'. */
  bearer?: Q931Bearer;
  /** Refused for its channel (cause 44, or 34): try once more on another (default true; a test of one channel says false). */
  repeat?: boolean;
}

/** Who ended a call: the network's clearing message, the box (`release`), a restart, the D-channel link, or one of our timers. */
export type Q931ClearedBy = 'network' | 'box' | 'restart' | 'link' | 'timer';

export interface Q931IncomingCall {
  callId: number;
  channel: number;
  calling: string;
  called: string;
  /** From the calling party number IE; 'allowed' when it has no octet 3a (Q.931 4.5.10). Null: no calling number. */
  callingPresentation: 'allowed' | 'restricted' | 'not-available' | null;
  /** The SETUP carried sending complete: the called number is whole. */
  sendingComplete: boolean;
}

export interface Q931CallEnded {
  callId: number;
  direction: Q931Direction;
  /** The B-channel the call had (null: it never got one). */
  channel: number | null;
  /** Q.850 cause value. */
  cause: number;
  clearedBy: Q931ClearedBy;
  /** Whether the call was answered (CONNECT sent or received). */
  answered: boolean;
  /** In English, for logs. */
  reason: string;
  /** For the CLI to word in the reader's language (`Q931_CALL_REASON_TEXT`). */
  reasonCode: Q931CallReasonCode;
  reasonArgs: Q931CallReasonArg[];
}

/** A protocol problem worth a log line (the call layer already acted on it). */
export interface Q931CallError {
  code: 'restart-unanswered' | 'release-unanswered' | 'status-mismatch' | 'channel-mismatch' | 'policy';
  message: string;
  callId?: number;
  channels?: readonly number[] | null;
}

export interface Q931CallsEvents {
  incoming: (call: Q931IncomingCall) => void;
  /** Our call: the network's ALERTING (the called party is ringing). */
  alerting: (e: { callId: number }) => void;
  /** Our call: a PROGRESS (or a progress indicator in ALERTING / CALL PROCEEDING): `description` 8 means in-band tones or announcements. */
  progress: (e: { callId: number; description: number }) => void;
  /** Our call: the network's CONNECT (answered; CONNECT ACKNOWLEDGE sent). */
  answered: (e: { callId: number }) => void;
  /** Once per call, at the first clearing message in either direction (or a local clear); the channel goes back later, at the Null state. */
  'call-ended': (e: Q931CallEnded) => void;
  /** A restart completed: the network's RESTART (acknowledged) or our RESTART (acknowledged). `channels` null: the whole interface. */
  restart: (e: { channels: readonly number[] | null; by: 'network' | 'box' }) => void;
  error: (e: Q931CallError) => void;
}

/** One call as `calls()` lists it. */
export interface Q931CallInfo {
  callId: number;
  direction: Q931Direction;
  state: Q931CallState;
  /** Q.931 user state number (U0..U19). */
  stateNumber: number;
  callReference: number;
  channel: number | null;
  calling: string;
  called: string;
  startedAt: number;
  answeredAt: number | null;
  /** 1, or 2 for an outgoing call repeated on another channel after the network refused the first. */
  attempt: number;
  /** Q.931 timers running for the call (T303, T309...). */
  timers: string[];
  /** The call is over for its user (`call-ended` went); its clearing is still under way. */
  ended: boolean;
}

export interface Q931CallCounters {
  /** Messages received, by type ('unknown' for a type not implemented). */
  messagesIn: Partial<Record<Q931MessageType | 'unknown', number>>;
  messagesOut: Partial<Record<Q931MessageType, number>>;
  /** Received bytes that were no Q.931 message, by reason. */
  malformed: Partial<Record<Q931DecodeError['code'], number>>;
  /** Q.931 5.8 error procedures applied, by clause ('5.8.3.2', '5.8.4', '5.8.6.1', '5.8.11'...). */
  actions: Record<string, number>;
  incomingOffered: number;
  /** Incoming SETUPs refused (channel policy, bearer, channel identification). */
  incomingRefused: number;
  outgoingAttempted: number;
  outgoingAnswered: number;
  /** Outgoing calls repeated on another channel after the network refused the first (cause 34/44). */
  outgoingRepeated: number;
  restartsIn: number;
  restartsOut: number;
  restartsUnanswered: number;
  /** Calls whose RELEASE went unanswered twice (T308): their channel was restarted. */
  releasesUnanswered: number;
}

/** What `countyline status` shows of PRI call control. */
export interface Q931CallsSnapshot {
  link: 'up' | 'down';
  /** Calls by state (states with none left out). */
  calls: Partial<Record<Q931CallState, number>>;
  total: number;
  /** Box restarts sent and not yet acknowledged (queued ones included). */
  restartsPending: number;
  /** Channels out of use until a restart is acknowledged (T308 failures, box restarts). */
  channelsInMaintenance: number[];
  /** Active calls waiting for the link to come back (T309 running). */
  waitingForLink: number;
  counters: Q931CallCounters;
}
