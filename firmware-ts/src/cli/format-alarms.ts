import { alarmCauseText, alarmSourceText, alarmStateName, alarmTypeText, severityName } from '../alarms/alarm-text.js';
import type { AlarmRecord } from '../alarms/alarm-types.js';
import { clockTime } from './clock-time.js';
import { heads, text, type Lang } from './i18n.js';
import { renderTable } from './table.js';

/** `countyline alarms`: one row per alarm, newest state as the firmware keeps it. */
export function formatAlarms(alarms: AlarmRecord[], lang: Lang, now = Date.now()): string {
  if (alarms.length === 0) return text(lang, 'noAlarms');
  const rows = alarms.map((a) => [
    clockTime(a.raisedAt, 8, now),
    severityName(a.severity, lang),
    alarmSourceText(a.source, lang),
    alarmTypeText(a.type, lang),
    alarmCauseText(a, lang) || '-',
    String(a.count),
    alarmStateName(a.state, lang),
  ]);
  return renderTable(heads(lang, 'raised', 'severity', 'source', 'alarm', 'cause', 'count', 'state'), rows);
}

