import type { Config } from '../config/config-schema.js';
import { CountylineError } from '../errors.js';

/** `queue.hours` as the config gives it (absent: always open). */
export type QueueHoursConfig = NonNullable<Config['queue']['hours']>;
type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
type Lang = 'en' | 'zh';

/** A day's opening times: [start, end) in minutes after local midnight, sorted, not overlapping. */
type Ranges = readonly (readonly [number, number])[];

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** By `Date#getUTCDay()`: Sunday first. */
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const RANGE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * When the office answers the hotline, in the box's time zone (a fixed offset from UTC, as
 * `trunks.utcOffsetHours`: China keeps no summer time). A day's hours come from, first, its
 * date in `closedDates` (none) or `openDates` (a make-up working day: a weekday's hours or its
 * own), else from its weekday. Ranges are [start, end): open at 08:30 of "08:30-12:00", closed
 * at 12:00. Ranges that touch ("08:00-12:00" and "12:00-13:00", or a day ending at 24:00 and the
 * next starting at 00:00) are one stretch of opening: nothing changes where they meet.
 *
 * Built from the config with `fromConfig`, which refuses a bad schedule with a coded error
 * naming the entry (`queue.hours.mon.1`); `checkOfficeHours` lists every problem, for the
 * config loader. No `hours` at all: always open.
 */
export class OfficeHours {
  private constructor(
    private readonly offsetMs: number,
    /** null: always open. */
    private readonly weekly: Readonly<Record<Weekday, Ranges>> | null,
    /** Closed and make-up dates, by local day number (days since 1970-01-01). */
    private readonly special: ReadonlyMap<number, Ranges>,
  ) {}

  /** The hours of `queue.hours`, or always open when it is absent; throws the first problem as `hours-invalid`. */
  static fromConfig(hours: QueueHoursConfig | undefined, utcOffsetHours: number, path = 'queue.hours'): OfficeHours {
    if (!hours) return new OfficeHours(utcOffsetHours * 3_600_000, null, new Map());
    const { weekly, special, problems } = compile(hours, path);
    if (problems.length > 0) throw problems[0]!;
    return new OfficeHours(utcOffsetHours * 3_600_000, weekly, special);
  }

  isOpen(at: number): boolean {
    if (!this.weekly) return true;
    const day = this.dayOf(at);
    const minute = this.minuteOf(at, day);
    return this.rangesOn(day).some(([start, end]) => start <= minute && minute < end);
  }

  /** The first time after `at` at which the office opens or closes; null when it never will. */
  nextChange(at: number): number | null {
    if (!this.weekly) return null;
    const open = this.isOpen(at);
    const today = this.dayOf(at);
    // After the last special date the days repeat by the week: a week past it shows every change.
    const lastSpecial = Math.max(today, ...this.special.keys());
    for (let day = today; day <= lastSpecial + 8; day++) {
      for (const boundary of this.rangesOn(day).flat()) {
        const t = day * DAY_MS + boundary * MINUTE_MS - this.offsetMs;
        if (t > at && this.isOpen(t) !== open) return t;
      }
    }
    return null;
  }

  /** A short line for staff: "open until 17:30" / "营业至17:30", "closed, opens Mon 08:30" / "已下班，周一08:30上班". */
  describe(at: number, lang: Lang): string {
    const next = this.nextChange(at);
    if (this.isOpen(at)) return next === null ? WORDS.alwaysOpen[lang] : WORDS.openUntil[lang](this.when(at, next, true, lang));
    if (next === null) return WORDS.neverOpen[lang];
    const day = this.dayOf(at);
    const onBreak = this.dayOf(next) === day && this.rangesOn(day).some(([, end]) => end <= this.minuteOf(at, day));
    return (onBreak ? WORDS.reopens : WORDS.opens)[lang](this.when(at, next, false, lang));
  }

  private dayOf(at: number): number {
    return Math.floor((at + this.offsetMs) / DAY_MS);
  }

  /** Minutes after the local midnight that starts `day` (fractional). */
  private minuteOf(at: number, day: number): number {
    return (at + this.offsetMs - day * DAY_MS) / MINUTE_MS;
  }

  private rangesOn(day: number): Ranges {
    return this.special.get(day) ?? this.weekly![weekdayOf(day)];
  }

