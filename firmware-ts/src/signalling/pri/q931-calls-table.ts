import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { cause, message } from './q931-calls-build.js';
import { q931Reason, type Q931CallReason } from './q931-calls-reasons.js';
import { nextState, Q931_STATE_NUMBERS, type Q931CallState } from './q931-calls-states.js';
import { Q931TimerSet } from './q931-calls-timers.js';
import type { ChannelPolicy, Q931Bearer, Q931CallCounters, Q931CallsEvents, Q931ClearedBy, Q931Direction } from './q931-calls-types.js';
import type { Q931Ies, Q931Message } from './q931-codec.js';
import type { Q931MessageType, Q931Reply } from './q931-messages.js';

/** One call's record: its Q.931 state, call reference, channel and timers. */
export interface Q931CallRecord {
  id: number;
  direction: Q931Direction;
  /** Who chose the call reference: the box for its calls (flag 0 in what it sends), the network for its own (flag 1). */
  origin: 'box' | 'network';
  cr: number;
  crLength: 1 | 2;
  state: Q931CallState;
  channel: number | null;
  calling: string;
  called: string;
  startedAt: number;
  answeredAt: number | null;
  attempt: number;
  timers: Q931TimerSet;
  ended: boolean;
  /** A DISCONNECT, RELEASE or RELEASE COMPLETE went either way: the cause of a RELEASE is then optional (3.1.9). */
  clearing: boolean;
  /** The cause of our DISCONNECT / RELEASE, repeated on T305 / T308. */
  cause: number;
  /** Ours: what the SETUP asked for. */
  setup?: { exclusive: boolean; bearer: Q931Bearer; avoid: number[]; repeat: boolean };
}

/**
 * The call table under `Q931Calls`: records by call reference and by callId, the guarded
 * state moves, `call-ended` (once per call), the Null state (the channel back to the
 * policy), and what every message out goes through (the counters, the call reference flag).
 */
export abstract class Q931CallTable extends TypedEmitter<Q931CallsEvents> {
  protected readonly byKey = new Map<string, Q931CallRecord>();
  protected readonly byId = new Map<number, Q931CallRecord>();
  private nextCr = 1;
  readonly counters: Q931CallCounters = {
    messagesIn: {}, messagesOut: {}, malformed: {}, actions: {}, incomingOffered: 0, incomingRefused: 0, outgoingAttempted: 0, outgoingAnswered: 0,
    outgoingRepeated: 0, restartsIn: 0, restartsOut: 0, restartsUnanswered: 0, releasesUnanswered: 0,
  };

  constructor(
    protected readonly clock: Clock,
    protected readonly log: Logger,
    protected readonly channels: ChannelPolicy,
    private readonly sendOut: (m: Q931Message) => void,
  ) {
    super();
  }


  protected newCall(id: number, direction: Q931Direction, origin: Q931CallRecord['origin'], cr: number, crLength: 1 | 2, channel: number, calling: string, called: string): Q931CallRecord {
    const call: Q931CallRecord = {
      id, direction, origin, cr, crLength, state: 'null', channel, calling, called, startedAt: this.clock.now(), answeredAt: null, attempt: 1,
      timers: new Q931TimerSet(this.clock), ended: false, clearing: false, cause: 16,
    };
    this.move(call, direction === 'out' ? 'call-initiated' : 'call-present');
    this.byKey.set(this.key(call), call);
    this.byId.set(id, call);
    return call;
  }

  /** 4.3: our call references, 1..32767 in turn, skipping those in use. */
  protected allocateCr(): number {
    for (let i = 0; i < 0x7fff; i++) {
      const cr = this.nextCr;
      this.nextCr = cr === 0x7fff ? 1 : cr + 1;
      if (!this.byKey.has(`box:${cr}`)) return cr;
    }
    throw new Error('Q.931: all 32767 call references are in use');
  }

  protected key(call: Q931CallRecord): string {
    return `${call.origin}:${call.cr}`;
  }

  protected move(call: Q931CallRecord, to: Q931CallState): void {
    call.state = nextState(call.state, to);
  }

  /** The call is over for its user: `call-ended`, once. */
  protected end(call: Q931CallRecord, by: Q931ClearedBy, value: number, why: Q931CallReason): void {
    if (call.ended) return;
    call.ended = true;
    this.emit('call-ended', { callId: call.id, direction: call.direction, channel: call.channel, cause: value, clearedBy: by, answered: call.answeredAt !== null, ...why });
  }

  /** Null state: timers off, record gone, the channel back to the policy unless a restart will hand it back (`hold`). */
  protected toNull(call: Q931CallRecord, hold = false): void {
    call.timers.clear();
    this.move(call, 'null');
    this.byKey.delete(this.key(call));
    this.byId.delete(call.id);
    if (call.channel !== null && !hold) this.channels.release(call.channel);
  }

  protected networkReason(call: Q931CallRecord, value: number): Q931CallReason {
    return call.answeredAt === null && call.direction === 'out' ? q931Reason('network-refused', value) : q931Reason('network-cleared', value);
  }

  protected replyStatus(call: Q931CallRecord, reply: Q931Reply): void {
    this.sendStatus(call, reply.cause, reply.diagnostics);
  }

  protected sendStatus(call: Q931CallRecord, value: number, diagnostics: readonly number[] = []): void {
    this.out(call, 'STATUS', { cause: cause(value, diagnostics), callState: { codingStandard: 'itu-t', state: Q931_STATE_NUMBERS[call.state] } });
  }

  protected out(call: Q931CallRecord, type: Q931MessageType, ies: Q931Ies = {}): void {
    this.send(message(type, { value: call.cr, flag: call.origin === 'network', length: call.crLength }, ies));
  }

  protected send(m: Q931Message): void {
    this.counters.messagesOut[m.type] = (this.counters.messagesOut[m.type] ?? 0) + 1;
    this.sendOut(m);
  }

  protected action(clause: string | undefined): void {
    if (clause !== undefined) this.counters.actions[clause] = (this.counters.actions[clause] ?? 0) + 1;
  }
}
