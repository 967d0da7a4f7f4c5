import { DEFECT_CAUSES } from '../card/card-state.js';
import { FXO_TONES, LINK_STATES, SPAN_DEFECTS, type CardLinkStats } from '@countyline/e1-gateway';
import t, { type Test } from 'tap';
import {
  ALARM_CAUSE_TEXT,
  ALARM_STATE_TEXT,
  ALARM_TYPE_TEXT,
  CARD_ERROR_TEXT,
  COUNTER_TEXT,
  D_CHANNEL_DOWN_TEXT,
  PERIOD_TEXT,
  SEVERITY_TEXT,
  SOURCE_TEXT,
  TEST_REASON_TEXT,
  describeAlarm,
  type Phrases,
} from '../alarms/alarm-text.js';
import { ALARM_STATES, ALARM_TYPES, SEVERITIES, type AlarmCauses, type AlarmRecord } from '../alarms/alarm-types.js';
import type { CardErrorCode, CardStatusView } from '../card/card-driver.js';
import type { FxoView, LinkView, SpanView } from '../card/card-state.js';
import type { CircuitRow } from '../circuits/circuit-group.js';
import { CALL_STATES, type BlockState } from '../circuits/circuit-state.js';
import type { CallReasonCode, CallReasons, SimpleCallReason } from '../signalling/isup/isup-call-reasons.js';
import type { CallPhase } from '../signalling/isup/isup-calls.js';
import type { ContinuityState } from '../signalling/isup/isup-continuity-wait.js';
import type { CircuitView } from '../signalling/isup/isup-stack.js';
import type { LinkTestFailure, LinkTestState, LinkTestView } from '../signalling/mtp3/link-test.js';
import type { BoxStatus, TrunksView } from '../status.js';
import type { TestReasons } from '../trunks/circuit-tests.js';
import type { FxoLineState } from '../trunks/fxo-supervisor.js';
import { COUNTERS, type IntervalCounts, type ThresholdCrossing } from '../trunks/g826-counters.js';
import type { SpanAlarmState } from '../trunks/span-alarm.js';
import type { CircuitRecord, TestOutcome } from '../trunks/test-call-scheduler.js';
import { formatAgents } from './format-agents.js';
import { formatCalls } from './format-calls.js';
import { formatCallbacks } from './format-callbacks.js';
import type { AttemptOutcome, Callback, CallbackReason, DoneBy } from '../queue/callback-store.js';
import { CALL_STATES as CALL_MODEL_STATES } from '../calls/call-state.js';
import type { Cdr } from '../calls/cdr.js';
import type { CallView } from '../calls/call-manager.js';
import { formatCall, formatCircuits, type CallSummary } from './format-circuits.js';
import { describeCardError, formatStatus } from './format-status.js';
import { formatAlarms, formatOutcome, formatTrunks } from './format-trunks.js';
import { CALL_REASON_TEXT, HEADS, STATE_TEXT, TEXT, type TextKey } from './i18n.js';
import { CLI_TEXT, usage } from './cli-text.js';
import { ERRORS, errorText, type ErrorArgs, type ErrorCode } from '../errors.js';

// The Chinese output holds no English word but the technical terms Chinese technicians use as
// they are, and its tables line up on a terminal.

/**
 * Terms kept as they are in Chinese text, each because Chinese technicians, manuals and the
 * equipment itself use it so.
 */
const TERMS = new Set([
  ...['E1', 'CRC-4', 'E', 'FXO'], // the trunk, its framing check, the E-bit (G.704), the analog port
  ...['LOS', 'LOF', 'LMFA', 'AIS', 'RAI', 'TS16-MFL'], // framer defects, as the card and G.775 name them
  ...['ES', 'SES', 'UAS', 'BBE'], // G.826 performance counters
  ...['MTP2', 'HDLC', 'CIC', 'IAM', 'GRA', 'CCR', 'T5', 'T7', 'T9'], // SS7 link modes, circuit code, Q.764 messages and timers
  ...['UCIC', 'COT', 'CFN', 'T6', 'T8'],
  ...['SLTM', 'SLTA', 'SLC'], // Q.707 link test messages and the signalling link code
  ...['V', 'mA', 'Hz', 'USB'], // units and the port kind
  'Wireshark', // the capture tool the CLI names
  'SIP', // the protocol of the agents' phones
  ...['TLS', 'PEM'], // as certificates are named in Chinese manuals: TLS 证书, PEM 格式
  ...['PRI', 'D', 'B', 'LAPD', 'SABME', 'DISC', 'DM', 'Q.921', 'Q.931', 'T303', 'T308', 'T309', 'T310', 'T313', 'T316', 'SETUP'], // ISDN PRI: the D- and B-channels (D 信道, B 信道), its link and call control, as Chinese PRI manuals name them
]);

/** What the reader types or looks up exactly as printed: a command line, config keys, the account name. */
const LITERALS = ['COUNTYLINE_DEBUG_HANG=1', 'countyline run --config', 'countyline', 'card.path', 'card.baudRate', 'card 部分', 'root', 'isup.slc', 'agents', 'central.caFile'];

const TOKEN = /[A-Za-z][A-Za-z0-9]*(?:[.-][A-Za-z0-9]+)*/g;

/** English words in a Chinese text, once the data shown in it (names, paths, numbers) is taken out. */
function englishWords(zh: string, data: readonly string[] = []): string[] {
  let rest = zh;
  const known = [...data, ...LITERALS].filter((d) => d !== '').sort((a, b) => b.length - a.length);
  for (const d of known) rest = rest.split(d).join(' ');
  return (rest.match(TOKEN) ?? []).filter((w) => !TERMS.has(w));
}

/** Every member of the union T, checked by the compiler: leave one out and this does not compile. */
function every<T extends string>() {
  return <const A extends readonly T[]>(...values: A & ([Exclude<T, A[number]>] extends [never] ? unknown : never)): readonly T[] => values;
}

