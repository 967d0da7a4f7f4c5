import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { pino, type DestinationStream, type Logger } from 'pino';
import { SerialPort } from 'serialport';
import { EXIT_OK, exitCode } from '../errors.js';
import { parseCardDescription, type CardDescription } from './card-description.js';
import { CardSimulator } from './card-simulator.js';
import { buildControlApi, closeControlApi, CONTROL_HOST, listenControlApi } from './control-api.js';
import { parseExchangeConfig, type ExchangeConfig } from './exchange/exchange-config.js';
import { FarEndExchange } from './exchange/far-end-exchange.js';
import { HDLC_SOCKET_WORDS } from './hdlc-peer.js';
import { MTP2_TIMER_NAMES, mtp2Timers, type Mtp2TimerValues } from './mtp2/mtp2-timers.js';
import { CARD_SOCKET, Mtp2PeerSocket, PEER_SOCKET } from './mtp2/peer-socket.js';
import { SimHighway } from './sim-highway.js';

export const USAGE = `Usage: countyline-sim --port <path> [options]
       countyline-sim scenario <file.json> [--dir <folder>] [--lang en|zh]   (a bench scenario, from a checkout)

Simulates the Countyline E1/FXO card on the card end of a pseudo-terminal pair, e.g.
  socat -d -d pty,raw,echo=0,link=/tmp/cl/card pty,raw,echo=0,link=/tmp/cl/host
and serves an HTTP control API on ${CONTROL_HOST} for fault injection.

Options:
  --port <path>             card end of the pty pair (required)
  --control <port>          control API port; 0 picks a free one (default 0)
  --card <file>             JSON card description: model, serial, firmware, spans,
                            fxoPorts, links (defaults: CL-E1F-108, 1 span, 5 ports, 2 links)
  --proving-ms <n>          signalling link proving period (default 500)
  --reset-ms <n>            how long a card reset keeps the card silent (default 1500)
  --protocol-version <n>    protocol version the card sends (fault injection; default 1)
  --exchange <file>         JSON settings of the far-end ISUP exchange behind link 0
                            (default: ITU, point code 2000, box 1000, CIC 1-30 on span 0)
  --no-exchange             run without a far-end exchange (nothing answers on the links)
  --mtp2-peer <dir>         hand link 0's line side to an outside process: the card runs
                            MTP2 (Q.703) on it, binds <dir>/card.sock and sends to
                            <dir>/peer.sock, one signal unit per datagram (no exchange)
  --mtp2-timers <list>      MTP2 timers in ms for --mtp2-peer, e.g. t4n=2000,t7=1000
                            (t1 t2 t3 t4n t4e t6 t7 t17; default Q.703 values, t17 1000)
  --hdlc-peer <dir>         hand link 0's line side, as an hdlc link, to an outside process
                            (a libpri D-channel): binds <dir>/card.sock and sends to
                            <dir>/peer.sock, one frame and 2 FCS octets per datagram
                            (no exchange; not with --mtp2-peer)
  --log-level <level>       fatal, error, warn, info, debug, trace or silent (default info)
  -h, --help                this text

When ready it prints one JSON line to stdout:
  {"event":"ready","control":"http://${CONTROL_HOST}:<port>","port":"<path>"}
Logs go to stderr. SIGTERM or SIGINT closes the port and exits 0.
`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface SimCliOptions {
  port: string;
  control: number;
  card?: CardDescription;
  provingMs?: number;
  resetMs?: number;
  protocolVersion?: number;
  /** The far-end exchange's settings; left out: the bench defaults; null: no exchange. */
  exchange?: ExchangeConfig | null;
  /** The folder of the MTP2 peer socket for link 0 (no exchange then). */
  mtp2Peer?: string;
  mtp2Timers?: Partial<Mtp2TimerValues>;
  /** Q.704 T17 for link 0's MTP2: delay before a failed link aligns again. */
  mtp2RestartMs?: number;
  /** The folder of the HDLC peer socket for link 0 (no exchange then). */
  hdlcPeer?: string;
  logLevel: (typeof LOG_LEVELS)[number];
}

/** Bad arguments: exits with the `usage` code of ERROR_CODES, with the message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The simulator could not start (port, control socket): exits with the `start-failed` code, with the message. */
export class StartError extends Error {
  override readonly name = 'StartError';
}

