import type { FxoTone, LinkState } from '@countyline/e1-gateway';
import { phrase, type Phrases } from '../alarms/alarm-text.js';
import type { CallState as CallModelState } from '../calls/call-state.js';
import type { Cdr, CallResult } from '../calls/cdr.js';
import type { OfficeAgentView } from '../queue/office-queue.js';
import type { AttemptOutcome, CallbackReason, DoneBy } from '../queue/callback-records.js';
import type { CardStatusView } from '../card/card-driver.js';
import type { FxoView, LinkView, SpanView } from '../card/card-state.js';
import type { CircuitRow } from '../circuits/circuit-group.js';
import type { BlockState, CallState } from '../circuits/circuit-state.js';
import { Q931_CALL_REASON_TEXT } from '../signalling/pri/q931-calls-reasons.js';
import type { CallFailure, CallReasons } from '../signalling/isup/isup-call-reasons.js';
import type { CallOutcome, CallPhase } from '../signalling/isup/isup-calls.js';
import type { ContinuityState } from '../signalling/isup/isup-continuity-wait.js';
import type { LinkTestFailure, LinkTestState } from '../signalling/mtp3/link-test.js';
import type { FxoLineState } from '../trunks/fxo-supervisor.js';
import type { SpanAlarmState } from '../trunks/span-alarm.js';
import type { TestOutcome } from '../trunks/test-call-scheduler.js';
import type { CentralStatus } from '../telemetry/telemetry.js';

/**
 * User-facing CLI text in English and Simplified Chinese. County staff and central ops read
 * Chinese; technicians often read both. Pick with --lang or from LANG / LC_ALL.
 *
 * Chinese keeps as they are only the terms Chinese technicians use as is (E1, CRC-4, SS7,
 * CIC, FXO, the G.826 counters, the defect and ISUP message names, units); the unit test
 * beside this file holds that list and checks every text against it.
 */
export type Lang = 'en' | 'zh';

export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  const source = flag ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '';
  return source.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

type Words = Record<Lang, string>;
type Text = Record<Lang, string | ((...args: any[]) => string)>;

