import { TypedEmitter, type TimerHandle } from '@countyline/e1-gateway';
import { pino, type Logger } from 'pino';
import { decodeQ921, describeQ921, encodeQ921, MODULUS, N201, type Q921DecodeError, type Q921Frame, type Q921SFrame, type Q921SFrameType, type Q921UFrameType } from './q921-codec.js';
import { MOVES, Q921_STATE_NUMBERS, REJECTION_CODES, type Q921DiscardReason, type Q921LinkEvents, type Q921LinkOptions, type Q921ReleaseReason, type Q921State, type Q921Timers } from './q921-link-types.js';
import { newQ921Counters, Q921_ERRORS, type Q921Counters, type Q921ErrorCode, type Q921Snapshot } from './q921-metrics.js';

/**
 * The Q.921 data link of a PRI's D-channel, user side: multiple frame operation (Q.921 5.5
 * to 5.8, SDL of Annex B) on SAPI 0, TEI 0. A PRI is point-to-point: the TEI is fixed and
 * there is no TEI management, so the link starts in state 4, TEI assigned.
 *
 *     4 tei-assigned ──start(), retry, DM F=0──► 5 awaiting-establishment ──UA F=1──► 7 multiple-frame-established
 *     4 ──SABME──► 7                      5 ──DM F=1, N200 SABMEs──► 4
 *     7 ──T200 / T203 expiry──► 8 timer-recovery ──response F=1──► 7
 *     7, 8 ──N(R) error, FRMR, DM F=0 (any DM in 8), N200 polls, frame rejection──► 5 (re-establishment)
 *     7, 8 ──DISC──► 4                    5, 7, 8 ──stop()──► 6 awaiting-release ──UA/DM F=1, N200 DISCs──► 4
 *
 * Choices Q.921 leaves open, made here:
 * - A PRI user keeps its link up: while started, a link released (DISC or DM from the
 *   network, N200 SABMEs unanswered) is established again after the re-establishment delay
 *   (`timers.retryMs`, by default T200 x N200: 3 s), and at once on an unsolicited DM F=0 (Q.921 5.5.4).
 * - On T200 expiry in state 7 the link polls with RR P=1 (Q.921 5.6.7 allows that or a
 *   retransmission of the last I frame); so does T203 expiry (an idle link).
 * - Own receiver busy is never set: every in-sequence I frame is passed up at once.
 * - `send()` queues an I frame while the link is being established, or while the window
 *   (k) is full, the peer busy or in timer recovery. When the link is released, or was not
 *   started, queued frames are discarded with a `discarded` event. On a re-establishment
 *   (a reset of a link that was up) the frames already sent and not acknowledged are
 *   discarded (the peer may or may not have them: Q.931 recovers with STATUS ENQUIRY), the
 *   ones never sent go out on the new link.
 * - Frame rejection conditions (Q.921 5.8.6: undefined control field, wrong length,
 *   information not permitted or over N201) re-establish the link in states 7 and 8, and
 *   are only counted in the others; invalid frames (5.8.5: too short, bad EA bits) and
 *   frames with a C/R bit their type cannot have are discarded and counted.
 */
export type { Q921Counters, Q921ErrorCode, Q921Snapshot } from './q921-metrics.js';
export { Q921_STATE_NUMBERS, type Q921DiscardReason, type Q921LinkEvents, type Q921LinkOptions, type Q921MdlError, type Q921ReleaseReason, type Q921State, type Q921Timers } from './q921-link-types.js';

const SAPI = 0;
const TEI = 0;
const mod = (n: number) => ((n % MODULUS) + MODULUS) % MODULUS;

export class Q921Link extends TypedEmitter<Q921LinkEvents> {
  private current: Q921State = 'tei-assigned';
  private started = false;
  private physicalUp: boolean;
  private vs = 0;
  private va = 0;
  private vr = 0;
  /** RC, the retransmission count. */
  private rc = 0;
  private peerBusy = false;
  private rejectException = false;
  private ackPending = false;
  /** Establishing after a reset of a link that was up (not by start() or a retry). */
  private reestablishing = false;
  /** I frames from V(A) on: the first V(S) - V(A) sent; those before `sentEver` sent at least once. */
  private readonly queue: Uint8Array[] = [];
  private sentEver = 0;
  private t200: TimerHandle | null = null;
  private t203: TimerHandle | null = null;
  private retry: TimerHandle | null = null;
  private depth = 0;
  private readonly later: (() => void)[] = [];
  private readonly log: Logger;
  private readonly timers: Q921Timers;
  private readonly k: number;
  private readonly counters: Q921Counters = newQ921Counters();

