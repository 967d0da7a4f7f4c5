import type { Lang } from './i18n.js';

/**
 * The CLI's own words: its usage text and the lines its commands add around the firmware's
 * views. (The views' words are in i18n.ts; errors in ../errors.ts.)
 */
export const CLI_TEXT = {
  bulletinNone: { en: () => 'no bulletin: callers go straight to the queue', zh: () => '当前没有公告: 来电直接进入排队' },
  bulletinText: { en: (text: string) => `bulletin: ${text}`, zh: (text: string) => `公告: ${text}` },
  bulletinUntil: { en: (when: string | null) => (when ? `until ${when} (box time)` : 'until cleared'), zh: (when: string | null) => (when ? `结束时间 ${when} (本机时间)` : '直到清除') },
  bulletinSpoken: {
    en: (lang: 'en' | 'zh', seconds: number) => `spoken in ${lang === 'zh' ? 'Chinese' : 'English'}, ${seconds.toFixed(1)} s: callers hear it before the queue`,
    zh: (lang: 'en' | 'zh', seconds: number) => `已合成${lang === 'zh' ? '中文' : '英文'}语音, ${seconds.toFixed(1)} 秒: 来电者排队前收听`,
  },
  bulletinNotSpoken: {
    en: (why: string) => `NOT spoken, callers do not hear it: ${why}`,
    zh: (why: string) => `语音未合成, 来电者听不到: ${why}`,
  },
  bulletinCleared: { en: (was: boolean) => (was ? 'bulletin cleared' : 'there was no bulletin'), zh: (was: boolean) => (was ? '公告已清除' : '当前没有公告') },
  callbackMarkedDone: { en: (id: string, number: string) => `callback request ${id} (${number}) marked done`, zh: (id: string, number: string) => `回拨请求 ${id} (${number}) 已办结` },
  blockSent: { en: (cic: number) => `CIC ${cic} blocked; BLO sent to the exchange`, zh: (cic: number) => `CIC ${cic} 已闭塞; 已向交换机发送 BLO` },
  blockPending: {
    en: (cic: number) => `CIC ${cic} blocked here; the signalling link is down, so the exchange is told (BLO) when it is back`,
    zh: (cic: number) => `CIC ${cic} 已在本端闭塞; 信令链路中断, 链路恢复后再通知交换机 (BLO)`,
  },
  unblockSent: { en: (cic: number) => `CIC ${cic} unblocked; UBL sent to the exchange`, zh: (cic: number) => `CIC ${cic} 已解除闭塞; 已向交换机发送 UBL` },
  unblockPending: {
    en: (cic: number) => `CIC ${cic} unblocked here; the signalling link is down, and the circuit reset when it is back clears the block at the exchange`,
    zh: (cic: number) => `CIC ${cic} 已在本端解除闭塞; 信令链路中断, 链路恢复后的电路复原会清除交换机侧的闭塞`,
  },
  // PRI has no blocking messages (Q.931 has none; SERVICE is national): a B-channel is blocked at the box.
  blockLocal: {
    en: (cic: number) => `B-channel ${cic} blocked at the box: no call goes out on it, and the network's calls on it are refused (cause 44)`,
    zh: (cic: number) => `B 信道 ${cic} 已在本机闭塞: 不再由此呼出, 网络侧在此信道的来话将被拒绝 (原因值 44)`,
  },
  debugHanging: {
    en: (seconds: number) => `the firmware blocks for ${seconds} s from now: it answers nothing meanwhile, and systemd's watchdog restarts it`,
    zh: (seconds: number) => `固件自现在起停止响应 ${seconds} 秒: 期间不处理任何请求, 看门狗将重启固件`,
  },
  unblockLocal: { en: (cic: number) => `B-channel ${cic} unblocked at the box`, zh: (cic: number) => `B 信道 ${cic} 已在本机解除闭塞` },
} satisfies Record<string, Record<Lang, (...args: any[]) => string>>;

export function usage(lang: Lang, defaultConfig: string): string {
  return lang === 'zh' ? USAGE_ZH(defaultConfig) : USAGE_EN(defaultConfig);
}

