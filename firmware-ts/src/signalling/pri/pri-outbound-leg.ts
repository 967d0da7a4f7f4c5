import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { CardDriver } from '../../card/card-driver.js';
import type { CallLine } from '../../calls/cdr.js';
import type { AnswerSignal, OutboundLeg, OutboundLegEvents } from '../../calls/outbound-leg.js';
import type { PriStackEvents } from './pri-stack.js';
import type { Q931CallEnded } from './q931-calls-types.js';
import type { Q931Calls } from './q931-calls.js';

/** Q.850 cause 41, temporary failure: the call's audio could not follow it. */
const TEMPORARY_FAILURE = 41;

/** What a PRI call out needs of the stack (`PriStack`; a test gives it Q.931 call control alone). */
export interface PriOutboundStack {
  readonly span: number;
  readonly isUp: boolean;
  readonly calls: Q931Calls;
  on(event: 'call-channel', listener: PriStackEvents['call-channel']): unknown;
  off(event: 'call-channel', listener: PriStackEvents['call-channel']): unknown;
}

/** Why no SETUP went: the D-channel is down, or no B-channel is free. */
export type PriDialFailure = 'd-channel-down' | 'no-channel';

/** The box could not start the call: no SETUP went. */
export class PriDialError extends Error {
  override readonly name = 'PriDialError';
  constructor(readonly why: PriDialFailure) {
    super(why === 'd-channel-down' ? 'no call placed: the PRI D-channel is down' : 'no call placed: no B-channel free');
  }
}

/**
 * A call the box places over ISDN PRI, user side (Q.931 5.1): SETUP with the number and the
 * office's number on the B-channel the channel policy gives, named exclusively (a PRI user
 * names its channel; the network controls every channel, so its own SETUP on the same
 * channel wins, and call control repeats ours once on another channel after cause 34/44; the
 * leg's line and audio follow it there). ALERTING, or a PROGRESS (the far end's tones are
 * in-band), is the number ringing; CONNECT is the answer; clearing goes either way. The
 * channel number is the timeslot on an E1, and the call's circuit number (`cic`).
 */
export class PriOutboundLeg extends TypedEmitter<OutboundLegEvents> implements OutboundLeg {
  readonly direction = 'out';
  readonly earlyMedia = true;
  readonly arrivedAt: number;
  private callId: number | null = null;
  private channel: number | null = null;
  private answered: AnswerSignal | null = null;
  private ringing = false;
  private mediaPort = 0;
  private over = false;
  private readonly unlisten: (() => void)[] = [];

  constructor(
    private readonly stack: PriOutboundStack,
    private readonly card: CardDriver,
    clock: Clock,
    readonly called: string,
    readonly calling = '',
  ) {
    super();
    this.arrivedAt = clock.now();
  }

  get line(): CallLine {
    const channel = this.channel;
    if (channel === null) throw new Error('the call has no B-channel before start()');
    return { kind: 'e1', span: this.stack.span, timeslot: channel, cic: channel };
  }

  get answeredBy(): AnswerSignal | null {
    return this.answered;
  }

  /**
   * Sends the SETUP. Resolves once it went; rejects with `PriDialError` when none could go
   * (the D-channel down, no B-channel free).
   */
  async start(): Promise<void> {
    if (!this.stack.isUp) throw new PriDialError('d-channel-down');
    const calls = this.stack.calls;
    const id = calls.place({ called: this.called, calling: this.calling });
    const info = calls.calls().find((c) => c.callId === id);
    // Without a record the call never started (its call-ended follows): nothing to listen for.
    if (info === undefined || info.channel === null) throw new PriDialError(this.stack.isUp ? 'no-channel' : 'd-channel-down');
    this.callId = id;
    this.channel = info.channel;
    this.listen();
  }

  alert(): void {}

  answer(): void {}

  release(cause: number): void {
    if (this.over || this.callId === null) return;
    this.finish();
    this.stack.calls.release(this.callId, cause);
  }

  async connectMedia(port: number): Promise<void> {
    this.mediaPort = port;
    if (this.channel !== null) await this.card.command({ type: 'tsConnect', span: this.stack.span, timeslot: this.channel, mediaPort: port });
  }

  private listen(): void {
    const calls = this.stack.calls;
    const mine = (e: { callId: number }) => !this.over && e.callId === this.callId;
    const onRinging = (e: { callId: number }) => {
      if (!mine(e) || this.ringing || this.answered) return;
      this.ringing = true;
      this.emit('progress', 'alerting');
    };
    const onAnswered = (e: { callId: number }) => {
      if (!mine(e) || this.answered) return;
      this.answered = 'connect';
      this.emit('answered', 'connect');
    };
    const onEnded = (e: Q931CallEnded) => mine(e) && this.ended(e);
    const onMoved = (e: { callId: number; from: number; to: number }) => mine(e) && this.moved(e.from, e.to);
    calls.on('alerting', onRinging);
    calls.on('progress', onRinging);
    calls.on('answered', onAnswered);
    calls.on('call-ended', onEnded);
    this.stack.on('call-channel', onMoved);
    this.unlisten.push(() => {
      calls.off('alerting', onRinging);
      calls.off('progress', onRinging);
      calls.off('answered', onAnswered);
      calls.off('call-ended', onEnded);
      this.stack.off('call-channel', onMoved);
    });
  }

  /** The call went to another B-channel before any answer: its audio goes with it. */
  private moved(from: number, to: number): void {
    this.channel = to;
    if (this.mediaPort === 0) return;
    const port = this.mediaPort;
    const span = this.stack.span;
    // The old channel is usually the network's call now (it won the collision): its own leg
    // connects that timeslot, so it is let go only when nobody holds it.
    const taken = this.stack.calls.calls().some((c) => c.channel === from && c.callId !== this.callId);
    const move = async () => {
      if (!taken) await this.card.command({ type: 'tsConnect', span, timeslot: from, mediaPort: 0 });
      await this.card.command({ type: 'tsConnect', span, timeslot: to, mediaPort: port });
    };
    move().catch((err: Error) => {
      if (this.over) return;
      // A call nobody can hear is no call: released, and said why.
      this.release(TEMPORARY_FAILURE);
      this.emit('ended', { by: 'line', cause: TEMPORARY_FAILURE, reason: `the card did not move the call's audio to B-channel ${to}: ${err.message}`, ...(!this.answered && { answerFailed: true }) });
    });
  }

  /** Q.931 ended the call without our asking: the far end (the network's clearing), or the line. */
  private ended(end: Q931CallEnded): void {
    this.finish();
    const answerFailed = end.answered ? {} : { answerFailed: true };
    const codes = { reasonCode: end.reasonCode, reasonArgs: end.reasonArgs };
    if (end.clearedBy === 'network') return void this.emit('ended', { by: 'caller', cause: end.cause, reason: end.reason, ...codes, ...answerFailed });
    this.emit('ended', { by: 'line', cause: end.cause, reason: end.reason, ...codes, ...answerFailed });
  }

  private finish(): void {
    this.over = true;
    for (const off of this.unlisten.splice(0)) off();
  }
}