  constructor(private readonly opts: Q921LinkOptions) {
    super();
    this.log = opts.logger ?? pino({ level: 'silent' });
    const t200Ms = opts.timers?.t200Ms ?? 1000;
    const n200 = opts.timers?.n200 ?? 3;
    this.timers = { t200Ms, n200, t203Ms: opts.timers?.t203Ms ?? 10_000, retryMs: opts.timers?.retryMs ?? t200Ms * n200 };
    this.k = opts.k ?? 7;
    this.physicalUp = opts.physicalUp ?? true;
    if (!Number.isInteger(this.k) || this.k < 1 || this.k > MODULUS - 1) throw new RangeError(`Q.921 k ${this.k}: give a whole number of frames from 1 to ${MODULUS - 1}`);
    if (!Number.isInteger(n200) || n200 < 1) throw new RangeError(`Q.921 N200 ${n200}: give a whole number of retransmissions, 1 or more`);
  }

  get state(): Q921State {
    return this.current;
  }

  snapshot(): Q921Snapshot {
    const { current: state, vs, vr, va, peerBusy, rejectException, counters: c } = this;
    const counters = { ...c, malformed: { ...c.malformed }, errors: { ...c.errors } };
    return { state, stateNumber: Q921_STATE_NUMBERS[state], vs, vr, va, peerBusy, rejectException, queued: this.queue.length, counters };
  }

  /** Establish the link (SABME P=1), and keep it established until `stop()`. */
  start(): void {
    this.entry(() => {
      if (this.started) return;
      this.started = true;
      if (this.current === 'tei-assigned' && this.physicalUp) this.establish(false);
    });
  }

  /**
   * The physical layer came up or went down (PH-ACTIVATE / PH-DEACTIVATE: the card's link in
   * or out of service). Down: the link is released at once (nothing can cross; waiting for
   * T200 x N200 would only delay the news) and stays released; up: a started link is
   * established.
   */
  physicalLayer(up: boolean): void {
    this.entry(() => {
      if (up === this.physicalUp) return;
      this.physicalUp = up;
      if (!up) {
        this.stopTimer('retry');
        if (this.current !== 'tei-assigned') this.enterReleased('physical-down');
      } else if (this.started && this.current === 'tei-assigned') {
        this.establish(false);
      }
    });
  }

  /** Release the link (DISC P=1) and leave it released. Queued I frames are discarded. */
  stop(): void {
    this.entry(() => {
      this.started = false;
      this.stopTimer('retry');
      this.discardQueue('released');
      if (this.current === 'tei-assigned' || this.current === 'awaiting-release') return;
      // Q.921 5.5.3: DISC P=1, T200, and wait for UA or DM.
      this.rc = 0;
      this.sendU('DISC', true);
      this.startT200();
      this.transition('awaiting-release');
    });
  }

  /**
   * Queue a Q.931 message for an I frame. False (and a `discarded` event) when the link is
   * not started or is being stopped. Throws RangeError over N201 octets.
   */
  send(info: Uint8Array): boolean {
    if (info.length > N201) throw new RangeError(`an I frame carries at most N201 = ${N201} octets; this message has ${info.length}`);
    let queued = false;
    this.entry(() => {
      if (!this.started) {
        this.counters.discarded++;
        this.notify('discarded', [info], 'not-started');
        return;
      }
      this.queue.push(Uint8Array.from(info));
      queued = true;
    });
    return queued;
  }

  /** One frame from the card's `hdlc` link. Never throws for bad input. */
  receive(bytes: Uint8Array): void {
    this.entry(() => {
      this.counters.framesIn++;
      const decoded = decodeQ921(bytes, 'network');
      if (!decoded.ok) return this.malformed(decoded.error);
      const frame = decoded.frame;
      if (frame.sapi !== SAPI || frame.tei !== TEI) {
        this.counters.otherAddress++;
        this.log.debug({ sapi: frame.sapi, tei: frame.tei }, 'Q.921 frame for another SAPI/TEI ignored');
        return;
      }
      this.log.trace({ frame: describeQ921(frame), state: this.current }, 'Q.921 in');
      if (frame.kind === 'I') return this.onI(frame.ns, frame.nr, frame.p, frame.info);
      if (frame.kind === 'S') return this.onS(frame);
      this.onU(frame.type, frame.pf, frame.info);
    });
  }

  // ---- received frames ------------------------------------------------------------------