export const TEXT = {
  card: { en: 'Card', zh: '板卡' },
  link: { en: 'link', zh: '串口链路' },
  serial: { en: 'serial', zh: '序列号' },
  firmware: { en: 'firmware', zh: '固件' },
  protocolVersion: { en: (v: number) => `protocol v${v}`, zh: (v: number) => `协议版本 ${v}` },
  heartbeatAgo: { en: (s: string) => `last heartbeat ${s} s ago`, zh: (s: string) => `上次心跳 ${s} 秒前` },
  noInventory: { en: 'card has not answered yet', zh: '板卡尚未应答' },
  span: { en: 'E1 span', zh: 'E1 中继' },
  defects: { en: 'defects', zh: '告警' },
  noDefects: { en: 'none', zh: '无' },
  crc4On: { en: 'CRC-4 on', zh: 'CRC-4 开' },
  crc4Off: { en: 'CRC-4 off', zh: 'CRC-4 关' },
  sendingRai: { en: 'sending RAI', zh: '正在发送 RAI' },
  lastSecond: {
    en: (c: number, e: number, l: number, s: number) => `last second: CRC-4 ${c}, E-bits ${e}, LCV ${l}, slips ${s}`,
    zh: (c: number, e: number, l: number, s: number) => `上一秒: CRC-4 误码 ${c}, E 比特 ${e}, 码型违例 ${l}, 滑码 ${s}`,
  },
  signallingLink: { en: 'signalling link', zh: '信令链路' },
  timeslot: { en: (ts: number) => `timeslot ${ts}`, zh: (ts: number) => `时隙 ${ts}` },
  framesDropped: { en: (n: number, r: number) => `serial: ${n} corrupt frames dropped, ${r} resent`, zh: (n: number, r: number) => `串口: 丢弃损坏帧 ${n} 个, 重发 ${r} 次` },
  // card errors, by code; the English text from the driver carries the details
  'open-failed': { en: (p: string, d: string) => `cannot open ${p}: ${d}. Check card.path in the config and that the card's serial device exists.`, zh: (p: string, d: string) => `无法打开 ${p}: ${d}。请检查配置中的 card.path 以及板卡串口设备是否存在。` },
  'port-closed': { en: (p: string) => `serial port ${p} closed. Check the card's cable or USB connection.`, zh: (p: string) => `串口 ${p} 已关闭。请检查板卡连接线或 USB 连接。` },
  'card-silent': { en: (p: string) => `card not answering on ${p}. Check that the card is powered, the serial cable is seated and card.baudRate matches.`, zh: (p: string) => `板卡在 ${p} 上无应答。请检查板卡电源、串口线是否插好、card.baudRate 是否一致。` },
  'version-mismatch': {
    en: (p: string, v: number | string, ours: number) => `card on ${p} speaks protocol v${v}, this firmware speaks v${ours}. Install matching card and box firmware.`,
    zh: (p: string, v: number | string, ours: number) => `${p} 上的板卡使用协议版本 ${v}, 本固件使用版本 ${ours}。请安装匹配的板卡固件和主机固件。`,
  },
  'card-lost': { en: (p: string) => `card on ${p} stopped sending heartbeats. Check the card's power and serial cable.`, zh: (p: string) => `${p} 上的板卡心跳中断。请检查板卡电源和串口线。` },
  'setup-failed': { en: (p: string, d: string) => `card on ${p} refused its setup: ${d}. Check the card section of the config.`, zh: (p: string, d: string) => `${p} 上的板卡拒绝配置: ${d}。请检查配置文件中的 card 部分。` },
  alarmState: { en: 'alarm', zh: '告警状态' },
  since: { en: (t: string) => `since ${t}`, zh: (t: string) => `自 ${t}` },
  current15: { en: 'this 15 min', zh: '本 15 分钟' },
  today: { en: 'today', zh: '今日' },
  unavailable: { en: 'UNAVAILABLE', zh: '不可用' },
  neverTested: { en: 'never', zh: '未测' },
  inService: { en: 'in service', zh: '可用' },
  blocked: { en: 'BLOCKED', zh: '已闭塞' },
  nextTest: { en: (t: string) => `next scheduled test calls: ${t}`, zh: (t: string) => `下次定时拨测: ${t}` },
  noSchedule: { en: 'scheduled test calls are off', zh: '定时拨测已关闭' },
  testing: { en: (n: number) => `testing ${n} circuit(s), one at a time`, zh: (n: number) => `逐条拨测 ${n} 条电路` },
  testSummary: { en: (p: number, f: number, s: number) => `${p} passed, ${f} failed, ${s} skipped`, zh: (p: number, f: number, s: number) => `通过 ${p} 条, 失败 ${f} 条, 跳过 ${s} 条` },
  noAlarms: { en: 'no active alarms', zh: '无活动告警' },
  releaseCause: { en: (cause: number, at: string) => `cause ${cause} at ${at}`, zh: (cause: number, at: string) => `原因值 ${cause}, ${at}` },
  repeated: { en: (n: number) => `repeated ${n}x`, zh: (n: number) => `重试 ${n} 次` },
  unequippedAtExchange: { en: 'unequipped at exchange', zh: '交换机未装备' },
  seconds: { en: (s: string) => `${s} s`, zh: (s: string) => `${s} 秒` },
  callsInProgress: { en: (n: number) => `calls in progress: ${n}`, zh: (n: number) => `进行中的呼叫: ${n} 个` },
  recentCalls: { en: (n: number) => `latest finished calls: ${n}`, zh: (n: number) => `最近结束的呼叫: ${n} 个` },
  unknownNumber: { en: 'unknown', zh: '未知' },
  yes: { en: 'yes', zh: '是' },
  no: { en: 'no', zh: '否' },
  queueWaiting: { en: (n: number, longest: string) => `waiting: ${n}${n > 0 ? `, longest ${longest}` : ''}`, zh: (n: number, longest: string) => `排队: ${n} 人${n > 0 ? `, 最长等待 ${longest}` : ''}` },
  noAgents: { en: 'no agents in the config (add them under "agents")', zh: '配置中没有坐席 (请在 "agents" 下添加)' },
  callSummary: { en: (c: number, f: number) => `${c} completed, ${f} failed`, zh: (c: number, f: number) => `完成 ${c} 次, 失败 ${f} 次` },
  capturing: { en: (f: string, s: number) => `capturing E1 signalling into ${f} for ${s} s ...`, zh: (f: string, s: number) => `正在抓取 E1 信令到 ${f}, ${s} 秒 ...` },
  capturedTooShort: { en: (n: number) => `${n} D-channel frames under 3 octets (no LAPD address and control) were left out`, zh: (n: number) => `${n} 个不足 3 字节的 D 信道帧 (无 LAPD 地址和控制字段) 未写入` },
  captured: { en: (n: number, f: string) => `${n} messages written to ${f} (open it in Wireshark)`, zh: (n: number, f: string) => `已写入 ${n} 条消息到 ${f} (可用 Wireshark 打开)` },
  ss7Ready: { en: 'ready', zh: '正常' },
  ss7Resetting: { en: 'resetting circuits with the exchange', zh: '正在与交换机复原电路' },
  ss7LinkDown: { en: 'signalling link down', zh: '信令链路中断' },
  ss7Testing: { en: 'testing the signalling link (SLTM)', zh: '正在测试信令链路 (SLTM)' },
  ss7LinkFailed: { en: 'signalling link test failed; restarting the link', zh: '信令链路测试失败, 正在重启链路' },
  linkTest: { en: 'signalling link test', zh: '信令链路测试' },
  lastTest: { en: (t: string) => `last test ${t}`, zh: (t: string) => `上次测试 ${t}` },
  callbacks: { en: (n: number, waiting: number) => `callback requests: ${n} (${waiting} waiting)`, zh: (n: number, waiting: number) => `回拨请求: ${n} 个 (待回拨 ${waiting} 个)` },
  noCallbacks: { en: 'no callback requests', zh: '没有回拨请求' },
  // The caller called again while their request was pending.
  askedTimes: { en: (n: number) => `asked ${n}x`, zh: (n: number) => `来电 ${n} 次` },
  callbackWaiting: { en: 'waiting', zh: '待回拨' },
  // The caller left a voice message (the file is in `callbacks --json`).
  hasMessage: { en: 'yes', zh: '有' },
  callbackLastTry: { en: (outcome: string) => `waiting, last try: ${outcome}`, zh: (outcome: string) => `待回拨, 上次: ${outcome}` },
  linkRestarts: { en: (n: number) => `link restarted ${n}x`, zh: (n: number) => `链路已重启 ${n} 次` },
  priUp: { en: 'D-channel up', zh: 'D 信道正常' },
  priEstablishing: { en: 'D-channel down: establishing the data link (SABME)', zh: 'D 信道中断: 正在建立数据链路 (SABME)' },
  priNoLink: { en: 'D-channel down: its timeslot carries no frames (check the span)', zh: 'D 信道中断: 所在时隙无帧 (请检查 E1)' },
  priLine: {
    en: (s: string, q921: number, since: string, ups: number, failures: number) => `PRI: ${s} (Q.921 state ${q921}) since ${since}; established ${ups} times, ${failures} failures`,
    zh: (s: string, q921: number, since: string, ups: number, failures: number) => `PRI: ${s} (Q.921 状态 ${q921}), 自 ${since} 起; 已建立 ${ups} 次, 故障 ${failures} 次`,
  },
  ss7Line: {
    en: (s: string, busy: number, total: number, blocked: number) => `SS7: ${s}; ${busy} of ${total} circuits busy, ${blocked} blocked`,
    zh: (s: string, busy: number, total: number, blocked: number) => `七号信令: ${s}; ${total} 条电路中 ${busy} 条占用, ${blocked} 条闭塞`,
  },
  provisioned: {
    en: (box: string, mqtt: string, config: string) => `box ${box} is enrolled with central (broker ${mqtt}); its credentials are in ${config}. Restart the firmware to connect.`,
    zh: (box: string, mqtt: string, config: string) => `本机 ${box} 已在中心注册 (消息服务器 ${mqtt}); 凭据已写入 ${config}。请重启固件以连接中心。`,
  },
  provisionedCaFile: {
    en: (file: string) => `central.caFile is ${file}: the box trusts central's broker (mqtts) by the same CA.`,
    zh: (file: string) => `central.caFile 已设为 ${file}: 本机也用此根证书验证中心的消息服务器。`,
  },
  // countyline kpi: the measures of queue/kpi.ts
  kpiQuarterHours: { en: 'quarter hours with calls', zh: '有呼叫的时段' },
  kpiDayTotals: { en: 'day', zh: '全天' },
  kpiNoCalls: { en: 'no calls', zh: '无呼叫' },
  kpiInbound: { en: 'inbound calls', zh: '呼入总数' },
  kpiDeflected: { en: 'deflected by the bulletin', zh: '听公告后挂机' },
  kpiFailedBeforeQueue: { en: 'failed before the queue', zh: '进入排队前失败' },
  kpiOffered: { en: 'offered (asked for a person)', zh: '请求人工' },
  kpiAnswered: { en: 'answered by a person', zh: '人工接通' },
  kpiAnsweredIn15s: { en: 'answered within 15 s of joining the queue', zh: '排队 15 秒内接通' },
  kpiAbandoned: { en: 'abandoned', zh: '放弃' },
  kpiAbandonedIn15s: { en: 'abandoned within 15 s', zh: '15 秒内放弃' },
  kpiAbandonedWait: { en: 'abandoned: wait in all', zh: '放弃呼叫总等待' },
  kpiLongestAbandonedWait: { en: 'abandoned: longest wait', zh: '放弃呼叫最长等待' },
  kpiOverflowed: { en: 'overflowed', zh: '溢出转出' },
  kpiCallbacksCaptured: { en: 'callback requests left', zh: '留号回拨请求' },
  kpiForwarded: { en: 'forwarded to the city centre', zh: '转市中心接通' },
  kpiCallbacksCompleted: { en: 'callbacks completed', zh: '已完成回拨' },
  kpiNoAgent: { en: 'no agent', zh: '无坐席' },
  kpiFailedInQueue: { en: 'failed in the queue', zh: '排队中失败' },
  kpiRepeatCallers: { en: 'repeat callers', zh: '重复来电' },
  kpiAnswerRate: { en: 'answer rate (answered / offered)', zh: '人工接通率 (人工接通 / 请求人工)' },
  kpiSl15: { en: '15-second answer rate (within 15 s / answered)', zh: '人工应答及时率 (15 秒内接通 / 人工接通)' },
  kpiSl: { en: 'service level (within 15 s / offered)', zh: '服务水平 (15 秒内接通 / 请求人工)' },
  kpiSl2: { en: 'service level, short abandons left out', zh: '服务水平 (不计 15 秒内放弃)' },
  kpiAsa: { en: 'mean wait to answer (ASA)', zh: '平均应答等待' },
  kpiAht: { en: 'mean talk time (AHT; wrap-up is not in the CDR)', zh: '平均通话时长 (话单不含话后处理)' },
  kpiLongestWait: { en: 'longest wait', zh: '最长等待' },
  kpiPeakQueue: { en: 'most callers in the queue at once', zh: '同时排队最多' },
  kpiPass: { en: 'pass', zh: '达标' },
  kpiFail: { en: 'FAIL', zh: '未达标' },
  kpiStaffing: { en: 'staffing by hour (Erlang C), target', zh: '按小时排班建议 (爱尔兰排队公式), 目标' },
  kpiTalkOnly: {
    en: 'handle time is talk time only (wrap-up is not in the CDR): the agents needed are a lower bound',
    zh: '处理时长仅为通话时长 (话单不含话后处理): 所需坐席数为下限',
  },
  kpiNoneOffered: { en: 'no call asked for a person', zh: '无人工请求' },
  centralLine: {
    en: (s: string, waiting: number, dropped: number, acked: string) => `central: ${s}; ${waiting} messages waiting, ${dropped} dropped, last acknowledged ${acked}`,
    zh: (s: string, waiting: number, dropped: number, acked: string) => `中心: ${s}; ${waiting} 条消息待发, 已丢弃 ${dropped} 条, 最近确认 ${acked}`,
  },
} satisfies Record<string, Text>;

