import type { CardErrorCode } from '../card/card-driver.js';
import type { PriDownReason } from '../signalling/pri/pri-stack.js';
import type { LinkTestFailure } from '../signalling/mtp3/link-test.js';
import type { TestReasonCode, TestReasons } from '../trunks/circuit-tests.js';
import type { CounterName, ThresholdCrossing } from '../trunks/g826-counters.js';
import type { AlarmCauses, AlarmRecord, AlarmState, KnownAlarmType, Severity } from './alarm-types.js';

/**
 * Alarm text for people: the CLI, the local screen, text messages to the duty leader.
 * English and Simplified Chinese. Each table is keyed by its type's union, so a new severity,
 * alarm type or cause code does not compile until it has words in both languages. Values
 * that come from outside (a file, a newer firmware) and are unknown fall back to their raw
 * names or to the English cause the raiser wrote.
 *
 * A failed test call's reason is the cause of its `test-call-failed` alarm, so the test
 * reasons' words live here too; the CLI's test outcomes use them.
 */
export type AlarmLang = 'en' | 'zh';

type Words = Record<AlarmLang, string>;

/** Words for each code of a catalogue, with the arguments the catalogue gives the code. */
export type Phrases<A> = { [K in keyof A]: Record<AlarmLang, (...args: Extract<A[K], unknown[]>) => string> };

export const SEVERITY_TEXT: Record<Severity, Words> = {
  critical: { en: 'critical', zh: '紧急' },
  major: { en: 'major', zh: '主要' },
  minor: { en: 'minor', zh: '次要' },
  warning: { en: 'warning', zh: '提示' },
};

export const ALARM_STATE_TEXT: Record<AlarmState, Words> = {
  active: { en: 'active', zh: '活动' },
  cleared: { en: 'cleared', zh: '已清除' },
};

export const ALARM_TYPE_TEXT: Record<KnownAlarmType, Words> = {
  'card-link': { en: 'card link down', zh: '板卡链路中断' },
  // Colours after DAHDI / TR 54016; the causes in brackets are what sets each one.
  'span-red': { en: 'red alarm (LOS/LOF/LMFA)', zh: '红色告警 (LOS/LOF/LMFA)' },
  'span-blue': { en: 'blue alarm (AIS)', zh: '蓝色告警 (AIS)' },
  'span-yellow': { en: 'yellow alarm (RAI, far end in alarm)', zh: '黄色告警 (RAI/远端告警)' },
  'fxo-unplugged': { en: 'line unplugged / no battery', zh: '外线未接/无馈电' },
  'test-call-failed': { en: 'test call failed', zh: '拨测失败' },
  'test-call-block-limit': { en: 'too many circuits failing test calls: no more blocked', zh: '拨测失败电路过多: 不再闭塞' },
  'link-test-failed': { en: 'signalling link test failed, link restarted', zh: '信令链路测试失败, 链路已重启' },
  'd-channel-down': { en: 'PRI D-channel down', zh: 'PRI D 信道中断' },
  'cic-unequipped': { en: 'circuit unequipped at the exchange', zh: '交换机未装备该电路' },
  'fxo-off-hook-guard': { en: 'line held off-hook too long: put back on-hook', zh: '外线摘机超时: 已强制挂机' },
};

export const PERIOD_TEXT: Record<ThresholdCrossing['period'], Words> = {
  '15min': { en: '15 min', zh: '15 分钟' },
  day: { en: '1 day', zh: '1 天' },
};

/** G.826 counters: ES, SES, UAS and BBE are read as they are in both languages. */
export const COUNTER_TEXT: Record<CounterName, Words> = {
  es: { en: 'ES', zh: 'ES' },
  ses: { en: 'SES', zh: 'SES' },
  uas: { en: 'UAS', zh: 'UAS' },
  bbe: { en: 'BBE', zh: 'BBE' },
  slips: { en: 'slips', zh: '滑码' },
  lcv: { en: 'LCV', zh: '码型违例' },
};

