import { TypedEmitter, type Clock, type TimerHandle } from '@countyline/e1-gateway';
import type { CardDriver } from '../../card/card-driver.js';
import type { CallLine } from '../../calls/cdr.js';
import type { LineEnd } from '../../calls/line-leg.js';
import type { AnswerSignal, OutboundLeg, OutboundLegEvents } from '../../calls/outbound-leg.js';
import type { AnalogLines, LineEvent } from './analog-lines.js';

/**
 * When the box takes a call it placed on an FXO line as answered. A loop-start line tells the
 * caller nothing of the far end unless the exchange reverses the polarity on answer (反极, a
 * service many Chinese lines do not have), so:
 * - `dialled` (the default): answered once the last digit has been dialled. The far end's
 *   ringback, busy tone or voice reaches the person on the box's side from then on, and a
 *   reversal that comes later is reported as progress `far-end-answered`.
 * - `polarity`: answered at the reversal only; with none within `noAnswerMs` after dialling,
 *   the box hangs up (cause 19, no answer). For lines known to give the reversal.
 */
export interface AnalogOutboundSettings {
  answer: 'dialled' | 'polarity';
  /** How long the card takes per DTMF digit: 50 ms of tone and 50 ms of pause (Q.23, Q.24). */
  digitMs: number;
  /** Rule `polarity`: no reversal this long after dialling is no answer. */
  noAnswerMs: number;
}

export const DEFAULT_ANALOG_OUTBOUND: Readonly<AnalogOutboundSettings> = Object.freeze({ answer: 'dialled', digitMs: 100, noAnswerMs: 60_000 });

/** Why a seizure failed, as `LoopStartLine` says it. */
export type SeizeFailure = Extract<LineEvent, { type: 'seize-failed' }>['reason'] | 'glare';

/** The seizure of an FXO port for a call out failed: the line is back on-hook (or taken by an incoming call). */
export class SeizeFailedError extends Error {
  override readonly name = 'SeizeFailedError';
  constructor(
    readonly port: number,
    readonly reason: SeizeFailure,
  ) {
    super(`FXO port ${port}: seizure failed (${reason})`);
  }
}

const LINE_FAILURES: Partial<Record<LineEvent['type'], string>> = {
  'off-hook-too-long': 'the line was off-hook longer than the guard time and was put back on-hook',
  'line-lost': 'the line was lost under the call (unplugged, or the card restarted)',
};

type LegState = 'seizing' | 'dialling' | 'ringing' | 'answered' | 'over';

/**
 * A call the box places on one FXO port: off-hook, dial tone, the number in DTMF (all done by
 * `LoopStartLine` through `AnalogLines.seize`), then answered by the rule of `settings.answer`.
 * Its audio flows from the seizure on (`earlyMedia`): the person on the box's side hears the
 * line's tones. `start()` resolves once the line is seized and dialling, and rejects with
 * `SeizeFailedError` if it cannot be.
 */
export class AnalogOutboundLeg extends TypedEmitter<OutboundLegEvents> implements OutboundLeg {
  readonly direction = 'out';
  readonly earlyMedia = true;
  readonly line: CallLine;
  readonly calling = '';
  arrivedAt: number;
  private state: LegState = 'seizing';
  private answered: AnswerSignal | null = null;
  private timer: TimerHandle | null = null;
  private started: { resolve: () => void; reject: (err: Error) => void } | null = null;
  private readonly onLine = (port: number, event: LineEvent) => {
    if (port === this.port) this.lineEvent(event);
  };
  private readonly onDigit = (event: { port: number; digit: string }) => {
    if (event.port === this.port && this.state !== 'over' && this.state !== 'seizing') this.emit('digit', event.digit);
  };

  constructor(
    private readonly lines: AnalogLines,
    private readonly card: CardDriver,
    private readonly clock: Clock,
    private readonly port: number,
    readonly called: string,
    private readonly settings: AnalogOutboundSettings = DEFAULT_ANALOG_OUTBOUND,
  ) {
    super();
    this.line = { kind: 'fxo', port };
    this.arrivedAt = clock.now();
  }

  get answeredBy(): AnswerSignal | null {
    return this.answered;
  }

  /** Seizes the line and dials; resolves once dialling has begun. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.started = { resolve, reject };
      this.lines.on('line', this.onLine);
      this.card.on('fxo-dtmf', this.onDigit);
      this.arrivedAt = this.clock.now();
      this.lines.seize(this.port, this.called);
    });
  }

  alert(): void {}

  answer(): void {}

  release(): void {
    if (this.state === 'over') return;
    const seizing = this.state === 'seizing';
    this.finish();
    this.lines.hangUp(this.port);
    if (seizing) this.started?.reject(new SeizeFailedError(this.port, 'cancelled'));
  }

  async connectMedia(mediaPort: number): Promise<void> {
    await this.card.command({ type: 'fxoConnect', port: this.port, mediaPort });
  }

  private lineEvent(event: LineEvent): void {
    if (this.state === 'over') return;
    switch (event.type) {
      case 'seized':
        this.state = 'dialling';
        this.started?.resolve();
        // DTMF at ten digits a second: the last one has gone when this runs out.
        this.arm(event.digits.length * this.settings.digitMs, () => this.dialled());
        return;
      case 'seize-failed':
        if (this.state === 'seizing') return this.failSeizure(event.reason);
        // The card refused the digits after dial tone: the line is on-hook again.
        return this.end({ by: 'line', cause: null, reason: 'the card did not dial the number', reasonCode: 'dial-failed', reasonArgs: [], answerFailed: true });
      case 'glare':
        // The exchange rang the line as we seized it: off-hook answered that call, which
        // goes to the call model as an incoming call; ours did not get the line.
        return this.failSeizure('glare');
      case 'far-end-answered':
        if (this.answered) return void this.emit('progress', 'far-end-answered');
        return this.takeAsAnswered('polarity-reversal');
      case 'far-end-hangup':
        return this.end({ by: 'caller', cause: null, reason: null, ...(!this.answered && { answerFailed: true }) });
      default: {
        const reason = LINE_FAILURES[event.type];
        if (reason) this.end({ by: 'line', cause: null, reason, reasonCode: event.type, reasonArgs: [], ...(!this.answered && { answerFailed: true }) });
      }
    }
  }

  private dialled(): void {
    if (this.state !== 'dialling') return;
    this.state = 'ringing';
    this.emit('progress', 'dialled');
    if (this.settings.answer === 'dialled') return this.takeAsAnswered('dialling-complete');
    this.arm(this.settings.noAnswerMs, () => {
      if (this.state !== 'ringing') return;
      this.lines.hangUp(this.port);
      this.end({ by: 'line', cause: 19, reason: 'no answer: the line gave no answer signal (polarity reversal) in time', reasonCode: 'no-answer', reasonArgs: [], answerFailed: true });
    });
  }

  private takeAsAnswered(signal: AnswerSignal): void {
    this.disarm();
    this.state = 'answered';
    this.answered = signal;
    this.emit('answered', signal);
  }

  private failSeizure(reason: SeizeFailure): void {
    this.finish();
    this.started?.reject(new SeizeFailedError(this.port, reason));
  }

  private end(end: LineEnd): void {
    this.finish();
    this.emit('ended', end);
  }

  private finish(): void {
    this.state = 'over';
    this.disarm();
    this.lines.off('line', this.onLine);
    this.card.off('fxo-dtmf', this.onDigit);
  }

  private arm(ms: number, fn: () => void): void {
    this.disarm();
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      fn();
    }, ms);
  }

  private disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
