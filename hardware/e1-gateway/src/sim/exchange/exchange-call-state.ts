import type { Timer } from '../sim-timers.js';

/**
 * Call states of the far end, one call per circuit at most:
 *
 *   out-setup ──ACM──► out-alerting ──ANM──► out-answered ──┐
 *       └──────────ANM/CON────────────────────►┘             │  our REL
 *   in-continuity ──COT ok──► in-setup ──50 ms: ACM──► in-alerting ──ANM──► in-answered
 *                                └──────────── CON ───────────────────────►┘
 *   any state but releasing ──we send REL──► releasing ──RLC (or their REL)──► gone
 *
 * A REL from the box ends a call in any state (we answer RLC). `out-setup` is the
 * dual-seizure window: our IAM is out and no backward message has come.
 */
export type CallState = 'out-setup' | 'out-alerting' | 'out-answered' | 'in-continuity' | 'in-setup' | 'in-alerting' | 'in-answered' | 'releasing';

const MOVES: Readonly<Record<CallState, readonly CallState[]>> = {
  'out-setup': ['out-alerting', 'out-answered', 'releasing'],
  'out-alerting': ['out-answered', 'releasing'],
  'out-answered': ['releasing'],
  'in-continuity': ['in-setup', 'releasing'],
  'in-setup': ['in-alerting', 'in-answered', 'releasing'],
  'in-alerting': ['in-answered', 'releasing'],
  'in-answered': ['releasing'],
  releasing: [],
};

/** ACM goes this long after the box's IAM. */
export const ACM_DELAY_MS = 50;
/** Q.764 timers, ITU values: T7 waits for ACM/CON, T9 for ANM, T8 for COT, T1/T5 for RLC. */
export const T7_MS = 30_000;
export const T9_MS = 90_000;
export const T8_MS = 15_000;
export const T1_MS = 15_000;
export const T5_MS = 300_000;
/** T6: a suspended call waits this long for RES (Q.764 Annex A leaves its value to Q.118). */
export const T6_MS = 120_000;

/** How a call ended: `completed` (answered), `repeated` (its repeat carries on), or why it failed. */
export type Outcome = string;

export interface Call {
  readonly id: number;
  readonly cic: number;
  readonly direction: 'out' | 'in';
  state: CallState;
  readonly attempt: 1 | 2;
  /** Grows with SAM digits while an incoming call is set up. */
  called: string;
  readonly calling: string;
  answered: boolean;
  /** Decided when our REL goes, counted when the call is gone. */
  outcome: Outcome | undefined;
  cause: number;
  looped: boolean;
  timer: Timer | undefined;
  t5: Timer | undefined;
  /** Running while the call is suspended (SUS without RES yet). */
  t6: Timer | undefined;
}

export interface CallView {
  id: number;
  direction: 'out' | 'in';
  state: CallState;
  attempt: number;
  called: string;
  calling: string;
}

export class IllegalCallMove extends Error {
  override readonly name = 'IllegalCallMove';
}

/** The one guarded move of a call's state; the state's timer goes with the old state. */
export function moveCall(call: Call, to: CallState): void {
  if (!MOVES[call.state].includes(to)) throw new IllegalCallMove(`CIC ${call.cic}: call ${call.id} cannot go from ${call.state} to ${to}`);
  call.timer?.cancel();
  call.timer = undefined;
  call.state = to;
}