/** The first part of an alarm source: `card`, `span/0`, `fxo/3`, `link/0`, `circuit/e1/0/5`, `test-calls`. */
export const SOURCE_TEXT: Record<'card' | 'span' | 'fxo' | 'link' | 'circuit' | 'test-calls', Words> = {
  card: { en: 'card', zh: '板卡' },
  span: { en: 'E1 span', zh: 'E1 中继' },
  fxo: { en: 'FXO port', zh: 'FXO 端口' },
  link: { en: 'signalling link', zh: '信令链路' },
  circuit: { en: 'circuit', zh: '电路' },
  'test-calls': { en: 'test calls', zh: '拨测' },
};

/** Card errors in a few words, as an alarm cause (the CLI's status explains them at length). */
export const CARD_ERROR_TEXT: Record<CardErrorCode, Words> = {
  'open-failed': { en: 'serial port cannot be opened', zh: '串口无法打开' },
  'port-closed': { en: 'serial port closed', zh: '串口已关闭' },
  'card-silent': { en: 'card not answering', zh: '板卡无应答' },
  'version-mismatch': { en: 'card protocol version does not match', zh: '板卡协议版本不匹配' },
  'card-lost': { en: 'card heartbeats stopped', zh: '板卡心跳中断' },
  'setup-failed': { en: 'card refused its setup', zh: '板卡拒绝配置' },
};

/** Why a signalling link test (Q.707) failed. */
export const LINK_TEST_FAILURE_TEXT: Record<LinkTestFailure, Record<AlarmLang, (t1Seconds: number) => string>> = {
  'no-answer': { en: (s) => `no SLTA from the exchange within ${s} s`, zh: (s) => `交换机 ${s} 秒内未回 SLTA` },
  'wrong-pattern': { en: () => 'the SLTA from the exchange carried another test pattern', zh: () => '交换机回送的 SLTA 测试码不符' },
  'wrong-slc': { en: () => 'the SLTA from the exchange named another signalling link code (check isup.slc)', zh: () => '交换机回送的 SLTA 信令链路编码 SLC 不符 (请检查 isup.slc)' },
};

/** Why a PRI D-channel is down. */
export const D_CHANNEL_DOWN_TEXT: Record<PriDownReason, Words> = {
  'physical-down': { en: "the D-channel's timeslot carries no frames (LOS, AIS, or the card)", zh: 'D 信道时隙无帧 (LOS、AIS 或板卡故障)' },
  'no-answer': { en: "the exchange does not answer the box's SABME", zh: '交换机不响应本机的 SABME' },
  'network-disc': { en: 'the exchange released the data link (DISC)', zh: '交换机释放了数据链路 (DISC)' },
  'network-refused': { en: 'the exchange refused the data link (DM)', zh: '交换机拒绝建立数据链路 (DM)' },
  stopped: { en: 'the box stopped the data link', zh: '本机停止了数据链路' },
  'never-up': { en: 'the data link has not come up since the firmware started', zh: '固件启动以来数据链路未建立' },
};

export const TEST_REASON_TEXT: Phrases<TestReasons> = {
  'no-such-circuit': { en: (c) => `no such circuit ${c}`, zh: (c) => `无此电路 ${c}` },
  'card-not-up': { en: () => 'the card is not up', zh: () => '板卡未就绪' },
  'card-no-answer': { en: () => 'the card did not answer the test command', zh: () => '板卡未应答测试命令' },
  'card-refused': { en: () => 'the card refused the test command', zh: () => '板卡拒绝测试命令' },
  busy: { en: () => 'busy with a call', zh: () => '通话占用中' },
  'line-in-use': { en: () => 'line in use', zh: () => '线路使用中' },
  'no-line': { en: () => 'no line on the port (no battery voltage)', zh: () => '端口未接外线 (无馈电电压)' },
  'span-in-alarm': { en: (s) => `span ${s} is in alarm`, zh: (s) => `E1 中继 ${s} 告警中` },
  'no-dial-tone': { en: (s) => `no dial tone within ${s} s`, zh: (s) => `${s} 秒内无拨号音` },
  'no-tone-back': { en: (hz, s) => `no ${hz} Hz tone back within ${s} s`, zh: (hz, s) => `${s} 秒内未收回 ${hz} Hz 测试音` },
  'no-cic': { en: (span, ts) => `no CIC is assigned to span ${span} timeslot ${ts}`, zh: (span, ts) => `E1 中继 ${span} 时隙 ${ts} 未分配 CIC` },
  'signalling-down': { en: () => 'signalling link out of service', zh: () => '信令链路退出服务' },
  'cic-busy': { en: (cic) => `CIC ${cic} is busy`, zh: (cic) => `CIC ${cic} 占用中` },
  'cic-blocked': { en: (cic) => `CIC ${cic} is blocked`, zh: (cic) => `CIC ${cic} 已闭塞` },
  'no-tone-from-exchange': {
    en: (hz, s) => `no ${hz} Hz tone back from the exchange within ${s} s (CCR)`,
    zh: (hz, s) => `${s} 秒内未收到交换机环回的 ${hz} Hz 测试音 (CCR)`,
  },
  'test-line-refused': { en: (cause) => `the exchange cleared the call to its test line (cause ${cause})`, zh: (cause) => `交换机拆除了至测试线的呼叫 (原因值 ${cause})` },
  'test-line-no-answer': { en: (s) => `the test line did not answer within ${s} s`, zh: (s) => `测试线 ${s} 秒内未应答` },
  stopped: { en: () => 'the firmware stopped during the test', zh: () => '拨测期间固件停止' },
};