export type TextKey = keyof typeof TEXT;

export function text(lang: Lang, key: TextKey, ...args: unknown[]): string {
  const entry = TEXT[key][lang];
  return typeof entry === 'function' ? (entry as (...a: unknown[]) => string)(...args) : entry;
}

/** Column heads of the CLI's tables. */
export const HEADS = {
  fxoPort: { en: 'FXO port', zh: 'FXO 端口' },
  line: { en: 'line', zh: '线路' },
  voltage: { en: 'voltage', zh: '电压' },
  loopCurrent: { en: 'loop', zh: '环流' },
  hook: { en: 'hook', zh: '摘挂机' },
  polarity: { en: 'polarity', zh: '极性' },
  tone: { en: 'tone', zh: '信号音' },
  ringing: { en: 'ringing', zh: '振铃' },
  lastCaller: { en: 'last caller', zh: '最近来电' },
  span: { en: 'span', zh: '中继' },
  period: { en: 'period', zh: '时段' },
  circuit: { en: 'circuit', zh: '电路' },
  lastTest: { en: 'last test', zh: '上次拨测' },
  result: { en: 'result', zh: '结果' },
  failures: { en: 'failures', zh: '连续失败' },
  state: { en: 'state', zh: '状态' },
  reason: { en: 'reason', zh: '原因' },
  cic: { en: 'CIC', zh: 'CIC' },
  spanTimeslot: { en: 'span/ts', zh: '中继/时隙' },
  call: { en: 'call', zh: '呼叫' },
  maintenanceBlock: { en: 'maint. block', zh: '维护闭塞' },
  hardwareBlock: { en: 'hw block', zh: '硬件闭塞' },
  control: { en: 'control', zh: '主控' },
  lastRelease: { en: 'last release', zh: '上次释放' },
  raised: { en: 'raised', zh: '发生时间' },
  severity: { en: 'severity', zh: '级别' },
  source: { en: 'source', zh: '来源' },
  alarm: { en: 'alarm', zh: '告警' },
  cause: { en: 'cause', zh: '原因' },
  count: { en: 'count', zh: '次数' },
  arrived: { en: 'arrived', zh: '来电时间' },
  calling: { en: 'caller', zh: '主叫号码' },
  called: { en: 'called', zh: '被叫号码' },
  agent: { en: 'agent', zh: '坐席' },
  waited: { en: 'waited', zh: '等待' },
  talked: { en: 'talked', zh: '通话' },
  hungUpBy: { en: 'hung up by', zh: '挂机方' },
  agentUser: { en: 'user', zh: '用户名' },
  agentName: { en: 'name', zh: '姓名' },
  registered: { en: 'registered', zh: '已注册' },
  contact: { en: 'contact', zh: '联系地址' },
  reachable: { en: 'reachable', zh: '可达' },
  busy: { en: 'busy', zh: '通话中' },
  position: { en: 'place', zh: '排位' },
  agentStatus: { en: 'status', zh: '签入状态' },
  agentState: { en: 'phone', zh: '话机状态' },
  phoneUp: { en: 'phone up', zh: '话机在线' },
  answeredCalls: { en: 'answered', zh: '已接' },
  since: { en: 'for', zh: '持续' },
  callbackId: { en: 'id', zh: '编号' },
  callbackNumber: { en: 'number', zh: '回拨号码' },
  requested: { en: 'requested', zh: '留号时间' },
  tries: { en: 'tries', zh: '回拨次数' },
  voiceMessage: { en: 'message', zh: '留言' },
  interval: { en: 'interval', zh: '时段' },
  hour: { en: 'hour', zh: '小时' },
  measure: { en: 'measure', zh: '指标' },
  value: { en: 'value', zh: '数值' },
  target: { en: 'target', zh: '目标' },
  offered: { en: 'offered', zh: '请求人工' },
  answered: { en: 'answered', zh: '人工接通' },
  answerRate: { en: 'answer rate', zh: '接通率' },
  sl15: { en: '15-s rate', zh: '及时率' },
  abandoned: { en: 'abandoned', zh: '放弃' },
  asa: { en: 'ASA', zh: '平均等待' },
  longestWait: { en: 'longest wait', zh: '最长等待' },
  peakQueue: { en: 'peak queue', zh: '最多排队' },
  aht: { en: 'AHT', zh: '平均通话' },
  handleTime: { en: 'handle time used', zh: '测算处理时长' },
  agentsNeeded: { en: 'agents needed', zh: '所需坐席' },
  measuredSl: { en: 'measured SL', zh: '实测服务水平' },
} satisfies Record<string, Words>;

