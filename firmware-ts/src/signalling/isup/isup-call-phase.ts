/**
 * The phase of one ISUP call record at the box (Q.764 2.1-2.3), with the one guarded move
 * between phases, as `circuit-state.ts` has for the circuit:
 *
 *   iam-sent    our IAM is out, no backward message yet (the dual-seizure window, Q.764 2.9.1)
 *   alerting    ACM came back for our IAM
 *   incoming    the exchange's IAM came, our ACM went
 *   continuity  our CCR is out and the 2000 Hz tone is on the circuit (Q.764 2.1.8)
 *   answered    ANM or CON, either way
 *   releasing   our REL is out, RLC awaited (T1, T5)
 *
 * Moves (anything else throws `IllegalPhaseError`):
 *
 *   iam-sent ──acm──► alerting ──answer──► answered
 *      └──answer (CON, or ANM first)──────────┘
 *   incoming ──answer──► answered
 *   any phase but releasing ──release──► releasing
 *
 * A record leaves the table when its call ends (RLC, a REL from the exchange answered with
 * RLC, a reset, an attempt given up): that needs no move, from any phase.
 */
export type CallPhase = 'iam-sent' | 'alerting' | 'incoming' | 'continuity' | 'answered' | 'releasing';
export type PhaseEvent = 'acm' | 'answer' | 'release';

export const CALL_PHASES: readonly CallPhase[] = ['iam-sent', 'alerting', 'incoming', 'continuity', 'answered', 'releasing'];

const PHASE_MOVES: Record<CallPhase, Partial<Record<PhaseEvent, CallPhase>>> = {
  'iam-sent': { acm: 'alerting', answer: 'answered', release: 'releasing' },
  alerting: { answer: 'answered', release: 'releasing' },
  incoming: { answer: 'answered', release: 'releasing' },
  continuity: { release: 'releasing' },
  answered: { release: 'releasing' },
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