export const ALARM_CAUSE_TEXT: Phrases<AlarmCauses> = {
  ...TEST_REASON_TEXT,
  'card-error': { en: (code) => CARD_ERROR_TEXT[code]?.en ?? code, zh: (code) => CARD_ERROR_TEXT[code]?.zh ?? code },
  'span-defects': { en: (...defects) => defects.join('+'), zh: (...defects) => defects.join('+') },
  'threshold-crossed': {
    en: (counter, value, threshold) => `${counterName(counter, 'en')} ${value} >= ${threshold}`,
    zh: (counter, value, threshold) => `${counterName(counter, 'zh')} ${value}, 门限 ${threshold}`,
  },
  'no-battery': { en: () => 'no battery voltage', zh: () => '无馈电电压' },
  'off-hook-guard': { en: (minutes) => `off-hook for ${minutes} min without the far end hanging up`, zh: (minutes) => `摘机 ${minutes} 分钟未检测到对端挂机` },
  'test-failed': { en: () => 'test call failed', zh: () => '拨测失败' },
  'block-limit': {
    en: (limit, circuit) => `one pass may block ${limit} circuits; ${circuit} and the circuits failing after it stay in service`,
    zh: (limit, circuit) => `每轮拨测最多闭塞 ${limit} 条电路; ${circuit} 及其后失败的电路保持在用`,
  },
  'link-test-failed': {
    en: (failure, s) => `${LINK_TEST_FAILURE_TEXT[failure]?.en(s) ?? failure}, twice in a row`,
    zh: (failure, s) => `${LINK_TEST_FAILURE_TEXT[failure]?.zh(s) ?? failure}, 连续两次`,
  },
  'd-channel-down': { en: (reason) => D_CHANNEL_DOWN_TEXT[reason]?.en ?? reason, zh: (reason) => D_CHANNEL_DOWN_TEXT[reason]?.zh ?? reason },
  'cic-unequipped': {
    en: (cic) => `the exchange has no CIC ${cic} (UCIC): check the CIC map with the exchange`,
    zh: (cic) => `交换机无 CIC ${cic} (UCIC): 请与交换机核对 CIC 配置`,
  },
};

/**
 * Words a code from a catalogue with its arguments; null when the code is unknown or the
 * arguments do not fit it (a record from a newer firmware or a hand-edited file).
 */
export function phrase<A>(table: Phrases<A>, code: unknown, args: unknown, lang: AlarmLang): string | null {
  if (typeof code !== 'string' || !Object.hasOwn(table, code) || !Array.isArray(args)) return null;
  const words = table[code as keyof A][lang] as (...a: unknown[]) => string;
  if (args.length < words.length || !args.every((a) => typeof a === 'string' || typeof a === 'number')) return null;
  return words(...args);
}

function known<T extends string>(table: Record<T, Words>, key: string, lang: AlarmLang): string | undefined {
  return Object.hasOwn(table, key) ? table[key as T][lang] : undefined;
}

export function severityName(severity: Severity, lang: AlarmLang): string {
  return known(SEVERITY_TEXT, severity, lang) ?? severity;
}

