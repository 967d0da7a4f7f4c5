import type { AlarmRecord, Severity } from './alarm-types.js';

/**
 * One-line alarm text for people: the CLI, the local screen, text messages to the duty
 * leader. English and Simplified Chinese; unknown types and sources fall back to their raw
 * names, so a new alarm type is readable before it gets a translation.
 */
export type AlarmLang = 'en' | 'zh';

type Words = Record<AlarmLang, string>;

const SEVERITY: Record<Severity, Words> = {
  critical: { en: 'critical', zh: '紧急' },
  major: { en: 'major', zh: '主要' },
  minor: { en: 'minor', zh: '次要' },
  warning: { en: 'warning', zh: '提示' },
};

const TYPE: Record<string, Words> = {
  'card-link': { en: 'card link down', zh: '板卡链路中断' },
  // Colours after DAHDI / TR 54016; the causes in brackets are what sets each one.
  'span-red': { en: 'red alarm (LOS/LOF/LMFA)', zh: '红色告警 (LOS/LOF/LMFA)' },
  'span-blue': { en: 'blue alarm (AIS)', zh: '蓝色告警 (AIS)' },
  'span-yellow': { en: 'yellow alarm (RAI, far end in alarm)', zh: '黄色告警 (RAI/远端告警)' },
  'fxo-unplugged': { en: 'line unplugged / no battery', zh: '外线未接/无馈电' },
  'test-call-failed': { en: 'test call failed', zh: '拨测失败' },
};

const PERIOD: Record<string, Words> = {
  '15min': { en: '15 min', zh: '15 分钟' },
  '1day': { en: '1 day', zh: '1 天' },
  '24h': { en: '24 h', zh: '24 小时' },
  day: { en: '1 day', zh: '1 天' },
};

const SOURCE: Record<string, Words> = {
  card: { en: 'card', zh: '板卡' },
  span: { en: 'E1 span', zh: 'E1 中继' },
  fxo: { en: 'FXO port', zh: 'FXO 端口' },
  link: { en: 'signalling link', zh: '信令链路' },
  circuit: { en: 'circuit', zh: '电路' },
};

export function severityName(severity: Severity, lang: AlarmLang): string {
  return SEVERITY[severity][lang];
}

/** `span-red` -> `red alarm (LOS/LOF/LMFA)`; `tca-es-15min` -> `performance threshold crossed: ES in 15 min`. */
export function alarmTypeText(type: string, lang: AlarmLang): string {
  const known = TYPE[type];
  if (known) return known[lang];
  // Threshold crossing alerts: tca-<counter>-<period>, counters as in DS1-MIB (es, ses, uas, bbe, ...).
  const tca = /^tca-([a-z0-9]+)(?:-([a-z0-9]+))?$/.exec(type);
  if (tca) {
    const counter = (tca[1] ?? '').toUpperCase();
    const period = tca[2] === undefined ? undefined : (PERIOD[tca[2]]?.[lang] ?? tca[2]);
    if (lang === 'zh') return `性能门限越限: ${period ? `${period} ` : ''}${counter}`;
    return `performance threshold crossed: ${counter}${period ? ` in ${period}` : ''}`;
  }
  return lang === 'zh' ? `告警 "${type}"` : `alarm "${type}"`;
}

/** `span/0` -> `E1 span 0`; `circuit/e1/0/5` -> `circuit E1 0/5`; unknown sources as they are. */
export function alarmSourceText(source: string, lang: AlarmLang): string {
  const [kind = '', ...rest] = source.split('/');
  const name = SOURCE[kind]?.[lang];
  if (!name) return source;
  if (rest.length === 0) return name;
  if (kind === 'circuit' && rest.length >= 2) {
    const [medium = '', ...where] = rest;
    return `${name} ${medium.toUpperCase()} ${where.join('/')}`;
  }
  return `${name} ${rest.join('/')}`;
}

/**
 * `[critical] E1 span 0: red alarm (LOS/LOF/LMFA) - LOS (3 times, cleared)`
 * `[紧急] E1 中继 0: 红色告警 (LOS/LOF/LMFA) - LOS (3 次, 已清除)`
 */
export function describeAlarm(alarm: AlarmRecord, lang: AlarmLang): string {
  const what = `[${severityName(alarm.severity, lang)}] ${alarmSourceText(alarm.source, lang)}: ${alarmTypeText(alarm.type, lang)}`;
  const oneLine = alarm.cause.replace(/\s+/g, ' ').trim();
  const cause = oneLine === '' ? '' : ` - ${oneLine}`;
  const notes: string[] = [];
  if (alarm.count > 1) notes.push(lang === 'zh' ? `${alarm.count} 次` : `${alarm.count} times`);
  if (alarm.state === 'cleared') notes.push(lang === 'zh' ? '已清除' : 'cleared');
  return `${what}${cause}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}