/** Reads the command line; `--card` is read and checked here so mistakes show at once. */
export function parseCliArgs(argv: readonly string[]): { help: true } | { help: false; options: SimCliOptions } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        control: { type: 'string' },
        card: { type: 'string' },
        'proving-ms': { type: 'string' },
        'reset-ms': { type: 'string' },
        'protocol-version': { type: 'string' },
        exchange: { type: 'string' },
        'no-exchange': { type: 'boolean' },
        'mtp2-peer': { type: 'string' },
        'mtp2-timers': { type: 'string' },
        'hdlc-peer': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return { help: true };
  if (values.port === undefined || values.port === '') throw new UsageError('--port <path> is required: the card end of the socat pty pair');
  const level = values['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level ${level}: use one of ${LOG_LEVELS.join(', ')}`);
  const options: SimCliOptions = {
    port: values.port,
    control: wholeNumber('--control', values.control, 0, 65535) ?? 0,
    logLevel: level as SimCliOptions['logLevel'],
  };
  const provingMs = wholeNumber('--proving-ms', values['proving-ms'], 0, 600_000);
  const resetMs = wholeNumber('--reset-ms', values['reset-ms'], 0, 600_000);
  const protocolVersion = wholeNumber('--protocol-version', values['protocol-version'], 0, 255);
  if (provingMs !== undefined) options.provingMs = provingMs;
  if (resetMs !== undefined) options.resetMs = resetMs;
  if (protocolVersion !== undefined) options.protocolVersion = protocolVersion;
  if (values.card !== undefined) options.card = readCardFile(values.card);
  if (values.exchange !== undefined && values['no-exchange']) throw new UsageError('--exchange and --no-exchange exclude each other; give one of them');
  if (values['mtp2-peer'] !== undefined && values.exchange !== undefined) {
    throw new UsageError('--mtp2-peer and --exchange exclude each other: with --mtp2-peer the outside process is the far end of link 0');
  }
  if (values['hdlc-peer'] !== undefined && values.exchange !== undefined) {
    throw new UsageError('--hdlc-peer and --exchange exclude each other: with --hdlc-peer the outside process is the far end of link 0');
  }
  if (values['hdlc-peer'] !== undefined && values['mtp2-peer'] !== undefined) {
    throw new UsageError('--hdlc-peer and --mtp2-peer exclude each other: both take link 0 and the card.sock of their folder');
  }
  if (values.exchange !== undefined) options.exchange = readJsonFile('exchange', values.exchange, parseExchangeConfig);
  if (values['no-exchange']) options.exchange = null;
  if (values['mtp2-peer'] !== undefined) {
    if (values['mtp2-peer'] === '') throw new UsageError('--mtp2-peer <dir>: give the folder for card.sock and peer.sock');
    options.mtp2Peer = values['mtp2-peer'];
    options.exchange = null;
  }
  if (values['hdlc-peer'] !== undefined) {
    if (values['hdlc-peer'] === '') throw new UsageError('--hdlc-peer <dir>: give the folder for card.sock and peer.sock');
    options.hdlcPeer = values['hdlc-peer'];
    options.exchange = null;
  }
  if (values['mtp2-timers'] !== undefined) {
    if (options.mtp2Peer === undefined) throw new UsageError('--mtp2-timers needs --mtp2-peer: without it the links use the abstract timing (--proving-ms)');
    Object.assign(options, parseMtp2Timers(values['mtp2-timers']));
  }
  return { help: false, options };
}

/** `t4n=2000,t7=1000`: MTP2 timer values, and t17 (the restart delay). */
function parseMtp2Timers(text: string): Pick<SimCliOptions, 'mtp2Timers' | 'mtp2RestartMs'> {
  const timers: Partial<Mtp2TimerValues> = {};
  let restartMs: number | undefined;
  const names = [...MTP2_TIMER_NAMES, 't17'];
  for (const item of text.split(',')) {
    const [name, value, extra] = item.trim().split('=');
    const key = name?.toLowerCase() ?? '';
    if (extra !== undefined || value === undefined || !names.includes(key)) {
      throw new UsageError(`--mtp2-timers: "${item}" is not <timer>=<ms>; timers: ${names.join(', ')}`);
    }
    const ms = wholeNumber(`--mtp2-timers ${key}`, value, 1, 600_000)!;
    if (key === 't17') restartMs = ms;
    else timers[key as keyof Mtp2TimerValues] = ms;
  }
  mtp2Timers(timers);
  return restartMs === undefined ? { mtp2Timers: timers } : { mtp2Timers: timers, mtp2RestartMs: restartMs };
}

function wholeNumber(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`${flag} ${text}: use a whole number from ${min} to ${max}`);
  return n;
}

function readCardFile(path: string): CardDescription {
  return readJsonFile('card', path, parseCardDescription);
}