export function alarmStateName(state: AlarmState, lang: AlarmLang): string {
  return known(ALARM_STATE_TEXT, state, lang) ?? state;
}

/** `slips` -> `滑码`; an unknown counter in capitals, as DS1-MIB names them. */
export function counterName(counter: string, lang: AlarmLang): string {
  return known(COUNTER_TEXT, counter, lang) ?? counter.toUpperCase();
}

/** `span-red` -> `red alarm (LOS/LOF/LMFA)`; `tca-es-15min` -> `performance threshold crossed: ES in 15 min`. */
export function alarmTypeText(type: string, lang: AlarmLang): string {
  const fixed = known(ALARM_TYPE_TEXT, type, lang);
  if (fixed) return fixed;
  // Threshold crossing alerts: tca-<counter>-<period>, counters as in DS1-MIB (es, ses, uas, bbe, ...).
  const tca = /^tca-([a-z0-9]+)(?:-([a-z0-9]+))?$/.exec(type);
  if (tca) {
    const counter = counterName(tca[1] ?? '', lang);
    const period = tca[2] === undefined ? undefined : (known(PERIOD_TEXT, tca[2], lang) ?? tca[2]);
    if (lang === 'zh') return `性能门限越限: ${period ? `${period} ` : ''}${counter}`;
    return `performance threshold crossed: ${counter}${period ? ` in ${period}` : ''}`;
  }
  return lang === 'zh' ? `告警 "${type}"` : `alarm "${type}"`;
}

/** `span/0` -> `E1 span 0`; `circuit/e1/0/5` -> `circuit E1 0/5`; unknown sources as they are. */
export function alarmSourceText(source: string, lang: AlarmLang): string {
  const [kind = '', ...rest] = source.split('/');
  const name = known(SOURCE_TEXT, kind, lang);
  if (!name) return source;
  if (rest.length === 0) return name;
  if (kind === 'circuit' && rest.length >= 2) {
    const [medium = '', ...where] = rest;
    return `${name} ${medium.toUpperCase()} ${where.join('/')}`;
  }
  return `${name} ${rest.join('/')}`;
}

/** The alarm's cause in the reader's language, on one line; the raiser's English when it has no usable code. */
export function alarmCauseText(alarm: Pick<AlarmRecord, 'cause' | 'causeCode' | 'causeArgs'>, lang: AlarmLang): string {
  return phrase(ALARM_CAUSE_TEXT, alarm.causeCode, alarm.causeArgs, lang) ?? alarm.cause.replace(/\s+/g, ' ').trim();
}

/** Why a test call failed or was skipped, in the reader's language; the English reason when it has no usable code. */
export function testReasonText(outcome: { reason: string | null; reasonCode?: TestReasonCode; reasonArgs?: readonly unknown[] }, lang: AlarmLang): string | null {
  return phrase(TEST_REASON_TEXT, outcome.reasonCode, outcome.reasonArgs, lang) ?? outcome.reason;
}

/** `3 times, cleared`: what the one-line text adds after the cause. */
export function alarmNotes(alarm: Pick<AlarmRecord, 'count' | 'state'>, lang: AlarmLang): string[] {
  const notes: string[] = [];
  if (alarm.count > 1) notes.push(lang === 'zh' ? `${alarm.count} 次` : `${alarm.count} times`);
  if (alarm.state === 'cleared') notes.push(alarmStateName('cleared', lang));
  return notes;
}

/**
 * `[critical] E1 span 0: red alarm (LOS/LOF/LMFA) - LOS (3 times, cleared)`
 * `[紧急] E1 中继 0: 红色告警 (LOS/LOF/LMFA) - LOS (3 次, 已清除)`
 */
export function describeAlarm(alarm: AlarmRecord, lang: AlarmLang): string {
  const what = `[${severityName(alarm.severity, lang)}] ${alarmSourceText(alarm.source, lang)}: ${alarmTypeText(alarm.type, lang)}`;
  const causeText = alarmCauseText(alarm, lang);
  const cause = causeText === '' ? '' : ` - ${causeText}`;
  const notes = alarmNotes(alarm, lang);
  return `${what}${cause}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}