t.test('the word check finds English and lets the terms through', async (t) => {
  t.same(englishWords('信令链路 0  MTP2  out-of-service'), ['out-of-service']);
  t.same(englishWords('电路 FXO 3: 拨测失败 - no dial tone within 3 s'), ['no', 'dial', 'tone', 'within', 's']);
  t.same(englishWords('E1 中继 0  CRC-4 开, -48.0 V, 24.5 mA, 2000 Hz'), []);
  t.same(englishWords('无法打开 /dev/ttyS1: ENOENT', ['/dev/ttyS1', 'ENOENT']), [], 'data shown in the text is not ours to translate');
});

// --- the dictionaries, entry by entry -------------------------------------------------

type Fn = (...args: any[]) => string;
type TextFnKey = { [K in TextKey]: (typeof TEXT)[K]['en'] extends Fn ? K : never }[TextKey];

/** Sample arguments for every function entry of TEXT; a new one without samples does not compile. */
const TEXT_ARGS: { [K in TextFnKey]: Parameters<(typeof TEXT)[K]['en']> } = {
  protocolVersion: [1],
  callsInProgress: [2],
  queueWaiting: [3, '42 s'],
  recentCalls: [20],
  heartbeatAgo: ['0.4'],
  lastSecond: [1, 2, 3, 4],
  timeslot: [16],
  framesDropped: [3, 1],
  'open-failed': ['/dev/ttyS1', 'ENOENT'],
  'port-closed': ['/dev/ttyS1'],
  'card-silent': ['/dev/ttyS1'],
  'version-mismatch': ['/dev/ttyS1', 2, 1],
  'card-lost': ['/dev/ttyS1'],
  'setup-failed': ['/dev/ttyS1', 'bad-value'],
  since: ['10:02:11'],
  nextTest: ['02:00:00'],
  testing: [35],
  testSummary: [34, 1, 0],
  releaseCause: [16, '10:02:11'],
  repeated: [1],
  seconds: ['0.4'],
  callSummary: [9, 1],
  capturing: ['ss7.pcap', 10],
  captured: [42, 'ss7.pcap'],
  capturedTooShort: [2],
  priLine: ['D 信道正常', 7, '10:02:11', 3, 1],
  ss7Line: ['正常', 3, 30, 1],
  provisioned: ['north-1', 'mqtts://central.example:8883', '/etc/countyline/config.json'],
  provisionedCaFile: ['/etc/countyline/city-ca.pem'],
  centralLine: ['已连接', 12, 3, '10:02:11'],
  lastTest: ['10:02:11'],
  linkRestarts: [2],
  callbacks: [8, 5],
  askedTimes: [3],
  callbackLastTry: ['无人接听'],
};

const TEST_ARGS: { [K in keyof TestReasons]: TestReasons[K] } = {
  'no-such-circuit': ['fxo/9'],
  'card-not-up': [],
  'card-no-answer': [],
  'card-refused': [],
  busy: [],
  'line-in-use': [],
  'no-line': [],
  'span-in-alarm': [0],
  'no-dial-tone': [3],
  'no-tone-back': [2000, 2],
  'no-cic': [0, 16],
  'signalling-down': [],
  'cic-busy': [5],
  'cic-blocked': [5],
  'no-tone-from-exchange': [2000, 2],
  'test-line-refused': [17],
  'test-line-no-answer': [10],
  stopped: [],
};

const CARD_ERRORS = every<CardErrorCode>()('open-failed', 'port-closed', 'card-silent', 'version-mismatch', 'card-lost', 'setup-failed');

const ALARM_ARGS: { [K in keyof AlarmCauses]: AlarmCauses[K] } = {
  ...TEST_ARGS,
  'card-error': ['card-silent'],
  'span-defects': ['LOS', 'LOF'],
  'threshold-crossed': ['slips', 5, 4],
  'no-battery': [],
  'test-failed': [],
  'block-limit': [2, 'e1/0/7'],
  'link-test-failed': ['no-answer', 8],
  'd-channel-down': ['no-answer'],
  'cic-unequipped': [7],
  'off-hook-guard': [240],
};

const CALL_ARGS: { [K in keyof CallReasons]: CallReasons[K] } = {
  'link-down': [],
  'not-ready': [],
  'no-circuit': [],
  'no-acm': [],
  'no-answer': [],
  'released-before-answer': [16],
  'busy-circuit-seized': [],
  'blocked-here': [],
  'release-not-confirmed': [],
  'firmware-stopping': [],
  'dual-seizure': [],
  'failed-on-repeat': ['dual-seizure'],
  'reset-by-exchange': [],
  'blocked-by-exchange': [],
  'group-reset-at-start': [],
  'group-reset-by-exchange': [],
  'circuit-reset': [],
  'span-failed': [],
  'exchange-hardware-failure': [],
  'continuity-check-by-exchange': [],
  'unequipped-at-exchange': [],
  'unrecognised-message': ['0xee'],
  'not-resumed': [],
  'continuity-failed': [],
  'no-continuity': [],
  'invalid-parameter': [],
};

/** Both languages present and not empty; the Chinese free of English. */
function checkPair(t: Test, name: string, en: unknown, zh: unknown, data: readonly string[] = []) {
  t.ok(typeof en === 'string' && en.trim() !== '', `${name}: English text`);
  t.ok(typeof zh === 'string' && zh.trim() !== '', `${name}: Chinese text`);
  if (typeof zh === 'string') t.same(englishWords(zh, data), [], `${name}: no English in ${JSON.stringify(zh)}`);
}

function stringArgs(args: readonly unknown[]): string[] {
  return args.filter((a): a is string => typeof a === 'string');
}

function checkPhrases<A>(t: Test, name: string, table: Phrases<A>, samples: { [K in keyof A]: A[K] }) {
  for (const code of Object.keys(table) as (keyof A & string)[]) {
    const args = samples[code] as unknown[];
    const words = table[code] as Record<'en' | 'zh', Fn>;
    checkPair(t, `${name} ${code}`, words.en(...args), words.zh(...args), stringArgs(args));
  }
}

