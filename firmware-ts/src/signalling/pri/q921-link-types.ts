import type { Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { Q921DecodeReason } from './q921-codec.js';
import type { Q921ErrorCode } from './q921-metrics.js';

// The Q.921 data link's states, events, timers and options (`q921-link.ts` runs them).

export type Q921State = 'tei-assigned' | 'awaiting-establishment' | 'awaiting-release' | 'multiple-frame-established' | 'timer-recovery';

/** The state numbers of Q.921 Annex B. */
export const Q921_STATE_NUMBERS: Readonly<Record<Q921State, number>> = { 'tei-assigned': 4, 'awaiting-establishment': 5, 'awaiting-release': 6, 'multiple-frame-established': 7, 'timer-recovery': 8 };

export const MOVES: Readonly<Record<Q921State, readonly Q921State[]>> = {
  'tei-assigned': ['awaiting-establishment', 'multiple-frame-established'],
  'awaiting-establishment': ['tei-assigned', 'awaiting-release', 'multiple-frame-established'],
  'awaiting-release': ['tei-assigned'],
  'multiple-frame-established': ['tei-assigned', 'awaiting-establishment', 'awaiting-release', 'timer-recovery'],
  'timer-recovery': ['tei-assigned', 'awaiting-establishment', 'awaiting-release', 'multiple-frame-established'],
};

export const REJECTION_CODES: Partial<Record<Q921DecodeReason, Q921ErrorCode>> = { 'unknown-control': 'L', 'info-not-allowed': 'M', 'wrong-length': 'N', 'info-too-long': 'O' };

/** `message` is a log line (`MDL-ERROR J: N(R) sequence error: re-establishing`); `state` the state the link was in. */
export interface Q921MdlError {
  code: Q921ErrorCode;
  message: string;
  state: Q921State;
}

/**
 * Why the link went back to state 4: `stopped` (our DISC was answered, or went unanswered
 * N200 times), `network-disc` (the network sent DISC), `network-refused` (it answered our
 * SABME with DM F=1), `no-answer` (our SABME went unanswered N200 times, MDL-ERROR G),
 * `physical-down` (the D-channel's timeslot lost its frames: LOS, AIS, the card gone).
 */
export type Q921ReleaseReason = 'stopped' | 'network-disc' | 'network-refused' | 'no-answer' | 'physical-down';

export type Q921DiscardReason = 'released' | 'not-started' | 'link-reset';

export interface Q921LinkEvents {
  /** Multiple frame operation began: `by` who sent the SABME; `reestablished` when a link that was up was reset (Q.931 should check its calls). */
  established: (e: { by: 'user' | 'network'; reestablished: boolean }) => void;
  released: (reason: Q921ReleaseReason) => void;
  /** The information of an in-sequence I frame, or of a UI frame. */
  info: (payload: Uint8Array, kind: 'I' | 'UI') => void;
  /** Payloads given to `send()` that will not be sent (or, on a reset, may not have arrived). */
  discarded: (payloads: Uint8Array[], reason: Q921DiscardReason) => void;
  /** An MDL-ERROR indication, for the log. Emitted only when someone listens for it. */
  error: (e: Q921MdlError) => void;
}

/** Q.921 5.9 system parameters, plus the box's own re-establishment delay. */
export interface Q921Timers {
  /** T200: waiting for an acknowledgement or a response (default 1 s). */
  t200Ms: number;
  /** N200: the most retransmissions of a SABME, a DISC or a poll (default 3). */
  n200: number;
  /** T203: the longest the link stays idle before a poll (default 10 s). */
  t203Ms: number;
  /** Wait before establishing again a link that was released while started (default T200 x N200). */
  retryMs: number;
}

export interface Q921LinkOptions {
  clock: Clock;
  /** Puts one frame (no flags, no FCS) on the D-channel. */
  send: (frame: Uint8Array) => void;
  logger?: Logger;
  timers?: Partial<Q921Timers>;
  /** k: the most I frames outstanding (Q.921 5.9.5: 7 for SAPI 0 on a PRI). */
  k?: number;
  /** Whether the physical layer is up at the start (default true); `physicalLayer()` tells changes. */
  physicalUp?: boolean;
}

