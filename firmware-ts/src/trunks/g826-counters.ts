/**
 * ITU-T G.826 error performance of an E1 span, counted the way DS1-MIB (RFC 4805) keeps it:
 * a current 15-minute interval, 96 past intervals (24 h) and a day total.
 *
 * Per second, from the card's one-second counters (one CRC-4 block = one sub-multiframe,
 * 1,000 blocks a second):
 * - ES: a second with at least one errored block or a defect (LOS, LOF, LMFA, AIS);
 * - SES: a second with >= 30 % errored blocks (>= 300 CRC-4 errors) or a defect;
 * - BBE: an errored block in a second that is not an SES;
 * - UAS: unavailable time begins with the first of 10 consecutive SES and ends with the first
 *   of 10 consecutive non-SES seconds. Those 10 seconds belong to the new period, so they are
 *   counted back: ES, SES and BBE only ever count available time (G.826 Annex A).
 * Slips count only while the span is not in alarm; line code violations always.
 *
 * Because of the counting back, a second is held for up to 10 seconds before it is booked;
 * `pendingSeconds` says how many are held. A second is booked into the interval it happened
 * in, even if that interval has since closed (as DS1-MIB allows).
 *
 * Pure: fed one `SecondSample` at a time.
 */
export interface SecondSample {
  /** Wall-clock time of the second (ms since the epoch); decides its interval. */
  at: number;
  crc4Errors: number;
  eBits: number;
  lineCodeViolations: number;
  slips: number;
  /** A near-end defect (LOS, LOF, LMFA or AIS) during this second. */
  defect: boolean;
  /** The span was in alarm during this second (slips are not counted then). */
  inAlarm: boolean;
}

export const COUNTERS = ['es', 'ses', 'uas', 'bbe', 'slips', 'lcv'] as const;
export type CounterName = (typeof COUNTERS)[number];

export interface IntervalCounts {
  /** Start of the interval (ms since the epoch). */
  start: number;
  es: number;
  ses: number;
  uas: number;
  bbe: number;
  slips: number;
  lcv: number;
  /** Far-end block errors reported in E-bits (counted, not classified). */
  eBits: number;
  /** Seconds booked into this interval. */
  seconds: number;
}

export type Thresholds = Partial<Record<CounterName, number>>;

export interface G826Settings {
  /** CRC-4 errors in a second that make it severely errored (30 % of 1,000 blocks). */
  sesThreshold: number;
  intervalMs: number;
  historyIntervals: number;
  /** Threshold crossing alerts per 15-minute interval. */
  intervalThresholds: Thresholds;
  /** Threshold crossing alerts per day. */
  dayThresholds: Thresholds;
  /** The box's time zone as an offset from UTC (China: +8 h); the day total starts at its midnight. */
  utcOffsetMs: number;
}

export const DEFAULT_G826_SETTINGS: Readonly<G826Settings> = Object.freeze({
  sesThreshold: 300,
  intervalMs: 15 * 60_000,
  historyIntervals: 96,
  intervalThresholds: { es: 65, ses: 10, uas: 10, bbe: 2000, slips: 4 },
  dayThresholds: { es: 650, ses: 100, uas: 100, bbe: 20000, slips: 40 },
  utcOffsetMs: 8 * 3_600_000,
});

/** A counter of an interval or a day reached its threshold (once per interval or day). */
export interface ThresholdCrossing {
  period: '15min' | 'day';
  counter: CounterName;
  value: number;
  threshold: number;
  /** Start of the interval or day crossed. */
  start: number;
}

export interface SavedG826 {
  current: IntervalCounts | null;
  history: IntervalCounts[];
  day: IntervalCounts | null;
  lastDay: IntervalCounts | null;
}

interface Classified {
  sample: SecondSample;
  ses: boolean;
}

const UNAVAILABILITY_RUN = 10;

export class G826Counters {
  private available = true;
  private pending: Classified[] = [];
  private currentInterval: IntervalCounts | null = null;
  private readonly history: IntervalCounts[] = [];
  private currentDay: IntervalCounts | null = null;
  private previousDay: IntervalCounts | null = null;
  private readonly crossed = new Set<string>();

  constructor(private readonly settings: G826Settings = DEFAULT_G826_SETTINGS) {}

  /** Books one second; returns the threshold crossings it caused. */
  addSecond(sample: SecondSample): ThresholdCrossing[] {
    this.roll(sample.at);
    const ses = sample.defect || sample.crc4Errors >= this.settings.sesThreshold;
    const second = { sample, ses };
    const crossings: ThresholdCrossing[] = [];
    if (this.available) {
      if (ses) {
        this.pending.push(second);
        if (this.pending.length === UNAVAILABILITY_RUN) {
          this.available = false;
          this.bookPending(false, crossings);
        }
      } else {
        this.bookPending(true, crossings);
        this.book(second, true, crossings);
      }
    } else if (!ses) {
      this.pending.push(second);
      if (this.pending.length === UNAVAILABILITY_RUN) {
        this.available = true;
        this.bookPending(true, crossings);
      }
    } else {
      this.bookPending(false, crossings);
      this.book(second, false, crossings);
    }
    return crossings;
  }

