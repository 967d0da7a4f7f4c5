import t from 'tap';
import { alarmCauseText, alarmSourceText, alarmTypeText, describeAlarm, severityName, testReasonText } from './alarm-text.js';
import { SEVERITIES, type AlarmRecord } from './alarm-types.js';

const red: AlarmRecord = {
  id: '1-1',
  source: 'span/0',
  type: 'span-red',
  severity: 'critical',
  state: 'active',
  raisedAt: 0,
  clearedAt: null,
  lastRaisedAt: 0,
  cause: 'LOS',
  count: 1,
};

t.test('one line per alarm, in English and Chinese', async (t) => {
  t.equal(describeAlarm(red, 'en'), '[critical] E1 span 0: red alarm (LOS/LOF/LMFA) - LOS');
  t.equal(describeAlarm(red, 'zh'), '[紧急] E1 中继 0: 红色告警 (LOS/LOF/LMFA) - LOS');
  const repeated = { ...red, count: 3, state: 'cleared' as const, clearedAt: 5 };
  t.equal(describeAlarm(repeated, 'en'), '[critical] E1 span 0: red alarm (LOS/LOF/LMFA) - LOS (3 times, cleared)');
  t.equal(describeAlarm(repeated, 'zh'), '[紧急] E1 中继 0: 红色告警 (LOS/LOF/LMFA) - LOS (3 次, 已清除)');
  t.equal(describeAlarm({ ...red, cause: '  ' }, 'en'), '[critical] E1 span 0: red alarm (LOS/LOF/LMFA)', 'no dangling dash without a cause');
  t.notMatch(describeAlarm({ ...red, cause: 'LOS\nsince 10:02' }, 'zh'), /\n/, 'a cause with a line break stays on one line');
});

