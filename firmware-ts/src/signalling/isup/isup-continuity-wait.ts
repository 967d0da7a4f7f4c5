import type { Logger } from 'pino';
import { T27_MS, T36_MS, type IsupTimers } from './isup-timers.js';

export interface ContinuityWaitDeps {
  timers: IsupTimers;
  logger: Logger;
  /** Loops the circuit's timeslot back toward the exchange (on) or ends the loop. */
  loop: (cic: number, on: boolean) => void;
  /** Resets a circuit whose state is in doubt (RSC), from the maintenance side. */
  resetCircuit: (cic: number) => void;
}

/** What a circuit is doing for one of the exchange's continuity checks, as `countyline circuits` shows it. */
export type ContinuityState = 'exchange-loop' | 'recheck-wait';

/**
 * What the box keeps for the continuity checks the exchange runs on its circuits (Q.764
 * 2.1.8), beside the call records:
 * - calls whose IAM asked for a check, waiting for the COT (and whether their number is
 *   complete), with the circuit looped back when the check runs on it;
 * - circuits whose check failed, held for the exchange's recheck (T27, then a reset);
 * - circuits looped back for the exchange's CCR, until its COT or REL (T36, then a reset).
 * The call phases stay with the call records (isup-calls.ts).
 */
export class ContinuityWaits {
  /** By call id: whether the number of a call waiting for its COT is complete (ST seen). */
  private readonly awaited = new Map<number, boolean>();
  /** Call ids whose circuit is looped back, with the CIC. */
  private readonly looped = new Map<number, number>();
  /** Circuits whose check failed, held for the exchange's recheck (CCR) under T27. */
  private readonly rechecks = new Set<number>();
  /** Circuits looped back for the exchange's CCR, under T36. */
  private readonly exchangeLoops = new Set<number>();

  constructor(private readonly d: ContinuityWaitDeps) {}

  /** A call on `cic` now waits for its COT; `loop`: the check runs on this circuit, so loop it back. */
  start(callId: number, cic: number, loop: boolean, numberComplete: boolean): void {
    this.awaited.set(callId, numberComplete);
    if (!loop) return;
    this.looped.set(callId, cic);
    this.d.loop(cic, true);
  }

  /** The ST of a call still waiting for its COT came (in a SAM). */
  numberCompleted(callId: number): void {
    if (this.awaited.has(callId)) this.awaited.set(callId, true);
  }

  /**
   * The wait of a call ends (its COT came, or the call ended): the loop goes. Tells whether
   * its number is complete (true for a call that was not waiting) and whether its circuit
   * was looped (the check ran on this circuit).
   */
  end(callId: number): { numberComplete: boolean; looped: boolean } {
    const cic = this.looped.get(callId);
    if (cic !== undefined) {
      this.looped.delete(callId);
      this.d.loop(cic, false);
    }
    const numberComplete = this.awaited.get(callId) ?? true;
    this.awaited.delete(callId);
    return { numberComplete, looped: cic !== undefined };
  }

  /** Holds a circuit whose check failed for the exchange's recheck: T27, then RSC (Q.764 Table A.1). */
  awaitRecheck(cic: number): void {
    this.rechecks.add(cic);
    this.d.timers.start('T27', cic, T27_MS, () => {
      this.rechecks.delete(cic);
      this.d.logger.warn({ cic }, 'no continuity recheck (CCR) from the exchange within T27: resetting the circuit');
      this.d.resetCircuit(cic);
    });
  }

  /** Ends the hold of `cic` for a recheck (its CCR, REL or a reset came); true if it was held. */
  takeRecheck(cic: number): boolean {
    if (!this.rechecks.delete(cic)) return false;
    this.d.timers.stop('T27', cic);
    return true;
  }

  /**
   * Loops `cic` back for the exchange's CCR. T36 bounds the test: with neither COT nor REL
   * in time the loop goes and the circuit is reset (Q.764 Table A.1).
   */
  loopForExchange(cic: number): void {
    this.exchangeLoops.add(cic);
    this.d.loop(cic, true);
    this.d.timers.start('T36', cic, T36_MS, () => {
      this.d.logger.warn({ cic }, 'neither COT nor REL from the exchange within T36 of its CCR: resetting the circuit');
      this.endExchangeLoop(cic);
      this.d.resetCircuit(cic);
    });
  }

  /** Ends the loop of the exchange's CCR on `cic` (its COT, REL, or a reset); true if there was one. */
  endExchangeLoop(cic: number): boolean {
    if (!this.exchangeLoops.delete(cic)) return false;
    this.d.timers.stop('T36', cic);
    this.d.loop(cic, false);
    return true;
  }

  /** The circuit's state for the exchange's checks, when it is in one outside a call record. */
  state(cic: number): ContinuityState | null {
    return this.exchangeLoops.has(cic) ? 'exchange-loop' : this.rechecks.has(cic) ? 'recheck-wait' : null;
  }

  /** A reset of `cic` ends whatever it was doing for the exchange's checks. */
  reset(cic: number): void {
    this.takeRecheck(cic);
    this.endExchangeLoop(cic);
  }

  stop(): void {
    for (const cic of [...this.rechecks]) this.takeRecheck(cic);
    for (const cic of [...this.exchangeLoops]) this.endExchangeLoop(cic);
  }
}