  private onU(type: Q921UFrameType, pf: boolean, info: Uint8Array): void {
    const s = this.current;
    const up = s === 'multiple-frame-established' || s === 'timer-recovery';
    switch (type) {
      case 'UI':
        return this.notify('info', info, 'UI');
      case 'XID':
        return this.log.debug('Q.921 XID ignored (no parameter negotiation on this link)');
      case 'SABME':
        if (s === 'awaiting-establishment') return this.sendU('UA', pf); // 5.5.5: SABMEs crossed; still waiting for our UA
        if (s === 'awaiting-release' || (s === 'tei-assigned' && !this.started)) return this.sendU('DM', pf);
        this.sendU('UA', pf);
        if (up) {
          this.mdlError('F');
          this.counters.failures++;
        }
        return this.enterEstablished('network', up);
      case 'DISC':
        if (!up) return this.sendU(s === 'awaiting-release' ? 'UA' : 'DM', pf); // 6: DISCs crossed (5.5.5)
        this.sendU('UA', pf);
        this.counters.failures++;
        return this.enterReleased('network-disc');
      case 'UA':
        if (pf && s === 'awaiting-establishment') return this.enterEstablished('user', this.reestablishing);
        if (pf && s === 'awaiting-release') return this.enterReleased('stopped');
        return this.mdlError(pf ? 'C' : 'D');
      case 'DM':
        if (s === 'tei-assigned') {
          if (!pf && this.started) this.establish(false); // the network asks us to establish
          return;
        }
        if (s === 'awaiting-establishment' || s === 'awaiting-release') {
          if (!pf) return;
          if (s === 'awaiting-release') return this.enterReleased('stopped');
          this.counters.failures++;
          return this.enterReleased('network-refused');
        }
        // B in state 7 leaves the link up; E, and B in timer recovery, re-establish it.
        return this.mdlError(pf ? 'B' : 'E', !pf || s === 'timer-recovery');
      case 'FRMR':
        if (up) this.mdlError('K', true);
        return;
    }
  }

  private onS(frame: Q921SFrame): void {
    const s = this.current;
    if (s !== 'multiple-frame-established' && s !== 'timer-recovery') return this.disconnectedMode(frame.command && frame.pf);
    const { type, nr, pf, command } = frame;
    this.peerBusy = type === 'RNR';
    if (type === 'REJ') this.counters.rejReceived++;
    if (command && pf) this.enquiryResponse();
    if (s === 'multiple-frame-established' && !command && pf) this.mdlError('A');
    if (!this.validNr(nr)) return this.mdlError('J', true);
    if (s === 'timer-recovery') {
      this.acknowledge(nr);
      // 5.6.7: the response with F=1 to our poll ends timer recovery; what it acknowledges not, is sent again.
      if (!command && pf) {
        this.transition('multiple-frame-established');
        this.vs = nr; // "invoke retransmission": flush() sends them again
        if (this.peerBusy) this.startT200();
        else this.idle();
      }
      return;
    }
    if (type === 'RR') return this.ackTimers(nr);
    this.acknowledge(nr);
    if (type === 'REJ') {
      // 5.6.4: resend from N(R) on.
      this.idle();
      this.vs = nr;
    } else {
      // 5.6.5: T200 runs to poll the busy peer.
      this.startT200();
    }
  }

  private onI(ns: number, nr: number, p: boolean, info: Uint8Array): void {
    const s = this.current;
    if (s !== 'multiple-frame-established' && s !== 'timer-recovery') return this.disconnectedMode(p);
    if (ns === this.vr) {
      this.vr = mod(this.vr + 1);
      this.rejectException = false;
      this.counters.iFramesIn++;
      this.notify('info', info, 'I');
      if (p) this.enquiryResponse();
      else this.ackPending = true;
    } else if (this.rejectException) {
      // 5.8.1: one REJ per exception condition; a poll is still answered.
      if (p) this.enquiryResponse();
    } else {
      this.rejectException = true;
      this.ackPending = false;
      this.counters.rejSent++;
      this.sendS('REJ', false, p);
    }
    if (!this.validNr(nr)) return this.mdlError('J', true);
    if (s === 'timer-recovery' || this.peerBusy) return this.acknowledge(nr);
    this.ackTimers(nr);
  }

  /** Q.921 5.8.5 / 5.8.6: count it; a frame rejection condition re-establishes a link in multiple frame operation. */
  private malformed(error: Q921DecodeError): void {
    const m = this.counters.malformed;
    m[error.reason] = (m[error.reason] ?? 0) + 1;
    this.log.debug({ reason: error.reason, offset: error.offset }, `Q.921 frame discarded: ${error.detail}`);
    const code = REJECTION_CODES[error.reason];
    if (code === undefined || error.sapi !== SAPI || error.tei !== TEI) return;
    this.mdlError(code, this.current === 'multiple-frame-established' || this.current === 'timer-recovery');
  }

