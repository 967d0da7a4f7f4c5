import { open } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from '../config/load-config.js';
import type { Config } from '../config/config-schema.js';
import { provisionCommand } from '../config/provision-cli.js';
import { socketConnection, type FirmwareConnection } from '../control/control-client.js';
import { CountylineError, EXIT, RemoteError, type ExitCode } from '../errors.js';
import { LINKTYPE_MTP3, pcapHeader, pcapRecord } from '../signalling/isup/pcap-writer.js';
import { lapdPcapHeader, lapdPcapRecord } from '../signalling/pri/pri-pcap.js';
import { CLI_TEXT, usage } from './cli-text.js';
import { formatCallbacks } from './format-callbacks.js';
import { formatCalls } from './format-calls.js';
import { formatAgents } from './format-agents.js';
import { formatQueue } from './format-queue.js';
import { formatKpi } from './format-kpi.js';
import { dayStart } from '../queue/kpi.js';
import { formatCall, formatCircuits } from './format-circuits.js';
import { formatDialProgress, formatDialResult } from './format-dial.js';
import { formatStatus } from './format-status.js';
import { formatVersion } from './format-version.js';
import { formatAlarms, formatOutcome, formatTrunks } from './format-trunks.js';
import { pickLang, stateText, text, type Lang } from './i18n.js';
import { versionInfo } from './release-info.js';

/** What the CLI needs of the world; tests pass their own (see cli.test.ts). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Reaches the running firmware; by default over its control socket. */
  connect(socket: string, configPath: string): FirmwareConnection;
  /** `countyline run`: runs the firmware until it is told to stop; resolves with the exit code. */
  /** `countyline run`: the config, and the file it came from (a desired config from central rewrites it). */
  runFirmware(config: Config, configPath: string): Promise<number>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

