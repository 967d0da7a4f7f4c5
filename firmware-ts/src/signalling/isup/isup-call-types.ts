import type { Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { CircuitGroup } from '../../circuits/circuit-group.js';
import type { CircuitMap } from '../../circuits/circuit-map.js';
import type { CallPhase } from './isup-call-phase.js';
import type { CallFailure } from './isup-call-reasons.js';
import type { CallEvent } from './isup-progress-params.js';
import type { IsupTimers, IsupTimerSettings } from './isup-timers.js';
import type { IsupTransport } from './isup-transport.js';

// The records, outcomes, events and dependencies of ISUP call control (isup-calls.ts).

export type CallDirection = 'in' | 'out';
export type { CallPhase };

export interface IsupCall {
  id: number;
  cic: number;
  direction: CallDirection;
  phase: CallPhase;
  called: string;
  calling: string;
  startedAt: number;
  answeredAt: number | null;
  /** 1 for the first try; 2 for the repeat after a dual seizure, a BLO or an RSC. */
  attempt: number;
  /** The events of the CPGs that came for this call, in order (Q.763 3.21). */
  progress: CallEvent[];
}

export interface CallOutcome {
  call: IsupCall;
  /**
   * `completed`: the call was set up and ended normally (answered, or an incoming call the
   * box released); `abandoned`: an incoming call the exchange released before answer (the
   * caller hung up while it rang); `failed`: see `reason`.
   */
  result: 'completed' | 'failed' | 'abandoned';
  /** For a failure, what went wrong, in words a technician can act on. */
  reason: string | null;
  /** The failure as a code and arguments, for the CLI to word in the reader's language. */
  reasonCode?: CallFailure['reasonCode'];
  reasonArgs?: CallFailure['reasonArgs'];
  cause: number | null;
  endedAt: number;
  /** Earlier attempts given up (dual seizure, blocking, reset) before this one. */
  repeats: number;
  /** Who ended the call: the exchange's REL, the box (its REL, a timer, a stop), or a circuit reset. */
  clearedBy?: ClearedBy;
}

export type ClearedBy = { by: 'exchange' } | { by: 'box' } | { by: 'reset'; failure: CallFailure };

export interface IncomingCall {
  callId: number;
  cic: number;
  span: number;
  timeslot: number;
  calling: string;
  called: string;
}

export interface IsupCallEvents {
  'incoming-call': (call: IncomingCall) => void;
  'call-ended': (outcome: CallOutcome) => void;
  glare: (cic: number, outcome: 'won' | 'lost') => void;
  /** T5 ran out: the far end never confirmed a release; the circuit is being reset. */
  'maintenance-alert': (cic: number, what: string) => void;
}

export interface IsupCallsDeps {
  group: CircuitGroup;
  map: CircuitMap;
  transport: IsupTransport;
  timers: IsupTimers;
  settings: IsupTimerSettings;
  clock: Clock;
  logger: Logger;
  /**
   * Resets a circuit whose state is in doubt (sends RSC); from the maintenance side. `afterT5`:
   * the reset that T5 starts, which keeps the circuit from calls until it is answered.
   */
  resetCircuit: (cic: number, afterT5?: boolean) => void;
  /** Tells the exchange again that we block this circuit (BLO). */
  reassertBlock: (cic: number) => void;
  /** Whether outgoing calls may start (the start-up circuit group reset is acknowledged). */
  ready: () => boolean;
  /** Whether our reset of this circuit (GRS or RSC) is still unanswered. */
  resetting: (cic: number) => boolean;
  /** Loops the circuit's timeslot back toward the exchange (on) or ends the loop, for a continuity check. */
  loop: (cic: number, on: boolean) => void;
}

export interface CallCounters {
  inOffered: number;
  inAnswered: number;
  /** Incoming calls the exchange released before answer. */
  inAbandoned: number;
  outAttempted: number;
  outAnswered: number;
  outFailed: number;
  repeats: number;
  unexpected: number;
  /** IAMs discarded because our reset of their circuit was not yet answered. */
  discardedInReset: number;
  /** Incoming calls whose continuity check the exchange reported failed (COT), or never reported (T8). */
  continuityFailed: number;
}