t.test('every CLI text has English and Chinese, and the Chinese is Chinese', async (t) => {
  for (const [key, entry] of Object.entries(TEXT) as [TextKey, Record<'en' | 'zh', string | Fn>][]) {
    if (typeof entry.en === 'function' || typeof entry.zh === 'function') {
      const args = TEXT_ARGS[key as TextFnKey] as unknown[];
      t.ok(args, `${key}: sample arguments`);
      t.equal(typeof entry.en, 'function', `${key}: both languages are functions`);
      t.equal(typeof entry.zh, 'function', `${key}: both languages are functions`);
      checkPair(t, key, (entry.en as Fn)(...args), (entry.zh as Fn)(...args), stringArgs(args));
    } else {
      checkPair(t, key, entry.en, entry.zh);
    }
  }
  for (const [key, words] of Object.entries(HEADS)) checkPair(t, `head ${key}`, words.en, words.zh);
});

t.test('every state word has English and Chinese', async (t) => {
  for (const [group, table] of Object.entries(STATE_TEXT)) {
    for (const [value, words] of Object.entries(table as Record<string, Record<'en' | 'zh', string>>)) checkPair(t, `${group} ${value}`, words.en, words.zh);
  }
});

t.test('every alarm word and cause has English and Chinese', async (t) => {
  const tables = { SEVERITY_TEXT, ALARM_STATE_TEXT, ALARM_TYPE_TEXT, PERIOD_TEXT, COUNTER_TEXT, SOURCE_TEXT, CARD_ERROR_TEXT, D_CHANNEL_DOWN_TEXT };
  for (const [name, table] of Object.entries(tables)) {
    for (const [value, words] of Object.entries(table as Record<string, Record<'en' | 'zh', string>>)) checkPair(t, `${name} ${value}`, words.en, words.zh);
  }
  checkPhrases(t, 'test reason', TEST_REASON_TEXT, TEST_ARGS);
  checkPhrases(t, 'alarm cause', ALARM_CAUSE_TEXT, ALARM_ARGS);
  for (const code of CARD_ERRORS) checkPair(t, `card-error ${code}`, ALARM_CAUSE_TEXT['card-error'].en(code), ALARM_CAUSE_TEXT['card-error'].zh(code));
});

t.test('every call failure has English and Chinese', async (t) => {
  checkPhrases(t, 'call reason', CALL_REASON_TEXT, CALL_ARGS);
  // A call that failed again on its repeat names the first trouble, whichever it was.
  const simple = (Object.keys(CALL_ARGS) as CallReasonCode[]).filter((code) => CALL_ARGS[code].length === 0) as SimpleCallReason[];
  t.ok(simple.length >= 10, 'most call reasons take no arguments');
  for (const why of simple) {
    const words = CALL_REASON_TEXT['failed-on-repeat'];
    checkPair(t, `failed-on-repeat ${why}`, words.en(why), words.zh(why));
  }
});

// --- every formatter over views holding every state ------------------------------------

const NOW = Date.UTC(2025, 4, 6, 2, 0, 0);
const SPAN_ALARMS = every<SpanAlarmState>()('none', 'red', 'blue', 'yellow', 'recovering');
const FXO_LINES = every<FxoLineState>()('unknown', 'present', 'unplugged');
const HOOKS = every<FxoView['hook']>()('on', 'off');
const POLARITIES = every<FxoView['polarity']>()('normal', 'reversed');
const CLOCKS = every<SpanView['clock']>()('line', 'internal');
const LINK_MODES = every<LinkView['mode']>()('mtp2', 'hdlc');
const CARD_LINKS = every<CardStatusView['link']>()('up', 'down');
const BLOCKS = every<BlockState>()('none', 'local', 'remote', 'both');
const PHASES = every<CallPhase>()('iam-sent', 'alerting', 'continuity-wait', 'collecting', 'answered', 'suspended', 'incoming', 'continuity', 'releasing');
const CONTROLLERS = every<CircuitRow['controlledBy']>()('us', 'peer');
const CONTINUITY = every<ContinuityState>()('exchange-loop', 'recheck-wait');
const TEST_RESULTS = every<TestOutcome['result']>()('pass', 'fail', 'skipped');
const CALL_RESULTS = every<CallSummary['result']>()('completed', 'failed', 'abandoned');
const LINK_TEST_STATES = every<LinkTestState>()('off', 'pending', 'passed', 'failed');
const LINK_TEST_FAILURES = every<LinkTestFailure>()('no-answer', 'wrong-pattern', 'wrong-slc');
const PERIODS = every<ThresholdCrossing['period']>()('15min', 'day');
const DEFECT_NAMES = SPAN_DEFECTS.map((d) => DEFECT_CAUSES[d]);

/** The i-th member, round and round, so that the longest list sets how many rows there are. */
const nth = <T>(list: readonly T[], i: number): T => list[i % list.length]!;
const range = (...lists: readonly (readonly unknown[])[]) => Array.from({ length: Math.max(...lists.map((l) => l.length)) }, (_, i) => i);

/** Data the views show that is not text of ours: names, versions, paths, the OS's error. */
const DATA = ['CL-E1F4', 'CL240117', '1.4.2', '/dev/ttyS1', 'ENOENT', 'bad-value', '0xee', 'sip:alice@192.0.2.10:5060', 'sip:wangwei@192.0.2.11:5062', 'alice', 'Alice', 'wangwei', 'zhang'];
const circuitNames = (text: string) => text.match(/\b(?:fxo|e1)\/[\d/]+/g) ?? [];