t.test('every known type has its own text in both languages', async (t) => {
  const zh: Record<string, string> = {
    'card-link': '板卡链路中断',
    'span-red': '红色告警 (LOS/LOF/LMFA)',
    'span-blue': '蓝色告警 (AIS)',
    'span-yellow': '黄色告警 (RAI/远端告警)',
    'fxo-unplugged': '外线未接/无馈电',
    'test-call-failed': '拨测失败',
  };
  for (const [type, text] of Object.entries(zh)) {
    t.equal(alarmTypeText(type, 'zh'), text, type);
    t.notMatch(alarmTypeText(type, 'en'), /alarm "|[^ -~]/, `${type} in English`);
  }
  t.equal(alarmTypeText('span-blue', 'en'), 'blue alarm (AIS)');
});

t.test('threshold crossings name the counter and the period', async (t) => {
  t.equal(alarmTypeText('tca-es-15min', 'en'), 'performance threshold crossed: ES in 15 min');
  t.equal(alarmTypeText('tca-es-15min', 'zh'), '性能门限越限: 15 分钟 ES');
  t.equal(alarmTypeText('tca-uas-day', 'zh'), '性能门限越限: 1 天 UAS', 'the day total, as alarm-rules names it');
  t.equal(alarmTypeText('tca-slips-15min', 'zh'), '性能门限越限: 15 分钟 滑码', 'slips in Chinese');
  t.equal(alarmTypeText('tca-slips-15min', 'en'), 'performance threshold crossed: slips in 15 min');
  t.equal(alarmTypeText('tca-bbe', 'en'), 'performance threshold crossed: BBE');
  t.equal(alarmTypeText('tca-ses-5min', 'en'), 'performance threshold crossed: SES in 5min', 'an unknown period as written');
});

t.test('unknown types and sources fall back to their names', async (t) => {
  t.equal(alarmTypeText('isup-cic-blocked', 'en'), 'alarm "isup-cic-blocked"');
  t.equal(alarmTypeText('isup-cic-blocked', 'zh'), '告警 "isup-cic-blocked"');
  t.equal(alarmSourceText('gps', 'en'), 'gps');
  t.equal(describeAlarm({ ...red, source: 'x/1', type: 'y' }, 'en'), '[critical] x/1: alarm "y" - LOS');
});

t.test('sources read as people name them', async (t) => {
  t.equal(alarmSourceText('card', 'en'), 'card');
  t.equal(alarmSourceText('card', 'zh'), '板卡');
  t.equal(alarmSourceText('fxo/3', 'en'), 'FXO port 3');
  t.equal(alarmSourceText('fxo/3', 'zh'), 'FXO 端口 3');
  t.equal(alarmSourceText('circuit/e1/0/5', 'en'), 'circuit E1 0/5');
  t.equal(alarmSourceText('circuit/e1/0/5', 'zh'), '电路 E1 0/5');
  t.equal(alarmSourceText('link/0', 'zh'), '信令链路 0');
});

t.test('severity names', async (t) => {
  t.same(
    SEVERITIES.map((s) => severityName(s, 'zh')),
    ['紧急', '主要', '次要', '提示'],
  );
  t.same(
    SEVERITIES.map((s) => severityName(s, 'en')),
    ['critical', 'major', 'minor', 'warning'],
  );
});

t.test('a coded cause reads in the chosen language; the English cause stays as written', async (t) => {
  const unplugged: AlarmRecord = { ...red, source: 'fxo/3', type: 'fxo-unplugged', severity: 'major', cause: 'no battery voltage', causeCode: 'no-battery', causeArgs: [] };
  t.equal(describeAlarm(unplugged, 'zh'), '[主要] FXO 端口 3: 外线未接/无馈电 - 无馈电电压');
  t.equal(describeAlarm(unplugged, 'en'), '[major] FXO port 3: line unplugged / no battery - no battery voltage');
  t.equal(unplugged.cause, 'no battery voltage');
  const card = { cause: 'card-silent', causeCode: 'card-error' as const, causeArgs: ['card-silent'] };
  t.equal(alarmCauseText(card, 'zh'), '板卡无应答');
  t.equal(alarmCauseText(card, 'en'), 'card not answering');
  const tca = { cause: 'SLIPS 5 >= 4', causeCode: 'threshold-crossed' as const, causeArgs: ['slips', 5, 4] };
  t.equal(alarmCauseText(tca, 'zh'), '滑码 5, 门限 4');
  t.equal(alarmCauseText(tca, 'en'), 'slips 5 >= 4');
  const test = { cause: 'no dial tone within 3 s', causeCode: 'no-dial-tone' as const, causeArgs: [3] };
  t.equal(alarmCauseText(test, 'zh'), '3 秒内无拨号音', 'a failed test call: its reason is the cause');
  t.equal(alarmCauseText({ cause: 'LOS+LOF', causeCode: 'span-defects', causeArgs: ['LOS', 'LOF'] }, 'zh'), 'LOS+LOF');
});

t.test('a cause without a usable code shows the English text', async (t) => {
  t.equal(alarmCauseText({ cause: 'LOS' }, 'zh'), 'LOS', 'an alarm file from before the codes');
  t.equal(alarmCauseText({ cause: 'a  new\ncause', causeCode: 'from-a-newer-firmware' as never, causeArgs: [] }, 'zh'), 'a new cause', 'an unknown code');
  t.equal(alarmCauseText({ cause: 'no dial tone within 3 s', causeCode: 'no-dial-tone', causeArgs: [] }, 'zh'), 'no dial tone within 3 s', 'arguments missing');
  t.equal(alarmCauseText({ cause: 'x', causeCode: 'no-dial-tone', causeArgs: [{}] as never }, 'zh'), 'x', 'arguments of the wrong kind');
  t.equal(alarmCauseText({ cause: 'card-silent', causeCode: 'card-error', causeArgs: ['card-on-fire'] }, 'zh'), 'card-on-fire', 'an unknown card error by its code');
});

t.test('test reasons: coded ones in both languages, others as the firmware wrote them', async (t) => {
  t.equal(testReasonText({ reason: 'span 0 is in alarm', reasonCode: 'span-in-alarm', reasonArgs: [0] }, 'zh'), 'E1 中继 0 告警中');
  t.equal(testReasonText({ reason: 'span 0 is in alarm', reasonCode: 'span-in-alarm', reasonArgs: [0] }, 'en'), 'span 0 is in alarm');
  t.equal(testReasonText({ reason: 'no 2000 Hz tone back within 2 s', reasonCode: 'no-tone-back', reasonArgs: [2000, 2] }, 'zh'), '2 秒内未收回 2000 Hz 测试音');
  t.equal(testReasonText({ reason: 'CIC 3 is blocked' }, 'zh'), 'CIC 3 is blocked', 'no code yet: the English reason');
  t.equal(testReasonText({ reason: null }, 'zh'), null);
});