  /** Q.921 5.5.4: a command with P=1 in state 4 is answered with DM F=1; states 5 and 6 ignore it. */
  private disconnectedMode(poll: boolean): void {
    if (poll && this.current === 'tei-assigned') this.sendU('DM', true);
  }

  // ---- procedures of the SDL ------------------------------------------------------------

  /** "Establish data link" (Annex B): SABME P=1 under T200. `reset` when the link was up. */
  private establish(reset: boolean): void {
    this.stopTimer('retry');
    if (reset) this.counters.failures++;
    this.reestablishing = reset;
    this.clearExceptions();
    this.rc = 0;
    this.sendU('SABME', true);
    this.startT200();
    this.transition('awaiting-establishment');
  }

  private enterEstablished(by: 'user' | 'network', reestablished: boolean): void {
    this.stopTimer('retry');
    this.clearExceptions();
    // The frames the peer may have had from the old link are not sent again on the new one.
    if (this.sentEver > 0) this.discard(this.queue.splice(0, this.sentEver), 'link-reset');
    this.sentEver = 0;
    this.vs = this.va = this.vr = 0;
    this.stopTimer('t200');
    this.startT203();
    if (this.current !== 'multiple-frame-established') this.transition('multiple-frame-established');
    this.counters.establishments++;
    this.reestablishing = false;
    this.log.info({ by, reestablished }, 'Q.921 link established (multiple frame operation)');
    this.notify('established', { by, reestablished });
  }

  private enterReleased(reason: Q921ReleaseReason): void {
    this.stopTimer('t200');
    this.stopTimer('t203');
    this.discardQueue('released');
    this.transition('tei-assigned');
    const level = reason === 'stopped' ? 'info' : 'warn';
    this.log[level]({ reason }, 'Q.921 link released');
    this.notify('released', reason);
    if (!this.started || !this.physicalUp) return;
    if (reason === 'stopped') this.establish(false); // started again while it was being stopped
    else this.retry = this.opts.clock.setTimeout(() => this.entry(() => this.establish(false)), this.timers.retryMs);
  }

  private onT200(): void {
    this.t200 = null;
    const { n200 } = this.timers;
    switch (this.current) {
      case 'awaiting-establishment':
        if (this.rc >= n200) {
          this.mdlError('G');
          this.counters.failures++;
          return this.enterReleased('no-answer');
        }
        this.rc++;
        this.sendU('SABME', true);
        return this.startT200();
      case 'awaiting-release':
        if (this.rc >= n200) {
          this.mdlError('H');
          return this.enterReleased('stopped');
        }
        this.rc++;
        this.sendU('DISC', true);
        return this.startT200();
      case 'multiple-frame-established':
        this.rc = 0;
        this.transition('timer-recovery');
        break;
      case 'timer-recovery':
        if (this.rc >= n200) return this.mdlError('I', true);
        break;
      case 'tei-assigned':
        return;
    }
    // 5.6.7: poll, N200 times at most.
    this.enquiry();
    this.rc++;
  }

  /** Nothing heard for T203: poll the peer. */
  private onT203(): void {
    this.t203 = null;
    if (this.current !== 'multiple-frame-established') return;
    this.rc = 0;
    this.transition('timer-recovery');
    this.enquiry();
  }

  /** "Transmit enquiry": RR command P=1 (own receiver never busy), under T200. */
  private enquiry(): void {
    this.sendS('RR', true, true);
    this.ackPending = false;
    this.startT200();
  }

  /** "Enquiry response": RR response F=1. */
  private enquiryResponse(): void {
    this.sendS('RR', false, true);
    this.ackPending = false;
  }

  /** V(A) <= N(R) <= V(S), modulo 128 (Q.921 5.8.2). */
  private validNr(nr: number): boolean {
    return mod(nr - this.va) <= mod(this.vs - this.va);
  }

  /** V(A) := N(R): the acknowledged frames leave the queue. */
  private acknowledge(nr: number): void {
    const n = mod(nr - this.va);
    this.queue.splice(0, n);
    this.sentEver = Math.max(0, this.sentEver - n);
    this.va = nr;
  }

  /** V(A) := N(R) in state 7, and the timers (Annex B): all acknowledged, T203; some, T200 again. */
  private ackTimers(nr: number): void {
    const advanced = nr !== this.va;
    this.acknowledge(nr);
    if (nr === this.vs) this.idle();
    else if (advanced) this.startT200();
  }

