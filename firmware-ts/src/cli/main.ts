#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from '../config/load-config.js';
import { callFirmware, ControlClientError } from '../control/control-client.js';
import { Firmware } from '../firmware.js';
import { createLogger } from '../logger.js';
import type { BoxStatus } from '../status.js';
import type { AlarmRecord } from '../alarms/index.js';
import type { TrunksView } from '../status.js';
import type { TestOutcome } from '../trunks/test-call-scheduler.js';
import { formatAlarms, formatOutcome, formatTrunks } from './format-trunks.js';
import { formatCall, formatCircuits, type CallSummary } from './format-circuits.js';
import type { CircuitView } from '../signalling/isup/isup-stack.js';
import { LINKTYPE_MTP3, pcapHeader, pcapRecord } from '../signalling/isup/pcap-writer.js';
import { open } from 'node:fs/promises';
import { formatStatus } from './format-status.js';
import { pickLang, text, type Lang } from './i18n.js';

const USAGE = `usage: countyline <command> [--config <file>] [--json] [--lang en|zh]

commands:
  run                   run the firmware in the foreground (logs as JSON lines on stdout)
  status                card inventory, card link, E1 span line status, signalling links, FXO lines
  trunks                span alarm state and G.826 counters, FXO lines, test-call record per circuit
  alarms [--all]        active alarms (--all: cleared ones too)
  test-call <circuit>   test one circuit now (fxo/N, e1/S/T) or all of them, one at a time
  circuits              SS7 circuits: CIC, span/timeslot, call, blocks, who controls it, last release
  block <cic>           block a circuit for maintenance (BLO to the exchange); unblock <cic> (UBL)
  call <number>         outgoing test calls over SS7 [--count N] [--per-minute R] [--hold S]
  capture <file.pcap>   record the SS7 signalling both ways for Wireshark [--seconds N] (default 10)
  metrics               Prometheus metrics of the running firmware

options:
  --config <file>  box configuration (default ${DEFAULT_CONFIG_PATH})
  --json           machine-readable output
  --lang en|zh     language of the output (default from LANG)
  --watch <s>      with status: print again every <s> seconds
  -h, --help       this text

exit codes: 0 ok, 1 the firmware reported a problem, 2 bad usage or config, 3 firmware not running`;

/** Exit codes a script can rely on. */
const EXIT = { ok: 0, problem: 1, usage: 2, notRunning: 3 } as const;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', default: DEFAULT_CONFIG_PATH },
        json: { type: 'boolean', default: false },
        lang: { type: 'string' },
        watch: { type: 'string' },
        all: { type: 'boolean', default: false },
        count: { type: 'string' },
        'per-minute': { type: 'string' },
        hold: { type: 'string' },
        seconds: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const argumentNames: Record<string, string> = {
    'test-call': 'a circuit (fxo/N, e1/S/T) or all',
    block: 'a CIC',
    unblock: 'a CIC',
    call: 'a number to call',
    capture: 'a file to write (.pcap)',
  };
  const takesArgument = command in argumentNames;
  if (rest.length > (takesArgument ? 1 : 0)) throw new UsageError(`unexpected argument ${rest[takesArgument ? 1 : 0]} after ${command}`);
  if (takesArgument && rest.length === 0) throw new UsageError(`${command} needs ${argumentNames[command]}`);
  if (values.lang !== undefined && values.lang !== 'en' && values.lang !== 'zh' && !values.lang.startsWith('zh')) {
    throw new UsageError(`--lang takes en or zh, not ${values.lang}`);
  }
  const lang = pickLang(values.lang);
  const config = await loadConfig(values.config);

  switch (command) {
    case 'run':
      return run(config);
    case 'status': {
      const interval = values.watch === undefined ? 0 : Number(values.watch);
      if (!(interval >= 0)) throw new UsageError(`--watch takes seconds, not ${values.watch}`);
      return status(config.control.socket, values.config, lang, values.json, interval);
    }
    case 'trunks': {
      const view = (await ask(config.control.socket, values.config, lang, 'trunks')) as TrunksView;
      process.stdout.write(values.json ? `${JSON.stringify(view, null, 2)}\n` : `${formatTrunks(view, lang)}\n`);
      return EXIT.ok;
    }
    case 'alarms': {
      const { alarms } = (await ask(config.control.socket, values.config, lang, 'alarms', { all: values.all })) as { alarms: AlarmRecord[] };
      process.stdout.write(values.json ? `${JSON.stringify(alarms, null, 2)}\n` : `${formatAlarms(alarms, lang)}\n`);
      return EXIT.ok;
    }
    case 'test-call':
      return testCall(config.control.socket, values.config, lang, rest[0]!, values.json);
    case 'circuits': {
      const rows = (await ask(config.control.socket, values.config, lang, 'circuits')) as CircuitView[];
      process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatCircuits(rows, lang)}\n`);
      return EXIT.ok;
    }
    case 'block':
    case 'unblock': {
      const cic = Number(rest[0]);
      if (!Number.isInteger(cic) || cic < 0) throw new UsageError(`${rest[0]} is not a CIC`);
      const row = (await ask(config.control.socket, values.config, lang, command, { cic })) as CircuitView;
      process.stdout.write(values.json ? `${JSON.stringify(row, null, 2)}\n` : `${formatCircuits([row], lang)}\n`);
      return EXIT.ok;
    }
    case 'call':
      return placeCalls(config.control.socket, values.config, lang, rest[0]!, values);
    case 'capture':
      return capture(config.control.socket, values.config, lang, rest[0]!, values.seconds);
    case 'metrics': {
      const result = (await ask(config.control.socket, values.config, lang, 'metrics')) as { text: string };
      process.stdout.write(result.text);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

async function run(config: Awaited<ReturnType<typeof loadConfig>>): Promise<number> {
  const log = createLogger(config.log.level);
  const firmware = new Firmware(config, log);
  await firmware.start();
  return new Promise((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'stopping');
      firmware.stop().then(
        () => resolve(EXIT.ok),
        () => resolve(EXIT.problem),
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}

async function status(socket: string, configPath: string, lang: Lang, json: boolean, watchSeconds: number): Promise<number> {
  for (;;) {
    const result = (await ask(socket, configPath, lang, 'status')) as BoxStatus;
    if (json) process.stdout.write(`${JSON.stringify(result, null, watchSeconds > 0 ? 0 : 2)}\n`);
    else process.stdout.write(`${watchSeconds > 0 ? '\x1b[2J\x1b[H' : ''}${formatStatus(result, lang, Date.now())}\n`);
    if (watchSeconds <= 0) return result.card.link === 'up' ? EXIT.ok : EXIT.problem;
    await new Promise((r) => setTimeout(r, watchSeconds * 1000));
  }
}

async function testCall(socket: string, configPath: string, lang: Lang, circuit: string, json: boolean): Promise<number> {
  const onProgress = (p: unknown) => {
    const progress = p as { total: number; index?: number; outcome?: TestOutcome };
    if (json) return;
    if (progress.outcome && progress.index !== undefined) process.stdout.write(`${formatOutcome(progress.outcome, progress.index, progress.total, lang)}\n`);
    else process.stdout.write(`${text(lang, 'testing', progress.total)}\n`);
  };
  // A test call can take a few seconds per circuit; the timeout is per circuit, not for all.
  const { outcomes } = (await ask(socket, configPath, lang, 'test-call', { circuit }, onProgress)) as { outcomes: TestOutcome[] };
  const passed = outcomes.filter((o) => o.result === 'pass').length;
  const failed = outcomes.filter((o) => o.result === 'fail').length;
  const skipped = outcomes.length - passed - failed;
  if (json) process.stdout.write(`${JSON.stringify({ outcomes, passed, failed, skipped }, null, 2)}\n`);
  else process.stdout.write(`${text(lang, 'testSummary', passed, failed, skipped)}\n`);
  return failed > 0 ? EXIT.problem : EXIT.ok;
}

function numberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} takes a number, not ${value}`);
  return n;
}

