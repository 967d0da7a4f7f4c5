import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { CardDriver } from '../../card/card-driver.js';
import type { CallLine } from '../../calls/cdr.js';
import type { AnswerSignal, OutboundLeg, OutboundLegEvents } from '../../calls/outbound-leg.js';
import type { CallOutcome } from './isup-call-types.js';
import { CAUSE } from './isup-cause.js';
import type { IsupStack } from './isup-stack.js';

/** The exchange or the box could not start the call: no IAM went (no circuit, link down, not reset yet). */
export class IsupDialError extends Error {
  override readonly name = 'IsupDialError';
  constructor(readonly outcome: CallOutcome) {
    super(`no call placed: ${outcome.reason ?? 'failed'}`);
  }
}

/**
 * A call the box places over ISUP (Q.764 2.1): an IAM with the number on the circuit the
 * circuit selection gives (Q.764 2.9.1.3: our own circuits first, odd/even control), ACM,
 * ANM, then REL either way. The stack's own rules apply: a dual seizure the exchange wins,
 * or a BLO or reset before any backward message, repeats the attempt once on another
 * circuit, and the leg's line and audio follow it there. T7 and T9 bound the wait for the
 * exchange; an answered call is held until `release` or the exchange's REL.
 */
export class IsupOutboundLeg extends TypedEmitter<OutboundLegEvents> implements OutboundLeg {
  readonly direction = 'out';
  readonly earlyMedia = true;
  readonly arrivedAt: number;
  private circuit: { cic: number; span: number; timeslot: number } | null = null;
  private answered: AnswerSignal | null = null;
  private mediaPort = 0;
  private releasedHere = false;
  private over = false;

  constructor(
    private readonly stack: IsupStack,
    private readonly card: CardDriver,
    clock: Clock,
    readonly called: string,
    readonly calling = '',
  ) {
    super();
    this.arrivedAt = clock.now();
  }

  get line(): CallLine {
    const c = this.circuit;
    if (!c) throw new Error('the call has no circuit before start()');
    return { kind: 'e1', span: c.span, timeslot: c.timeslot, cic: c.cic };
  }

  get answeredBy(): AnswerSignal | null {
    return this.answered;
  }

  /**
   * Sends the IAM on the circuit the selection gives. Resolves once it went; rejects with
   * `IsupDialError` when none could go (no circuit free, the link down, the circuits not
   * yet reset with the exchange).
   */
  async start(): Promise<void> {
    const outcome = this.stack.calls.dial(this.called, this.calling, {
      seized: (circuit) => this.seized(circuit),
      alerting: () => !this.over && this.emit('progress', 'alerting'),
      answered: () => {
        if (this.over) return;
        this.answered = 'anm';
        this.emit('answered', 'anm');
      },
    });
    void outcome.then((o) => this.ended(o));
    // The first attempt runs at once: without a circuit now, no IAM went.
    if (!this.circuit) throw new IsupDialError(await outcome);
  }

  alert(): void {}

  answer(): void {}

  release(cause: number): void {
    if (this.over || !this.circuit) return;
    this.releasedHere = true;
    this.over = true;
    const cic = this.circuit.cic;
    if (this.stack.calls.onCircuit(cic)?.direction === 'out') this.stack.calls.release(cic, cause);
  }

  async connectMedia(port: number): Promise<void> {
    this.mediaPort = port;
    const c = this.circuit;
    if (c) await this.card.command({ type: 'tsConnect', span: c.span, timeslot: c.timeslot, mediaPort: port });
  }

  /** An attempt seized a circuit: the first, or the repeat after the first was given up. */
  private seized(circuit: { cic: number; span: number; timeslot: number }): void {
    const old = this.circuit;
    this.circuit = circuit;
    if (!old || this.mediaPort === 0) return;
    // The repeat moved the call: its audio goes with it, and the old timeslot is let go.
    const port = this.mediaPort;
    const move = async () => {
      await this.card.command({ type: 'tsConnect', span: old.span, timeslot: old.timeslot, mediaPort: 0 });
      await this.card.command({ type: 'tsConnect', span: circuit.span, timeslot: circuit.timeslot, mediaPort: port });
    };
    move().catch((err: Error) => {
      if (this.over) return;
      // A call nobody can hear is no call: released, and said why.
      this.release(CAUSE.temporaryFailure);
      this.emit('ended', { by: 'line', cause: CAUSE.temporaryFailure, reason: `the card did not move the call's audio to CIC ${circuit.cic}: ${err.message}`, ...(!this.answered && { answerFailed: true }) });
    });
  }

  private ended(outcome: CallOutcome): void {
    if (this.releasedHere || this.over || !this.circuit) return;
    this.over = true;
    const answerFailed = outcome.call.answeredAt === null ? { answerFailed: true } : {};
    const codes = outcome.reasonCode ? { reasonCode: outcome.reasonCode, reasonArgs: outcome.reasonArgs ?? [] } : {};
    const cleared = outcome.clearedBy;
    if (cleared?.by === 'exchange') return void this.emit('ended', { by: 'caller', cause: outcome.cause, reason: outcome.reason, ...codes, ...answerFailed });
    if (cleared?.by === 'reset') {
      const f = cleared.failure;
      return void this.emit('ended', { by: 'line', cause: outcome.cause, reason: f.reason, ...(f.reasonCode && { reasonCode: f.reasonCode, reasonArgs: f.reasonArgs ?? [] }), ...answerFailed });
    }
    this.emit('ended', { by: 'line', cause: outcome.cause, reason: outcome.reason ?? 'the call was ended by the ISUP stack', ...codes, ...answerFailed });
  }
}
