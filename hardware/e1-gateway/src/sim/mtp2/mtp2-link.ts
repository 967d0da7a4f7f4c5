import type { Logger } from 'pino';
import { pino } from 'pino';
import type { Clock } from '../../clock.js';
import { TypedEmitter } from '../../typed-emitter.js';
import { Timers, type Timer } from '../sim-timers.js';
import { BasicErrorCorrection } from './basic-error-correction.js';
import { SignalUnitErrorRateMonitor } from './error-monitors.js';
import { InitialAlignmentControl, type AlignmentFailure, type AlignmentState, type AlignmentStatus } from './initial-alignment.js';
import { mtp2Timers, type Mtp2TimerValues } from './mtp2-timers.js';
import { decodeSignalUnit, encodeSignalUnit, MAX_MSU_DATA, MIN_MSU_DATA, SignalUnitError, type Fisu, type LssuStatus, type Msu, type SignalUnit, type SignalUnitErrorCode } from './signal-unit.js';

/** Link state control states (Q.703 12, Figure 8), as far as this link goes. */
export type Mtp2State = 'power-off' | 'out-of-service' | 'initial-alignment' | 'aligned-ready' | 'in-service' | 'processor-outage';

/**
 * Why the link went out of service: `stop` from the level above, an alignment failure, or
 * a link failure: T1, T6 or T7 ran out, the SUERM threshold, two abnormal BSNs or FIBs in
 * three units, or an LSSU the far end sends only when it is not in service.
 */
export type Mtp2Cause = 'stop' | AlignmentFailure | 'T1' | 'T6' | 'T7' | 'suerm' | 'abnormal-bsn' | 'abnormal-fib' | `received-${Extract<LssuStatus, 'SIO' | 'SIN' | 'SIE' | 'SIOS'>}`;

const MOVES: Record<Mtp2State, readonly Mtp2State[]> = {
  'power-off': ['out-of-service'],
  'out-of-service': ['initial-alignment', 'power-off'],
  'initial-alignment': ['aligned-ready', 'out-of-service', 'power-off'],
  'aligned-ready': ['in-service', 'processor-outage', 'out-of-service', 'power-off'],
  'in-service': ['processor-outage', 'out-of-service', 'power-off'],
  'processor-outage': ['in-service', 'out-of-service', 'power-off'],
};

export interface Mtp2LinkOptions {
  clock: Clock;
  /** Writes one signal unit, CK included, onto the line. */
  send: (su: Uint8Array) => void;
  timers?: Partial<Mtp2TimerValues>;
  /**
   * How often the current fill (FISU, or the LSSU of the current status) is sent again.
   * A line repeats it back to back; a datagram channel needs only enough to keep the far
   * end's view fresh. Default 50 ms.
   */
  fillMs?: number;
  /** Check CK on reception (default true); the peer socket turns it off. */
  checkFcs?: boolean;
  /** Start powered on, out of service and sending SIOS (default true); else in power off until `powerOn`. */
  powered?: boolean;
  logger?: Logger;
}

export interface Mtp2LinkEvents {
  /** Link state control or initial alignment changed state; `cause` says why it went out of service. */
  state: (state: Mtp2State, alignment: AlignmentState, cause: Mtp2Cause | undefined) => void;
  /** An MSU received in sequence: its SIO and SIF. */
  msu: (data: Uint8Array) => void;
}

export interface Mtp2Counters {
  /** Signal units received and sent, of every kind. */
  framesIn: number;
  framesOut: number;
  /** MSUs delivered to the level above, and MSUs sent for the first time. */
  msusIn: number;
  msusOut: number;
  /** MSUs sent again after a negative acknowledgement. */
  retransmissions: number;
  nacksSent: number;
  nacksReceived: number;
  /** Received MSUs discarded: duplicates, out of sequence, or while waiting for a retransmission. */
  discarded: number;
  /** Received units that are no signal unit, by reason. */
  badFrames: number;
  badFrameReasons: Record<SignalUnitErrorCode, number>;
  abnormalBsn: number;
  abnormalFib: number;
  /** Initial alignments started, proving attempts aborted, alignments that failed. */
  alignmentAttempts: number;
  provingAborts: number;
  alignmentFailures: number;
  /** Times the link failed after alignment (aligned ready, in service or processor outage). */
  linkFailures: number;
}

export interface Mtp2Snapshot {
  state: Mtp2State;
  alignment: AlignmentState;
  /** Emergency proving applies (asked for, or the far end sent SIE). */
  emergency: boolean;
  /** The last time the link went out of service other than by `stop`. */
  lastFailure: { cause: Mtp2Cause; at: number } | null;
  /** MSUs sent and not yet acknowledged, and MSUs waiting for room in the retransmission buffer. */
  unacknowledged: number;
  queued: number;
  counters: Mtp2Counters;
}