async function placeCalls(socket: string, configPath: string, lang: Lang, number: string, values: Record<string, unknown>): Promise<number> {
  const params = {
    number,
    count: numberOption('count', values.count as string | undefined, 1),
    perMinute: numberOption('per-minute', values['per-minute'] as string | undefined, 60),
    holdSeconds: numberOption('hold', values.hold as string | undefined, 5),
  };
  const json = values.json === true;
  const onProgress = (p: unknown) => {
    const { index, total, outcome } = p as { index: number; total: number; outcome: CallSummary };
    if (!json) process.stdout.write(`${formatCall(outcome, index, total, lang)}\n`);
  };
  // Calls can last long: allow an hour between progress lines.
  const result = (await ask(socket, configPath, lang, 'call', params, onProgress, 3_600_000)) as { completed: number; failed: number; outcomes: CallSummary[] };
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${text(lang, 'callSummary', result.completed, result.failed)}\n`);
  return result.failed > 0 ? EXIT.problem : EXIT.ok;
}

async function capture(socket: string, configPath: string, lang: Lang, file: string, secondsText: string | undefined): Promise<number> {
  const seconds = numberOption('seconds', secondsText, 10);
  const out = await open(file, 'w');
  try {
    await out.write(pcapHeader(LINKTYPE_MTP3));
    let writing = Promise.resolve();
    const onProgress = (p: unknown) => {
      const { at, data } = p as { at: number; data: string };
      const record = pcapRecord({ time: at, data: Buffer.from(data, 'base64') });
      writing = writing.then(() => out.write(record).then(() => {}));
    };
    process.stderr.write(`${text(lang, 'capturing', file, seconds)}\n`);
    const { frames } = (await ask(socket, configPath, lang, 'capture', { seconds }, onProgress, (seconds + 15) * 1000)) as { frames: number };
    await writing;
    process.stderr.write(`${text(lang, 'captured', frames, file)}\n`);
  } finally {
    await out.close();
  }
  return EXIT.ok;
}

async function ask(
  socket: string,
  configPath: string,
  lang: Lang,
  method: string,
  params: Record<string, unknown> = {},
  onProgress?: (p: unknown) => void,
  timeoutMs = 15_000,
): Promise<unknown> {
  try {
    return await callFirmware(socket, method, params, timeoutMs, onProgress);
  } catch (err) {
    if (err instanceof ControlClientError && err.code === 'not-running') throw new NotRunning(text(lang, 'notRunning', socket, configPath));
    if (err instanceof ControlClientError && err.code === 'no-permission') throw new NotRunning(text(lang, 'noPermission', socket));
    throw err;
  }
}

class NotRunning extends Error {}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`countyline: ${err.message}\n\n${USAGE}\n`);
      process.exitCode = EXIT.usage;
    } else if (err instanceof ConfigError) {
      process.stderr.write(`countyline: config ${err.message}\n`);
      process.exitCode = EXIT.usage;
    } else if (err instanceof NotRunning) {
      process.stderr.write(`countyline: ${err.message}\n`);
      process.exitCode = EXIT.notRunning;
    } else {
      process.stderr.write(`countyline: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT.problem;
    }
  },
);
