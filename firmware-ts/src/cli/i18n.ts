/**
 * User-facing CLI text in English and Simplified Chinese. County staff and central ops read
 * Chinese; technicians often read both. Pick with --lang or from LANG / LC_ALL.
 */
export type Lang = 'en' | 'zh';

export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  const source = flag ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '';
  return source.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

type Text = Record<Lang, string | ((...args: any[]) => string)>;

const TEXT = {
  card: { en: 'Card', zh: '板卡' },
  link: { en: 'link', zh: '串口链路' },
  up: { en: 'up', zh: '正常' },
  down: { en: 'down', zh: '中断' },
  serial: { en: 'serial', zh: '序列号' },
  firmware: { en: 'firmware', zh: '固件' },
  protocol: { en: 'protocol', zh: '协议' },
  heartbeatAgo: { en: (s: string) => `last heartbeat ${s} s ago`, zh: (s: string) => `上次心跳 ${s} 秒前` },
  noInventory: { en: 'card has not answered yet', zh: '板卡尚未应答' },
  span: { en: 'E1 span', zh: 'E1 中继' },
  defects: { en: 'defects', zh: '告警' },
  noDefects: { en: 'none', zh: '无' },
  crc4On: { en: 'CRC-4 on', zh: 'CRC-4 开' },
  crc4Off: { en: 'CRC-4 off', zh: 'CRC-4 关' },
  clockLine: { en: 'clock from line', zh: '线路时钟' },
  clockInternal: { en: 'internal clock', zh: '内部时钟' },
  sendingRai: { en: 'sending RAI', zh: '正在发送 RAI' },
  lastSecond: { en: (c: number, e: number, l: number, s: number) => `last second: CRC-4 ${c}, E-bits ${e}, LCV ${l}, slips ${s}`, zh: (c: number, e: number, l: number, s: number) => `上一秒: CRC-4 误码 ${c}, E 比特 ${e}, 码型违例 ${l}, 滑码 ${s}` },
  signallingLink: { en: 'signalling link', zh: '信令链路' },
  fxoHeader: { en: 'FXO port  line       voltage   loop      hook  polarity  tone', zh: 'FXO 端口  线路       电压      环流      摘挂机  极性      信号音' },
  present: { en: 'present', zh: '已接入' },
  unplugged: { en: 'unplugged', zh: '未接线' },
  hookOn: { en: 'on', zh: '挂机' },
  hookOff: { en: 'off', zh: '摘机' },
  normal: { en: 'normal', zh: '正常' },
  reversed: { en: 'reversed', zh: '反极' },
  ringing: { en: 'RINGING', zh: '振铃中' },
  callerId: { en: (n: string) => `last caller ${n}`, zh: (n: string) => `最近来电 ${n}` },
  framesDropped: { en: (n: number, r: number) => `serial: ${n} corrupt frames dropped, ${r} resent`, zh: (n: number, r: number) => `串口: 丢弃损坏帧 ${n} 个, 重发 ${r} 次` },
  notRunning: {
    en: (socket: string, config: string) => `countyline firmware is not running (no answer on ${socket}). Start it with: countyline run --config ${config}`,
    zh: (socket: string, config: string) => `countyline 固件未运行 (${socket} 无应答)。请先运行: countyline run --config ${config}`,
  },
  noPermission: { en: (socket: string) => `no permission to use ${socket}: run as root or a member of its group`, zh: (socket: string) => `无权访问 ${socket}: 请以 root 或该组成员身份运行` },
  // card errors, by code; the English text from the driver carries the details
  'open-failed': { en: (p: string, d: string) => `cannot open ${p}: ${d}. Check card.path in the config and that the card's serial device exists.`, zh: (p: string, d: string) => `无法打开 ${p}: ${d}。请检查配置中的 card.path 以及板卡串口设备是否存在。` },
  'port-closed': { en: (p: string) => `serial port ${p} closed. Check the card's cable or USB connection.`, zh: (p: string) => `串口 ${p} 已关闭。请检查板卡连接线或 USB 连接。` },
  'card-silent': { en: (p: string) => `card not answering on ${p}. Check that the card is powered, the serial cable is seated and card.baudRate matches.`, zh: (p: string) => `板卡在 ${p} 上无应答。请检查板卡电源、串口线是否插好、card.baudRate 是否一致。` },
  'version-mismatch': { en: (p: string, v: number, ours: number) => `card on ${p} speaks protocol v${v}, this firmware speaks v${ours}. Install matching card and box firmware.`, zh: (p: string, v: number, ours: number) => `${p} 上的板卡使用协议 v${v}, 本固件使用 v${ours}。请安装匹配的板卡固件和主机固件。` },
  'card-lost': { en: (p: string) => `card on ${p} stopped sending heartbeats. Check the card's power and serial cable.`, zh: (p: string) => `${p} 上的板卡心跳中断。请检查板卡电源和串口线。` },
  'setup-failed': { en: (p: string, d: string) => `card on ${p} refused its setup: ${d}. Check the card section of the config.`, zh: (p: string, d: string) => `${p} 上的板卡拒绝配置: ${d}。请检查配置文件的 card 部分。` },
  alarmState: { en: 'alarm', zh: '告警状态' },
  alarmNames: { en: (a: string) => ({ none: 'clear', red: 'RED', blue: 'BLUE', yellow: 'YELLOW', recovering: 'recovering' })[a] ?? a, zh: (a: string) => ({ none: '正常', red: '红色告警', blue: '蓝色告警', yellow: '黄色告警', recovering: '恢复中' })[a] ?? a },
  since: { en: (t: string) => `since ${t}`, zh: (t: string) => `自 ${t}` },
  current15: { en: 'this 15 min', zh: '本 15 分钟' },
  today: { en: 'today', zh: '今日' },
  countersHead: { en: 'ES  SES  UAS  BBE  slips  LCV', zh: 'ES  SES  UAS  BBE  滑码  码型违例' },
  unavailable: { en: 'UNAVAILABLE', zh: '不可用' },
  circuitsHead: { en: 'circuit      last test             result   failures  state', zh: '电路         上次拨测              结果     连续失败  状态' },
  neverTested: { en: 'never', zh: '未测' },
  inService: { en: 'in service', zh: '可用' },
  blocked: { en: 'BLOCKED', zh: '已闭塞' },
  nextTest: { en: (t: string) => `next scheduled test calls: ${t}`, zh: (t: string) => `下次定时拨测: ${t}` },
  noSchedule: { en: 'scheduled test calls are off', zh: '定时拨测已关闭' },
  pass: { en: 'pass', zh: '通过' },
  fail: { en: 'FAIL', zh: '失败' },
  skipped: { en: 'skipped', zh: '跳过' },
  testing: { en: (n: number) => `testing ${n} circuit(s), one at a time`, zh: (n: number) => `逐条拨测 ${n} 条电路` },
  testSummary: { en: (p: number, f: number, s: number) => `${p} passed, ${f} failed, ${s} skipped`, zh: (p: number, f: number, s: number) => `通过 ${p} 条, 失败 ${f} 条, 跳过 ${s} 条` },
  noAlarms: { en: 'no active alarms', zh: '无活动告警' },
  unknown: { en: 'unknown', zh: '未知' },
  circuitsHeader: { en: 'CIC   span/ts  call       blocks (maint/hw)  control  last release', zh: 'CIC   中继/时隙 呼叫       闭塞 (维护/硬件)   主控     上次释放' },
  callSummary: { en: (c: number, f: number) => `${c} completed, ${f} failed`, zh: (c: number, f: number) => `完成 ${c} 次, 失败 ${f} 次` },
  completed: { en: 'completed', zh: '完成' },
  failed: { en: 'FAILED', zh: '失败' },
  capturing: { en: (f: string, s: number) => `capturing SS7 signalling into ${f} for ${s} s ...`, zh: (f: string, s: number) => `正在抓取七号信令到 ${f}, ${s} 秒 ...` },
  captured: { en: (n: number, f: string) => `${n} messages written to ${f} (open it in Wireshark)`, zh: (n: number, f: string) => `已写入 ${n} 条消息到 ${f} (可用 Wireshark 打开)` },
  us: { en: 'us', zh: '本端' },
  ss7Ready: { en: 'ready', zh: '正常' },
  ss7Resetting: { en: 'resetting circuits with the exchange', zh: '正在与交换机复原电路' },
  ss7LinkDown: { en: 'signalling link down', zh: '信令链路中断' },
  ss7Line: {
    en: (s: string, busy: number, total: number, blocked: number) => `SS7: ${s}; ${busy} of ${total} circuits busy, ${blocked} blocked`,
    zh: (s: string, busy: number, total: number, blocked: number) => `七号信令: ${s}; ${total} 条电路中 ${busy} 条占用, ${blocked} 条闭塞`,
  },
  peer: { en: 'exchange', zh: '对端' },
} satisfies Record<string, Text>;

export type TextKey = keyof typeof TEXT;

export function text(lang: Lang, key: TextKey, ...args: unknown[]): string {
  const entry = TEXT[key][lang];
  return typeof entry === 'function' ? (entry as (...a: unknown[]) => string)(...args) : entry;
}