function cardView(link: CardStatusView['link'], error: CardErrorCode | null, i: number): CardStatusView {
  return {
    link,
    state: link === 'up' ? 'up' : 'lost',
    path: '/dev/ttyS1',
    protocolVersion: 1,
    inventory: i === 0 ? null : { model: 'CL-E1F4', serial: 'CL240117', firmware: '1.4.2', spans: SPAN_ALARMS.length, fxoPorts: 5, links: LINK_STATES.length },
    error: error && { code: error, message: 'in English', path: '/dev/ttyS1', at: NOW, detail: 'ENOENT', peerVersion: 2 },
    lastHeartbeatAt: i === 0 ? null : NOW - 400,
    cardUptimeMs: 1000,
    upSince: NOW - 1000,
    restarts: 0,
    lost: 0,
    serial: {
      framesSent: 10,
      framesReceived: 10,
      retransmits: i,
      duplicatesDropped: 0,
      eventsLost: 0,
      requestTimeouts: 0,
      staleAnswers: 0,
      dropped: { crc: i } as CardLinkStats['dropped'],
      discardedBytes: 0,
      cardRxErrors: 0,
    },
  };
}

function statusViews(): BoxStatus[] {
  const zeroDefects = Object.fromEntries(SPAN_DEFECTS.map((d) => [d, false])) as SpanView['defects'];
  const spans: BoxStatus['spans'] = SPAN_ALARMS.map((alarm, i) => ({
    span: i,
    causes: i === 0 ? [] : [nth(DEFECT_NAMES, i - 1), nth(DEFECT_NAMES, i + 1)],
    defects: { ...zeroDefects, [nth(SPAN_DEFECTS, i)]: true },
    crc4: i % 2 === 0,
    clock: nth(CLOCKS, i),
    sendingRai: i % 2 === 1,
    lastSecond: i === 0 ? null : { second: i, defects: zeroDefects, crc4Errors: i, eBits: i, lineCodeViolations: i, slips: i },
    totals: { seconds: 9, crc4Errors: 0, eBits: 0, lineCodeViolations: 0, slips: 0 },
    alarm,
    alarmCauses: alarm === 'none' ? [] : [...DEFECT_NAMES],
  }));
  const links: LinkView[] = LINK_STATES.map((state, i) => ({ link: i, span: i % spans.length, timeslot: 16, mode: nth(LINK_MODES, i), state }));
  const fxo: BoxStatus['fxo'] = range(FXO_LINES, HOOKS, POLARITIES, FXO_TONES).map((i) => ({
    port: i,
    line: nth(FXO_LINES, i),
    voltage: i === 0 ? 0 : -48,
    loopCurrent: i * 6.5,
    hook: nth(HOOKS, i),
    ringing: i % 2 === 0,
    polarity: nth(POLARITIES, i),
    tone: nth(FXO_TONES, i),
    lastCallerId: i === 1 ? { number: '13905710001', name: '', time: '05061002' } : null,
  }));
  const counts = { total: 30, offerable: 20, idle: 25, reserved: 1, outgoing: 2, incoming: 2, maintenanceBlocked: 1, hardwareBlocked: 0, blocked: 1, glaresWon: 0, glaresLost: 0 };
  // Every link test state, and after a first row without a test, every failure.
  const linkTest = (i: number): LinkTestView => ({
    state: nth(LINK_TEST_STATES, i),
    lastTestAt: i === 0 ? null : NOW - 60_000,
    lastResult: i === 0 ? null : 'failed',
    lastFailure: i === 0 ? null : nth(LINK_TEST_FAILURES, i),
    restarts: i,
  });
  const isups: BoxStatus['isup'][] = [
    null,
    ...range(LINK_TEST_STATES, [...LINK_TEST_FAILURES, null]).map((i) => ({ linkUp: i % 3 !== 0, ready: i % 3 === 2, linkTest: linkTest(i), circuits: counts })),
  ];
  const cards = [...CARD_LINKS.map((link) => ({ link, error: null })), ...CARD_ERRORS.map((error) => ({ link: 'down' as const, error }))];
  const centrals: BoxStatus['central'][] = [
    { state: 'disabled', outbox: { messages: 0, bytes: 0, dropped: 0 }, lastPubackAt: null },
    { state: 'connecting', outbox: { messages: 12, bytes: 4096, dropped: 3 }, lastPubackAt: null },
    { state: 'connected', outbox: { messages: 0, bytes: 0, dropped: 0 }, lastPubackAt: NOW - 1000 },
  ];
  // Every Q.921 state, the D-channel up, establishing, and without frames.
  const pris: BoxStatus['pri'][] = [
    null,
    ...(['tei-assigned', 'awaiting-establishment', 'awaiting-release', 'multiple-frame-established', 'timer-recovery'] as const).map((q921, i) => ({
      linkInService: i !== 0,
      dChannelUp: q921 === 'multiple-frame-established' || q921 === 'timer-recovery',
      q921,
      establishments: i,
      failures: i % 2,
      since: NOW - 60_000,
    })),
  ];
  return range(cards, isups, centrals, pris).map((i) => ({
    firmware: { uptimeMs: 1000 },
    card: cardView(nth(cards, i).link, nth(cards, i).error, i),
    spans,
    links,
    fxo,
    isup: nth(isups, i),
    pri: nth(pris, i),
    central: nth(centrals, i),
  }));
}

function intervalCounts(n: number): IntervalCounts {
  return { start: NOW, es: n, ses: n, uas: n, bbe: n, slips: n, lcv: n, eBits: 0, seconds: 900 };
}

function testOutcomes(): TestOutcome[] {
  const codes = Object.keys(TEST_ARGS) as (keyof TestReasons)[];
  const coded = codes.map((code, i): TestOutcome => ({ circuit: `e1/0/${i + 1}`, result: i % 2 === 0 ? 'fail' : 'skipped', reason: 'in English', reasonCode: code, reasonArgs: TEST_ARGS[code], at: NOW - 3_600_000, durationMs: 400 } as TestOutcome));
  const plain = TEST_RESULTS.map((result, i): TestOutcome => ({ circuit: `fxo/${i}`, result, reason: null, at: NOW - 90_000_000, durationMs: 3000 }));
  return [...plain, ...coded];
}