const USAGE_EN = (config: string) => `usage: countyline <command> [--config <file>] [--json] [--lang en|zh]

commands:
  run                   run the firmware in the foreground (logs as JSON lines on stdout)
  status                card inventory, card link, E1 span line status, signalling links, FXO lines
  trunks                span alarm state and G.826 counters, FXO lines, test-call record per circuit
  alarms [--all]        active alarms (--all: cleared ones too)
  test-call <circuit>   test one circuit now (fxo/N, e1/S/T) or all of them, one at a time
  circuits              SS7 circuits: CIC, span/timeslot, call, blocks, who controls it, last release
  block <cic>           block a circuit for maintenance (BLO to the exchange); unblock <cic> (UBL)
  call <number>         outgoing test calls over SS7 [--count N] [--per-minute R] [--hold S]
                        (defaults: 1 call, 60 a minute, held 5 s)
  dial <number>         one call out as a callback goes, on an FXO line or an E1 circuit
                        [--line fxo|e1|any] [--hold S]: test tone once answered (default any, 5 s)
  capture <file.pcap>   record the SS7 signalling both ways for Wireshark [--seconds N] (default 10)
  calls [--live]        calls in progress and the latest finished calls [--recent N] (default 20);
                        --live: print again every second until Ctrl-C
  agents                agents and their SIP phones: registered, contact, reachable, busy
  queue [--live]        the office queue now: callers waiting (position, wait, agent rung) and
                        each agent's status and state; --live: print again every second
  agent login|logout|break <user>
                        log an agent (SIP user) in or out, or put it on a break (as its phone's feature codes do);
                        kept across restarts
  kpi [--day YYYY-MM-DD]
                        the day's KPIs from the CDRs: answer rate and 15-second answer rate
                        against the work standard, counts, waits, staffing advice by hour;
                        today (box time) with its quarter hours, or --day: that day's totals
  callbacks [--all]     callers waiting to be called back, oldest first (--all: done ones too)
  callbacks done <id>   mark a callback request done (the id or its first 8 characters)
  metrics               Prometheus metrics of the running firmware
  version               what runs (its release, commit and Node) and the releases kept on the box:
                        current, previous, and whether an upgrade is pending
  debug hang <seconds>  block the firmware for a while, to test the watchdog (only with
                        COUNTYLINE_DEBUG_HANG=1 in the firmware's environment)
  bulletin [set <text> [--until <time>] | clear]
                        the notice callers hear before the queue: show, set or clear it;
                        --until HH:MM (today) or "YYYY-MM-DD HH:MM", box time (default: until
                        cleared); set answers once the text is spoken
  provision --central <url> --token <token> [--ca-file <pem>]
                        enrol the box with central: trade the one-time token for its MQTT
                        credentials and write them into the config (no firmware needed);
                        --ca-file: trust central's certificate by this CA (the city's own),
                        for its broker too (written as central.caFile)

options:
  --config <file>  box configuration (default ${config})
  --json           machine-readable output
  --lang en|zh     language of the output (default from LANG)
  --watch <s>      with status: print again every <s> seconds
  -h, --help       this text

exit codes: 0 ok, 1 the firmware reported a problem, 2 bad usage or config, 3 firmware not running`;

const USAGE_ZH = (config: string) => `用法: countyline <命令> [--config <文件>] [--json] [--lang en|zh]

命令:
  run                   在前台运行固件 (日志以 JSON 行输出到标准输出)
  status                板卡信息、串口链路、E1 中继线路状态、信令链路、FXO 外线
  trunks                中继告警状态与 G.826 误码统计、FXO 外线、各电路拨测记录
  alarms [--all]        活动告警 (--all: 含已清除的告警)
  test-call <电路>      立即拨测一条电路 (fxo/N、e1/S/T) 或逐条拨测全部 (all)
  circuits              七号信令电路: CIC、中继/时隙、呼叫、闭塞、主控方、上次释放
  block <cic>           维护闭塞一条电路 (向交换机发 BLO); unblock <cic> 解除闭塞 (UBL)
  call <号码>           经七号信令发起测试呼叫 [--count N] [--per-minute R] [--hold S]
                        (默认: 1 次, 每分钟 60 次, 通话 5 秒)
  dial <号码>           按回拨方式经模拟外线或 E1 电路呼出一次
                        [--line fxo|e1|any] [--hold S]: 应答后送测试音 (默认 any, 5 秒)
  capture <文件.pcap>   双向抓取七号信令供 Wireshark 分析 [--seconds N] (默认 10 秒)
  calls [--live]        进行中的呼叫与最近结束的呼叫 [--recent N] (默认 20 条);
                        --live: 每秒刷新, 按 Ctrl-C 退出
  agents                坐席及其 SIP 话机: 是否注册、联系地址、是否可达、是否通话中
  queue [--live]        当前排队情况: 等待的来电 (位置、等待时长、正在振铃的坐席) 及各坐席的
                        签入状态与工作状态; --live: 每秒刷新
  agent login|logout|break <用户>
                        坐席 (SIP 用户名) 签入、签出或小休, 与话机上的功能码相同;
                        重启后保持
  kpi [--day YYYY-MM-DD]
                        按话单统计的当天指标: 人工接通率与 15 秒应答率 (对照工作标准)、
                        各项计数、等待时长、按小时排班建议; 默认当天 (本机时间) 并列出
                        各 15 分钟时段, --day: 该日全天汇总
  callbacks [--all]     等待回拨的来电者, 最早的在前 (--all: 含已办结的)
  callbacks done <编号> 将回拨请求标为已办结 (完整编号或其前 8 位)
  metrics               运行中固件的 Prometheus 指标
  version               当前运行的版本 (发布版本、提交、Node) 与本机保留的版本:
                        当前版本、上一版, 以及是否有待确认的升级
  debug hang <秒数>     让固件停止响应一段时间, 用于测试看门狗 (仅当固件的环境变量
                        含 COUNTYLINE_DEBUG_HANG=1 时可用)
  bulletin [set <文本> [--until <时间>] | clear]
                        来电者排队前收听的公告: 查看、设置或清除;
                        --until HH:MM (当天) 或 "YYYY-MM-DD HH:MM", 本机时间 (默认: 直到清除);
                        设置在语音合成后返回
  provision --central <地址> --token <令牌> [--ca-file <证书文件>]
                        在中心注册本机: 用一次性令牌换取本机的消息服务器凭据,
                        并写入配置文件 (无需固件运行);
                        --ca-file: 用此根证书 (市里自建的根证书) 验证中心的证书,
                        连接消息服务器时同样使用 (写入 central.caFile)

选项:
  --config <文件>  本机配置文件 (默认 ${config})
  --json           输出机器可读的 JSON
  --lang en|zh     输出语言 (默认取自 LANG)
  --watch <秒>     与 status 同用: 每隔若干秒刷新
  -h, --help       显示本帮助

退出码: 0 正常, 1 固件报告问题, 2 用法或配置错误, 3 固件未运行`;
