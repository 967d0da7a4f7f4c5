/**
 * The state of one call in the call model, from its arrival on a line to its end, with the
 * one guarded move between states (as `loop-start.ts` has for an analog line):
 *
 *   arrived     the line leg is in (an IAM with a complete number, a ring with caller ID)
 *   greeting    the caller hears the welcome, then the bulletin if one is in force
 *   queued      the caller waits for an agent, hearing their place and expected wait
 *   offering    one agent's phone rings (several with ring-all); the caller hears ringing
 *   connected   an agent answered; audio flows between the line and the phone
 *   forwarding  nobody here can take the call and the city centre's trunk rings for it
 *               (config `queue.centre`); it answering connects the caller there
 *   announcing  nobody can take the call (or the caller left a callback request): the
 *               caller hears why, then the box releases
 *   test-line   no phones yet and the box is set to answer as a test line (1004 Hz tone)
 *   ended       the call is over; its CDR is being written
 *
 *   arrived ──greet──► greeting ──queue──► queued ──offer──► offering ──answer──► connected
 *      │                  │                  ▲                 │
 *      ├──queue───────────┼──────────────────┘ ◄──requeue──────┘ (the phone did not take it)
 *      ├──test-line──► test-line
 *      ├──forward──► forwarding ──answer──► connected     (also from queued, offering: overflow)
 *      │                  └──no-agent──► announcing          (the centre did not take it)
 *      └──no-agent──► announcing ◄──no-agent── greeting, queued, offering
 *                       announcing ◄──callback── queued, offering (the caller pressed 1)
 *   and from any state but ended, `end` ──► ended.
 */
export type CallState = 'arrived' | 'greeting' | 'queued' | 'offering' | 'forwarding' | 'connected' | 'announcing' | 'test-line' | 'ended';
export type CallMove = 'greet' | 'queue' | 'offer' | 'requeue' | 'answer' | 'forward' | 'no-agent' | 'callback' | 'test-line' | 'end';

const MOVES: Record<CallState, Partial<Record<CallMove, CallState>>> = {
  arrived: { greet: 'greeting', queue: 'queued', forward: 'forwarding', 'no-agent': 'announcing', 'test-line': 'test-line', end: 'ended' },
  greeting: { queue: 'queued', 'no-agent': 'announcing', end: 'ended' },
  queued: { offer: 'offering', forward: 'forwarding', 'no-agent': 'announcing', callback: 'announcing', end: 'ended' },
  offering: { offer: 'offering', requeue: 'queued', answer: 'connected', forward: 'forwarding', 'no-agent': 'announcing', callback: 'announcing', end: 'ended' },
  forwarding: { answer: 'connected', 'no-agent': 'announcing', end: 'ended' },
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
export const CALL_MOVES: readonly CallMove[] = ['greet', 'queue', 'offer', 'requeue', 'answer', 'forward', 'no-agent', 'callback', 'test-line', 'end'];