  private idle(): void {
    this.stopTimer('t200');
    this.startT203();
  }

  private clearExceptions(): void {
    this.peerBusy = this.rejectException = this.ackPending = false;
  }

  /** After every event: I frames the window allows (state 7 only), then a pending acknowledgement. */
  private flush(): void {
    if (this.current !== 'multiple-frame-established' && this.current !== 'timer-recovery') return;
    if (this.current === 'multiple-frame-established') {
      for (let out = mod(this.vs - this.va); !this.peerBusy && out < this.k && out < this.queue.length; out++) {
        if (out < this.sentEver) this.counters.retransmissions++;
        else this.sentEver = out + 1;
        this.out({ kind: 'I', sapi: SAPI, tei: TEI, command: true, ns: this.vs, nr: this.vr, p: false, info: this.queue[out]! });
        this.counters.iFramesOut++;
        this.vs = mod(this.vs + 1);
        this.ackPending = false;
        if (this.t200 === null) this.startT200();
      }
    }
    if (this.ackPending) {
      this.ackPending = false;
      this.sendS('RR', false, false);
    }
  }

  // ---- plumbing -------------------------------------------------------------------------

  /**
   * Runs one event to the end, then tells the listeners (who may call back in), then sends
   * what is due: so a Q.931 answer sent from an `info` listener carries the acknowledgement.
   */
  private entry(fn: () => void): void {
    this.depth++;
    try {
      fn();
    } finally {
      this.depth--;
    }
    if (this.depth > 0) return;
    try {
      while (this.later.length > 0) this.later.shift()!();
    } finally {
      this.flush();
    }
  }

  private notify<K extends keyof Q921LinkEvents & string>(event: K, ...args: Parameters<Q921LinkEvents[K]>): void {
    this.later.push(() => {
      // An 'error' nobody listens for would throw out of receive(): these are for the log.
      if (event === 'error' && this.listenerCount('error') === 0) return;
      this.emit(event, ...args);
    });
  }

  /** An MDL-ERROR indication; `reestablish` for the errors after which the link is established again. */
  private mdlError(code: Q921ErrorCode, reestablish = false): void {
    const e = this.counters.errors;
    e[code] = (e[code] ?? 0) + 1;
    const message = `MDL-ERROR ${code}: ${Q921_ERRORS[code]}`;
    this.log.warn({ code, state: this.current }, message);
    this.notify('error', { code, message, state: this.current });
    if (reestablish) this.establish(true);
  }

  private discardQueue(reason: Q921DiscardReason): void {
    this.sentEver = 0;
    if (this.queue.length > 0) this.discard(this.queue.splice(0), reason);
  }

  private discard(payloads: Uint8Array[], reason: Q921DiscardReason): void {
    this.counters.discarded += payloads.length;
    this.log.info({ count: payloads.length, reason }, 'Q.921 I frames discarded');
    this.notify('discarded', payloads, reason);
  }

  private sendU(type: Q921UFrameType, pf: boolean): void {
    const command = type === 'SABME' || type === 'DISC';
    this.out({ kind: 'U', type, sapi: SAPI, tei: TEI, command, pf, info: new Uint8Array(0) });
  }

  private sendS(type: Q921SFrameType, command: boolean, pf: boolean): void {
    this.out({ kind: 'S', type, sapi: SAPI, tei: TEI, command, nr: this.vr, pf });
  }

  private out(frame: Q921Frame): void {
    this.counters.framesOut++;
    this.log.trace({ frame: describeQ921(frame), state: this.current }, 'Q.921 out');
    this.opts.send(encodeQ921(frame, 'user'));
  }

  /** T200 and T203 never run together (Annex B): starting T200 stops T203. */
  private startT200(): void {
    this.stopTimer('t203');
    this.stopTimer('t200');
    this.t200 = this.opts.clock.setTimeout(() => this.entry(() => this.onT200()), this.timers.t200Ms);
  }

  private startT203(): void {
    this.stopTimer('t203');
    this.t203 = this.opts.clock.setTimeout(() => this.entry(() => this.onT203()), this.timers.t203Ms);
  }

  private stopTimer(name: 't200' | 't203' | 'retry'): void {
    const handle = this[name];
    if (handle !== null) this.opts.clock.clearTimeout(handle);
    this[name] = null;
  }

  private transition(to: Q921State): void {
    if (!MOVES[this.current].includes(to)) throw new Error(`Q.921 link: illegal move ${this.current} -> ${to}`);
    this.current = to;
  }
}
