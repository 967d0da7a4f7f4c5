import type { Logger } from 'pino';
import { T27_MS, type IsupTimers } from './isup-timers.js';

export interface ContinuityWaitDeps {
  timers: IsupTimers;
  logger: Logger;
  /** Loops the circuit's timeslot back toward the exchange (on) or ends the loop. */
  loop: (cic: number, on: boolean) => void;
  /** Resets a circuit whose state is in doubt (RSC), from the maintenance side. */
  resetCircuit: (cic: number) => void;
}

/**
 * What the box keeps for the exchange's continuity checks on incoming calls (Q.764 2.1.8),
 * beside the call records: which calls wait for a COT and whether their number is complete,
 * which circuits are looped back, and which circuits are held for a recheck after a failed
 * check (T27, then a reset). The call phases stay with the call records (isup-calls.ts).
 */
export class ContinuityWaits {
  /** By call id: whether the number of a call waiting for its COT is complete (ST seen). */
  private readonly awaited = new Map<number, boolean>();
  /** Call ids whose circuit is looped back, with the CIC. */
  private readonly looped = new Map<number, number>();
  /** Circuits whose check failed, held for the exchange's recheck (CCR) under T27. */
  private readonly rechecks = new Set<number>();

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
   * The wait of a call ends (its COT came, or the call ended): the loop goes. Returns whether
   * its number is complete (true for a call that was not waiting).
   */
  end(callId: number): boolean {
    const cic = this.looped.get(callId);
    if (cic !== undefined) {
      this.looped.delete(callId);
      this.d.loop(cic, false);
    }
    const complete = this.awaited.get(callId) ?? true;
    this.awaited.delete(callId);
    return complete;
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

  /** The exchange's CCR, or its REL or a reset, came for `cic`: a hold for a recheck ends. True if it was held. */
  endRecheck(cic: number): boolean {
    if (!this.rechecks.delete(cic)) return false;
    this.d.timers.stop('T27', cic);
    return true;
  }

  stop(): void {
    for (const cic of [...this.rechecks]) this.endRecheck(cic);
  }
}