export function heads(lang: Lang, ...keys: (keyof typeof HEADS)[]): string[] {
  return keys.map((k) => HEADS[k][lang]);
}

/**
 * Words for each value of the states and enums the CLI prints, keyed by the value's union
 * type: a new state without words in both languages does not compile.
 */
export const STATE_TEXT = {
  cardLink: { up: { en: 'up', zh: '正常' }, down: { en: 'down', zh: '中断' } } satisfies Record<CardStatusView['link'], Words>,
  // MTP2 link states (Q.703 link state control).
  linkState: {
    'out-of-service': { en: 'out of service', zh: '退出服务' },
    alignment: { en: 'aligning', zh: '初始定位中' },
    proving: { en: 'proving', zh: '验证中' },
    'in-service': { en: 'in service', zh: '服务中' },
    'processor-outage': { en: 'processor outage', zh: '处理机故障' },
  } satisfies Record<LinkState, Words>,
  linkMode: { mtp2: { en: 'MTP2', zh: 'MTP2' }, hdlc: { en: 'HDLC', zh: 'HDLC' } } satisfies Record<LinkView['mode'], Words>,
  clock: { line: { en: 'clock from line', zh: '线路时钟' }, internal: { en: 'internal clock', zh: '内部时钟' } } satisfies Record<SpanView['clock'], Words>,
  spanAlarm: {
    none: { en: 'clear', zh: '正常' },
    red: { en: 'RED', zh: '红色告警' },
    blue: { en: 'BLUE', zh: '蓝色告警' },
    yellow: { en: 'YELLOW', zh: '黄色告警' },
    recovering: { en: 'recovering', zh: '恢复中' },
  } satisfies Record<SpanAlarmState, Words>,
  fxoLine: {
    unknown: { en: 'unknown', zh: '未知' },
    present: { en: 'present', zh: '已接入' },
    unplugged: { en: 'unplugged', zh: '未接线' },
  } satisfies Record<FxoLineState, Words>,
  hook: { on: { en: 'on', zh: '挂机' }, off: { en: 'off', zh: '摘机' } } satisfies Record<FxoView['hook'], Words>,
  polarity: { normal: { en: 'normal', zh: '正常' }, reversed: { en: 'reversed', zh: '反极' } } satisfies Record<FxoView['polarity'], Words>,
  tone: {
    none: { en: 'none', zh: '无' },
    dial: { en: 'dial', zh: '拨号音' },
    busy: { en: 'busy', zh: '忙音' },
    ringback: { en: 'ringback', zh: '回铃音' },
    congestion: { en: 'congestion', zh: '拥塞音' },
  } satisfies Record<FxoTone, Words>,
  ringing: { true: { en: 'RINGING', zh: '振铃中' }, false: { en: '-', zh: '-' } } satisfies Record<`${boolean}`, Words>,
  call: {
    idle: { en: 'idle', zh: '空闲' },
    reserved: { en: 'reserved', zh: '预占' },
    outgoing: { en: 'outgoing', zh: '去话' },
    incoming: { en: 'incoming', zh: '来话' },
  } satisfies Record<CallState, Words>,
  callPhase: {
    'iam-sent': { en: 'IAM sent', zh: '已发 IAM' },
    alerting: { en: 'alerting', zh: '振铃' },
    'continuity-wait': { en: 'awaiting COT', zh: '等待 COT' },
    collecting: { en: 'collecting digits', zh: '收号中' },
    answered: { en: 'answered', zh: '通话' },
    suspended: { en: 'suspended', zh: '暂停' },
    incoming: { en: 'incoming', zh: '来话' },
    continuity: { en: 'continuity test', zh: '导通测试' },
    releasing: { en: 'releasing', zh: '释放中' },
  } satisfies Record<CallPhase, Words>,
  continuity: {
    'exchange-loop': { en: 'looped for the exchange (CCR)', zh: '为交换机环回 (CCR)' },
    'recheck-wait': { en: 'awaiting continuity recheck', zh: '等待导通复查' },
  } satisfies Record<ContinuityState, Words>,
  block: {
    none: { en: 'none', zh: '无' },
    local: { en: 'local', zh: '本端' },
    remote: { en: 'remote', zh: '对端' },
    both: { en: 'both', zh: '双方' },
  } satisfies Record<BlockState, Words>,
  controlledBy: { us: { en: 'us', zh: '本端' }, peer: { en: 'exchange', zh: '对端' } } satisfies Record<CircuitRow['controlledBy'], Words>,
  // The signalling link test (Q.707 2.2).
  linkTest: {
    off: { en: 'not running (link out of service)', zh: '未进行 (链路退出服务)' },
    pending: { en: 'under way', zh: '进行中' },
    passed: { en: 'passed', zh: '通过' },
    failed: { en: 'FAILED', zh: '失败' },
  } satisfies Record<LinkTestState, Words>,
  linkTestFailure: {
    'no-answer': { en: 'no SLTA from the exchange', zh: '交换机未回 SLTA' },
    'wrong-pattern': { en: 'SLTA with another test pattern', zh: 'SLTA 测试码不符' },
    'wrong-slc': { en: 'SLTA with another SLC; check isup.slc', zh: 'SLTA 的 SLC 不符, 请检查 isup.slc' },
  } satisfies Record<LinkTestFailure, Words>,
  central: {
    connected: { en: 'connected', zh: '已连接' },
    connecting: { en: 'not connected (retrying)', zh: '未连接 (正在重试)' },
    disabled: { en: 'not configured', zh: '未配置' },
  } satisfies Record<CentralStatus['state'], Words>,
  testResult: { pass: { en: 'pass', zh: '通过' }, fail: { en: 'FAIL', zh: '失败' }, skipped: { en: 'skipped', zh: '跳过' } } satisfies Record<TestOutcome['result'], Words>,
  callState: {
    arrived: { en: 'arrived', zh: '来电' },
    greeting: { en: 'welcome/bulletin', zh: '欢迎语/公告' },
    queued: { en: 'waiting in queue', zh: '排队等待' },
    offering: { en: 'ringing agent', zh: '振铃坐席' },
    connected: { en: 'talking', zh: '通话中' },
    forwarding: { en: 'ringing the city centre', zh: '转市中心振铃' },
    announcing: { en: 'no agent: announcing', zh: '无坐席: 放音' },
    'test-line': { en: 'test line', zh: '测试线' },
    ended: { en: 'ended', zh: '已结束' },
  } satisfies Record<CallModelState, Words>,
  agentStatus: {
    'logged-out': { en: 'logged out', zh: '未签入' },
    available: { en: 'available', zh: '就绪' },
    'on-break': { en: 'on break', zh: '小休' },
  } satisfies Record<OfficeAgentView['status'], Words>,
  agentState: {
    idle: { en: 'idle', zh: '空闲' },
    ringing: { en: 'ringing', zh: '振铃' },
    'in-call': { en: 'in a call', zh: '通话中' },
    'wrap-up': { en: 'wrap-up', zh: '话后处理' },
  } satisfies Record<OfficeAgentView['state'], Words>,
  cdrResult: {
    answered: { en: 'answered', zh: '接通' },
    // The caller hung up before anyone answered: abandoned, as call centres count them.
    abandoned: { en: 'abandoned', zh: '放弃' },
    // Hung up during the bulletin: informed, not lost.
    deflected: { en: 'deflected', zh: '公告分流' },
    overflowed: { en: 'overflowed', zh: '溢出转出' },
    callback: { en: 'callback', zh: '留号回拨' },
    forwarded: { en: 'to the city centre', zh: '转市中心' },
    'no-agent': { en: 'NO AGENT', zh: '无坐席' },
    failed: { en: 'FAILED', zh: '失败' },
    'test-line': { en: 'test line', zh: '测试线' },
  } satisfies Record<CallResult, Words>,
  hungUpBy: {
    caller: { en: 'caller', zh: '主叫' },
    agent: { en: 'agent', zh: '坐席' },
    box: { en: 'box', zh: '本机' },
  } satisfies Record<NonNullable<Cdr['hungUpBy']>, Words>,
  callbackReason: {
    key: { en: 'caller pressed a key', zh: '按键留号' },
    'after-hours': { en: 'after hours', zh: '下班时间' },
    overflow: { en: 'queue overflow', zh: '排队溢出' },
    'no-agent': { en: 'no agent logged in', zh: '无坐席在岗' },
  } satisfies Record<CallbackReason, Words>,
  callbackAttempt: {
    answered: { en: 'answered', zh: '已接听' },
    'no-answer': { en: 'no answer', zh: '无人接听' },
    busy: { en: 'busy', zh: '占线' },
    failed: { en: 'FAILED', zh: '失败' },
  } satisfies Record<AttemptOutcome, Words>,
  callbackDone: {
    callback: { en: 'called back', zh: '已回拨' },
    staff: { en: 'closed by staff', zh: '人工办结' },
    expired: { en: 'expired', zh: '已过期' },
  } satisfies Record<DoneBy, Words>,
  callResult: {
    completed: { en: 'completed', zh: '完成' },
    failed: { en: 'FAILED', zh: '失败' },
    // The caller hung up before answer: an abandoned call, as call centres count them.
    abandoned: { en: 'abandoned', zh: '放弃' },
  } satisfies Record<CallOutcome['result'], Words>,
};

