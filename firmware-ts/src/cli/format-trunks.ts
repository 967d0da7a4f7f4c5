import { counterName, testReasonText } from '../alarms/alarm-text.js';
import type { TrunksView } from '../status.js';
import type { TestOutcome } from '../trunks/test-call-scheduler.js';
import { COUNTERS, type IntervalCounts } from '../trunks/g826-counters.js';
import { clockTime } from './clock-time.js';
import { heads, stateText, text, type Lang, type TextKey } from './i18n.js';
import { renderTable } from './table.js';
import { padDisplay } from './text-width.js';

// Where the CLI has always imported them from.
export { clockTime } from './clock-time.js';
export { formatAlarms } from './format-alarms.js';

/** The G.826 counts in the order of COUNTERS (the column heads). */
function counts(c: IntervalCounts | null): string[] {
  return COUNTERS.map((name) => (c ? String(c[name]) : '-'));
}

/** `countyline trunks`: span alarms and G.826 counters, FXO lines, the test-call record of each circuit. */
export function formatTrunks(view: TrunksView, lang: Lang, now = Date.now()): string {
  const t = (key: TextKey, ...args: unknown[]) => text(lang, key, ...args);
  const lines: string[] = [];
  const counters: string[][] = [];
  for (const s of view.spans) {
    const causes = s.alarmCauses.length > 0 ? ` (${s.alarmCauses.join('+')})` : '';
    lines.push(`${t('span')} ${s.span}  ${t('alarmState')}: ${stateText(lang, 'spanAlarm', s.alarm)}${causes}  ${t('since', clockTime(s.alarmSince, 8, now))}${s.available ? '' : `  ${t('unavailable')}`}`);
    counters.push([String(s.span), t('current15'), ...counts(s.current15min)], [String(s.span), t('today'), ...counts(s.day)]);
  }
  if (counters.length > 0) lines.push('', renderTable([...heads(lang, 'span', 'period'), ...COUNTERS.map((c) => counterName(c, lang))], counters));

  if (view.fxo.length > 0) {
    const rows = view.fxo.map((p) => [
      String(p.port),
      stateText(lang, 'fxoLine', p.line),
      p.voltage === null ? '-' : `${p.voltage.toFixed(1)} V`,
      p.loopCurrent === null ? '-' : `${p.loopCurrent.toFixed(1)} mA`,
      stateText(lang, 'hook', p.hook),
      p.polarity === null ? '-' : stateText(lang, 'polarity', p.polarity),
    ]);
    lines.push('', renderTable(heads(lang, 'fxoPort', 'line', 'voltage', 'loopCurrent', 'hook', 'polarity'), rows));
  }

  const circuits = view.circuits.map((c) => [
    c.circuit,
    c.lastTest ? clockTime(c.lastTest.at, 8, now) : t('neverTested'),
    c.lastTest ? stateText(lang, 'testResult', c.lastTest.result) : '-',
    String(c.consecutiveFailures),
    c.blocked ? t('blocked') : t('inService'),
    (c.lastTest && testReasonText(c.lastTest, lang)) || '-',
  ]);
  lines.push('', renderTable(heads(lang, 'circuit', 'lastTest', 'result', 'failures', 'state', 'reason'), circuits));
  lines.push('', view.testCalls.nextRunAt ? t('nextTest', clockTime(view.testCalls.nextRunAt, 8, 0)) : t('noSchedule'));
  return lines.join('\n');
}

/** One line per test call of `countyline test-call`, printed as each one ends. */
export function formatOutcome(outcome: TestOutcome, index: number, total: number, lang: Lang): string {
  const result = stateText(lang, 'testResult', outcome.result);
  const reason = testReasonText(outcome, lang);
  const seconds = text(lang, 'seconds', (outcome.durationMs / 1000).toFixed(1));
  return `[${String(index + 1).padStart(String(total).length)}/${total}] ${padDisplay(outcome.circuit, 10)} ${padDisplay(result, 7)} ${seconds}${reason ? `  ${reason}` : ''}`;
}
