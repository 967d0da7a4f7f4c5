import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { CardDriver } from '../../card/card-driver.js';
import type { CallLine } from '../../calls/cdr.js';
import type { LineLeg, LineLegEvents } from '../../calls/line-leg.js';
import type { PriStack } from './pri-stack.js';
import type { Q931CallEnded, Q931IncomingCall } from './q931-calls-types.js';

/** Q.931 progress description 8: in-band information or an appropriate pattern is now available. */
const INBAND_AVAILABLE = 8;

/**
 * An incoming PRI call as a line leg: ALERTING with in-band information announced (PROGRESS,
 * description 8) when it is offered, so the caller hears the box's ringing and prompts before
 * answer, as with ISUP after the ACM; CONNECT when it is answered; DISCONNECT with the call
 * model's cause. Its audio is the B-channel's timeslot. The call's circuit is its channel
 * (`cic` = the channel number = the timeslot on an E1).
 */
export class PriLineLeg extends TypedEmitter<LineLegEvents> implements LineLeg {
  readonly earlyMedia = true;
  readonly line: CallLine;
  readonly calling: string;
  readonly called: string;
  private releasedHere = false;

  constructor(
    private readonly stack: PriStack,
    private readonly card: CardDriver,
    private readonly call: Q931IncomingCall & { span: number },
    readonly arrivedAt: number,
  ) {
    super();
    this.line = { kind: 'e1', span: call.span, timeslot: call.channel, cic: call.channel };
    this.calling = call.calling;
    this.called = call.called;
  }

  alert(): void {
    if (this.stack.calls.alert(this.call.callId)) this.stack.calls.progress(this.call.callId, INBAND_AVAILABLE);
  }

  answer(): void {
    this.stack.calls.answer(this.call.callId);
  }

  release(cause: number): void {
    this.releasedHere = true;
    this.stack.calls.release(this.call.callId, cause);
  }

  async connectMedia(port: number): Promise<void> {
    await this.card.command({ type: 'tsConnect', span: this.call.span, timeslot: this.call.channel, mediaPort: port });
  }

  /** The stack's end of this call: the network's clearing (the caller hung up), a restart, the link. */
  ended(end: Q931CallEnded): void {
    if (this.releasedHere) return;
    if (end.clearedBy === 'network') return void this.emit('ended', { by: 'caller', cause: end.cause, reason: null });
    this.emit('ended', { by: 'line', cause: end.cause, reason: end.reason, reasonCode: end.reasonCode, reasonArgs: end.reasonArgs });
  }
}

/**
 * Hands each incoming PRI call to `take` (the call model) as a line leg, and tells the leg
 * when Q.931 ends its call. Returns the function that undoes the wiring.
 */
export function wirePriLegs(stack: PriStack, card: CardDriver, clock: Clock, take: (leg: LineLeg) => void): () => void {
  const legs = new Map<number, PriLineLeg>();
  const onIncoming = (call: Q931IncomingCall & { span: number }) => {
    const leg = new PriLineLeg(stack, card, call, clock.now());
    legs.set(call.callId, leg);
    take(leg);
  };
  const onEnded = (end: Q931CallEnded) => {
    const leg = legs.get(end.callId);
    if (!leg) return;
    legs.delete(end.callId);
    leg.ended(end);
  };
  stack.on('incoming-call', onIncoming);
  stack.on('call-ended', onEnded);
  return () => {
    stack.off('incoming-call', onIncoming);
    stack.off('call-ended', onEnded);
  };
}
