import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * Every error the firmware package reports to a person, in one table: its code, the exit
 * code of the `countyline` command, the arguments it carries and its text in English and
 * Chinese. The firmware sends `{code, message, args}` over the control socket (message in
 * English for logs and scripts); the CLI prints the text in the reader's language from the
 * code and arguments.
 *
 * Exit codes: 0 ok, 1 the firmware reports a problem, 2 bad usage or config (including a
 * value the firmware refused), 3 the firmware is not running or not reachable.
 */
export const EXIT = { ok: 0, problem: 1, usage: 2, notRunning: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

interface ErrorSpec<S extends TSchema> {
  exit: ExitCode;
  args: S;
  en: (a: Static<S>) => string;
  zh: (a: Static<S>) => string;
}

function spec<S extends TSchema>(exit: ExitCode, args: S, en: (a: Static<S>) => string, zh: (a: Static<S>) => string): ErrorSpec<S> {
  return { exit, args, en, zh };
}

const Bilingual = Type.Object({ en: Type.String(), zh: Type.String() });
const NoArgs = Type.Object({});
const list = (items: readonly string[]) => items.join(', ');
const listZh = (items: readonly string[]) => items.join('、');

/** Why no line of a kind could take a call out (`no-line-free`). */
export const NO_LINE_WHY = {
  none: { en: 'none on this box', zh: '本机没有' },
  'card-down': { en: 'the card is not up', zh: '板卡未就绪' },
  unplugged: { en: 'no line plugged in', zh: '未接外线' },
  busy: { en: 'all in use', zh: '全部占用' },
  'no-dial-tone': { en: 'no dial tone from the exchange', zh: '交换机无拨号音' },
  glare: { en: 'an incoming call took the line as it was seized', zh: '占用时恰有来电' },
  'link-down': { en: 'the signalling link is out of service', zh: '信令链路中断' },
  'd-channel-down': { en: 'the PRI D-channel is down', zh: 'PRI D 信道中断' },
  'not-ready': { en: 'circuits not yet reset with the exchange', zh: '电路尚未与交换机完成复原' },
  'no-circuit': { en: 'no circuit free', zh: '无空闲电路' },
  'no-channel': { en: 'no B-channel free', zh: '无空闲 B 信道' },
} as const;
export type NoLineWhy = keyof typeof NO_LINE_WHY;
const NoLineWhy = Type.Union(Object.keys(NO_LINE_WHY).map((k) => Type.Literal(k as NoLineWhy)));

export const ERRORS = {
  // --- answered by the firmware on its control socket
  'bad-request': spec(
    EXIT.problem,
    Type.Object({ detail: Type.String() }),
    (a) => `the request is not understood (${a.detail}); send one JSON object per line: {"id", "method", "params"}`,
    (a) => `无法识别的请求 (${a.detail}); 每行应为一个 JSON 对象: {"id", "method", "params"}`,
  ),
  'too-long': spec(
    EXIT.problem,
    Type.Object({ limit: Type.Integer() }),
    (a) => `request longer than ${a.limit} bytes`,
    (a) => `请求超过 ${a.limit} 字节`,
  ),
  'unknown-method': spec(
    EXIT.problem,
    Type.Object({ method: Type.String(), known: Type.Array(Type.String()) }),
    (a) => `the firmware has no method ${JSON.stringify(a.method)} (known: ${list(a.known)}); are the CLI and the firmware the same version?`,
    (a) => `固件没有方法 ${JSON.stringify(a.method)} (已知: ${listZh(a.known)}); 命令行与固件版本是否一致?`,
  ),
  'bad-params': spec(
    EXIT.usage,
    Type.Object({ field: Type.String(), problem: Type.Union([Type.Literal('missing'), Type.Literal('unknown'), Type.Literal('invalid')]), expected: Bilingual, got: Type.Optional(Type.String()) }),
    (a) =>
      a.problem === 'missing'
        ? `${a.field} is missing; give ${a.expected.en}`
        : a.problem === 'unknown'
          ? `${a.field} is not a parameter of this command; accepted: ${a.expected.en}`
          : `${a.field} is ${a.got ?? 'wrong'}; it must be ${a.expected.en}`,
    (a) =>
      a.problem === 'missing'
        ? `缺少 ${a.field}; 应为 ${a.expected.zh}`
        : a.problem === 'unknown'
          ? `${a.field} 不是此命令的参数; 可用参数: ${a.expected.zh}`
          : `${a.field} 为 ${a.got ?? '错误值'}; 应为 ${a.expected.zh}`,
  ),
  'card-down': spec(
    EXIT.problem,
    Type.Object({ state: Type.String() }),
    (a) => `the card is not up (${a.state}); no test call is possible until it is. Run countyline status to see why.`,
    (a) => `板卡未就绪 (${a.state}); 板卡恢复前无法拨测。请运行 countyline status 查看原因。`,
  ),
  'no-circuit': spec(
    EXIT.usage,
    Type.Object({ circuit: Type.String(), known: Type.String() }),
    (a) => `no circuit ${a.circuit} on this box; its circuits are ${a.known}`,
    (a) => `本机没有电路 ${a.circuit}; 现有电路: ${a.known}`,
  ),
  'no-cic': spec(
    EXIT.usage,
    Type.Object({ cic: Type.Integer(), first: Type.Integer(), last: Type.Integer() }),
    (a) => `CIC ${a.cic} is not in the circuit group (CICs ${a.first} to ${a.last}); see countyline circuits`,
    (a) => `CIC ${a.cic} 不在电路群内 (CIC ${a.first} 至 ${a.last}); 请查看 countyline circuits`,
  ),
  'no-isup': spec(
    EXIT.usage,
    NoArgs,
    () => 'this box has no SS7 signalling configured (no isup section in its config)',
    () => '本机未配置 SS7 信令 (配置文件中没有 isup 部分)',
  ),
  'debug-hang-refused': spec(
    EXIT.usage,
    NoArgs,
    () => 'debug hang is off: it blocks the firmware on purpose, for testing the watchdog, and works only when the firmware was started with the environment variable COUNTYLINE_DEBUG_HANG=1',
    () => '调试挂起未启用: 该命令故意让固件停止响应, 仅用于测试看门狗; 需以环境变量 COUNTYLINE_DEBUG_HANG=1 启动固件后才可使用',
  ),
  'no-signalling': spec(
    EXIT.usage,
    NoArgs,
    () => 'this box has no E1 signalling to capture (neither an isup nor a pri section in its config)',
    () => '本机没有可抓取的 E1 信令 (配置文件中既无 isup 也无 pri 部分)',
  ),
  'dial-number-invalid': spec(
    EXIT.usage,
    Type.Object({ number: Type.String() }),
    (a) => `${JSON.stringify(a.number)} cannot be dialled: give 1 to 20 digits, 0-9 only`,
    (a) => `${JSON.stringify(a.number)} 无法拨出: 应为 1 到 20 位数字 (仅 0-9)`,
  ),
  'no-line-free': spec(
    EXIT.problem,
    Type.Object({ number: Type.String(), lines: Type.Array(Type.Object({ kind: Type.Union([Type.Literal('fxo'), Type.Literal('e1')]), why: NoLineWhy })) }),
    (a) => `no line free to call ${a.number}: ${a.lines.map((l) => `${l.kind === 'fxo' ? 'FXO lines' : 'E1 circuits'}: ${NO_LINE_WHY[l.why].en}`).join('; ')}. See countyline status and countyline circuits.`,
    (a) => `没有空闲线路可呼叫 ${a.number}: ${a.lines.map((l) => `${l.kind === 'fxo' ? '模拟外线' : 'E1 电路'}: ${NO_LINE_WHY[l.why].zh}`).join('; ')}。请查看 countyline status 与 countyline circuits。`,
  ),
  'bulletin-past': spec(
    EXIT.usage,
    Type.Object({ until: Type.String(), now: Type.String() }),
    (a) => `the bulletin would end at ${a.until}, which is already past (the box's clock says ${a.now}); give a later end, or none`,
    (a) => `公告结束时间 ${a.until} 已过 (本机时间 ${a.now}); 请给出更晚的结束时间, 或不设结束时间`,
  ),
  'no-such-agent': spec(
    EXIT.usage,
    Type.Object({ user: Type.String(), known: Type.Array(Type.String()) }),
    (a) => `no agent ${JSON.stringify(a.user)} on this box${a.known.length ? ` (agents: ${list(a.known)})` : ' (none are configured)'}`,
    (a) => `本机没有坐席 ${JSON.stringify(a.user)}${a.known.length ? ` (坐席: ${listZh(a.known)})` : ' (尚未配置坐席)'}`,
  ),
  'agent-logged-out': spec(
    EXIT.usage,
    Type.Object({ user: Type.String() }),
    (a) => `agent ${a.user} is logged out: log in before taking a break`,
    (a) => `坐席 ${a.user} 未签入: 请先签入再小休`,
  ),
  'no-such-callback': spec(
    EXIT.usage,
    Type.Object({ id: Type.String() }),
    (a) => `no callback request ${a.id} on this box; see countyline callbacks for their ids`,
    (a) => `本机没有回拨请求 ${a.id}; 请用 countyline callbacks 查看编号`,
  ),
  'callback-ambiguous': spec(
    EXIT.usage,
    Type.Object({ id: Type.String(), matches: Type.Integer() }),
    (a) => `${a.id} is the start of ${a.matches} callback requests' ids; give more of the id`,
    (a) => `${a.id} 是 ${a.matches} 个回拨请求编号的开头; 请输入更长的编号`,
  ),
  'callback-done': spec(
    EXIT.usage,
    Type.Object({ id: Type.String(), by: Type.Union([Type.Literal('callback'), Type.Literal('staff'), Type.Literal('expired')]), at: Type.String() }),
    (a) =>
      `callback request ${a.id} is already done (${a.by === 'callback' ? 'the caller was called back' : a.by === 'staff' ? 'closed by staff' : 'expired'}, ${a.at}); nothing was changed`,
    (a) => `回拨请求 ${a.id} 已办结 (${a.by === 'callback' ? '已回拨' : a.by === 'staff' ? '人工办结' : '已过期'}, ${a.at}); 未作更改`,
  ),
  'callback-invalid': spec(
    EXIT.usage,
    Type.Object({ field: Type.String(), got: Type.String(), expected: Bilingual }),
    (a) => `callback request: ${a.field} is ${a.got}; it must be ${a.expected.en}`,
    (a) => `回拨请求: ${a.field} 为 ${a.got}; 应为 ${a.expected.zh}`,
  ),
  'hours-invalid': spec(
    EXIT.usage,
    Type.Object({
      path: Type.String(),
      problem: Type.Union([Type.Literal('time'), Type.Literal('order'), Type.Literal('overlap'), Type.Literal('date'), Type.Literal('closed-and-open')]),
      got: Type.String(),
      /** overlap: the range it overlaps. */
      other: Type.Optional(Type.String()),
    }),
    (a) =>
      `${a.path}: ` +
      (a.problem === 'time'
        ? `${JSON.stringify(a.got)} is not a time range; write HH:MM-HH:MM from 00:00 to 24:00, e.g. "08:30-12:00"`
        : a.problem === 'order'
          ? `${JSON.stringify(a.got)} does not end after it starts; a range lies within one day (for hours past midnight, end it at 24:00 and go on from 00:00 the next day)`
          : a.problem === 'overlap'
            ? `${JSON.stringify(a.got)} overlaps ${JSON.stringify(a.other ?? '')}; the ranges of a day must not overlap`
            : a.problem === 'date'
              ? `${JSON.stringify(a.got)} is not a date; write YYYY-MM-DD, e.g. "2026-10-01"`
              : `${a.got} is both a closed date and an open date; keep it in one of them`),
    (a) =>
      `${a.path}: ` +
      (a.problem === 'time'
        ? `${JSON.stringify(a.got)} 不是时间段; 应写成 "08:30-12:00" 的形式, 时间取 00:00 至 24:00`
        : a.problem === 'order'
          ? `${JSON.stringify(a.got)} 的结束时间不晚于开始时间; 时间段不能跨天 (过了午夜的营业时间, 请在 24:00 结束, 次日从 00:00 开始)`
          : a.problem === 'overlap'
            ? `${JSON.stringify(a.got)} 与 ${JSON.stringify(a.other ?? '')} 重叠; 同一天的时间段不能重叠`
            : a.problem === 'date'
              ? `${JSON.stringify(a.got)} 不是日期; 应写成 "2026-10-01" 的形式`
              : `${a.got} 同时是休息日和调休上班日; 请只保留其一`),
  ),
  'prompt-tool-missing': spec(
    EXIT.problem,
    Type.Object({ program: Type.String(), install: Type.String() }),
    (a) => `cannot speak prompts to callers: ${a.program} is not installed on this box; install it with: ${a.install}`,
    (a) => `无法为来电者生成语音提示: 本机未安装 ${a.program}; 请运行以下命令安装: ${a.install}`,
  ),
  'prompt-synth-failed': spec(
    EXIT.problem,
    Type.Object({ program: Type.String(), detail: Type.String() }),
    (a) => `${a.program} failed while making a spoken prompt (${a.detail}); callers will not hear it until it is made again`,
    (a) => `${a.program} 生成语音提示失败 (${a.detail}); 重新生成之前来电者听不到该提示`,
  ),
  'prompt-synth-timeout': spec(
    EXIT.problem,
    Type.Object({ seconds: Type.Number() }),
    (a) => `making a spoken prompt took longer than ${a.seconds} s and was stopped; the box may be overloaded (see countyline status)`,
    (a) => `生成语音提示超过 ${a.seconds} 秒, 已中止; 本机可能过载 (请查看 countyline status)`,
  ),
  internal: spec(
    EXIT.problem,
    Type.Object({ detail: Type.String() }),
    (a) => `the firmware failed: ${a.detail}; its log has the details`,
    (a) => `固件内部错误: ${a.detail}; 详见固件日志`,
  ),
  'socket-in-use': spec(
    EXIT.problem,
    Type.Object({ socket: Type.String() }),
    (a) => `another countyline firmware is already running on ${a.socket}`,
    (a) => `已有另一个 countyline 固件在 ${a.socket} 上运行`,
  ),
  // --- found by the CLI itself
  'not-running': spec(
    EXIT.notRunning,
    Type.Object({ socket: Type.String(), config: Type.String() }),
    (a) => `countyline firmware is not running (no answer on ${a.socket}). Start it with: countyline run --config ${a.config}`,
    (a) => `countyline 固件未运行 (${a.socket} 无应答)。请先运行: countyline run --config ${a.config}`,
  ),
  'no-permission': spec(
    EXIT.notRunning,
    Type.Object({ socket: Type.String() }),
    (a) => `no permission to use ${a.socket}: run as root or a member of its group`,
    (a) => `无权访问 ${a.socket}: 请以 root 或该组成员身份运行`,
  ),
  timeout: spec(
    EXIT.problem,
    Type.Object({ method: Type.String(), seconds: Type.Number() }),
    (a) => `the firmware did not answer ${a.method} within ${a.seconds} s; it may be overloaded or stuck (see its log)`,
    (a) => `固件在 ${a.seconds} 秒内未应答 ${a.method}; 可能过载或卡死 (请查看日志)`,
  ),
  'bad-answer': spec(
    EXIT.problem,
    Type.Object({ method: Type.String(), detail: Type.String() }),
    (a) => `the firmware's answer to ${a.method} is not what this CLI expects (${a.detail}); are the CLI and the firmware the same version?`,
    (a) => `固件对 ${a.method} 的应答与本命令行不符 (${a.detail}); 命令行与固件版本是否一致?`,
  ),
  'unknown-command': spec(
    EXIT.usage,
    Type.Object({ command: Type.String() }),
    (a) => `unknown command ${a.command}`,
    (a) => `未知命令 ${a.command}`,
  ),
  'unknown-option': spec(
    EXIT.usage,
    Type.Object({ option: Type.String() }),
    (a) => `unknown option ${a.option}`,
    (a) => `未知选项 ${a.option}`,
  ),
  'option-value': spec(
    EXIT.usage,
    Type.Object({ option: Type.String(), got: Type.String(), expected: Bilingual }),
    (a) => `${a.option} ${a.got}: use ${a.expected.en}`,
    (a) => `${a.option} ${a.got}: 应为 ${a.expected.zh}`,
  ),
  'missing-argument': spec(
    EXIT.usage,
    Type.Object({ command: Type.String(), what: Bilingual }),
    (a) => `${a.command} needs ${a.what.en}`,
    (a) => `${a.command} 需要 ${a.what.zh}`,
  ),
  'extra-argument': spec(
    EXIT.usage,
    Type.Object({ command: Type.String(), argument: Type.String() }),
    (a) => `unexpected argument ${a.argument} after ${a.command}`,
    (a) => `${a.command} 后多余的参数 ${a.argument}`,
  ),
  config: spec(
    EXIT.usage,
    Type.Object({ path: Type.String(), problems: Type.Array(Type.String()) }),
    (a) => `config ${a.path}: ${a.problems.join('; ')}`,
    (a) => `配置文件 ${a.path} 有误: ${a.problems.join('; ')}`,
  ),
  'ca-file-unreadable': spec(
    EXIT.usage,
    Type.Object({ key: Type.String(), file: Type.String(), detail: Type.String() }),
    (a) => `${a.key} ${a.file} cannot be read (${a.detail}); put there the PEM of the CA that signed central's broker certificate, readable by the firmware, or remove ${a.key} to use the system's CAs`,
    (a) => `${a.key} 指定的文件 ${a.file} 无法读取 (${a.detail}); 请在该处放置签发中心证书的根证书, 并确保固件可读; 或删除 ${a.key} 以使用系统根证书`,
  ),
  'cannot-write': spec(
    EXIT.problem,
    Type.Object({ file: Type.String(), detail: Type.String() }),
    (a) => `cannot write ${a.file}: ${a.detail}`,
    (a) => `无法写入 ${a.file}: ${a.detail}`,
  ),
  // --- countyline provision: the exchange with central's enrolment API
  'central-unreachable': spec(
    EXIT.problem,
    Type.Object({ url: Type.String(), detail: Type.String() }),
    (a) => `cannot reach central at ${a.url} (${a.detail}); check the address given to --central and the box's network. The enrolment token was not used.`,
    (a) => `无法连接中心 ${a.url} (${a.detail}); 请检查中心地址和本机网络。注册令牌未被使用。`,
  ),
  'central-untrusted': spec(
    EXIT.problem,
    Type.Object({
      url: Type.String(),
      reason: Type.Union([Type.Literal('unknown-issuer'), Type.Literal('wrong-name'), Type.Literal('expired')]),
      /** The TLS verification code (UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...). */
      detail: Type.String(),
      /** The --ca-file given, or null: the system's CAs were used. */
      caFile: Type.Union([Type.String(), Type.Null()]),
      /** wrong-name: the names the certificate holds (its subjectAltName). */
      names: Type.Optional(Type.String()),
    }),
    (a) =>
      (a.reason === 'wrong-name'
        ? `central's TLS certificate at ${a.url} is not made out for that address (${a.detail}; it is for ${a.names ?? 'other names'}); give --central the name or address the certificate holds`
        : a.reason === 'expired'
          ? `central's TLS certificate at ${a.url} is not valid at this box's time (${a.detail}); check the box's clock, or renew the certificate at central`
          : a.caFile === null
            ? `central's TLS certificate at ${a.url} is not trusted (${a.detail}): no CA known to this box signed it. If the city signs central's certificate with its own CA, pass --ca-file <that CA's PEM file>`
            : `central's TLS certificate at ${a.url} is not trusted (${a.detail}): the CA in ${a.caFile} did not sign it. Give --ca-file the CA that signed this central's certificate`) +
      '. The enrolment token was not used.',
    (a) =>
      (a.reason === 'wrong-name'
        ? `中心 ${a.url} 的 TLS 证书不是为该地址签发的 (${a.detail}; 证书所属: ${a.names ?? '其他名称'}); 请在 --central 中使用证书上的名称或地址`
        : a.reason === 'expired'
          ? `中心 ${a.url} 的 TLS 证书在本机当前时间无效 (${a.detail}); 请检查本机时钟, 或在中心更换证书`
          : a.caFile === null
            ? `中心 ${a.url} 的 TLS 证书不受信任 (${a.detail}): 本机已知的根证书均未签发它。若中心证书由市里自建的根证书签发, 请用 --ca-file <该根证书的 PEM 文件> 指定`
            : `中心 ${a.url} 的 TLS 证书不受信任 (${a.detail}): ${a.caFile} 中的根证书未签发它。请用 --ca-file 指定签发该中心证书的根证书`) +
      '。注册令牌未被使用。',
  ),
  'ca-file-unusable': spec(
    EXIT.usage,
    Type.Object({
      file: Type.String(),
      problem: Type.Union([Type.Literal('unreadable'), Type.Literal('no-certificate'), Type.Literal('bad-certificate'), Type.Literal('not-a-ca')]),
      /** unreadable: the errno code; bad-certificate: which certificate (1, 2, ...); not-a-ca: its subject. */
      detail: Type.String(),
    }),
    (a) =>
      `--ca-file ${a.file}: ` +
      (a.problem === 'unreadable'
        ? `cannot read it (${a.detail})`
        : a.problem === 'no-certificate'
          ? 'it holds no PEM certificate (-----BEGIN CERTIFICATE-----)'
          : a.problem === 'bad-certificate'
            ? `its certificate ${a.detail} is damaged`
            : `it holds a server's certificate (${a.detail}), not a CA's`) +
      "; give the PEM file of the CA that signed central's certificate (the city's own CA). The enrolment token was not used.",
    (a) =>
      `--ca-file ${a.file}: ` +
      (a.problem === 'unreadable'
        ? `无法读取 (${a.detail})`
        : a.problem === 'no-certificate'
          ? '文件中没有 PEM 格式的证书'
          : a.problem === 'bad-certificate'
            ? `其中第 ${a.detail} 个证书已损坏`
            : `其中是服务器证书 (${a.detail}), 不是根证书`) +
      '; 请指定签发中心证书的根证书 (市里自建的根证书) 的 PEM 文件。注册令牌未被使用。',
  ),
  'enrolment-unknown': spec(
    EXIT.usage,
    NoArgs,
    () => 'central does not know this enrolment token; check it was copied whole, or ask central for a new one',
    () => '中心不认识此注册令牌; 请检查令牌是否完整复制, 或向中心索取新的令牌',
  ),
  'enrolment-used': spec(
    EXIT.usage,
    NoArgs,
    () => 'this enrolment token was already used; ask central for a new one for this box',
    () => '此注册令牌已被使用; 请向中心为本机索取新的令牌',
  ),
  'enrolment-expired': spec(
    EXIT.usage,
    NoArgs,
    () => 'this enrolment token has expired; ask central for a new one for this box',
    () => '此注册令牌已过期; 请向中心为本机索取新的令牌',
  ),
  'central-error': spec(
    EXIT.problem,
    Type.Object({ url: Type.String(), status: Type.Integer(), detail: Type.String() }),
    (a) => `central at ${a.url} did not enrol this box (HTTP ${a.status}: ${a.detail})`,
    (a) => `中心 ${a.url} 未能为本机注册 (状态码 ${a.status}: ${a.detail})`,
  ),
  'config-unwritable': spec(
    EXIT.problem,
    Type.Object({ file: Type.String(), detail: Type.String(), tokenUsed: Type.Boolean() }),
    (a) =>
      `cannot write the config file ${a.file} (${a.detail}); run as root or as the file's owner. ` +
      (a.tokenUsed ? 'The enrolment token is used now: ask central for a new one before trying again.' : 'The enrolment token was not used.'),
    (a) => `无法写入配置文件 ${a.file} (${a.detail}); 请以 root 或文件所有者身份运行。` + (a.tokenUsed ? '注册令牌已被使用: 重试前请向中心索取新的令牌。' : '注册令牌未被使用。'),
  ),
} as const;

export type ErrorCode = keyof typeof ERRORS;
export type ErrorArgs<C extends ErrorCode> = Static<(typeof ERRORS)[C]['args']>;
type Lang = 'en' | 'zh';

const argChecks = new Map(Object.entries(ERRORS).map(([code, s]) => [code, TypeCompiler.Compile(s.args as TSchema)]));

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/** The text of an error in a language. */
export function errorText<C extends ErrorCode>(code: C, args: ErrorArgs<C>, lang: Lang): string {
  const render = ERRORS[code][lang] as (a: ErrorArgs<C>) => string;
  return render(args);
}

/**
 * An error with a code from the table. Its `message` is the English text, for logs and for
 * scripts reading the socket; `text(lang)` is what a person reads.
 */
export class CountylineError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = 'CountylineError';
  constructor(
    readonly code: C,
    readonly args: ErrorArgs<C>,
  ) {
    super(errorText(code, args, 'en'));
  }

  get exitCode(): ExitCode {
    return ERRORS[this.code].exit;
  }

  text(lang: Lang): string {
    return errorText(this.code, this.args, lang);
  }

  /** What goes over the control socket. */
  toWire(): WireError {
    return { code: this.code, message: this.message, args: this.args };
  }
}

export interface WireError {
  code: string;
  message: string;
  args?: unknown;
}

/**
 * An error the firmware sent over the socket. A code and arguments this CLI knows are
 * rebuilt into a `CountylineError` (so they print in the reader's language); anything else,
 * say from a newer firmware, keeps the firmware's English message.
 */
export function fromWire(wire: WireError): CountylineError | RemoteError {
  if (isErrorCode(wire.code) && argChecks.get(wire.code)!.Check(wire.args)) {
    return new CountylineError(wire.code, wire.args as ErrorArgs<typeof wire.code>);
  }
  return new RemoteError(wire.code, wire.message);
}

/** An error from the firmware whose code or arguments this CLI does not know. */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