export type StateGroup = keyof typeof STATE_TEXT;

/** The words for one state value; an unknown value (from a newer firmware) as it is. */
export function stateText<G extends StateGroup>(lang: Lang, group: G, value: keyof (typeof STATE_TEXT)[G] | (G extends 'ringing' ? boolean : never)): string {
  const table = STATE_TEXT[group] as Record<string, Words>;
  const key = String(value);
  return Object.hasOwn(table, key) ? table[key]![lang] : key;
}

/** Why a call of `countyline call` failed. */
export const CALL_REASON_TEXT: Phrases<CallReasons> = {
  'link-down': { en: () => 'signalling link out of service', zh: () => '信令链路退出服务' },
  'not-ready': { en: () => 'circuits not yet reset with the exchange (waiting for GRA)', zh: () => '电路尚未与交换机复原 (等待 GRA)' },
  'no-circuit': { en: () => 'no circuit free', zh: () => '无空闲电路' },
  'no-acm': { en: () => 'no address complete from the exchange (T7)', zh: () => '交换机未回地址全 (T7 超时)' },
  'no-answer': { en: () => 'no answer (T9)', zh: () => '无人应答 (T9 超时)' },
  'released-before-answer': { en: (cause) => `the exchange released before answer (cause ${cause})`, zh: (cause) => `应答前交换机释放 (原因值 ${cause})` },
  'busy-circuit-seized': { en: () => 'circuit reset: the exchange seized a busy circuit', zh: () => '电路复原: 交换机占用了忙电路' },
  'blocked-here': { en: () => 'circuit blocked at the box', zh: () => '电路在本端闭塞' },
  'release-not-confirmed': { en: () => 'release not confirmed (T5)', zh: () => '释放未获证实 (T5 超时)' },
  'firmware-stopping': { en: () => 'firmware stopping', zh: () => '固件正在停止' },
  'dual-seizure': { en: () => 'dual seizure', zh: () => '双向同抢' },
  'failed-on-repeat': {
    en: (why) => `${callReasonWords(why, 'en')} on the repeat attempt too`,
    zh: (why) => `重试时再次${callReasonWords(why, 'zh')}`,
  },
  'reset-by-exchange': { en: () => 'reset by the exchange', zh: () => '被交换机复原' },
  'blocked-by-exchange': { en: () => 'blocked by the exchange', zh: () => '被交换机闭塞' },
  'group-reset-at-start': { en: () => 'circuit group reset at start-up', zh: () => '启动时电路群复原' },
  'group-reset-by-exchange': { en: () => 'circuit group reset by the exchange', zh: () => '交换机复原电路群' },
  'circuit-reset': { en: () => 'circuit reset', zh: () => '电路复原' },
  'span-failed': { en: () => 'span failed', zh: () => 'E1 中继故障' },
  'exchange-hardware-failure': { en: () => 'hardware failure at the exchange', zh: () => '交换机硬件故障' },
  'continuity-check-by-exchange': { en: () => 'the exchange tested the circuit (CCR)', zh: () => '交换机对该电路做导通测试 (CCR)' },
  'unequipped-at-exchange': { en: () => 'the exchange has no such circuit (UCIC)', zh: () => '交换机无此电路 (UCIC)' },
  'unrecognised-message': {
    en: (code) => `released as the exchange asked for a message the box does not know (type ${code})`,
    zh: (code) => `按交换机要求, 因本端不识别的消息 (类型 ${code}) 释放`,
  },
  'not-resumed': { en: () => 'suspended and not resumed in time (T6)', zh: () => '暂停后未及时恢复 (T6 超时)' },
  'continuity-failed': { en: () => 'continuity check failed (COT)', zh: () => '导通检验失败 (COT)' },
  'no-continuity': { en: () => 'no continuity message from the exchange (T8)', zh: () => '交换机未发导通消息 (T8 超时)' },
  'invalid-parameter': { en: () => 'a mandatory parameter from the exchange was invalid', zh: () => '交换机发来的必备参数无效' },
};