  get isAvailable(): boolean {
    return this.available;
  }

  /** Seconds held back until it is known whether they are available time. */
  get pendingSeconds(): number {
    return this.pending.length;
  }

  current(): IntervalCounts | null {
    return this.currentInterval && { ...this.currentInterval };
  }

  /** Closed intervals, newest first (at most `historyIntervals`). */
  intervals(): IntervalCounts[] {
    return this.history.map((i) => ({ ...i })).reverse();
  }

  day(): IntervalCounts | null {
    return this.currentDay && { ...this.currentDay };
  }

  lastDay(): IntervalCounts | null {
    return this.previousDay && { ...this.previousDay };
  }

  /** The counts worth keeping across a restart (held seconds are not: their run was broken). */
  toJSON(): SavedG826 {
    return { current: this.current(), history: this.history.map((i) => ({ ...i })), day: this.day(), lastDay: this.lastDay() };
  }

  restore(saved: SavedG826): void {
    this.currentInterval = saved.current && { ...saved.current };
    this.history.splice(0, this.history.length, ...saved.history.slice(-this.settings.historyIntervals).map((i) => ({ ...i })));
    this.currentDay = saved.day && { ...saved.day };
    this.previousDay = saved.lastDay && { ...saved.lastDay };
  }

  private roll(at: number): void {
    const intervalStart = Math.floor(at / this.settings.intervalMs) * this.settings.intervalMs;
    if (!this.currentInterval || intervalStart > this.currentInterval.start) {
      if (this.currentInterval) {
        this.history.push(this.currentInterval);
        if (this.history.length > this.settings.historyIntervals) this.history.shift();
      }
      this.currentInterval = emptyCounts(intervalStart);
    }
    const dayStart = this.dayStart(at);
    if (!this.currentDay || dayStart > this.currentDay.start) {
      this.previousDay = this.currentDay;
      this.currentDay = emptyCounts(dayStart);
    }
  }

  private dayStart(at: number): number {
    const day = 86_400_000;
    return Math.floor((at + this.settings.utcOffsetMs) / day) * day - this.settings.utcOffsetMs;
  }

  private bookPending(available: boolean, crossings: ThresholdCrossing[]): void {
    for (const second of this.pending) this.book(second, available, crossings);
    this.pending = [];
  }

  private book({ sample, ses }: Classified, available: boolean, crossings: ThresholdCrossing[]): void {
    const interval = this.intervalFor(sample.at);
    const day = this.dayFor(sample.at);
    for (const [counts, period] of [
      [interval, '15min'],
      [day, 'day'],
    ] as const) {
      if (!counts) continue;
      counts.seconds++;
      counts.lcv += sample.lineCodeViolations;
      counts.eBits += sample.eBits;
      if (!sample.inAlarm) counts.slips += sample.slips;
      if (available) {
        if (ses) {
          counts.ses++;
          counts.es++;
        } else if (sample.crc4Errors > 0) {
          counts.es++;
          counts.bbe += sample.crc4Errors;
        }
      } else {
        counts.uas++;
      }
      this.checkThresholds(counts, period, crossings);
    }
  }

  private intervalFor(at: number): IntervalCounts | null {
    const start = Math.floor(at / this.settings.intervalMs) * this.settings.intervalMs;
    if (this.currentInterval?.start === start) return this.currentInterval;
    return this.history.find((i) => i.start === start) ?? null;
  }

  private dayFor(at: number): IntervalCounts | null {
    const start = this.dayStart(at);
    if (this.currentDay?.start === start) return this.currentDay;
    return this.previousDay?.start === start ? this.previousDay : null;
  }

  private checkThresholds(counts: IntervalCounts, period: '15min' | 'day', crossings: ThresholdCrossing[]): void {
    const thresholds = period === '15min' ? this.settings.intervalThresholds : this.settings.dayThresholds;
    for (const counter of COUNTERS) {
      const threshold = thresholds[counter];
      if (threshold === undefined || counts[counter] < threshold) continue;
      const key = `${period}|${counts.start}|${counter}`;
      if (this.crossed.has(key)) continue;
      this.crossed.add(key);
      crossings.push({ period, counter, value: counts[counter], threshold, start: counts.start });
    }
    if (this.crossed.size > 4096) this.pruneCrossed();
  }

  private pruneCrossed(): void {
    const oldest = this.history[0]?.start ?? this.currentInterval?.start ?? 0;
    for (const key of this.crossed) {
      const start = Number(key.split('|')[1]);
      if (start < oldest - 86_400_000) this.crossed.delete(key);
    }
  }
}

function emptyCounts(start: number): IntervalCounts {
  return { start, es: 0, ses: 0, uas: 0, bbe: 0, slips: 0, lcv: 0, eBits: 0, seconds: 0 };
}