/** MSUs waiting for room in the retransmission buffer; beyond this the level above is refused. */
export const TRANSMISSION_BUFFER_SIZE = 1024;

/**
 * One end of a signalling link running MTP2 (ITU-T Q.703) with the basic error correction
 * method: link state control, initial alignment with proving, transmission and reception
 * control with positive and negative acknowledgement, T7, and the error rate monitors.
 * It sends through `send` and is fed what the line brings with `receive`; time comes from
 * the clock, so two links back to back on a FakeClock run the whole procedure in a test.
 */
export class Mtp2Link extends TypedEmitter<Mtp2LinkEvents> {
  state: Mtp2State = 'out-of-service';
  readonly counters: Mtp2Counters = {
    framesIn: 0,
    framesOut: 0,
    msusIn: 0,
    msusOut: 0,
    retransmissions: 0,
    nacksSent: 0,
    nacksReceived: 0,
    discarded: 0,
    badFrames: 0,
    badFrameReasons: { short: 0, long: 0, 'length-indicator': 0, fcs: 0, status: 0 },
    abnormalBsn: 0,
    abnormalFib: 0,
    alignmentAttempts: 0,
    provingAborts: 0,
    alignmentFailures: 0,
    linkFailures: 0,
  };
  private readonly timers: Timers;
  private readonly values: Mtp2TimerValues;
  private readonly iac: InitialAlignmentControl;
  private readonly ec = new BasicErrorCorrection();
  private readonly suerm = new SignalUnitErrorRateMonitor();
  private readonly log: Logger;
  private readonly checkFcs: boolean;
  private readonly waiting: Uint8Array[] = [];
  private fill: AlignmentStatus | 'SIOS' | 'FISU' = 'SIOS';
  private t1: Timer | undefined;
  private t6: Timer | undefined;
  private t7: Timer | undefined;
  private lastFailure: Mtp2Snapshot['lastFailure'] = null;
  private fillTimer: Timer | undefined;
  /** The last unit received during alignment was a FISU or MSU: the far end is aligned ready or in service. */
  private farEndFilling = false;
  private closed = false;

  constructor(private readonly opts: Mtp2LinkOptions) {
    super();
    this.timers = new Timers(opts.clock);
    this.values = mtp2Timers(opts.timers);
    this.checkFcs = opts.checkFcs ?? true;
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.iac = new InitialAlignmentControl(this.timers, this.values, {
      send: (status) => this.setFill(status),
      complete: () => this.alignmentComplete(),
      failed: (reason) => this.alignmentFailed(reason),
      // Leaving alignment is reported by link state control's own move.
      moved: (state) => state !== 'idle' && this.report(undefined),
    });
    if (opts.powered ?? true) this.powerOn();
    else this.state = 'power-off';
  }

  /** Q.703 12: power on puts the link out of service, sending SIOS. */
  powerOn(): void {
    if (this.closed || this.fillTimer?.active) return;
    if (this.state === 'power-off') this.transition('out-of-service');
    this.fill = 'SIOS';
    this.fillTimer = this.timers.every(this.opts.fillMs ?? 50, () => this.sendFill());
  }

  /**
   * Power off: the link sends nothing and hears nothing (the card lost its configuration
   * or the span its signal). Unacknowledged MSUs are lost; the far end notices its own way.
   */
  powerOff(): void {
    if (this.state === 'power-off') return;
    this.iac.stop();
    this.timers.cancelAll();
    this.fillTimer = undefined;
    this.clearTransfer();
    this.transition('power-off');
  }

  get alignment(): AlignmentState {
    return this.iac.state;
  }

  get inService(): boolean {
    return this.state === 'in-service';
  }

  /** Start (or, with `emergency`, emergency start) from the level above: initial alignment (Q.703 7.3). */
  start(emergency: boolean): void {
    if (this.state !== 'out-of-service') return;
    this.counters.alignmentAttempts++;
    this.ec.reset();
    this.farEndFilling = false;
    // Reported once initial alignment has moved to not aligned.
    this.transition('initial-alignment', undefined, false);
    this.iac.start(emergency);
  }

  /** Stop from the level above: out of service, sending SIOS. */
  stop(): void {
    if (this.state !== 'out-of-service' && this.state !== 'power-off') this.outOfService('stop');
  }

