import type { Clock, TimerHandle } from '@countyline/e1-gateway';

/**
 * Q.764 timers, named as the standard names them, one of each per circuit (or per range for
 * the group messages, keyed by the range's first CIC).
 *
 * | timer | runs while                        | on expiry                                 |
 * |-------|-----------------------------------|-------------------------------------------|
 * | T1    | waiting for RLC after our REL     | send REL again                            |
 * | T5    | the same, long                    | alert, RSC under T17 only, stop T1        |
 * | T6    | a call suspended (SUS), no RES    | release with cause 102                    |
 * | T7    | waiting for ACM/CON after our IAM | release with cause 102                    |
 * | T8    | waiting for COT after an IAM that | release with cause 41, unloop             |
 * |       | asked for a continuity check      |                                           |
 * | T9    | waiting for ANM after ACM         | release with cause 19 (no answer)         |
 * | T27   | a circuit whose check failed,     | reset the circuit (RSC)                   |
 * |       | waiting for the recheck (CCR)     |                                           |
 * | T36   | our loop for the exchange's CCR,  | end the loop, reset the circuit (RSC)     |
 * |       | waiting for its COT or REL        |                                           |
 * | T35   | waiting for the next SAM digit    | the number is complete: offer the call    |
 * | T12/13| waiting for BLA                   | repeat BLO / alert, then repeat every T13 |
 * | T14/15| waiting for UBA                   | repeat UBL / alert, then repeat every T15 |
 * | T16/17| waiting for RLC after our RSC     | repeat RSC / alert, then repeat every T17 |
 * | T18/19| waiting for CGBA                  | repeat CGB / alert, then repeat every T19 |
 * | T20/21| waiting for CGUA                  | repeat CGU / alert, then repeat every T21 |
 * | T22/23| waiting for GRA                   | repeat GRS / alert, then repeat every T23 |
 *
 * Past the first expiry of a long timer the short one stops and the message repeats at the
 * long interval (Q.764 2.9.4, Table A.1). The RSC that T5 starts runs under T17 alone.
 * `hold` is the box's own: the hold time of its outgoing test calls.
 */
export type IsupTimerName = 'hold' | 'T1' | 'T5' | 'T6' | 'T7' | 'T8' | 'T9' | 'T27' | 'T35' | 'T36' | 'T12' | 'T13' | 'T14' | 'T15' | 'T16' | 'T17' | 'T18' | 'T19' | 'T20' | 'T21' | 'T22' | 'T23';

export interface IsupTimerSettings {
  /** T1, T12, T14, T16, T18, T20, T22: repeat the message (ITU default 15 s). */
  repeatMs: number;
  /** T5, T13, T15, T17, T19, T21, T23: alert maintenance (ITU default 5 min). */
  alertMs: number;
  /** T7: waiting for the address complete message (ITU 20-30 s). */
  t7Ms: number;
  /** T9: waiting for answer after ACM (ITU 90 s - 3 min). */
  t9Ms: number;
  /** T6: a suspended call waiting for RES (ITU 10 s - 2 min, network dependent). */
  t6Ms: number;
  /** T8: waiting for COT after an IAM asking for a continuity check (ITU 10-15 s). */
  t8Ms: number;
  /** T35: inter-digit, waiting for the next SAM of an incomplete called number (ITU 15-20 s). */
  t35Ms: number;
}

/** T27 (Q.764 Table A.1, a fixed 4 minutes): waiting for the continuity recheck after a failed check. */
export const T27_MS = 240_000;
/** T36 (Q.764 Table A.1, 10-15 s): a circuit looped for the exchange's CCR waiting for its COT or REL. */
export const T36_MS = 15_000;

/**
 * The ranges Q.764 Annex A (Table A.1) gives the timers, in ms, by setting: the config
 * refuses a value outside them. T9 is Q.118's: 90 s to 3 min.
 */
export const ISUP_TIMER_RANGES: Readonly<Record<keyof IsupTimerSettings, { min: number; max: number; timers: string }>> = Object.freeze({
  repeatMs: { min: 15_000, max: 60_000, timers: 'T1, T12, T14, T16, T18, T20 and T22' },
  alertMs: { min: 300_000, max: 900_000, timers: 'T5, T13, T15, T17, T19, T21 and T23' },
  t7Ms: { min: 20_000, max: 30_000, timers: 'T7' },
  t9Ms: { min: 90_000, max: 180_000, timers: 'T9' },
  t6Ms: { min: 10_000, max: 120_000, timers: 'T6' },
  t8Ms: { min: 10_000, max: 15_000, timers: 'T8' },
  t35Ms: { min: 15_000, max: 20_000, timers: 'T35' },
});

export const DEFAULT_ISUP_TIMERS: Readonly<IsupTimerSettings> = Object.freeze({ repeatMs: 15_000, alertMs: 300_000, t7Ms: 30_000, t9Ms: 180_000, t6Ms: 120_000, t8Ms: 15_000, t35Ms: 15_000 });

export class IsupTimers {
  private readonly running = new Map<string, TimerHandle>();

  constructor(private readonly clock: Clock) {}

  start(name: IsupTimerName, cic: number, ms: number, onExpiry: () => void): void {
    const key = `${name}/${cic}`;
    this.stop(name, cic);
    this.running.set(
      key,
      this.clock.setTimeout(() => {
        this.running.delete(key);
        onExpiry();
      }, ms),
    );
  }

  stop(name: IsupTimerName, cic: number): void {
    const key = `${name}/${cic}`;
    const handle = this.running.get(key);
    if (handle) this.clock.clearTimeout(handle);
    this.running.delete(key);
  }

  isRunning(name: IsupTimerName, cic: number): boolean {
    return this.running.has(`${name}/${cic}`);
  }

  clear(): void {
    for (const handle of this.running.values()) this.clock.clearTimeout(handle);
    this.running.clear();
  }
}