  /** `17:30` today, `Mon 08:30` within the week, `10-08 08:30` further; a close at midnight as 24:00 of the day before. */
  private when(at: number, t: number, closing: boolean, lang: Lang): string {
    let day = this.dayOf(t);
    let minute = Math.round(this.minuteOf(t, day));
    if (closing && minute === 0) {
      day -= 1;
      minute = 1440;
    }
    const time = `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
    const ahead = day - this.dayOf(at);
    if (ahead === 0) return time;
    if (ahead < 7) return lang === 'zh' ? `${WEEKDAY_ZH[weekdayOf(day)]}${time}` : `${WEEKDAY_EN[weekdayOf(day)]} ${time}`;
    const date = new Date(day * DAY_MS);
    return lang === 'zh' ? `${date.getUTCMonth() + 1}月${date.getUTCDate()}日${time}` : `${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${time}`;
  }
}

/** Every problem of a `queue.hours`, each a coded error naming its entry; [] when it is good. */
export function checkOfficeHours(hours: QueueHoursConfig | undefined, path = 'queue.hours'): CountylineError<'hours-invalid'>[] {
  return hours ? compile(hours, path).problems : [];
}

const WEEKDAY_EN: Record<Weekday, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };
const WEEKDAY_ZH: Record<Weekday, string> = { mon: '周一', tue: '周二', wed: '周三', thu: '周四', fri: '周五', sat: '周六', sun: '周日' };

const WORDS = {
  alwaysOpen: { en: 'open at all hours', zh: '全天营业' },
  neverOpen: { en: 'closed, no opening hours ahead', zh: '已下班，近期无营业时间' },
  openUntil: { en: (t: string) => `open until ${t}`, zh: (t: string) => `营业至${t}` },
  // Closed for a break (lunch) and opening again the same day, or closed for the night and beyond.
  reopens: { en: (t: string) => `closed, opens ${t}`, zh: (t: string) => `休息中，${t}上班` },
  opens: { en: (t: string) => `closed, opens ${t}`, zh: (t: string) => `已下班，${t}上班` },
} as const;

function weekdayOf(day: number): Weekday {
  return WEEKDAYS[(((day + 4) % 7) + 7) % 7]!; // 1970-01-01 was a Thursday
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function compile(hours: QueueHoursConfig, path: string) {
  const problems: CountylineError<'hours-invalid'>[] = [];
  const problem = (at: string, p: 'time' | 'order' | 'overlap' | 'date' | 'closed-and-open', got: string, other?: string) =>
    problems.push(new CountylineError('hours-invalid', { path: at, problem: p, got, ...(other !== undefined && { other }) }));

  const day = (list: readonly string[], at: string): Ranges => {
    const parsed: { start: number; end: number; text: string; index: number }[] = [];
    list.forEach((text, index) => {
      const range = parseRange(text);
      if (range === 'time' || range === 'order') problem(`${at}.${index}`, range, text);
      else parsed.push({ ...range, text, index });
    });
    parsed.sort((a, b) => a.start - b.start);
    for (let i = 1; i < parsed.length; i++) {
      const [before, later] = [parsed[i - 1]!, parsed[i]!];
      if (later.start < before.end) problem(`${at}.${later.index}`, 'overlap', later.text, before.text);
    }
    return parsed.map((r) => [r.start, r.end] as const);
  };

  const weekly = Object.fromEntries(WEEKDAYS.map((d) => [d, day(hours[d] ?? [], `${path}.${d}`)])) as Record<Weekday, Ranges>;
  const special = new Map<number, Ranges>();
  hours.closedDates.forEach((date, index) => {
    const n = parseDate(date);
    if (n === null) problem(`${path}.closedDates.${index}`, 'date', date);
    else special.set(n, []);
  });
  for (const [date, dayHours] of Object.entries(hours.openDates)) {
    const at = `${path}.openDates.${date}`;
    const n = parseDate(date);
    const ranges = typeof dayHours === 'string' ? weekly[dayHours] : day(dayHours, at);
    if (n === null) problem(at, 'date', date);
    else if (special.has(n)) problem(at, 'closed-and-open', date);
    else special.set(n, ranges);
  }
  return { weekly, special, problems };
}

/** "08:30-12:00" as minutes after midnight; 24:00 ends the day. */
function parseRange(text: string): { start: number; end: number } | 'time' | 'order' {
  const m = RANGE.exec(text);
  if (!m) return 'time';
  const [start, end] = [minutes(m[1]!, m[2]!), minutes(m[3]!, m[4]!)];
  if (start === null || end === null) return 'time';
  return start < end ? { start, end } : 'order';
}

function minutes(hh: string, mm: string): number | null {
  const [h, m] = [Number(hh), Number(mm)];
  if (m > 59 || h > 24 || (h === 24 && m !== 0)) return null;
  return h * 60 + m;
}

/** "2026-10-01" as days since 1970-01-01; null for a malformed or impossible date (2026-02-30). */
function parseDate(text: string): number | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === text ? ms / DAY_MS : null;
}