  /**
   * An MSU (SIO and SIF) from the level above. Refused (false) unless the link is in
   * service, or when the transmission buffer is full. Throws TypeError for a length no MSU
   * can have (3 to 273 octets).
   */
  sendMsu(data: Uint8Array): boolean {
    if (data.length < MIN_MSU_DATA || data.length > MAX_MSU_DATA) throw new TypeError(`an MSU carries ${MIN_MSU_DATA} to ${MAX_MSU_DATA} octets of SIO and SIF, not ${data.length}`);
    if (this.state !== 'in-service' || this.waiting.length >= TRANSMISSION_BUFFER_SIZE) return false;
    this.waiting.push(data);
    this.pump();
    return true;
  }

  /** One signal unit from the line (flags removed, CK included). Never throws for bad input. */
  receive(bytes: Uint8Array): void {
    if (this.state === 'power-off') return;
    this.counters.framesIn++;
    let su: SignalUnit;
    try {
      su = decodeSignalUnit(bytes, { checkFcs: this.checkFcs });
    } catch (err) {
      if (!(err instanceof SignalUnitError)) throw err;
      this.badFrame(err);
      return;
    }
    this.unit(su);
  }

  /** Powers off for good: nothing is sent or heard any more. */
  close(): void {
    this.powerOff();
    this.closed = true;
  }

  snapshot(): Mtp2Snapshot {
    return {
      state: this.state,
      alignment: this.iac.state,
      emergency: this.iac.emergency,
      lastFailure: this.lastFailure && { ...this.lastFailure },
      unacknowledged: this.ec.buffer.length,
      queued: this.waiting.length,
      counters: { ...this.counters, badFrameReasons: { ...this.counters.badFrameReasons }, provingAborts: this.iac.provingAborts },
    };
  }

  // --- reception

  private unit(su: SignalUnit): void {
    switch (this.state) {
      case 'power-off':
      case 'out-of-service':
        return;
      case 'initial-alignment':
        if (su.kind === 'lssu') this.iac.status(su.status);
        this.farEndFilling = su.kind !== 'lssu';
        return;
      default:
        this.suerm.received(false);
        if (su.kind === 'lssu') this.statusInService(su.status);
        else this.sequenced(su);
    }
  }

  /** An LSSU after alignment (Q.703 12, Figure 8). */
  private statusInService(status: LssuStatus): void {
    switch (status) {
      case 'SIN':
      case 'SIE':
        // While we are aligned ready the far end may still be proving: its SIN is no failure.
        if (this.state !== 'aligned-ready') this.linkFailure(`received-${status}`);
        return;
      case 'SIO':
      case 'SIOS':
        this.linkFailure(`received-${status}`);
        return;
      case 'SIPO':
        // Q.703 8: remote processor outage; MSUs stop until the far end sends FISUs again.
        if (this.state !== 'processor-outage') {
          this.stopTimer('t1');
          this.transition('processor-outage');
        }
        return;
      case 'SIB':
        // Q.703 9.3: the far end is congested. T7 starts again with each SIB; T6 limits the whole.
        if (this.t7?.active) this.startT7();
        if (!this.t6?.active) this.t6 = this.timers.after(this.values.t6, () => this.linkFailure('T6'));
        return;
    }
  }

  /** A FISU or MSU after alignment: acknowledgement, then sequence (Q.703 5). */
  private sequenced(su: Fisu | Msu): void {
    // Q.703 12: a FISU or MSU received when aligned ready puts the link in service; after
    // a processor outage it says the far end has recovered.
    if (this.state === 'aligned-ready') {
      this.stopTimer('t1');
      this.transition('in-service');
    } else if (this.state === 'processor-outage') {
      this.transition('in-service');
    }
    this.stopTimer('t6');
    const sentBefore = this.counters.framesOut;
    const ack = this.ec.acknowledge(su);
    if (ack.kind === 'abnormal-bsn') {
      this.counters.abnormalBsn++;
      if (su.kind === 'msu') this.counters.discarded++;
      if (ack.failure) this.linkFailure('abnormal-bsn');
      return;
    }
    if (ack.nack) {
      this.counters.nacksReceived++;
      for (const entry of ack.retransmit) {
        this.counters.retransmissions++;
        this.transmit(this.ec.again(entry));
      }
    }
    if (this.ec.buffer.length === 0) this.stopTimer('t7');
    else if (ack.acked > 0) this.startT7();
    this.pump();
    const result = this.ec.receive(su);
    switch (result) {
      case 'accepted':
        this.counters.msusIn++;
        this.emit('msu', (su as Msu).data);
        break;
      case 'nack':
        this.counters.nacksSent++;
        if (su.kind === 'msu') this.counters.discarded++;
        break;
      case 'duplicate':
      case 'waiting':
        if (su.kind === 'msu') this.counters.discarded++;
        break;
      case 'abnormal-fib':
      case 'abnormal-fib-failure':
        this.counters.abnormalFib++;
        if (su.kind === 'msu') this.counters.discarded++;
        if (result === 'abnormal-fib-failure') this.linkFailure('abnormal-fib');
        return;
      case 'in-sequence':
        return;
    }
    // Acknowledge at once (positively or negatively) unless something already went out.
    if (this.state === 'in-service' && this.counters.framesOut === sentBefore) this.sendFill();
  }