function trunksViews(): TrunksView[] {
  const spans: TrunksView['spans'] = SPAN_ALARMS.map((alarm, i) => ({
    span: i,
    alarm,
    alarmCauses: alarm === 'none' ? [] : [nth(DEFECT_NAMES, i)],
    alarmSince: NOW - i * 60_000,
    available: i % 2 === 0,
    pendingSeconds: 0,
    current15min: i === 0 ? null : intervalCounts(i * 7),
    day: intervalCounts(i * 123),
    intervals: [],
    causes: [],
  }));
  const fxo: TrunksView['fxo'] = range(FXO_LINES, HOOKS, [...POLARITIES, null]).map((i) => ({
    port: i,
    line: nth(FXO_LINES, i),
    since: NOW,
    voltage: i === 0 ? null : -48,
    loopCurrent: i === 0 ? null : 0,
    hook: nth(HOOKS, i),
    polarity: nth([...POLARITIES, null], i),
  }));
  const circuits: CircuitRecord[] = [
    { circuit: 'e1/0/31', lastTest: null, consecutiveFailures: 0, blocked: false, blockedSince: null },
    ...testOutcomes().map((lastTest, i) => ({ circuit: lastTest.circuit, lastTest, consecutiveFailures: i % 3, blocked: i % 2 === 1, blockedSince: i % 2 === 1 ? NOW : null })),
  ];
  return [
    { spans, fxo, circuits, testCalls: { schedule: { mode: 'nightly', at: '02:00' }, nextRunAt: NOW + 3_600_000 } },
    { spans, fxo, circuits, testCalls: { schedule: { mode: 'off' }, nextRunAt: null } },
  ];
}

function circuitRows(): CircuitView[] {
  const rows = range(CALL_STATES, [...PHASES, null], BLOCKS, CONTROLLERS).map((i) => ({
    cic: i + 1,
    span: 0,
    timeslot: i + 1,
    call: nth(CALL_STATES, i),
    maintenance: nth(BLOCKS, i),
    hardware: nth(BLOCKS, i + 1),
    block: nth(BLOCKS, i),
    controlledBy: nth(CONTROLLERS, i),
    releasedAt: NOW,
    since: NOW,
    lastRelease: i % 2 === 0 ? { cause: 16, at: NOW - i * 50_000_000 } : null,
    callPhase: nth([...PHASES, null], i),
    direction: null,
    unequipped: i === 1,
    continuity: null,
  }));
  // A circuit looped for the exchange's CCR, or held for its recheck: no call phase then.
  const held = CONTINUITY.map((continuity, i) => ({ ...rows[0]!, cic: rows.length + i + 1, call: 'incoming' as const, callPhase: null, continuity }));
  return [...rows, ...held];
}

function alarmRecords(): AlarmRecord[] {
  const types = [...ALARM_TYPES, ...COUNTERS.flatMap((c) => PERIODS.map((p) => `tca-${c}-${p}`))];
  const causes = Object.keys(ALARM_ARGS) as (keyof AlarmCauses)[];
  const withCause = [...causes.map((code) => ({ code, args: ALARM_ARGS[code] as (string | number)[] })), ...CARD_ERRORS.map((code) => ({ code: 'card-error' as const, args: [code] }))];
  return range(types, SEVERITIES, ALARM_STATES, withCause, ['card', 'span/0', 'fxo/3', 'link/0', 'circuit/e1/0/5', 'circuit/fxo/2']).map((i) => {
    const state = nth(ALARM_STATES, i);
    return {
      id: `${NOW}-${i}`,
      source: nth(['card', 'span/0', 'fxo/3', 'link/0', 'circuit/e1/0/5', 'circuit/fxo/2'], i),
      type: nth(types, i),
      severity: nth(SEVERITIES, i),
      state,
      raisedAt: NOW - i * 10_000_000,
      clearedAt: state === 'cleared' ? NOW : null,
      lastRaisedAt: NOW,
      cause: 'in English',
      causeCode: nth(withCause, i).code,
      causeArgs: nth(withCause, i).args,
      count: (i % 3) + 1,
    };
  });
}

function callSummaries(): CallSummary[] {
  const codes = Object.keys(CALL_ARGS) as CallReasonCode[];
  const coded = codes.map((code, i): CallSummary => ({ cic: i % 4 === 0 ? null : i, result: 'failed', reason: 'in English', reasonCode: code, reasonArgs: CALL_ARGS[code], cause: 41, repeats: i % 2, answered: false, durationMs: 1200 }));
  const simple = codes.filter((code) => CALL_ARGS[code].length === 0) as SimpleCallReason[];
  const repeatedWhy = simple.map((why): CallSummary => ({ cic: 3, result: 'failed', reason: 'in English', reasonCode: 'failed-on-repeat', reasonArgs: [why], cause: 41, repeats: 1, answered: false, durationMs: 10 }));
  const plain = CALL_RESULTS.map((result): CallSummary => ({ cic: 1, result, reason: null, cause: 16, repeats: 0, answered: result === 'completed', durationMs: 5000 }));
  return [...plain, ...coded, ...repeatedWhy];
}

/** Agents in each state `countyline agents` shows, Chinese names among them. */
function agentRows() {
  return [
    { user: 'alice', name: 'Alice', registered: true, contact: 'sip:alice@192.0.2.10:5060', reachable: true, busy: false },
    { user: 'wangwei', name: '王伟', registered: true, contact: 'sip:wangwei@192.0.2.11:5062', reachable: false, busy: true },
    { user: 'zhang', name: '张三', registered: false, contact: null, reachable: false, busy: false },
  ];
}

