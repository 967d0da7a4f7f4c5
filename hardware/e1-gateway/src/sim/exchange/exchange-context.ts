import type { Logger } from 'pino';
import type { Timers } from '../sim-timers.js';
import type { CircuitGroup } from './circuits/index.js';
import type { ExchangeConfig } from './exchange-config.js';
import type { IsupMessage, UnrecognisedMessage } from './isup/index.js';

/** The messages counted in `maintenanceSent` / `maintenanceReceived`. */
export const MAINTENANCE_TYPES = ['BLO', 'UBL', 'BLA', 'UBA', 'CGB', 'CGU', 'CGBA', 'CGUA', 'RSC', 'GRS', 'GRA', 'CCR', 'CQM', 'CQR', 'UCIC'] as const;

/**
 * What the exchange counts. Every call the exchange places (`callsOriginated`) ends as
 * exactly one of `callsCompleted` (answered, then released by either side) or a
 * `callsFailed` reason, or is still up; a repeat attempt (Q.764 2.9.1.4) continues the same
 * call and is counted in `repeatAttempts` too. The box's calls are counted the same way
 * from `iamsReceived`, except IAMs ignored as the controlling exchange of a dual seizure.
 */
export interface ExchangeCounters {
  callsOriginated: number;
  callsAnswered: number;
  callsCompleted: number;
  /** no-circuit, rejected, no-answer, dual-seizure, blocked, reset, link-down. */
  callsFailed: Record<string, number>;
  /** Q.850 causes of the box's RELs on our calls before answer. */
  rejectCauses: Record<string, number>;
  iamsReceived: number;
  incomingAnswered: number;
  incomingCompleted: number;
  /** abandoned (the box released first), blocked, continuity, reset, link-down. */
  incomingFailed: Record<string, number>;
  /** Box IAMs the glare fault answered with an IAM of ours on the same CIC. */
  forcedGlares: number;
  repeatAttempts: number;
  /** REL sent again on T1 expiry. */
  releaseRepeats: number;
  maintenanceSent: Record<string, number>;
  maintenanceReceived: Record<string, number>;
  /** BLO, UBL, CGB, CGU, GRS, RSC sent again on T12/T14/T18/T20/T22/T16 expiry. */
  maintenanceRepeats: number;
  continuityChecks: number;
  msusReceived: number;
  msusSent: number;
  /** MSUs the card would not take (link not in service). */
  notSent: number;
  /** MSUs that could not be decoded under our variant: a label, ISUP or link test message Q.704/Q.707/Q.763 do not allow. */
  malformedMsus: number;
  /** MSUs of another service indicator than ISUP and link test (network management, say): ignored. */
  otherServices: number;
  /** ISUP message types the exchange does not know, answered with CFN (cause 97). */
  unrecognised: number;
  /** CFNs from the box. */
  confusionReceived: number;
  /** ISUP MSUs dropped because the link had not passed its link test (`linkTest.required`). */
  isupHeld: number;
  /** Decoded, but not for us: DPC, OPC or network indicator not ours. */
  wrongRoute: number;
  unknownCic: number;
  /** Group messages with a range outside 1..31 (Q.763 3.43). */
  badRange: number;
  /** Well formed, for a known CIC, but not fitting its state (an ACM with no call, say). */
  unexpected: number;
}

export function newCounters(): ExchangeCounters {
  return {
    callsOriginated: 0,
    callsAnswered: 0,
    callsCompleted: 0,
    callsFailed: {},
    rejectCauses: {},
    iamsReceived: 0,
    incomingAnswered: 0,
    incomingCompleted: 0,
    incomingFailed: {},
    forcedGlares: 0,
    repeatAttempts: 0,
    releaseRepeats: 0,
    maintenanceSent: {},
    maintenanceReceived: {},
    maintenanceRepeats: 0,
    continuityChecks: 0,
    msusReceived: 0,
    msusSent: 0,
    notSent: 0,
    malformedMsus: 0,
    otherServices: 0,
    unrecognised: 0,
    confusionReceived: 0,
    isupHeld: 0,
    wrongRoute: 0,
    unknownCic: 0,
    badRange: 0,
    unexpected: 0,
  };
}

export function bump(record: Record<string, number>, key: string | number): void {
  record[key] = (record[key] ?? 0) + 1;
}

/** Traffic settings the control API may change while the exchange runs. */
export interface ExchangeTraffic {
  callsPerMinute: number;
  holdSeconds: number;
  /** Probability that a box IAM meets a forced glare. */
  glareRatio: number;
}

/** What the exchange's parts (calls, continuity, maintenance) share. */
export interface ExchangeContext {
  readonly config: ExchangeConfig;
  readonly traffic: ExchangeTraffic;
  readonly group: CircuitGroup;
  readonly counters: ExchangeCounters;
  /** Cancelled all at once when the link goes down or the card lets go of the exchange. */
  readonly timers: Timers;
  readonly random: () => number;
  readonly log: Logger;
  now(): number;
  /** Sends one ISUP message to the box on our link; false if the card would not take it. */
  send(message: IsupMessage | UnrecognisedMessage): boolean;
  /** Loops a circuit back at the far end (continuity check), or removes the loop. */
  setLoop(cic: number, on: boolean): void;
}

/** Exponentially distributed whole milliseconds with mean `meanMs`: inter-arrival and hold times. */
export function exponentialMs(random: () => number, meanMs: number): number {
  return Math.round(-Math.log(1 - random()) * meanMs);
}