function readJsonFile<T>(what: string, path: string, parse: (value: unknown) => T): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} file ${path}: ${(err as Error).message}`);
  }
  try {
    return parse(JSON.parse(text));
  } catch (err) {
    throw new UsageError(`${what} file ${path}: ${(err as Error).message}`);
  }
}

export interface RunningSim {
  sim: CardSimulator;
  controlUrl: string;
  /** Resolves if the serial port closes by itself (socat went away). */
  lost: Promise<Error>;
  close(): Promise<void>;
}

/** Opens the port, starts the card and the control API. Throws StartError. */
export async function startSim(options: SimCliOptions, logger: Logger): Promise<RunningSim> {
  const port = new SerialPort({ path: options.port, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve()))).catch((err: Error) => {
    throw new StartError(`cannot open ${options.port}: ${openFailure(err, options.port)}; is socat running?`);
  });
  port.on('error', (err) => logger.warn({ err }, 'serial port error'));
  let closing = false;
  const lost = new Promise<Error>((resolve) => {
    port.on('close', (err?: Error) => {
      if (!closing) resolve(err ?? new Error('closed'));
    });
  });

  let mtp2Socket: Mtp2PeerSocket | undefined;
  if (options.mtp2Peer !== undefined) {
    try {
      mtp2Socket = new Mtp2PeerSocket(options.mtp2Peer, { logger: logger.child({ module: 'mtp2', link: 0 }) });
    } catch (err) {
      closing = true;
      await closePort(port);
      throw new StartError(`--mtp2-peer: ${(err as Error).message}`);
    }
  }
  let hdlcSocket: Mtp2PeerSocket | undefined;
  if (options.hdlcPeer !== undefined) {
    try {
      hdlcSocket = new Mtp2PeerSocket(options.hdlcPeer, { logger: logger.child({ module: 'hdlc', link: 0 }), carries: HDLC_SOCKET_WORDS });
    } catch (err) {
      closing = true;
      await closePort(port);
      throw new StartError(`--hdlc-peer: ${(err as Error).message}`);
    }
  }
  const exchange =
    options.exchange === null ? undefined : new FarEndExchange({ config: options.exchange ?? parseExchangeConfig({}), logger: logger.child({ module: 'exchange' }) });
  const sim = new CardSimulator({
    write: (bytes) => {
      if (port.isOpen) port.write(bytes);
    },
    card: options.card,
    provingMs: options.provingMs,
    resetMs: options.resetMs,
    protocolVersion: options.protocolVersion,
    exchange,
    logger,
    mtp2Peer: mtp2Socket && { transport: mtp2Socket, timers: options.mtp2Timers, restartMs: options.mtp2RestartMs },
    hdlcPeer: hdlcSocket && { transport: hdlcSocket },
  });
  port.on('data', (chunk: Buffer) => sim.receive(chunk));

  const server: Server = buildControlApi({ sim, logger });
  let controlUrl: string;
  try {
    ({ url: controlUrl } = await listenControlApi(server, options.control));
  } catch (err) {
    closing = true;
    mtp2Socket?.close();
    hdlcSocket?.close();
    await closePort(port);
    throw new StartError(`cannot listen on ${CONTROL_HOST}:${options.control}: ${(err as Error).message}`);
  }
  // The PCM highway: UDP on 127.0.0.1 for each line the host connects (tsConnect, fxoConnect).
  const highway = new SimHighway({ lines: sim.media, logger });
  sim.start();
  logger.info({ port: options.port, control: controlUrl, card: sim.description, exchange: exchange?.config ?? null, mtp2Peer: mtp2Socket?.snapshot() ?? null, hdlcPeer: hdlcSocket?.snapshot() ?? null }, 'card simulator ready');
  return {
    sim,
    controlUrl,
    lost,
    async close() {
      closing = true;
      sim.stop();
      mtp2Socket?.close();
      hdlcSocket?.close();
      await Promise.all([closeControlApi(server), closePort(port), highway.close()]);
    },
  };
}

/** node-serialport says "Error: No such file or directory, cannot open /x"; keep the reason. */
function openFailure(err: Error, path: string): string {
  return err.message.replace(/^Error: /, '').replace(`, cannot open ${path}`, '');
}

function closePort(port: SerialPort): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) return resolve();
    port.close(() => resolve());
  });
}

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: DestinationStream;
}

/**
 * The `countyline-sim` command. Resolves with the exit code (ERROR_CODES in src/errors.ts):
 * EXIT_OK after SIGTERM/SIGINT or --help, `port-closed` if the serial port goes away under
 * it, `usage` for bad arguments, `start-failed` for a port that cannot be opened.
 */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let parsed;
  try {
    parsed = parseCliArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`countyline-sim: ${err.message}\nRun countyline-sim --help for usage.\n`);
    return exitCode('usage');
  }
  if (parsed.help) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const { options } = parsed;
  const logger = pino({ name: 'sim', level: options.logLevel }, io.stderr);
  let running: RunningSim;
  try {
    running = await startSim(options, logger);
  } catch (err) {
    if (!(err instanceof StartError)) throw err;
    io.stderr.write(`countyline-sim: ${err.message}\n`);
    return exitCode('start-failed');
  }
  const sockets = (dir: string) => ({ card: join(dir, CARD_SOCKET), peer: join(dir, PEER_SOCKET) });
  const mtp2Peer = options.mtp2Peer === undefined ? {} : { mtp2Peer: sockets(options.mtp2Peer) };
  const hdlcPeer = options.hdlcPeer === undefined ? {} : { hdlcPeer: sockets(options.hdlcPeer) };
  io.stdout.write(JSON.stringify({ event: 'ready', control: running.controlUrl, port: options.port, ...mtp2Peer, ...hdlcPeer }) + '\n');

  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const outcome = await new Promise<NodeJS.Signals | Error>((resolve) => {
    onSignal = resolve;
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    void running.lost.then(resolve);
  });
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  await running.close();
  if (typeof outcome === 'string') {
    logger.info({ signal: outcome }, 'stopped');
    return EXIT_OK;
  }
  io.stderr.write(`countyline-sim: serial port ${options.port} closed (${outcome.message}); did socat exit?\n`);
  return exitCode('port-closed');
}
