import { describeAlarm, type AlarmRecord } from '../alarms/index.js';
import type { TrunksView } from '../status.js';
import type { TestOutcome } from '../trunks/test-call-scheduler.js';
import type { IntervalCounts } from '../trunks/g826-counters.js';
import { text, type Lang, type TextKey } from './i18n.js';

/** Local time of the box as HH:MM:SS (or MM-DD HH:MM for older times). */
export function clockTime(ms: number, utcOffsetHours = 8, now = Date.now()): string {
  const local = new Date(ms + utcOffsetHours * 3_600_000).toISOString();
  return now - ms < 86_400_000 ? local.slice(11, 19) : `${local.slice(5, 10)} ${local.slice(11, 16)}`;
}

function counts(c: IntervalCounts | null): string {
  if (!c) return '-';
  return [c.es, c.ses, c.uas, c.bbe, c.slips, c.lcv].map((n) => String(n).padStart(4)).join(' ');
}

export function formatTrunks(view: TrunksView, lang: Lang): string {
  const t = (key: TextKey, ...args: unknown[]) => text(lang, key, ...args);
  const lines: string[] = [];
  for (const s of view.spans) {
    const causes = s.alarmCauses.length > 0 ? ` (${s.alarmCauses.join('+')})` : '';
    lines.push(`${t('span')} ${s.span}  ${t('alarmState')}: ${t('alarmNames', s.alarm)}${causes}  ${t('since', clockTime(s.alarmSince))}${s.available ? '' : `  ${t('unavailable')}`}`);
    lines.push(`  ${''.padEnd(12)}${t('countersHead')}`);
    lines.push(`  ${t('current15').padEnd(12)}${counts(s.current15min)}`);
    lines.push(`  ${t('today').padEnd(12)}${counts(s.day)}`);
  }
  if (view.fxo.length > 0) {
    lines.push('', t('fxoHeader').split('  ').slice(0, 5).join('  '));
    for (const p of view.fxo) {
      const line = p.line === 'present' ? t('present') : p.line === 'unplugged' ? t('unplugged') : t('unknown');
      lines.push(
        `${String(p.port).padEnd(9)} ${line.padEnd(10)} ${`${(p.voltage ?? 0).toFixed(1)} V`.padEnd(9)} ${`${(p.loopCurrent ?? 0).toFixed(1)} mA`.padEnd(9)} ${p.hook === 'off' ? t('hookOff') : t('hookOn')}  ${p.polarity === 'reversed' ? t('reversed') : t('normal')}`,
      );
    }
  }
  lines.push('', t('circuitsHead'));
  for (const c of view.circuits) {
    const last = c.lastTest ? clockTime(c.lastTest.at) : t('neverTested');
    const result = c.lastTest ? t(c.lastTest.result) : '-';
    const reason = c.lastTest?.reason ? `  ${c.lastTest.reason}` : '';
    lines.push(`${c.circuit.padEnd(12)} ${last.padEnd(21)} ${result.padEnd(8)} ${String(c.consecutiveFailures).padEnd(9)} ${c.blocked ? t('blocked') : t('inService')}${reason}`);
  }
  lines.push('', view.testCalls.nextRunAt ? t('nextTest', clockTime(view.testCalls.nextRunAt, 8, 0)) : t('noSchedule'));
  return lines.join('\n');
}

export function formatOutcome(outcome: TestOutcome, index: number, total: number, lang: Lang): string {
  const result = text(lang, outcome.result);
  const reason = outcome.reason ? `  ${outcome.reason}` : '';
  return `[${String(index + 1).padStart(String(total).length)}/${total}] ${outcome.circuit.padEnd(10)} ${result.padEnd(7)} ${(outcome.durationMs / 1000).toFixed(1)} s${reason}`;
}

export function formatAlarms(alarms: AlarmRecord[], lang: Lang): string {
  if (alarms.length === 0) return text(lang, 'noAlarms');
  return alarms.map((a) => `${clockTime(a.raisedAt)}  ${describeAlarm(a, lang)}`).join('\n');
}
