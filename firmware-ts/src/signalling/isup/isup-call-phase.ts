/**
 * The phase of one ISUP call record at the box (Q.764 2.1-2.3), with the one guarded move
 * between phases, as `circuit-state.ts` has for the circuit:
 *
 *   iam-sent         our IAM is out, no backward message yet (the dual-seizure window, Q.764 2.9.1)
 *   alerting         ACM (or CPG alerting) came back for our IAM
 *   continuity-wait  the exchange's IAM asked for a continuity check: COT awaited (T8, Q.764
 *                    2.1.8), the circuit looped back when the check runs on it
 *   collecting       the exchange's IAM had no complete number: SAMs awaited (Q.764 2.1.3)
 *   incoming         the exchange's IAM came (complete, checked), our ACM went
 *   continuity       our CCR is out and the 2000 Hz tone is on the circuit (Q.764 2.1.8)
 *   answered         ANM or CON, either way
 *   suspended        SUS on an answered call, RES awaited (T6, Q.764 2.5)
 *   releasing        our REL is out, RLC awaited (T1, T5)
 *
 * Moves (anything else throws `IllegalPhaseError`):
 *
 *   iam-sent ──acm, progress──► alerting ──answer──► answered ──suspend──► suspended
 *      └──answer (CON, or ANM first)────────────────────┘    ◄──resume─────┘
 *   alerting ──progress──► alerting
 *   continuity-wait ──digits──► collecting ──complete──► incoming ──answer──► answered
 *      └──complete───────────────────────────────────────┘
 *   any phase but releasing ──release──► releasing
 *
 * A record leaves the table when its call ends (RLC, a REL from the exchange answered with
 * RLC, a reset, an attempt given up): that needs no move, from any phase.
 */
export type CallPhase = 'iam-sent' | 'alerting' | 'continuity-wait' | 'collecting' | 'incoming' | 'continuity' | 'answered' | 'suspended' | 'releasing';
export type PhaseEvent = 'acm' | 'progress' | 'digits' | 'complete' | 'answer' | 'suspend' | 'resume' | 'release';

export const CALL_PHASES: readonly CallPhase[] = ['iam-sent', 'alerting', 'continuity-wait', 'collecting', 'incoming', 'continuity', 'answered', 'suspended', 'releasing'];
export const PHASE_EVENTS: readonly PhaseEvent[] = ['acm', 'progress', 'digits', 'complete', 'answer', 'suspend', 'resume', 'release'];

const PHASE_MOVES: Record<CallPhase, Partial<Record<PhaseEvent, CallPhase>>> = {
  'iam-sent': { acm: 'alerting', progress: 'alerting', answer: 'answered', release: 'releasing' },
  alerting: { progress: 'alerting', answer: 'answered', release: 'releasing' },
  'continuity-wait': { digits: 'collecting', complete: 'incoming', release: 'releasing' },
  collecting: { complete: 'incoming', release: 'releasing' },
  incoming: { answer: 'answered', release: 'releasing' },
  continuity: { release: 'releasing' },
  answered: { suspend: 'suspended', release: 'releasing' },
  suspended: { resume: 'answered', release: 'releasing' },
  releasing: {},
};

export class IllegalPhaseError extends Error {
  constructor(
    readonly cic: number,
    readonly from: CallPhase,
    readonly event: PhaseEvent,
  ) {
    super(`CIC ${cic}: a call in phase ${from} cannot take ${event}`);
    this.name = 'IllegalPhaseError';
  }
}

/** The phase after `event`; throws `IllegalPhaseError` for a move the table does not have. */
export function nextPhase(cic: number, from: CallPhase, event: PhaseEvent): CallPhase {
  const to = PHASE_MOVES[from][event];
  if (to === undefined) throw new IllegalPhaseError(cic, from, event);
  return to;
}
