/**
 * The state of one call in the call model, from its arrival on a line to its end, with the
 * one guarded move between states (as `loop-start.ts` has for an analog line):
 *
 *   arrived     the line leg is in (an IAM with a complete number, a ring with caller ID)
 *   offering    an agent's phone rings; the caller hears ringing
 *   connected   an agent answered; audio flows between the line and the phone
 *   announcing  nobody can take the call: the caller hears why, then the box releases
 *   test-line   no phones yet and the box is set to answer as a test line (1004 Hz tone)
 *   ended       the call is over; its CDR is being written
 *
 *   arrived ──offer──► offering ──answer──► connected ──end──► ended
 *      │                 │  ▲
 *      │                 ├──┘ next (the phone did not take it: another agent)
 *      │                 ├──end──► ended (the caller hung up)
 *      │                 └──no-agent──► announcing ──end──► ended
 *      ├──no-agent──► announcing
 *      ├──test-line──► test-line ──end──► ended
 *      └──end──► ended
 */
export type CallState = 'arrived' | 'offering' | 'connected' | 'announcing' | 'test-line' | 'ended';
export type CallMove = 'offer' | 'next' | 'answer' | 'no-agent' | 'test-line' | 'end';

const MOVES: Record<CallState, Partial<Record<CallMove, CallState>>> = {
  arrived: { offer: 'offering', 'no-agent': 'announcing', 'test-line': 'test-line', end: 'ended' },
  offering: { next: 'offering', answer: 'connected', 'no-agent': 'announcing', end: 'ended' },
  connected: { end: 'ended' },
  announcing: { end: 'ended' },
  'test-line': { end: 'ended' },
  ended: {},
};

export class IllegalCallMoveError extends Error {
  constructor(
    readonly callId: string,
    readonly from: CallState,
    readonly move: CallMove,
  ) {
    super(`call ${callId}: a call in state ${from} cannot take ${move}`);
    this.name = 'IllegalCallMoveError';
  }
}

/** The state after `move`; throws `IllegalCallMoveError` for a move the table does not have. */
export function nextCallState(callId: string, from: CallState, move: CallMove): CallState {
  const to = MOVES[from][move];
  if (to === undefined) throw new IllegalCallMoveError(callId, from, move);
  return to;
}

export const CALL_STATES: readonly CallState[] = Object.keys(MOVES) as CallState[];
export const CALL_MOVES: readonly CallMove[] = ['offer', 'next', 'answer', 'no-agent', 'test-line', 'end'];