/** Calls in every state, and finished calls of every result and failure `countyline calls` shows. */
function callsView(): { active: CallView[]; recent: Cdr[] } {
  const line = { kind: 'e1' as const, span: 0, timeslot: 5, cic: 5 };
  const active = CALL_MODEL_STATES.map((state, i): CallView => ({ id: `c${i}`, line: i % 2 ? line : { kind: 'fxo', port: 2 }, calling: i % 3 ? '13900000000' : '', called: '12345', state, agent: i % 2 ? 'alice' : null, agentName: i % 2 ? '王伟' : null, arrivedAt: NOW - 60_000, offeredAt: NOW - 59_000, answeredAt: null }));
  const cdr = (i: number, result: Cdr['result'], reason: Pick<Cdr, 'reason' | 'reasonCode' | 'reasonArgs'> = { reason: null }): Cdr => ({
    id: `r${i}`, line, calling: '13900000000', called: '12345', agent: 'alice', arrivedAt: NOW - 90_000, offeredAt: NOW - 89_000, answeredAt: result === 'answered' ? NOW - 80_000 : null, endedAt: NOW - 10_000, result, hungUpBy: (['caller', 'agent', 'box', null] as const)[i % 4]!, cause: i % 2 ? 16 : null, ...reason,
  });
  const results = ['answered', 'abandoned', 'no-agent', 'failed', 'test-line'] as const;
  const failures = [
    { reason: 'x', reasonCode: 'box-stopping', reasonArgs: [] },
    { reason: 'x', reasonCode: 'no-audio-path', reasonArgs: ['ENOENT'] },
    { reason: 'x', reasonCode: 'hook-failed', reasonArgs: [] },
    { reason: 'x', reasonCode: 'no-loop-current', reasonArgs: [] },
    { reason: 'x', reasonCode: 'off-hook-too-long', reasonArgs: [] },
    { reason: 'x', reasonCode: 'line-lost', reasonArgs: [] },
    { reason: 'x', reasonCode: 'reset-by-exchange', reasonArgs: [] },
  ];
  return { active, recent: [...results.map((r, i) => cdr(i, r)), ...failures.map((f, i) => cdr(10 + i, 'failed', f))] };
}

const CALLBACK_REASONS = every<CallbackReason>()('key', 'after-hours', 'overflow', 'no-agent');
const ATTEMPT_OUTCOMES = every<AttemptOutcome>()('answered', 'no-answer', 'busy', 'failed');
const DONE_BYS = every<DoneBy>()('callback', 'staff', 'expired');

/** Callback requests of every reason: waiting, after each outcome of a try, and done each way. */
function callbackRows(): Callback[] {
  const row = (i: number, more: Partial<Callback>): Callback => ({
    id: `2026100${i}-0000-4000-8000-000000000000`, number: `1390000000${i}`, line: { kind: 'fxo', port: 1 }, reason: nth(CALLBACK_REASONS, i), callId: `c${i}`,
    requestedAt: NOW - i * 7_200_000, requests: 1 + (i % 3), lastRequestedAt: NOW, attempts: [], state: 'pending', doneAt: null, doneBy: null, ...more,
  });
  return [
    row(0, {}),
    ...ATTEMPT_OUTCOMES.map((outcome, i) => row(1 + i, { attempts: [{ at: NOW, outcome, callId: `o${i}` }] })),
    ...DONE_BYS.map((by, i) => row(5 + i, { state: 'done', doneAt: NOW, doneBy: by })),
  ];
}

/** Every formatter in Chinese over the views above: what a user of `--lang zh` can see. */
function renderAllZh(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  statusViews().forEach((v, i) => out.push({ name: `status ${i}`, text: formatStatus(v, 'zh', NOW) }));
  for (const v of statusViews()) if (v.card.error) out.push({ name: `card error ${v.card.error.code}`, text: describeCardError('zh', v.card.error) });
  trunksViews().forEach((v, i) => out.push({ name: `trunks ${i}`, text: formatTrunks(v, 'zh', NOW) }));
  out.push({ name: 'circuits', text: formatCircuits(circuitRows(), 'zh', NOW) });
  out.push({ name: 'agents', text: formatAgents(agentRows(), 'zh') });
  out.push({ name: 'no agents', text: formatAgents([], 'zh') });
  out.push({ name: 'calls', text: formatCalls(callsView(), 'zh', NOW) });
  out.push({ name: 'no calls', text: formatCalls({ active: [], recent: [] }, 'zh', NOW) });
  out.push({ name: 'callbacks', text: formatCallbacks(callbackRows(), 'zh', NOW) });
  out.push({ name: 'no callbacks', text: formatCallbacks([], 'zh', NOW) });
  out.push({ name: 'alarms', text: formatAlarms(alarmRecords(), 'zh', NOW) });
  out.push({ name: 'no alarms', text: formatAlarms([], 'zh', NOW) });
  for (const a of alarmRecords()) out.push({ name: `alarm line ${a.type}`, text: describeAlarm(a, 'zh') });
  const outcomes = testOutcomes();
  outcomes.forEach((o, i) => out.push({ name: `test outcome ${o.result} ${o.reasonCode ?? ''}`, text: formatOutcome(o, i, outcomes.length, 'zh') }));
  const calls = callSummaries();
  calls.forEach((c, i) => out.push({ name: `call ${c.result} ${c.reasonCode ?? ''} ${String(c.reasonArgs ?? '')}`, text: formatCall(c, i, calls.length, 'zh') }));
  return out;
}

t.test('the views hold every state of every union', async (t) => {
  const status = statusViews();
  t.same(new Set(status.flatMap((s) => s.fxo.map((p) => p.tone))), new Set(FXO_TONES));
  t.same(new Set(status.flatMap((s) => s.links.map((l) => l.state))), new Set(LINK_STATES));
  t.same(new Set(status.map((s) => s.card.error?.code ?? s.card.link)), new Set([...CARD_LINKS, ...CARD_ERRORS]));
  t.same(new Set(circuitRows().map((r) => r.callPhase)), new Set([...PHASES, null]));
  t.same(new Set(alarmRecords().map((a) => a.causeCode)), new Set(Object.keys(ALARM_ARGS)));
  t.same(new Set(alarmRecords().map((a) => a.type)), new Set([...ALARM_TYPES, ...COUNTERS.flatMap((c) => PERIODS.map((p) => `tca-${c}-${p}`))]));
});

t.test('every formatter in Chinese prints no English word', async (t) => {
  for (const { name, text } of renderAllZh()) {
    t.same(englishWords(text, [...DATA, ...circuitNames(text)]), [], `${name}:\n${text}`);
  }
});

// --- tables line up by display width ---------------------------------------------------

