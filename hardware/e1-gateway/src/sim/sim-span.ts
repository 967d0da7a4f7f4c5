import { SPAN_DEFECTS, type MessageOf, type SpanDefect } from '../protocol/index.js';

export type SpanDefects = Record<SpanDefect, boolean>;

/** Error rates injected on the line (the far end's problem, so they survive a card reset). */
export interface SpanErrorRates {
  crc4PerSecond: number;
  eBitsPerSecond: number;
  lineCodeViolationsPerSecond: number;
  slipsPerMinute: number;
}
export const ERROR_RATE_FIELDS = ['crc4PerSecond', 'eBitsPerSecond', 'lineCodeViolationsPerSecond', 'slipsPerMinute'] as const;

/** What the host sets with spanConfig / spanSendRai; back to these defaults on a card reset. */
export interface SpanConfig {
  crc4: boolean;
  clock: 'line' | 'internal';
  sendingRai: boolean;
}
export const DEFAULT_SPAN_CONFIG: Readonly<SpanConfig> = Object.freeze({ crc4: true, clock: 'line', sendingRai: false });

export interface SpanCounts {
  crc4Errors: number;
  eBits: number;
  lineCodeViolations: number;
  slips: number;
}

export interface SpanSnapshot {
  span: number;
  defects: SpanDefects;
  errors: SpanErrorRates;
  crc4: boolean;
  clock: 'line' | 'internal';
  sendingRai: boolean;
  counters: { secondsSent: number; last: SpanCounts | null; totals: SpanCounts };
}

const U16_MAX = 0xffff;
const U8_MAX = 0xff;

/**
 * One E1 span as the card's framer sees it. Pure state: the card asks for the status and
 * for each second's counters and decides when to send them.
 *
 * Counts are spread evenly: each rate feeds an accumulator and a second reports its whole
 * part, so 0.5 CRC-4 errors per second gives 0, 1, 0, 1, ... and 7 slips per minute give
 * exactly 7 in every minute since the rate was set, spaced about 8.6 s apart.
 */
export class SimSpan {
  readonly defects: SpanDefects = Object.fromEntries(SPAN_DEFECTS.map((d) => [d, false])) as SpanDefects;
  readonly errors: SpanErrorRates = { crc4PerSecond: 0, eBitsPerSecond: 0, lineCodeViolationsPerSecond: 0, slipsPerMinute: 0 };
  config: SpanConfig = { ...DEFAULT_SPAN_CONFIG };
  private second = 0;
  /** Defects present at any moment of the second being counted. */
  private secondDefects: SpanDefects = { ...this.defects };
  /** Seconds left of an error burst; at 0 the burst's rates go back to 0. */
  private burst: { seconds: number; fields: (typeof ERROR_RATE_FIELDS)[number][] } | null = null;
  private readonly owed = { crc4: 0, eBits: 0, lcv: 0, slipSixtieths: 0 };
  private last: SpanCounts | null = null;
  private totals: SpanCounts = zeroCounts();
  private reported: string;

  constructor(readonly index: number) {
    this.reported = JSON.stringify(this.status());
  }

  /**
   * The framer has no frame alignment (LOS, LOF or AIS): it cannot check CRC-4, and
   * nothing it receives on a timeslot means anything.
   */
  get outOfFrame(): boolean {
    return this.defects.los || this.defects.lof || this.defects.ais;
  }

  /** A defect that stops signalling on the span (Q.703 links lose alignment). */
  get signallingBlocked(): boolean {
    return this.outOfFrame || this.defects.lmfa;
  }

  /** Applies a partial update; returns whether anything changed. */
  setDefects(update: Partial<SpanDefects>): boolean {
    let changed = false;
    for (const d of SPAN_DEFECTS) {
      const v = update[d];
      if (v !== undefined && v !== this.defects[d]) {
        this.defects[d] = v;
        if (v) this.secondDefects[d] = true;
        changed = true;
      }
    }
    return changed;
  }