const OPTIONS = {
  config: { type: 'string', default: DEFAULT_CONFIG_PATH },
  json: { type: 'boolean', default: false },
  lang: { type: 'string' },
  watch: { type: 'string' },
  all: { type: 'boolean', default: false },
  count: { type: 'string' },
  'per-minute': { type: 'string' },
  hold: { type: 'string' },
  line: { type: 'string' },
  seconds: { type: 'string' },
  live: { type: 'boolean', default: false },
  recent: { type: 'string' },
  central: { type: 'string' },
  token: { type: 'string' },
  'ca-file': { type: 'string' },
  until: { type: 'string' },
  day: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Commands that take one argument, and what it is. */
const ARGUMENT: Record<string, { en: string; zh: string }> = {
  'test-call': { en: 'a circuit (fxo/N, e1/S/T) or all', zh: '一条电路 (fxo/N、e1/S/T) 或 all' },
  block: { en: 'a CIC', zh: '一个 CIC' },
  unblock: { en: 'a CIC', zh: '一个 CIC' },
  call: { en: 'a number to call', zh: '被叫号码' },
  dial: { en: 'a number to call', zh: '被叫号码' },
  capture: { en: 'a file to write (.pcap)', zh: '要写入的文件 (.pcap)' },
};

const COMMANDS = new Set(['run', 'status', 'trunks', 'alarms', 'test-call', 'circuits', 'block', 'unblock', 'call', 'dial', 'capture', 'agents', 'agent', 'queue', 'metrics', 'calls', 'provision', 'bulletin', 'kpi', 'callbacks', 'version', 'debug']);

const AGENT_ACTIONS = ['login', 'logout', 'break'] as const;

/**
 * The `countyline` command. Returns the exit code; everything it prints goes through `io`.
 * Errors come from the table in ../errors.ts and print in the reader's language.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  // The language is known before anything else can fail, so every error prints in it.
  const langFlag = argv.find((a, i) => argv[i - 1] === '--lang' || a.startsWith('--lang='))?.replace(/^--lang=/, '');
  let lang: Lang = pickLang(langFlag === 'en' || langFlag?.startsWith('zh') ? langFlag : undefined, io.env);
  try {
    const { values, positionals } = parse(argv);
    if (values.lang !== undefined) {
      if (values.lang !== 'en' && !values.lang.startsWith('zh')) throw optionValue('--lang', values.lang, { en: 'en or zh', zh: 'en 或 zh' });
      lang = pickLang(values.lang, io.env);
    }
    const [command, ...rest] = positionals;
    if (values.help || command === undefined) {
      io.stdout.write(`${usage(lang, DEFAULT_CONFIG_PATH)}\n`);
      return values.help ? EXIT.ok : EXIT.usage;
    }
    if (!COMMANDS.has(command)) throw new CountylineError('unknown-command', { command });
    if (command === 'bulletin') return await bulletin(rest, values, lang, io);
    if (command === 'agent') return await agentStatus(rest, values, lang, io);
    if (command === 'callbacks') return await callbacks(rest, values, lang, io);
    if (command === 'debug') return await debug(rest, values, lang, io);
    const wanted = ARGUMENT[command];
    if (rest.length > (wanted ? 1 : 0)) throw new CountylineError('extra-argument', { command, argument: rest[wanted ? 1 : 0]! });
    if (wanted && rest.length === 0) throw new CountylineError('missing-argument', { command, what: wanted });
    return await run(command, rest[0] ?? '', values, lang, io);
  } catch (err) {
    return report(err, lang, io);
  }
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const option = /'([^']+)'/.exec(e.message)?.[1] ?? e.message;
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new CountylineError('missing-argument', { command: option.split(' ')[0]!, what: { en: 'a value', zh: '一个值' } });
    throw new CountylineError('unknown-option', { option });
  }
}

async function run(command: string, argument: string, values: Values, lang: Lang, io: CliIo): Promise<number> {
  const out = (s: string) => io.stdout.write(`${s}\n`);
  const json = (v: unknown) => out(JSON.stringify(v, null, 2));
  // Before the config is loaded: provisioning a box is what completes its config.
  if (command === 'provision') return provisionCommand(values, lang, io.stdout);
  // What runs and what the box keeps: read from files, with no config or firmware needed.
  if (command === 'version') {
    const info = versionInfo(io.env);
    out(values.json ? JSON.stringify(info, null, 2) : formatVersion(info, lang));
    return EXIT.ok;
  }
  const config = await loadConfig(values.config);
  if (command === 'run') return io.runFirmware(config, values.config);
  const firmware = io.connect(config.control.socket, values.config);

  switch (command) {
    case 'status': {
      const every = values.watch === undefined ? 0 : Number(values.watch);
      if (!(every >= 0)) throw optionValue('--watch', values.watch!, { en: 'seconds (0 or more)', zh: '秒数 (不小于 0)' });
      for (;;) {
        const status = await firmware.call('status', {});
        if (values.json) out(JSON.stringify(status, null, every > 0 ? 0 : 2));
        else out(`${every > 0 ? '\x1b[2J\x1b[H' : ''}${formatStatus(status, lang, io.now())}`);
        if (every <= 0) return status.card.link === 'up' ? EXIT.ok : EXIT.problem;
        await io.sleep(every * 1000);
      }
    }
    case 'trunks': {
      const view = await firmware.call('trunks', {});
      if (values.json) json(view);
      else out(formatTrunks(view, lang));
      return EXIT.ok;
    }
    case 'alarms': {
      const { alarms } = await firmware.call('alarms', { all: values.all });
      if (values.json) json(alarms);
      else out(formatAlarms(alarms, lang));
      return EXIT.ok;
    }
    case 'test-call': {
      // A test can take a few seconds per circuit; the timeout is per circuit, not for all.
      const { outcomes } = await firmware.call(
        'test-call',
        { circuit: argument },
        {
          onProgress: (p) => {
            if (values.json) return;
            if ('outcome' in p) out(formatOutcome(p.outcome, p.index, p.total, lang));
            else out(text(lang, 'testing', p.total));
          },
        },
      );
      const passed = outcomes.filter((o) => o.result === 'pass').length;
      const failed = outcomes.filter((o) => o.result === 'fail').length;
      const skipped = outcomes.length - passed - failed;
      if (values.json) json({ outcomes, passed, failed, skipped });
      else out(text(lang, 'testSummary', passed, failed, skipped));
      return failed > 0 ? EXIT.problem : EXIT.ok;
    }
    case 'circuits': {
      const rows = await firmware.call('circuits', {});
      if (values.json) json(rows);
      else out(formatCircuits(rows, lang));
      return EXIT.ok;
    }
    case 'block':
    case 'unblock': {
      const cic = wholeNumber('CIC', argument, 0, 4095);
      const answer = await firmware.call(command, { cic });
      if (values.json) json(answer);
      else {
        out(formatCircuits([answer.circuit], lang));
        const line = ({ sent: { block: 'blockSent', unblock: 'unblockSent' }, pending: { block: 'blockPending', unblock: 'unblockPending' }, local: { block: 'blockLocal', unblock: 'unblockLocal' } } as const)[answer.exchange][command];
        out(CLI_TEXT[line][lang](cic));
      }
      return EXIT.ok;
    }
    case 'call': {
      const params = {
        number: argument,
        count: numberOption('--count', values.count, 1),
        perMinute: numberOption('--per-minute', values['per-minute'], 60),
        holdSeconds: numberOption('--hold', values.hold, 5),
      };
      // Calls can last long: allow an hour between progress lines.
      const result = await firmware.call('call', params, { timeoutMs: 3_600_000, onProgress: (p) => values.json || out(formatCall(p.outcome, p.index, p.total, lang)) });
      if (values.json) json(result);
      else out(text(lang, 'callSummary', result.completed, result.failed));
      return result.failed > 0 ? EXIT.problem : EXIT.ok;
    }
    case 'dial': {
      const line = values.line ?? 'any';
      if (line !== 'fxo' && line !== 'e1' && line !== 'any') throw optionValue('--line', line, { en: 'fxo, e1 or any', zh: 'fxo、e1 或 any' });
      const params = { number: argument, line: line as 'fxo' | 'e1' | 'any', holdSeconds: numberOption('--hold', values.hold, 5) };
      const result = await firmware.call('dial', params, { timeoutMs: 3_600_000, onProgress: (p) => values.json || out(formatDialProgress(p, lang)) });
      if (values.json) json(result);
      else out(formatDialResult(result, lang));
      return result.answered ? EXIT.ok : EXIT.problem;
    }
    case 'capture':
      return capture(firmware, argument, numberOption('--seconds', values.seconds, 10), lang, io);
    case 'calls': {
      const recent = wholeNumber('--recent', values.recent ?? '20', 0, 10_000);
      for (;;) {
        const calls = await firmware.call('calls', { recent });
        // Live JSON is one object per line, so that a script can read it line by line.
        if (values.json) out(JSON.stringify(calls, null, values.live ? 0 : 2));
        else out(`${values.live ? '\x1b[2J\x1b[H' : ''}${formatCalls(calls, lang, io.now())}`);
        if (!values.live) return EXIT.ok;
        await io.sleep(1000);
      }
    }
    case 'agents': {
      const rows = await firmware.call('agents', {});
      if (values.json) json(rows);
      else out(formatAgents(rows, lang));
      return EXIT.ok;
    }
    case 'queue': {
      for (;;) {
        const view = await firmware.call('queue', {});
        if (values.json) out(JSON.stringify(view, null, values.live ? 0 : 2));
        else out(`${values.live ? '\x1b[2J\x1b[H' : ''}${formatQueue(view, lang, io.now())}`);
        if (!values.live) return EXIT.ok;
        await io.sleep(1000);
      }
    }
    case 'kpi': {
      // No --day: today by the box's clock and time zone, with its quarter hours.
      const day = values.day;
      if (day !== undefined && !isDate(day)) throw optionValue('--day', day, { en: 'a date as YYYY-MM-DD, e.g. 2026-12-01', zh: 'YYYY-MM-DD 格式的日期, 如 2026-12-01' });
      const report = await firmware.call('kpi', day === undefined ? {} : { day }, { timeoutMs: 60_000 });
      if (values.json) json(report);
      else out(formatKpi(report, lang, { intervals: day === undefined }));
      return EXIT.ok;
    }
    case 'metrics': {
      io.stdout.write((await firmware.call('metrics', {})).text);
      return EXIT.ok;
    }
  }
  throw new CountylineError('unknown-command', { command });
}

/** `countyline agent <login|logout|break> <user>`: what the agent's feature codes do, from the box. */
async function agentStatus(rest: string[], values: Values, lang: Lang, io: CliIo): Promise<number> {
  const [action, user, extra] = rest;
  const what = { en: 'login, logout or break, then the agent (SIP user)', zh: 'login、logout 或 break, 然后是坐席 (SIP 用户名)' };
  if (action === undefined || user === undefined) throw new CountylineError('missing-argument', { command: 'agent', what });
  if (!(AGENT_ACTIONS as readonly string[]).includes(action)) throw new CountylineError('extra-argument', { command: 'agent', argument: action });
  if (extra !== undefined) throw new CountylineError('extra-argument', { command: `agent ${action}`, argument: extra });
  const config = await loadConfig(values.config);
  const firmware = io.connect(config.control.socket, values.config);
  const row = await firmware.call('agent-status', { user, action: action as (typeof AGENT_ACTIONS)[number] });
  if (values.json) io.stdout.write(`${JSON.stringify(row, null, 2)}\n`);
  else io.stdout.write(`${row.name} (${row.id}): ${stateText(lang, 'agentStatus', row.status)}, ${stateText(lang, 'agentState', row.state)}\n`);
  return EXIT.ok;
}

/** `countyline callbacks [--all]` lists the callback requests; `countyline callbacks done <id>` closes one. */
async function callbacks(rest: string[], values: Values, lang: Lang, io: CliIo): Promise<number> {
  const out = (s: string) => io.stdout.write(`${s}\n`);
  const [action, id, extra] = rest;
  if (action !== undefined && action !== 'done') throw new CountylineError('extra-argument', { command: 'callbacks', argument: action });
  if (action === 'done' && id === undefined) throw new CountylineError('missing-argument', { command: 'callbacks done', what: { en: "a request's id (its first 8 characters will do)", zh: '回拨请求编号 (前 8 位即可)' } });
  if (extra !== undefined) throw new CountylineError('extra-argument', { command: 'callbacks done', argument: extra });
  const config = await loadConfig(values.config);
  const firmware = io.connect(config.control.socket, values.config);
  if (action === 'done') {
    const done = await firmware.call('callback-done', { id: id! });
    if (values.json) out(JSON.stringify(done, null, 2));
    else out(CLI_TEXT.callbackMarkedDone[lang](done.id.slice(0, 8), done.number));
    return EXIT.ok;
  }
  const { callbacks: list } = await firmware.call('callbacks', { all: values.all });
  if (values.json) out(JSON.stringify(list, null, 2));
  else out(formatCallbacks(list, lang, io.now(), config.trunks.utcOffsetHours));
  return EXIT.ok;
}

/** `countyline debug hang <seconds>`: blocks the firmware's event loop, to test systemd's watchdog. */
async function debug(rest: string[], values: Values, lang: Lang, io: CliIo): Promise<number> {
  const [action, seconds, extra] = rest;
  if (action !== 'hang') {
    if (action === undefined) throw new CountylineError('missing-argument', { command: 'debug', what: { en: 'hang <seconds>', zh: 'hang <秒数>' } });
    throw new CountylineError('extra-argument', { command: 'debug', argument: action });
  }
  if (seconds === undefined) throw new CountylineError('missing-argument', { command: 'debug hang', what: { en: 'seconds', zh: '秒数' } });
  if (extra !== undefined) throw new CountylineError('extra-argument', { command: 'debug hang', argument: extra });
  const config = await loadConfig(values.config);
  const firmware = io.connect(config.control.socket, values.config);
  const answer = await firmware.call('debug-hang', { seconds: numberOption('seconds', seconds, 0) });
  if (values.json) io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  else io.stdout.write(`${CLI_TEXT.debugHanging[lang](answer.seconds)}\n`);
  return EXIT.ok;
}

/** `countyline bulletin [set <text> [--until <time>] | clear]`. */
async function bulletin(rest: string[], values: Values, lang: Lang, io: CliIo): Promise<number> {
  const out = (s: string) => io.stdout.write(`${s}\n`);
  const [action = 'show', ...args] = rest;
  if (!['show', 'set', 'clear'].includes(action)) throw new CountylineError('extra-argument', { command: 'bulletin', argument: action });
  if (action === 'set' && args.length === 0) throw new CountylineError('missing-argument', { command: 'bulletin set', what: { en: 'the text (in quotes)', zh: '公告文本 (加引号)' } });
  if (args.length > (action === 'set' ? 1 : 0)) throw new CountylineError('extra-argument', { command: `bulletin ${action}`, argument: args[action === 'set' ? 1 : 0]! });
  const config = await loadConfig(values.config);
  const offset = config.trunks.utcOffsetHours;
  const firmware = io.connect(config.control.socket, values.config);
  if (action === 'clear') {
    const answer = await firmware.call('bulletin-clear', {});
    if (values.json) out(JSON.stringify(answer, null, 2));
    else out(CLI_TEXT.bulletinCleared[lang](answer.cleared));
    return EXIT.ok;
  }
  let view;
  if (action === 'set') {
    const text = args[0]!.trim();
    if (text === '' || text.length > 500) throw optionValue('text', args[0]!, { en: '1 to 500 characters', zh: '1 到 500 个字符' });
    const until = values.until === undefined ? null : parseUntil(values.until, io.now(), offset);
    view = await firmware.call('bulletin-set', { text, until }, { timeoutMs: 60_000 });
  } else {
    view = await firmware.call('bulletin', {});
  }
  if (values.json) {
    out(JSON.stringify(view, null, 2));
  } else if (!view.bulletin) {
    out(CLI_TEXT.bulletinNone[lang]());
  } else {
    out(CLI_TEXT.bulletinText[lang](view.bulletin.text));
    out(CLI_TEXT.bulletinUntil[lang](view.bulletin.until === null ? null : boxTime(view.bulletin.until, offset)));
    if (view.audio) out(CLI_TEXT.bulletinSpoken[lang](view.audio.lang, view.audio.seconds));
    else out(CLI_TEXT.bulletinNotSpoken[lang](view.audioError?.message ?? '-'));
  }
  return view.bulletin && !view.audio ? EXIT.problem : EXIT.ok;
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD HH:MM` in the box's time zone. */
function boxTime(ms: number, offsetHours: number): string {
  return new Date(ms + offsetHours * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** `--until`: HH:MM today, or YYYY-MM-DD HH:MM, in the box's time zone (trunks.utcOffsetHours). */
export function parseUntil(value: string, now: number, offsetHours: number): number {
  const offset = offsetHours * 3_600_000;
  const time = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  const full = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})$/.exec(value.trim());
  let at: number | null = null;
  if (time) {
    const [h, m] = [Number(time[1]), Number(time[2])];
    if (h < 24 && m < 60) at = Math.floor((now + offset) / DAY_MS) * DAY_MS + (h * 60 + m) * 60_000 - offset;
  } else if (full) {
    const [y, mo, d, h, m] = full.slice(1).map(Number) as [number, number, number, number, number];
    const utc = Date.UTC(y, mo - 1, d, h, m);
    const back = new Date(utc);
    if (h < 24 && m < 60 && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) at = utc - offset;
  }
  if (at === null) throw optionValue('--until', value, { en: 'HH:MM (today) or "YYYY-MM-DD HH:MM", box time', zh: 'HH:MM (当天) 或 "YYYY-MM-DD HH:MM", 本机时间' });
  return at;
}

async function capture(firmware: FirmwareConnection, file: string, seconds: number, lang: Lang, io: CliIo): Promise<number> {
  let out;
  try {
    out = await open(file, 'w');
  } catch (err) {
    throw new CountylineError('cannot-write', { file, detail: (err as Error).message });
  }
  try {
    // The file's link type follows what the box carries (SS7 MTP3, or PRI's LAPD): its header
    // goes first, once the first frame or the end of the capture says which.
    let header: Uint8Array | null = null;
    const headerFor = (protocol: 'mtp3' | 'lapd') => (header ??= protocol === 'lapd' ? lapdPcapHeader() : pcapHeader(LINKTYPE_MTP3));
    let writing = Promise.resolve();
    let tooShort = 0;
    const write = (bytes: Uint8Array) => (writing = writing.then(() => out.write(bytes).then(() => {})));
    const { frames, protocol } = await firmware.call(
      'capture',
      { seconds },
      {
        timeoutMs: (seconds + 15) * 1000,
        onProgress: (line) => {
          if (!header) write(headerFor(line.protocol));
          // Said once the box listens, so whatever is sent after this line is in the file.
          if ('started' in line) return void io.stderr.write(`${text(lang, 'capturing', file, seconds)}\n`);
          const { at, direction, protocol, data } = line;
          const bytes = Buffer.from(data, 'base64');
          // Less than an address and a control field is no LAPD frame: Wireshark could not show it.
          if (protocol === 'lapd' && bytes.length < 3) return void tooShort++;
          write(protocol === 'lapd' ? lapdPcapRecord({ time: at, direction: direction === 'out' ? 'sent' : 'received', frame: bytes }) : pcapRecord({ time: at, data: bytes }));
        },
      },
    );
    if (!header) write(headerFor(protocol));
    await writing;
    io.stderr.write(`${text(lang, 'captured', frames - tooShort, file)}\n`);
    if (tooShort > 0) io.stderr.write(`${text(lang, 'capturedTooShort', tooShort)}\n`);
  } finally {
    await out.close();
  }
  return EXIT.ok;
}

/** A real calendar date as YYYY-MM-DD (2026-02-30 is not one). */
function isDate(value: string): boolean {
  try {
    dayStart(value, 0);
    return true;
  } catch {
    return false;
  }
}

function numberOption(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw optionValue(option, value, { en: 'a number', zh: '数字' });
  return n;
}

function wholeNumber(what: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n < min || n > max) throw optionValue(what, value, { en: `a whole number from ${min} to ${max}`, zh: `${min} 到 ${max} 之间的整数` });
  return n;
}

function optionValue(option: string, got: string, expected: { en: string; zh: string }): CountylineError<'option-value'> {
  return new CountylineError('option-value', { option, got, expected });
}

function report(err: unknown, lang: Lang, io: CliIo): ExitCode {
  const error = err instanceof ConfigError ? new CountylineError('config', { path: err.path, problems: err.problems }) : err;
  if (error instanceof CountylineError) {
    io.stderr.write(`countyline: ${error.text(lang)}\n`);
    if (['unknown-command', 'unknown-option', 'missing-argument', 'extra-argument'].includes(error.code)) io.stderr.write(`\n${usage(lang, DEFAULT_CONFIG_PATH)}\n`);
    return error.exitCode;
  }
  if (error instanceof RemoteError) {
    io.stderr.write(`countyline: ${error.message} (${error.code})\n`);
    return EXIT.problem;
  }
  io.stderr.write(`countyline: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.problem;
}

/** The real world: the process's streams and environment, the control socket, real time. */
export function processIo(runFirmware: CliIo['runFirmware']): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    connect: socketConnection,
    runFirmware,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