/** Columns a terminal gives the text: Han characters, fullwidth forms and CJK punctuation take two. */
function columns(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\p{Script=Han}\u3000-\u303f\uff01-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return width;
}

/** The display column where each cell of a table line starts (cells are two or more spaces apart). */
function cellStarts(line: string): number[] {
  return [...line.matchAll(/\S+(?: \S+)*/g)].map((m) => columns(line.slice(0, m.index)));
}

/** The blocks of the output that are tables: those headed by the first column head given. */
function tables(text: string, firstHeads: readonly string[]): string[][] {
  return text
    .split('\n\n')
    .map((block) => block.split('\n'))
    .filter((lines) => firstHeads.some((h) => lines[0]!.startsWith(`${h}  `)));
}

t.test('Chinese tables line up: every row starts each column at the same display column', async (t) => {
  const firstHeads = [HEADS.fxoPort.zh, HEADS.span.zh, HEADS.circuit.zh, HEADS.cic.zh, HEADS.raised.zh, HEADS.agentUser.zh];
  const found = [
    ...statusViews().map((v) => ({ name: 'status', want: 1, got: tables(formatStatus(v, 'zh', NOW), firstHeads) })),
    ...trunksViews().map((v) => ({ name: 'trunks', want: 3, got: tables(formatTrunks(v, 'zh', NOW), firstHeads) })),
    { name: 'circuits', want: 1, got: tables(formatCircuits(circuitRows(), 'zh', NOW), firstHeads) },
    { name: 'agents', want: 1, got: tables(formatAgents(agentRows(), 'zh'), firstHeads) },
    { name: 'alarms', want: 1, got: tables(formatAlarms(alarmRecords(), 'zh', NOW), firstHeads) },
  ];
  for (const { name, want, got } of found) {
    t.equal(got.length, want, `${name}: ${want} table(s)`);
    for (const lines of got) {
      const head = cellStarts(lines[0]!);
      t.ok(head.length >= 5, `${name}: a table of ${head.length} columns`);
      t.ok(lines.length > 2, `${name}: rows under the head`);
      for (const line of lines.slice(1)) t.same(cellStarts(line), head, `${name}: ${JSON.stringify(line)} lines up with ${JSON.stringify(lines[0])}`);
    }
  }
});

t.test('the width check sees a row that is off by a CJK character', async (t) => {
  // As `countyline status --lang zh` printed its FXO table before: hook and polarity padded to a fixed width.
  const before = ['FXO 端口  线路       电压      环流      摘挂机  极性      信号音', '0         已接入     -48.0 V   0.0 mA    挂机   正常      none'];
  t.same(cellStarts(before[0]!), [0, 10, 21, 31, 41, 49, 59]);
  t.same(cellStarts(before[1]!), [0, 10, 21, 31, 41, 48, 58]);
  t.same(cellStarts('电压  无'), [0, 6]);
});

// --- the CLI's own words and its errors ------------------------------------------------