  /**
   * Applies a partial update; all or nothing. With `seconds`, the rates given hold for exactly
   * that many one-second reports and then go back to 0 (an error burst of known length).
   */
  setErrorRates(update: Partial<SpanErrorRates>, seconds?: number): void {
    for (const f of ERROR_RATE_FIELDS) {
      const v = update[f];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new RangeError(`${f} ${v} must be a non-negative number`);
    }
    if (seconds !== undefined && !(Number.isInteger(seconds) && seconds >= 1)) throw new RangeError(`seconds ${seconds} must be a whole number of at least 1`);
    const fields = ERROR_RATE_FIELDS.filter((f) => update[f] !== undefined);
    // A new setting ends a burst still running: its rates go back to 0 unless set again now.
    if (this.burst) for (const f of this.burst.fields) if (update[f] === undefined) this.errors[f] = 0;
    this.burst = seconds === undefined ? null : { seconds, fields };
    if (seconds !== undefined) for (const key of Object.keys(this.owed) as (keyof typeof this.owed)[]) this.owed[key] = 0;
    for (const f of ERROR_RATE_FIELDS) {
      const v = update[f];
      if (v !== undefined && v !== this.errors[f]) {
        this.errors[f] = v;
        // A new rate starts a fresh minute, so "n per minute" holds from now on.
        if (f === 'slipsPerMinute') this.owed.slipSixtieths = 0;
      }
    }
  }

  /** Applies host configuration; returns whether anything changed. */
  configure(update: Partial<SpanConfig>): boolean {
    const next = { ...this.config, ...update };
    const changed = next.crc4 !== this.config.crc4 || next.clock !== this.config.clock || next.sendingRai !== this.config.sendingRai;
    this.config = next;
    return changed;
  }

  status(): MessageOf<'spanStatus'> {
    return { type: 'spanStatus', span: this.index, defects: { ...this.defects }, ...this.config };
  }

  /** The status if it differs from the one this last returned (the card reports changes only). */
  changedStatus(): MessageOf<'spanStatus'> | undefined {
    const status = this.status();
    const key = JSON.stringify(status);
    if (key === this.reported) return undefined;
    this.reported = key;
    return status;
  }

  /**
   * Closes one second and returns its counters. Without CRC-4 (host turned it off, or the
   * framer is out of frame) there are no CRC-4 errors to count, nor E-bits, which the far
   * end derives from our CRC-4 (G.704 2.3.3.4).
   */
  countSecond(): MessageOf<'spanCounters'> {
    const crcCounting = this.config.crc4 && !this.outOfFrame;
    const take = (key: 'crc4' | 'eBits' | 'lcv', rate: number) => {
      this.owed[key] += rate;
      const n = Math.floor(this.owed[key]);
      this.owed[key] -= n;
      return n;
    };
    const crc4 = take('crc4', this.errors.crc4PerSecond);
    const eBits = take('eBits', this.errors.eBitsPerSecond);
    const lcv = take('lcv', this.errors.lineCodeViolationsPerSecond);
    // Slips are kept in sixtieths so that whole slips per minute add up exactly.
    this.owed.slipSixtieths += this.errors.slipsPerMinute;
    const slips = Math.floor(this.owed.slipSixtieths / 60);
    this.owed.slipSixtieths -= slips * 60;

    const counts: SpanCounts = {
      crc4Errors: crcCounting ? Math.min(crc4, U16_MAX) : 0,
      eBits: crcCounting ? Math.min(eBits, U16_MAX) : 0,
      lineCodeViolations: Math.min(lcv, U16_MAX),
      slips: Math.min(slips, U8_MAX),
    };
    const message: MessageOf<'spanCounters'> = { type: 'spanCounters', span: this.index, second: this.second >>> 0, defects: this.secondDefects, ...counts };
    this.secondDefects = { ...this.defects };
    this.second++;
    if (this.burst && --this.burst.seconds === 0) {
      for (const f of this.burst.fields) this.errors[f] = 0;
      this.burst = null;
    }
    this.last = counts;
    this.totals = {
      crc4Errors: this.totals.crc4Errors + counts.crc4Errors,
      eBits: this.totals.eBits + counts.eBits,
      lineCodeViolations: this.totals.lineCodeViolations + counts.lineCodeViolations,
      slips: this.totals.slips + counts.slips,
    };
    return message;
  }

  /** Card reset: host configuration and counters start again; line conditions stay. */
  resetCard(): void {
    this.config = { ...DEFAULT_SPAN_CONFIG };
    this.second = 0;
    this.last = null;
    this.totals = zeroCounts();
  }

  snapshot(): SpanSnapshot {
    return {
      span: this.index,
      defects: { ...this.defects },
      errors: { ...this.errors },
      ...this.config,
      counters: { secondsSent: this.second, last: this.last && { ...this.last }, totals: { ...this.totals } },
    };
  }
}

function zeroCounts(): SpanCounts {
  return { crc4Errors: 0, eBits: 0, lineCodeViolations: 0, slips: 0 };
}