/** Why a call to people failed (its CDR's `reasonCode`), where the call model or the line says it. */
export const CDR_REASON_TEXT: Record<string, Record<Lang, (...args: (string | number)[]) => string>> = {
  'box-stopping': { en: () => 'the box was stopping', zh: () => '本机正在停止' },
  'no-audio-path': { en: (detail) => `no audio path: ${detail}`, zh: (detail) => `无法建立话音通道: ${detail}` },
  'callback-not-placed': { en: (detail) => `the callback could not be placed: ${detail}`, zh: (detail) => `回拨未能拨出: ${detail}` },
  'hook-failed': { en: () => 'the card did not take the line off-hook', zh: () => '板卡未能摘机' },
  'no-loop-current': { en: () => 'no loop current after off-hook: the line did not answer', zh: () => '摘机后无环流: 外线未应答' },
  'off-hook-too-long': { en: () => 'the line was off-hook longer than the guard time and was put back on-hook', zh: () => '外线摘机超过保护时长, 已强制挂机' },
  'line-lost': { en: () => 'the line was lost under the call (unplugged, or the card restarted)', zh: () => '通话中外线中断 (外线拔出或板卡重启)' },
};

/** Why a finished call failed, in the reader's language: its code's words, else the English reason. */
export function cdrReasonText(c: { reason: string | null; reasonCode?: string; reasonArgs?: (string | number)[] }, lang: Lang): string | null {
  const own = c.reasonCode && Object.hasOwn(CDR_REASON_TEXT, c.reasonCode) ? CDR_REASON_TEXT[c.reasonCode]![lang](...(c.reasonArgs ?? [])) : null;
  // A PRI call the line ended (a restart, the D-channel lost): Q.931 call control's words.
  const pri = !own && c.reasonCode && Object.hasOwn(Q931_CALL_REASON_TEXT, c.reasonCode) ? (Q931_CALL_REASON_TEXT as unknown as typeof CDR_REASON_TEXT)[c.reasonCode]![lang](...(c.reasonArgs ?? [])) : null;
  return own ?? pri ?? callReasonText({ reason: c.reason, reasonCode: c.reasonCode as CallFailure['reasonCode'], reasonArgs: c.reasonArgs ?? [] }, lang);
}

/** A nested reason (the first trouble of a repeated call) without its own arguments. */
function callReasonWords(code: string, lang: Lang): string {
  const words = Object.hasOwn(CALL_REASON_TEXT, code) ? CALL_REASON_TEXT[code as keyof CallReasons][lang] : undefined;
  return words && words.length === 0 ? (words as () => string)() : code;
}

/** Why a call failed, in the reader's language; the English reason when it has no usable code. */
export function callReasonText(o: { reason: string | null; reasonCode?: CallFailure['reasonCode']; reasonArgs?: readonly (string | number)[] }, lang: Lang): string | null {
  return phrase(CALL_REASON_TEXT, o.reasonCode, o.reasonArgs, lang) ?? o.reason;
}