/** Sample arguments for every error code; a code without samples does not compile. */
const ERROR_ARGS: { [C in ErrorCode]: ErrorArgs<C> } = {
  'bad-request': { detail: 'not JSON' },
  'too-long': { limit: 65536 },
  'unknown-method': { method: 'reboot', known: ['status', 'trunks'] },
  'bad-params': { field: 'count', problem: 'invalid', expected: { en: 'a whole number from 1 to 100000', zh: '1 到 100000 之间的整数' }, got: '0' },
  'card-down': { state: 'lost' },
  'no-circuit': { circuit: 'e1/0/16', known: 'fxo/0, fxo/1' },
  'no-cic': { cic: 99, first: 1, last: 30 },
  'no-isup': {},
  'no-signalling': {},
  'debug-hang-refused': {},
  'dial-number-invalid': { number: '12a' },
  'no-line-free': { number: '95598', lines: [{ kind: 'e1', why: 'link-down' }, { kind: 'fxo', why: 'busy' }] },
  'bulletin-past': { until: '2026-12-01T08:00:00.000Z', now: '2026-12-01T09:00:00.000Z' },
  'no-such-agent': { user: 'carol', known: ['ann', 'bo'] },
  'agent-logged-out': { user: 'ann' },
  'prompt-tool-missing': { program: 'espeak-ng', install: 'apt-get install -y espeak-ng' },
  'prompt-synth-failed': { program: 'sox', detail: 'sox FAIL formats: can\'t open output file' },
  'prompt-synth-timeout': { seconds: 15 },
  internal: { detail: 'registry exploded' },
  'socket-in-use': { socket: '/run/countyline/control.sock' },
  'not-running': { socket: '/run/countyline/control.sock', config: '/etc/countyline/config.json' },
  'no-permission': { socket: '/run/countyline/control.sock' },
  timeout: { method: 'status', seconds: 15 },
  'bad-answer': { method: 'status', detail: '/card: Expected object' },
  'unknown-command': { command: 'reboot' },
  'unknown-option': { option: '--colour' },
  'option-value': { option: '--count', got: 'many', expected: { en: 'a number', zh: '数字' } },
  'missing-argument': { command: 'block', what: { en: 'a CIC', zh: '一个 CIC' } },
  'extra-argument': { command: 'status', argument: 'now' },
  config: { path: '/etc/countyline/config.json', problems: ['colour: unknown key'] },
  'ca-file-unreadable': { key: 'central.caFile', file: '/etc/countyline/ca.pem', detail: 'ENOENT' },
  'cannot-write': { file: 'ss7.pcap', detail: 'EACCES' },
  'central-unreachable': { url: 'https://central.example', detail: 'ECONNREFUSED' },
  'central-untrusted': { url: 'https://central.example', reason: 'unknown-issuer', detail: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', caFile: null },
  'ca-file-unusable': { file: 'city-ca.pem', problem: 'unreadable', detail: 'ENOENT' },
  'enrolment-unknown': {},
  'enrolment-used': {},
  'enrolment-expired': {},
  'central-error': { url: 'https://central.example', status: 429, detail: 'too many requests from this address; try again in 10 s' },
  'config-unwritable': { file: '/etc/countyline/config.json', detail: 'EROFS', tokenUsed: true },
  'no-such-callback': { id: '3f2a9c1d' },
  'callback-ambiguous': { id: '3f2a9c1d', matches: 2 },
  'callback-done': { id: '3f2a9c1d-5b6e-4c2a-9d1e-7f00aa11bb22', by: 'callback', at: '2026-10-08T02:00:00.000Z' },
  'callback-invalid': { field: 'limit', got: '0', expected: { en: 'a whole number from 1 up', zh: '不小于 1 的整数' } },
  'hours-invalid': { path: 'queue.hours.mon.0', problem: 'time', got: '25:00-26:00' },
};

/** Errors whose text differs by an argument: every other form, each checked as the samples above. */
const ERROR_VARIANTS: { [C in ErrorCode]?: ErrorArgs<C>[] } = {
  'central-untrusted': [
    { url: 'https://central.example', reason: 'unknown-issuer', detail: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', caFile: '/etc/countyline/city-ca.pem' },
    { url: 'https://10.1.2.3', reason: 'wrong-name', detail: 'ERR_TLS_CERT_ALTNAME_INVALID', caFile: null, names: 'DNS:central.city.example' },
    { url: 'https://10.1.2.3', reason: 'wrong-name', detail: 'ERR_TLS_CERT_ALTNAME_INVALID', caFile: null },
    { url: 'https://central.example', reason: 'expired', detail: 'CERT_HAS_EXPIRED', caFile: null },
  ],
  'callback-done': [
    { id: '3f2a9c1d', by: 'staff', at: '2026-10-08T02:00:00.000Z' },
    { id: '3f2a9c1d', by: 'expired', at: '2026-10-08T02:00:00.000Z' },
  ],
  'hours-invalid': [
    { path: 'queue.hours.mon.1', problem: 'order', got: '12:00-08:00' },
    { path: 'queue.hours.wed.2', problem: 'overlap', got: '11:30-14:00', other: '08:00-12:00' },
    { path: 'queue.hours.closedDates.0', problem: 'date', got: '2026-02-30' },
    { path: 'queue.hours.openDates.2026-10-01', problem: 'closed-and-open', got: '2026-10-01' },
  ],
  'ca-file-unusable': [
    { file: 'city-ca.pem', problem: 'no-certificate', detail: '' },
    { file: 'city-ca.pem', problem: 'bad-certificate', detail: '2' },
    { file: 'central.pem', problem: 'not-a-ca', detail: 'CN=central.city.example' },
  ],
};

t.test('every error has English and Chinese, and the Chinese is Chinese', async (t) => {
  const samples = (Object.keys(ERRORS) as ErrorCode[]).flatMap((code) => [ERROR_ARGS[code], ...(ERROR_VARIANTS[code] ?? [])].map((args) => [code, args] as const));
  for (const [code, args] of samples) {
    // What the arguments carry is data shown in the text, not words to translate.
    const data = (JSON.stringify(args).match(/"[^"]*"/g) ?? []).map((s) => JSON.parse(s) as string).filter((s) => !['en', 'zh'].includes(s));
    const english = errorText(code, args as never, 'en');
    const chinese = errorText(code, args as never, 'zh');
    checkPair(t, `error ${code}`, english, chinese, [...data.filter((d) => !/[\u4e00-\u9fff]/.test(d) && d !== (args as { expected?: { en: string } }).expected?.en), 'JSON', 'id', 'method', 'params', 'countyline circuits', 'countyline status', 'countyline callbacks', 'isup', 'pri', 'SS7', 'BLO', 'UBL', '--ca-file', '--central']);
  }
  // Sample arguments for the lines that take more than a number.
  const cliArgs: Record<string, unknown[]> = { bulletinText: ['notice'], bulletinUntil: ['2025-03-10 18:00'], bulletinSpoken: ['zh', 6.2], bulletinNotSpoken: ['spawn espeak-ng ENOENT'], bulletinCleared: [true], callbackMarkedDone: ['7c0ffee0', '13800000002'] };
  for (const [key, words] of Object.entries(CLI_TEXT)) {
    const args = cliArgs[key] ?? [7];
    const say = (f: unknown) => (f as (...a: unknown[]) => string)(...args);
    checkPair(t, `cli ${key}`, say(words.en), say(words.zh), ['BLO', 'UBL', 'notice', 'spawn espeak-ng ENOENT', '7c0ffee0']);
  }
});

t.test('the usage text in Chinese explains every command and option in Chinese', async (t) => {
  const en = usage('en', '/etc/countyline/config.json').split('\n');
  const zh = usage('zh', '/etc/countyline/config.json').split('\n');
  t.equal(zh.length, en.length, 'line for line the English text');
  t.match(en.join('\n'), /provision --central <url> --token <token> \[--ca-file <pem>\]\n(.*\n){2} *--ca-file: trust central's certificate by this CA/, 'provision names --ca-file and what it is for');
  t.match(zh.join('\n'), /provision --central <地址> --token <令牌> \[--ca-file <证书文件>\]\n(.*\n){2} *--ca-file: 用此根证书/, 'in Chinese too');
  // What a user types stays as it is: commands, options, their placeholders, the path.
  const typed = /(countyline|<[^>]+>|\[[^\]]*\]|--?[a-z][a-z-]*|en\|zh|fxo\/N|e1\/S\/T|\b(all|any)\b|\/etc\/countyline\/config\.json|YYYY-MM-DD HH:MM|HH:MM|\b(run|status|trunks|alarms|test-call|circuits|block|unblock|call|dial|capture|metrics|calls|cic|provision|bulletin|set|clear|queue|agent|login|logout|break|kpi|callbacks|done|version|debug|hang)\b)/g;
  for (const line of zh) {
    t.same(englishWords(line.replace(typed, ' '), ['JSON', 'LANG', 'Prometheus', 'Wireshark', 'pcap', 'BLO', 'UBL', 'G.826', 'Ctrl-C', 'Node']), [], `no English in: ${line}`);
  }
});
