import type { Timer, Timers } from '../sim-timers.js';
import { AlignmentErrorRateMonitor } from './error-monitors.js';
import type { Mtp2TimerValues } from './mtp2-timers.js';
import type { LssuStatus } from './signal-unit.js';

/** Initial alignment control states (Q.703 7.3, Figure 9). */
export type AlignmentState = 'idle' | 'not-aligned' | 'aligned' | 'proving';

/** Why alignment was not possible: a timer ran out, the far end said out of service, or proving failed 5 times. */
export type AlignmentFailure = 'T2' | 'T3' | 'SIOS' | 'proving';

/** The statuses initial alignment sends. */
export type AlignmentStatus = Extract<LssuStatus, 'SIO' | 'SIN' | 'SIE'>;

const MOVES: Record<AlignmentState, readonly AlignmentState[]> = {
  idle: ['not-aligned'],
  'not-aligned': ['aligned', 'proving', 'idle'],
  aligned: ['proving', 'idle'],
  proving: ['aligned', 'proving', 'idle'],
};

/** Q.703 10.3: proving is given up after M = 5 aborted attempts. */
export const MAX_PROVING_ATTEMPTS = 5;

export interface InitialAlignmentHooks {
  /** The status to send from now on, until the next call. */
  send(status: AlignmentStatus): void;
  /** Proving passed: the link is aligned ready. */
  complete(): void;
  failed(reason: AlignmentFailure): void;
  /** The state changed (for reports). */
  moved?(state: AlignmentState): void;
}

/**
 * Initial alignment control (Q.703 7): sends SIO until the far end answers, then SIN (or SIE
 * in an emergency), proves the link for Pn or Pe while the AERM counts errored units, and
 * reports completion or failure to link state control. One timer runs at a time: T2 while
 * not aligned, T3 while aligned, T4 while proving.
 */
export class InitialAlignmentControl {
  state: AlignmentState = 'idle';
  /** Proving attempts aborted by the AERM, over the life of the link. */
  provingAborts = 0;
  private localEmergency = false;
  private remoteEmergency = false;
  /** Cp: aborted proving attempts in this alignment. */
  private attempts = 0;
  private furtherProving = false;
  private aermActive = false;
  private timer: Timer | undefined;
  private readonly aerm = new AlignmentErrorRateMonitor();

  constructor(
    private readonly timers: Timers,
    private readonly values: Mtp2TimerValues,
    private readonly hooks: InitialAlignmentHooks,
  ) {}

  /** Emergency proving (Pe) applies: we asked for it, or the far end sent SIE. */
  get emergency(): boolean {
    return this.localEmergency || this.remoteEmergency;
  }

  /** Link state control starts alignment (Q.703 7.3): send SIO, start T2. */
  start(emergency: boolean): void {
    this.stop();
    this.localEmergency = emergency;
    this.remoteEmergency = false;
    this.attempts = 0;
    this.furtherProving = false;
    this.move('not-aligned');
    this.hooks.send('SIO');
    this.arm(this.values.t2, () => this.fail('T2'));
  }

  /** Link state control stops alignment. */
  stop(): void {
    this.cancel();
    if (this.state !== 'idle') this.move('idle');
  }

  /** An LSSU received while aligning. */
  status(status: LssuStatus): void {
    switch (this.state) {
      case 'not-aligned':
        if (status !== 'SIO' && status !== 'SIN' && status !== 'SIE') return; // SIOS and the rest: T2 runs on
        if (status === 'SIE') this.remoteEmergency = true;
        this.hooks.send(this.localEmergency ? 'SIE' : 'SIN');
        if (status === 'SIO') {
          this.move('aligned');
          this.arm(this.values.t3, () => this.fail('T3'));
        } else {
          // The far end is aligned already. On a line its SIN repeats and the next one, a frame
          // later, moves us from aligned to proving; a datagram peer need not repeat it, so
          // this one counts for both steps.
          this.startProving();
        }
        return;
      case 'aligned':
        if (status === 'SIN' || status === 'SIE') {
          if (status === 'SIE') this.remoteEmergency = true;
          this.startProving();
        } else if (status === 'SIOS') {
          this.fail('SIOS');
        }
        return;
      case 'proving':
        if (status === 'SIO') {
          // The far end lost alignment: back to aligned, wait for its SIN again (T3).
          this.cancel();
          this.aermActive = false;
          this.move('aligned');
          this.arm(this.values.t3, () => this.fail('T3'));
        } else if (status === 'SIOS') {
          this.fail('SIOS');
        } else if (status === 'SIE' && !this.emergency) {
          // The far end proves for the emergency period: so do we, from now.
          this.remoteEmergency = true;
          this.startProving();
        }
        return;
      case 'idle':
        return;
    }
  }

  /** An errored signal unit received (Q.703 10.3): counted by the AERM while proving. */
  errored(): void {
    if (this.state !== 'proving' || !this.aermActive || !this.aerm.errored()) return;
    // Q.703 7.3: abort proving; after M attempts alignment is not possible, else prove again
    // once T4 has run out.
    this.aermActive = false;
    this.provingAborts++;
    if (++this.attempts >= MAX_PROVING_ATTEMPTS) this.fail('proving');
    else this.furtherProving = true;
  }

  private startProving(): void {
    this.cancel();
    this.aerm.start(this.emergency);
    this.aermActive = true;
    this.furtherProving = false;
    this.move('proving');
    this.arm(this.emergency ? this.values.t4e : this.values.t4n, () => this.provingEnded());
  }

  private provingEnded(): void {
    if (this.furtherProving) {
      this.startProving();
      return;
    }
    this.aermActive = false;
    this.move('idle');
    this.hooks.complete();
  }

  private fail(reason: AlignmentFailure): void {
    this.cancel();
    this.aermActive = false;
    this.move('idle');
    this.hooks.failed(reason);
  }

  private arm(ms: number, fn: () => void): void {
    this.cancel();
    this.timer = this.timers.after(ms, fn);
  }

  private cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private move(to: AlignmentState): void {
    if (!MOVES[this.state].includes(to)) throw new Error(`initial alignment: illegal move ${this.state} -> ${to}`);
    this.state = to;
    this.hooks.moved?.(to);
  }
}
