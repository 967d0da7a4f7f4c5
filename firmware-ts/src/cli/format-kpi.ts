import type { KpiDay, KpiPeriod, StaffingAdvice } from '../queue/kpi.js';
import { heads, text, type Lang, type TextKey } from './i18n.js';
import { renderTable } from './table.js';

/** The work standard's targets, against which the day's two rates are marked. */
const ANSWER_RATE_TARGET = 0.95;
const SL15_TARGET = 0.8;

export interface KpiReport {
  day: KpiDay;
  staffing: StaffingAdvice;
}

/**
 * `countyline kpi`: today's quarter hours that had calls, then the day's totals (the two
 * work-standard rates first, marked pass or FAIL) and the staffing advice by hour. With `--day`
 * (`intervals: false`) the totals and the staffing only.
 */
export function formatKpi({ day, staffing }: KpiReport, lang: Lang, o: { intervals: boolean }): string {
  const zone = `${day.day} (${utcOffsetName(day.utcOffsetMs)})`;
  return [
    ...(o.intervals ? [`${text(lang, 'kpiQuarterHours')}: ${zone}`, formatIntervals(day, lang), ''] : []),
    `${text(lang, 'kpiDayTotals')}: ${zone}`,
    formatTotals(day.totals, lang),
    '',
    ...formatStaffing(staffing, lang),
  ].join('\n');
}

function formatIntervals(day: KpiDay, lang: Lang): string {
  const withCalls = day.intervals.filter((p) => p.counts.inbound > 0 || p.counts.callbacksCompleted > 0 || p.counts.peakQueue > 0);
  const rows = withCalls.map((p) => [
    span(p, day.utcOffsetMs),
    String(p.counts.offered),
    String(p.counts.answered),
    percent(p.rates.answerRate),
    percent(p.rates.sl15),
    String(p.counts.abandoned),
    seconds(p.rates.asaMs, lang),
    seconds(p.counts.longestWaitMs, lang),
    String(p.counts.peakQueue),
  ]);
  return rows.length > 0 ? renderTable(heads(lang, 'interval', 'offered', 'answered', 'answerRate', 'sl15', 'abandoned', 'asa', 'longestWait', 'peakQueue'), rows) : text(lang, 'kpiNoCalls');
}

function formatTotals(p: KpiPeriod, lang: Lang): string {
  const c = p.counts;
  const r = p.rates;
  const row = (key: TextKey, value: string, target = '-', verdict = '-') => [text(lang, key), value, target, verdict];
  const judged = (key: TextKey, rate: number | null, target: number) =>
    row(key, percent(rate), `≥ ${percent(target, 0)}`, rate === null ? '-' : text(lang, rate >= target ? 'kpiPass' : 'kpiFail'));
  return renderTable(heads(lang, 'measure', 'value', 'target', 'result'), [
    judged('kpiAnswerRate', r.answerRate, ANSWER_RATE_TARGET),
    judged('kpiSl15', r.sl15, SL15_TARGET),
    row('kpiInbound', String(c.inbound)),
    row('kpiDeflected', String(c.deflected)),
    row('kpiFailedBeforeQueue', String(c.failed - c.failedInQueue)),
    row('kpiOffered', String(c.offered)),
    row('kpiAnswered', String(c.answered)),
    row('kpiAnsweredIn15s', String(c.answeredIn15s)),
    row('kpiAbandoned', String(c.abandoned)),
    row('kpiAbandonedIn15s', String(c.abandonedIn15s)),
    row('kpiOverflowed', String(c.overflowed)),
    row('kpiCallbacksCaptured', String(c.callbacksCaptured)),
    row('kpiForwarded', String(c.forwarded)),
    row('kpiNoAgent', String(c.noAgent)),
    row('kpiFailedInQueue', String(c.failedInQueue)),
    row('kpiCallbacksCompleted', String(c.callbacksCompleted)),
    row('kpiRepeatCallers', String(c.repeatCallers)),
    row('kpiSl', percent(r.sl)),
    row('kpiSl2', percent(r.sl2)),
    row('kpiAsa', seconds(r.asaMs, lang)),
    row('kpiAht', seconds(r.ahtMs, lang)),
    row('kpiLongestWait', seconds(c.longestWaitMs, lang)),
    row('kpiAbandonedWait', seconds(c.abandonedWaitMs, lang)),
    row('kpiLongestAbandonedWait', seconds(c.longestAbandonedWaitMs, lang)),
    row('kpiPeakQueue', String(c.peakQueue)),
  ]);
}

function formatStaffing(s: StaffingAdvice, lang: Lang): string[] {
  const rows = s.hours
    .filter((h) => h.callsPerHour > 0)
    .map((h) => [span(h, s.utcOffsetMs), String(h.callsPerHour), seconds(h.ahtMs, lang), seconds(h.handleMs, lang), String(h.agentsNeeded), percent(h.sl)]);
  return [
    `${text(lang, 'kpiStaffing')} ${percent(s.targetSl, 0)} / ${seconds(s.targetMs, lang, 0)}`,
    rows.length > 0 ? renderTable(heads(lang, 'hour', 'offered', 'aht', 'handleTime', 'agentsNeeded', 'measuredSl'), rows) : text(lang, 'kpiNoneOffered'),
    ...(rows.length > 0 && s.wrapUpMs === 0 ? [text(lang, 'kpiTalkOnly')] : []),
  ];
}

/** `09:15-09:30`, local. */
function span(p: { from: number; to: number }, utcOffsetMs: number): string {
  const hhmm = (at: number) => new Date(at + utcOffsetMs).toISOString().slice(11, 16);
  return `${hhmm(p.from)}-${hhmm(p.to)}`;
}

/** `UTC+8`, `UTC+5:45`, `UTC-3`. */
function utcOffsetName(ms: number): string {
  const minutes = Math.abs(ms) / 60_000;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `UTC${ms < 0 ? '-' : '+'}${h}${m > 0 ? `:${String(m).padStart(2, '0')}` : ''}`;
}

function percent(share: number | null, digits = 1): string {
  return share === null ? '-' : `${(share * 100).toFixed(digits)} %`;
}

function seconds(ms: number | null, lang: Lang, digits = 1): string {
  return ms === null ? '-' : text(lang, 'seconds', (ms / 1000).toFixed(digits));
}
