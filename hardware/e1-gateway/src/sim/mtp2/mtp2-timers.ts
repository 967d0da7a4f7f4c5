/**
 * The MTP2 timers of one signalling link, in milliseconds (Q.703 12.3, 64 kbit/s). The
 * defaults sit inside the ranges Q.703 gives; a bench or a test shortens them.
 */
export interface Mtp2TimerValues {
  /** T1 "alignment ready": aligned ready, waiting for the far end's FISU or MSU (40-50 s). */
  t1: number;
  /** T2 "not aligned": sending SIO, waiting for the far end's SIO, SIN or SIE (5-50 s). */
  t2: number;
  /** T3 "aligned": sending SIN or SIE, waiting for the far end's SIN or SIE (1-2 s). */
  t3: number;
  /** T4 normal proving period Pn, 2^16 octets at 64 kbit/s (7.5-9.5 s, nominal 8.2 s). */
  t4n: number;
  /** T4 emergency proving period Pe, 2^12 octets at 64 kbit/s (400-600 ms, nominal 500 ms). */
  t4e: number;
  /** T6 "remote congestion": the far end has sent SIB this long (3-6 s). */
  t6: number;
  /** T7 "excessive delay of acknowledgement": an MSU sent this long ago is still unacknowledged (0.5-2 s). */
  t7: number;
}

export const Q703_TIMERS: Readonly<Mtp2TimerValues> = Object.freeze({
  t1: 45_000,
  t2: 50_000,
  t3: 1_500,
  t4n: 8_200,
  t4e: 500,
  t6: 5_000,
  t7: 1_000,
});

export const MTP2_TIMER_NAMES = Object.keys(Q703_TIMERS) as (keyof Mtp2TimerValues)[];

/** The defaults with some values replaced; throws RangeError for a value that is not a positive whole number of ms. */
export function mtp2Timers(overrides: Partial<Mtp2TimerValues> = {}): Mtp2TimerValues {
  const timers = { ...Q703_TIMERS };
  for (const name of MTP2_TIMER_NAMES) {
    const value = overrides[name];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1 || value > 600_000) throw new RangeError(`MTP2 timer ${name} is ${value}; use a whole number of ms from 1 to 600000`);
    timers[name] = value;
  }
  return timers;
}
