import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { CardDriver } from '../../card/card-driver.js';
import type { CallLine } from '../../calls/cdr.js';
import type { LineLeg, LineLegEvents } from '../../calls/line-leg.js';
import type { CallOutcome, IncomingCall } from './isup-call-types.js';
import type { IsupStack } from './isup-stack.js';

/**
 * An incoming ISUP call as a line leg: ACM when it is offered, ANM when it is answered, REL
 * with the call model's cause; its audio is the circuit's timeslot (`tsConnect`).
 */
export class IsupLineLeg extends TypedEmitter<LineLegEvents> implements LineLeg {
  readonly earlyMedia = true;
  readonly line: CallLine;
  readonly calling: string;
  readonly called: string;
  private releasedHere = false;

  constructor(
    private readonly stack: IsupStack,
    private readonly card: CardDriver,
    private readonly call: IncomingCall,
    readonly arrivedAt: number,
  ) {
    super();
    this.line = { kind: 'e1', span: call.span, timeslot: call.timeslot, cic: call.cic };
    this.calling = call.calling;
    this.called = call.called;
  }

  alert(): void {
    this.stack.calls.alert(this.call.callId);
  }

  answer(): void {
    this.stack.calls.answer(this.call.callId);
  }

  release(cause: number): void {
    this.releasedHere = true;
    if (this.stack.calls.onCircuit(this.call.cic)?.id === this.call.callId) this.stack.calls.release(this.call.cic, cause);
  }

  async connectMedia(port: number): Promise<void> {
    await this.card.command({ type: 'tsConnect', span: this.call.span, timeslot: this.call.timeslot, mediaPort: port });
  }

  /** The stack's end of this call: the exchange's REL (the caller hung up) or a circuit reset. */
  ended(outcome: CallOutcome): void {
    if (this.releasedHere) return;
    const cleared = outcome.clearedBy;
    if (cleared?.by === 'reset') {
      const { reason, reasonCode, reasonArgs } = cleared.failure;
      return void this.emit('ended', { by: 'line', cause: outcome.cause, reason, ...(reasonCode && { reasonCode, reasonArgs: reasonArgs ?? [] }) });
    }
    if (cleared?.by === 'exchange') return void this.emit('ended', { by: 'caller', cause: outcome.cause, reason: null });
    this.emit('ended', { by: 'line', cause: outcome.cause, reason: outcome.reason ?? 'the call was ended by the ISUP stack', ...(outcome.reasonCode && { reasonCode: outcome.reasonCode, reasonArgs: outcome.reasonArgs ?? [] }) });
  }
}

/**
 * Hands each incoming ISUP call to `take` (the call model) as a line leg, and tells the leg
 * when the stack ends its call. Returns the function that undoes the wiring.
 */
export function wireIsupLegs(stack: IsupStack, card: CardDriver, clock: Clock, take: (leg: LineLeg) => void): () => void {
  const legs = new Map<number, IsupLineLeg>();
  const onIncoming = (call: IncomingCall) => {
    const leg = new IsupLineLeg(stack, card, call, clock.now());
    legs.set(call.callId, leg);
    take(leg);
  };
  const onEnded = (outcome: CallOutcome) => {
    const leg = legs.get(outcome.call.id);
    if (!leg) return;
    legs.delete(outcome.call.id);
    leg.ended(outcome);
  };
  stack.on('incoming-call', onIncoming);
  stack.on('call-ended', onEnded);
  return () => {
    stack.off('incoming-call', onIncoming);
    stack.off('call-ended', onEnded);
  };
}