  private badFrame(err: SignalUnitError): void {
    this.counters.badFrames++;
    this.counters.badFrameReasons[err.code]++;
    this.log.debug({ code: err.code, err: err.message }, 'signal unit discarded');
    if (this.state === 'initial-alignment') {
      this.iac.errored();
      this.syncProvingAborts();
    } else if (this.state !== 'out-of-service' && this.state !== 'power-off' && this.suerm.received(true)) {
      this.linkFailure('suerm');
    }
  }

  private syncProvingAborts(): void {
    this.counters.provingAborts = this.iac.provingAborts;
  }

  // --- transmission

  /** Sends waiting MSUs while the retransmission buffer has room; T7 runs while any is unacknowledged. */
  private pump(): void {
    while (this.waiting.length > 0 && !this.ec.full && this.state === 'in-service') {
      this.counters.msusOut++;
      this.transmit(this.ec.assign(this.waiting.shift()!));
      if (!this.t7?.active) this.startT7();
    }
  }

  private setFill(fill: typeof this.fill): void {
    const changed = fill !== this.fill;
    this.fill = fill;
    if (changed) this.sendFill();
  }

  private sendFill(): void {
    if (this.state === 'power-off') return;
    const seq = this.ec.sequence();
    this.transmit(this.fill === 'FISU' ? { kind: 'fisu', ...seq } : { kind: 'lssu', ...seq, status: this.fill });
  }

  private transmit(su: SignalUnit): void {
    if (this.state === 'power-off') return;
    this.counters.framesOut++;
    this.opts.send(encodeSignalUnit(su));
  }

  // --- link state control

  private alignmentComplete(): void {
    // Q.703 12: aligned ready, sending FISUs, T1 running until the far end's FISU or MSU.
    this.transition('aligned-ready');
    this.suerm.reset();
    this.setFill('FISU');
    this.t1 = this.timers.after(this.values.t1, () => this.linkFailure('T1'));
    if (this.farEndFilling) {
      // Its fill-in units are arriving already: on a line the next one would follow at once.
      this.stopTimer('t1');
      this.transition('in-service');
    }
  }

  private alignmentFailed(reason: AlignmentFailure): void {
    this.counters.alignmentFailures++;
    this.syncProvingAborts();
    this.outOfService(reason);
  }

  private linkFailure(cause: Mtp2Cause): void {
    this.counters.linkFailures++;
    this.outOfService(cause);
  }

  private outOfService(cause: Mtp2Cause): void {
    this.iac.stop();
    this.clearTransfer();
    if (cause !== 'stop') {
      this.lastFailure = { cause, at: this.opts.clock.now() };
      this.log.info({ cause }, 'signalling link out of service');
    }
    this.fill = 'SIOS';
    this.transition('out-of-service', cause);
    this.sendFill();
  }

  /** Forgets everything in transfer: timers T1, T6, T7, both buffers, the sequence numbers. */
  private clearTransfer(): void {
    for (const name of ['t1', 't6', 't7'] as const) this.stopTimer(name);
    this.ec.reset();
    this.waiting.length = 0;
    this.suerm.reset();
  }

  private startT7(): void {
    // Q.703 5.3: T7 "excessive delay of acknowledgement", restarted by each acknowledgement.
    this.t7?.cancel();
    this.t7 = this.timers.after(this.values.t7, () => this.linkFailure('T7'));
  }

  private stopTimer(name: 't1' | 't6' | 't7'): void {
    this[name]?.cancel();
    this[name] = undefined;
  }

  private transition(to: Mtp2State, cause?: Mtp2Cause, report = true): void {
    if (!MOVES[this.state].includes(to)) throw new Error(`MTP2: illegal move ${this.state} -> ${to}`);
    this.state = to;
    if (report) this.report(cause);
  }

  private report(cause: Mtp2Cause | undefined): void {
    this.emit('state', this.state, this.iac.state, cause);
  }
}
