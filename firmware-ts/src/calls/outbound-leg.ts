import type { LineLeg, LineLegEvents } from './line-leg.js';

/**
 * How an outgoing call stands before (or, for `far-end-answered`, after) the box takes it as
 * answered:
 * - `dialled`: an FXO line has dialled every digit (the number is now ringing, or busy);
 * - `alerting`: the exchange said the number rings (ISUP ACM, or a CPG alerting; PRI ALERTING,
 *   or a PROGRESS: the far end's tones come in-band);
 * - `far-end-answered`: an FXO line gave its answer signal (a polarity reversal) after the
 *   box had already taken the call as answered by its rule (`dialled`).
 */
export type OutboundProgress = 'dialled' | 'alerting' | 'far-end-answered';

/**
 * What made the box take the call as answered: the exchange's ANM or CON (ISUP), the
 * network's CONNECT (PRI), an FXO line's polarity reversal, or, on an FXO line that gives no
 * answer signal, the end of dialling (the far end's answer cannot be seen there; see
 * `AnalogOutboundSettings.answer`).
 */
export type AnswerSignal = 'anm' | 'connect' | 'polarity-reversal' | 'dialling-complete';

export interface OutboundLegEvents extends LineLegEvents {
  progress: (what: OutboundProgress) => void;
  answered: (signal: AnswerSignal) => void;
}

/**
 * One call the box places on a line (a callback), as the call model drives it: it is a
 * `LineLeg` (its `line`, its audio through `connectMedia`, `release`, `ended`, the far end's
 * keys as `digit`), plus `progress` and `answered`. `called` is the number dialled;
 * `arrivedAt` is when the line was seized. The box never alerts or answers its own call:
 * `alert()` and `answer()` do nothing.
 *
 * `ended` comes once, when the call ends without the box asking: `by: 'caller'` means the
 * party on the line hung up or refused (ISUP REL, with its cause: 17 busy, 19 no answer...);
 * `by: 'line'` means the line failed (a reset circuit, an unplugged line, a timer). Either
 * before the answer carries `answerFailed`. After `release(cause)` nothing follows.
 */
export interface OutboundLeg extends LineLeg {
  readonly direction: 'out';
  /** Whether the call was taken as answered, and by what. */
  readonly answeredBy: AnswerSignal | null;
  on<K extends keyof OutboundLegEvents & string>(event: K, listener: OutboundLegEvents[K]): this;
  once<K extends keyof OutboundLegEvents & string>(event: K, listener: OutboundLegEvents[K]): this;
  off<K extends keyof OutboundLegEvents & string>(event: K, listener: OutboundLegEvents[K]): this;
}
