import t from 'tap';
import type { TestOutcome } from '../trunks/test-call-scheduler.js';
import type { CircuitView } from '../signalling/isup/isup-stack.js';
import { formatCall, formatCircuits, type CallSummary } from './format-circuits.js';
import { formatOutcome } from './format-trunks.js';
import { formatCalls } from './format-calls.js';
import { pickLang, stateText } from './i18n.js';
import { renderTable } from './table.js';

// What a person reads in each language, line by line (the Chinese-only checks over every
// state are in zh-text.test.ts).

const NOW = Date.UTC(2025, 4, 6, 2, 0, 0);

t.test('a test call line gives the reason in the chosen language', async (t) => {
  const failed: TestOutcome = { circuit: 'fxo/1', result: 'fail', reason: 'no dial tone within 3 s', reasonCode: 'no-dial-tone', reasonArgs: [3], at: NOW, durationMs: 3000 };
  t.equal(formatOutcome(failed, 0, 12, 'en'), '[ 1/12] fxo/1      FAIL    3.0 s  no dial tone within 3 s');
  t.equal(formatOutcome(failed, 0, 12, 'zh'), '[ 1/12] fxo/1      失败    3.0 秒  3 秒内无拨号音');
  const skipped: TestOutcome = { circuit: 'e1/0/4', result: 'skipped', reason: 'span 0 is in alarm', reasonCode: 'span-in-alarm', reasonArgs: [0], at: NOW, durationMs: 0 };
  t.equal(formatOutcome(skipped, 11, 12, 'zh'), '[12/12] e1/0/4     跳过    0.0 秒  E1 中继 0 告警中');
  const uncoded: TestOutcome = { circuit: 'e1/0/3', result: 'fail', reason: 'CIC 3 is blocked', at: NOW, durationMs: 0 };
  t.equal(formatOutcome(uncoded, 2, 12, 'zh'), '[ 3/12] e1/0/3     失败    0.0 秒  CIC 3 is blocked', 'a reason without a code: as the firmware wrote it');
});

t.test('a call line gives the failure in the chosen language', async (t) => {
  const failed: CallSummary = {
    cic: 28,
    result: 'failed',
    reason: 'dual seizure on the repeat attempt too',
    reasonCode: 'failed-on-repeat',
    reasonArgs: ['dual-seizure'],
    cause: 41,
    repeats: 1,
    answered: false,
    durationMs: 200,
  };
  t.equal(formatCall(failed, 0, 1, 'en'), '[1/1] CIC 28   FAILED    0.2 s (repeated 1x)  dual seizure on the repeat attempt too');
  t.equal(formatCall(failed, 0, 1, 'zh'), '[1/1] CIC 28   失败      0.2 秒 (重试 1 次)  重试时再次双向同抢');
  const done: CallSummary = { cic: 1, result: 'completed', reason: null, cause: 16, repeats: 0, answered: true, durationMs: 5000 };
  t.equal(formatCall(done, 0, 1, 'zh'), '[1/1] CIC 1    完成      5.0 秒');
  const old: CallSummary = { ...done, result: 'failed', reason: 'no circuit free', cic: null };
  t.equal(formatCall(old, 0, 1, 'zh'), '[1/1] -        失败      5.0 秒  no circuit free', 'from a firmware that sends no code');
});

t.test('circuits: states in words, one column each', async (t) => {
  const row: CircuitView = {
    cic: 5,
    span: 0,
    timeslot: 5,
    call: 'outgoing',
    maintenance: 'local',
    hardware: 'none',
    block: 'local',
    controlledBy: 'peer',
    releasedAt: NOW,
    since: NOW,
    lastRelease: { cause: 16, at: NOW - 60_000 },
    callPhase: 'alerting',
    direction: 'out',
    unequipped: false,
    continuity: null,
  };
  t.equal(
    formatCircuits([row], 'en', NOW),
    ['CIC  span/ts  call               maint. block  hw block  control   last release', '5    0/5      outgoing/alerting  local         none      exchange  cause 16 at 09:59:00'].join('\n'),
  );
  t.equal(
    formatCircuits([row], 'zh', NOW),
    ['CIC  中继/时隙  呼叫       维护闭塞  硬件闭塞  主控  上次释放', '5    0/5        去话/振铃  本端      无        对端  原因值 16, 09:59:00'].join('\n'),
  );
  const unequipped: CircuitView = { ...row, call: 'idle', maintenance: 'none', block: 'none', callPhase: null, direction: null, unequipped: true };
  t.match(formatCircuits([unequipped], 'en', NOW), /^5 +0\/5 +unequipped at exchange +none/m, 'UCIC: the call column says so');
  t.match(formatCircuits([unequipped], 'zh', NOW), /^5 +0\/5 +交换机未装备 +无/m);
  const held: CircuitView = { ...row, call: 'incoming', maintenance: 'none', block: 'none', callPhase: null, direction: null, continuity: 'recheck-wait' };
  t.match(formatCircuits([held], 'en', NOW), /^5 +0\/5 +incoming\/awaiting continuity recheck +none/m, 'a circuit held for the recheck says so');
  t.match(formatCircuits([held], 'zh', NOW), /^5 +0\/5 +来话\/等待导通复查 +无/m);
});

t.test('tables are plain text: no borders, no colour codes, no trailing spaces', async (t) => {
  const table = renderTable(['a', 'bb'], [['一二三', 'x'], ['-', '']]);
  t.equal(table, ['a       bb', '一二三  x', '-'].join('\n'));
});

t.test('an unknown state from a newer firmware shows as it is', async (t) => {
  t.equal(stateText('zh', 'linkState', 'in-service'), '服务中');
  t.equal(stateText('zh', 'linkState', 'emergency-alignment' as never), 'emergency-alignment');
  t.equal(stateText('zh', 'ringing', true), '振铃中');
});

t.test('the language comes from --lang, else the locale', async (t) => {
  t.equal(pickLang('zh', {}), 'zh');
  t.equal(pickLang(undefined, { LANG: 'zh_CN.UTF-8' }), 'zh');
  t.equal(pickLang(undefined, { LANG: 'en_US.UTF-8' }), 'en');
  t.equal(pickLang('en', { LANG: 'zh_CN.UTF-8' }), 'en');
});

t.test('countyline calls shows a callback the box placed by the number it called', async (t) => {
  const out = formatCalls({ active: [], recent: [{ id: 'o1', direction: 'out', callback: 'cb1', line: { kind: 'fxo', port: 4 }, calling: '', called: '13900000123', agent: 'ann', arrivedAt: NOW - 60_000, offeredAt: NOW - 59_000, answeredAt: NOW - 50_000, endedAt: NOW - 20_000, result: 'answered', reason: null, hungUpBy: 'agent', cause: 16 }] }, 'en', NOW);
  t.match(out, /fxo\/4 +→ 13900000123 +ann/);
});
