import { Gauge, type Registry } from 'prom-client';
import type { Q921DecodeReason } from './q921-codec.js';
import type { Q921Link, Q921State } from './q921-link.js';
import { snapshotCounters } from './snapshot-counters.js';

/** Management error codes, Q.921 Appendix II Table II.1 (the TEI management ones left out: a PRI has none). */
export type Q921ErrorCode = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'N' | 'O';

export const Q921_ERRORS: Readonly<Record<Q921ErrorCode, string>> = {
  A: 'unsolicited supervisory response (F=1)',
  B: 'unsolicited DM response (F=1)',
  C: 'unsolicited UA response (F=1)',
  D: 'unsolicited UA response (F=0)',
  E: 'DM response (F=0) in multiple frame operation: re-establishing',
  F: 'SABME in multiple frame operation: the network re-established the link',
  G: 'SABME unanswered N200 times',
  H: 'DISC unanswered N200 times',
  I: 'status enquiry (RR P=1) unanswered N200 times: re-establishing',
  J: 'N(R) sequence error: re-establishing',
  K: 'FRMR received: re-establishing',
  L: 'frame not implemented (undefined control field)',
  M: 'information field not permitted',
  N: 'frame of the wrong size',
  O: 'information field longer than N201',
};

/** What the link counts from its start. */
export interface Q921Counters {
  framesIn: number;
  framesOut: number;
  iFramesIn: number;
  iFramesOut: number;
  /** I frames sent again (after a REJ, or a poll answered with an older N(R)). */
  retransmissions: number;
  rejSent: number;
  rejReceived: number;
  /** Frames not decoded, by reason. */
  malformed: Partial<Record<Q921DecodeReason, number>>;
  /** Frames for another SAPI or TEI, ignored. */
  otherAddress: number;
  /** Times multiple frame operation began (re-establishments included). */
  establishments: number;
  /** Times the link went down, was reset or could not be established, other than by `stop()`. */
  failures: number;
  /** MDL-ERROR indications by code. */
  errors: Partial<Record<Q921ErrorCode, number>>;
  /** Payloads given to `send()` and discarded. */
  discarded: number;
}

export function newQ921Counters(): Q921Counters {
  return { framesIn: 0, framesOut: 0, iFramesIn: 0, iFramesOut: 0, retransmissions: 0, rejSent: 0, rejReceived: 0, malformed: {}, otherAddress: 0, establishments: 0, failures: 0, errors: {}, discarded: 0 };
}

/** What `countyline status` shows of the link. */
export interface Q921Snapshot {
  state: Q921State;
  /** The Q.921 Annex B state number, 4 to 8. */
  stateNumber: number;
  vs: number;
  vr: number;
  va: number;
  peerBusy: boolean;
  rejectException: boolean;
  /** I frames waiting to be sent, plus those sent and not yet acknowledged. */
  queued: number;
  counters: Q921Counters;
}

const STATES: readonly Q921State[] = ['tei-assigned', 'awaiting-establishment', 'awaiting-release', 'multiple-frame-established', 'timer-recovery'];

/**
 * Q.921 counters for `countyline metrics`, read from the link's snapshot at each scrape
 * (`span` names the D-channel's span):
 *
 *     countyline_q921_frames_total{span, direction}          all frames, in and out
 *     countyline_q921_i_frames_total{span, direction}        I frames (Q.931 messages), in and out
 *     countyline_q921_retransmissions_total{span}            I frames sent again
 *     countyline_q921_rej_total{span, direction}             REJ frames
 *     countyline_q921_malformed_total{span, reason}          frames not decoded (too-short, bad-ea, unknown-control, ...)
 *     countyline_q921_errors_total{span, code}               MDL-ERROR indications by code (A..O)
 *     countyline_q921_establishments_total{span}             times the link came (back) up
 *     countyline_q921_failures_total{span}                   times it went down or reset, other than by stop
 *     countyline_q921_state{span, state}                     1 for the link's state
 */
export function registerQ921Metrics(registry: Registry, link: Pick<Q921Link, 'snapshot'>, span: number): void {
  const s = String(span);
  const counter = snapshotCounters(registry, span, () => link.snapshot().counters);
  counter('countyline_q921_frames_total', 'Q.921 frames on the D-channel by direction', ['direction'], (c, set) => {
    set({ direction: 'in' }, c.framesIn);
    set({ direction: 'out' }, c.framesOut);
  });
  counter('countyline_q921_i_frames_total', 'Q.921 I frames by direction', ['direction'], (c, set) => {
    set({ direction: 'in' }, c.iFramesIn);
    set({ direction: 'out' }, c.iFramesOut);
  });
  counter('countyline_q921_retransmissions_total', 'Q.921 I frames sent again', [], (c, set) => set({}, c.retransmissions));
  counter('countyline_q921_rej_total', 'Q.921 REJ frames by direction', ['direction'], (c, set) => {
    set({ direction: 'in' }, c.rejReceived);
    set({ direction: 'out' }, c.rejSent);
  });
  counter('countyline_q921_malformed_total', 'Q.921 frames not decoded, by reason', ['reason'], (c, set) => {
    for (const [reason, n] of Object.entries(c.malformed)) set({ reason }, n);
  });
  counter('countyline_q921_errors_total', 'Q.921 MDL-ERROR indications by code (Q.921 Table II.1)', ['code'], (c, set) => {
    for (const [code, n] of Object.entries(c.errors)) set({ code }, n);
  });
  counter('countyline_q921_establishments_total', 'Times the Q.921 link entered multiple frame operation', [], (c, set) => set({}, c.establishments));
  counter('countyline_q921_failures_total', 'Times the Q.921 link went down or was reset other than by stop', [], (c, set) => set({}, c.failures));
  new Gauge({
    name: 'countyline_q921_state',
    help: 'The Q.921 link state: 1 for the current one',
    labelNames: ['span', 'state'],
    registers: [registry],
    collect() {
      const current = link.snapshot().state;
      for (const state of STATES) this.set({ span: s, state }, current === state ? 1 : 0);
    },
  });
}
