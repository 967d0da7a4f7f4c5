/**
 * The reference PRI exchange (ref-pri.c, the network side of a EuroISDN E1 PRI built on
 * Asterisk's libpri) as a child process for tests: compiled with gcc against Debian's
 * libpri-dev the first time a test needs it, started on the HDLC peer socket pair of
 * `countyline-sim --hdlc-peer <dir>`, driven by typed commands, watched through typed events.
 *
 *   const pri = await startRefPri(t, { bind: `${dir}/peer.sock`, peer: `${dir}/card.sock` });
 *   await pri.next('dchan_up', undefined, 10_000);
 *   pri.send({ cmd: 'call', channel: 1, exclusive: true, calling: '1000', called: '2000' });
 *
 * The binary is cached under the system temp dir, keyed by a hash of the C sources (with the
 * libss7 peer's json-line.c, compiled in), and written by rename, as ref-exchange.ts does.
 * A missing gcc or libpri-dev fails with the Debian package to install; nothing is skipped.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { JsonLinesPeer, type PeerEvent } from '../json-lines-peer.js';

const SOURCE_DIR = dirname(fileURLToPath(import.meta.url));
/** The JSON line reader and writer of the libss7 peer, compiled in unchanged. */
const SHARED = ['json-line.c', 'json-line.h'].map((n) => join(SOURCE_DIR, '..', 'libss7', n));
const CACHE_DIR = join(tmpdir(), 'countyline-ref-pri');
const GCC = process.env.CC ?? 'gcc';
const CFLAGS = ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror'];
const INSTALL_HINT = 'install the Debian packages gcc, libc6-dev and libpri-dev (apt-get install -y gcc libc6-dev libpri-dev, or run scripts/setup.mjs)';

/** Commands, one JSON line each on stdin. `channel` is an E1 timeslot of --span-channels. */
export type RefPriCommand =
  /** SETUP; unknownIe (0-127) with unknownIeHex adds an IE libpri does not know. */
  | { cmd: 'call'; channel: number; exclusive?: boolean; calling?: string; called: string; unknownIe?: number; unknownIeHex?: string }
  | { cmd: 'proceeding' | 'alerting' | 'answer'; call: number }
  | { cmd: 'hangup'; call: number; cause?: number }
  /** One channel; without it, one RESTART per channel of --span-channels (libpri has no class 7). */
  | { cmd: 'restart'; channel?: number }
  /** ALERTING, CONNECT or DISCONNECT for the call, carrying an IE libpri does not know. */
  | { cmd: 'unknown-ie'; call: number; message: 'alerting' | 'connect' | 'disconnect'; ie: number; hex?: string; cause?: number };

type Call = { call: number; /** B-channel, -1 when none or any */ channel: number };

/** What ref-pri prints, by event name. */
export interface RefPriEvents {
  ready: { libpri: string; bind: string; peer: string };
  dchan_up: object;
  dchan_down: object;
  /** SETUP from the box */
  ring: Call & { exclusive: boolean; calling: string; called: string; complete: boolean; bearer: number };
  proceeding: Call;
  progress: Call & { progressMask: number; cause: number };
  setup_ack: Call;
  ringing: Call;
  answer: Call;
  connect_ack: Call;
  /** DISCONNECT from the box; ref-pri sends RELEASE at once */
  hangup_req: Call & { cause: number };
  hangup: Call & { cause: number };
  hangup_ack: Call;
  /** RESTART from the box (libpri acknowledges it) */
  restart: { channel: number };
  restart_ack: { channel: number };
  config_err: { message: string };
  info: Call & { digits: string };
  keypad: Call & { digits: string };
  notify: Call & { info: number };
  facility: Call;
  /** Any other libpri event, by libpri's name and number */
  libpri: { name: string; number: number };
  /** What a command did */
  placed: Call;
  restarting: { channels: number[] };
  /** Sends to the card's socket fail (once per errno change): ENOENT, ECONNREFUSED, EAGAIN */
  'send-error': { errno: string; message: string };
  'short-frame': { length: number };
  error: { message: string };
  log: { level: 'message' | 'error'; message: string };
  /** --debug only: each Q.921 frame without its FCS */
  frame: { dir: 'in' | 'out'; hex: string };
}

export type RefPriEventName = keyof RefPriEvents;
export type RefPriEvent<K extends RefPriEventName = RefPriEventName> = PeerEvent<RefPriEvents, K>;

export interface RefPriOptions {
  /** Shown in failure messages. */
  name?: string;
  /** The socket ref-pri binds (peer.sock), and the one it sends to (card.sock). */
  bind: string;
  peer: string;
  /** B-channels, default "1-15,17-31" */
  spanChannels?: string;
  debug?: boolean;
  /** How long to wait for {"event":"ready"}, default 15 s */
  startMs?: number;
}

const run = promisify(execFile);

/** Compiles ref-pri (once per version of its sources) and returns the binary's path. */
export async function buildRefPri(): Promise<string> {
  const own = (await readdir(SOURCE_DIR)).filter((n) => n.endsWith('.c') || n.endsWith('.h')).sort().map((n) => join(SOURCE_DIR, n));
  const hash = createHash('sha256').update(CFLAGS.join(' '));
  for (const file of [...own, ...SHARED]) hash.update(file.slice(SOURCE_DIR.length)).update(await readFile(file));
  const binary = join(CACHE_DIR, `ref-pri-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(binary)) return binary;

  await mkdir(CACHE_DIR, { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  const sources = [...own, ...SHARED].filter((f) => f.endsWith('.c'));
  try {
    await run(GCC, [...CFLAGS, '-o', partial, ...sources, '-lpri']);
  } catch (err: any) {
    await rm(partial, { force: true });
    if (err.code === 'ENOENT') throw new Error(`${GCC} is not installed, needed to build the libpri reference exchange: ${INSTALL_HINT}`);
    const stderr = String(err.stderr ?? '');
    if (/libpri\.h|-lpri/.test(stderr)) throw new Error(`libpri-dev is not installed (no libpri.h or libpri.so): ${INSTALL_HINT}\n${stderr}`);
    if (/stdio\.h|crt1\.o|-lc\b/.test(stderr)) throw new Error(`libc6-dev is not installed (gcc finds no C library): ${INSTALL_HINT}\n${stderr}`);
    throw new Error(`compiling ref-pri failed:\n${stderr || err.message}`);
  }
  await rename(partial, binary); // atomic: a parallel build of the same sources wins or loses whole
  return binary;
}

export class RefPri extends JsonLinesPeer<RefPriEvents, RefPriCommand> {
  constructor(child: ChildProcess, name: string) {
    super(child, 'ref-pri', name);
  }
}

/** Builds (if needed) and starts ref-pri, waits for its ready line; `t.teardown` stops it. */
export async function startRefPri(t: { teardown(fn: () => unknown): void }, options: RefPriOptions): Promise<RefPri> {
  const binary = await buildRefPri();
  const args = ['--bind', options.bind, '--peer', options.peer];
  if (options.spanChannels !== undefined) args.push('--span-channels', options.spanChannels);
  if (options.debug) args.push('--debug');
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const pri = new RefPri(child, options.name ?? options.bind);
  t.teardown(() => pri.stop());
  await pri.next('ready', undefined, options.startMs ?? 15_000);
  return pri;
}
