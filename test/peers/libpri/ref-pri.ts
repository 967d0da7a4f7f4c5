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
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

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
export type RefPriEvent<K extends RefPriEventName = RefPriEventName> = { [N in K]: { event: N } & RefPriEvents[N] }[K];

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

/** Processes started here and not stopped yet: killed if this process exits first. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

type Matcher<K extends RefPriEventName> = ((e: RefPriEvent<K>) => boolean) | Partial<RefPriEvents[K]>;

export class RefPri {
  /** Every event printed so far, in order. */
  readonly events: RefPriEvent[] = [];
  readonly garbage: string[] = [];
  readonly stderr: string[] = [];
  private readonly consumed = new Set<number>();
  private readonly waiters = new Set<{ test: (i: number) => boolean; resolve: (i: number) => void; reject: (err: Error) => void }>();
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    private readonly child: ChildProcess,
    readonly name: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        live.delete(child);
        this.exit = { code, signal };
        for (const w of this.waiters) w.reject(this.failure(`exited (${signal ?? `code ${code}`})`));
        this.waiters.clear();
        resolve(this.exit);
      }),
    );
    child.on('error', (err) => this.stderr.push(`could not run it: ${err.message}`));
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.stderr.push(line);
      if (this.stderr.length > 50) this.stderr.shift();
    });
  }

  private onLine(line: string): void {
    let event: RefPriEvent;
    try {
      event = JSON.parse(line);
    } catch {
      this.garbage.push(line);
      return;
    }
    const index = this.events.push(event) - 1;
    for (const w of this.waiters) {
      if (w.test(index)) {
        this.waiters.delete(w);
        w.resolve(index);
      }
    }
  }

  send(command: RefPriCommand): void {
    this.sendLine(JSON.stringify(command));
  }

  /** Sends a line as it is (to check how bad input is handled). */
  sendLine(line: string): void {
    if (this.exit) throw this.failure(`cannot take ${line}: it has exited`);
    this.child.stdin!.write(`${line}\n`);
  }

  /** The first event not taken yet that satisfies `predicate`, printed already or within `deadlineMs`. */
  waitFor(predicate: (e: RefPriEvent) => boolean, deadlineMs = 10_000, what = predicate.toString().slice(0, 120)): Promise<RefPriEvent> {
    const matches = (i: number) => !this.consumed.has(i) && predicate(this.events[i]!);
    const take = (i: number) => {
      this.consumed.add(i);
      return this.events[i]!;
    };
    const found = this.events.findIndex((_, i) => matches(i));
    if (found >= 0) return Promise.resolve(take(found));
    if (this.exit) return Promise.reject(this.failure(`has exited (${this.exit.signal ?? `code ${this.exit.code}`}) without ${what}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(this.failure(`timed out after ${deadlineMs} ms waiting for ${what}`));
      }, deadlineMs);
      const waiter = {
        test: matches,
        resolve: (i: number) => {
          clearTimeout(timer);
          resolve(take(i));
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** The next event of that name matching `match` (a predicate, or fields that must be equal). */
  async next<K extends RefPriEventName>(event: K, match?: Matcher<K>, deadlineMs = 10_000): Promise<RefPriEvent<K>> {
    const fits = (e: RefPriEvent) => {
      if (e.event !== event) return false;
      if (match === undefined) return true;
      if (typeof match === 'function') return match(e as RefPriEvent<K>);
      return Object.entries(match).every(([k, v]) => JSON.stringify((e as any)[k]) === JSON.stringify(v));
    };
    const what = match === undefined ? event : typeof match === 'function' ? `${event} matching ${match.toString().slice(0, 120)}` : `${event} ${JSON.stringify(match)}`;
    return (await this.waitFor(fits, deadlineMs, what)) as RefPriEvent<K>;
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves with how it ended. */
  async stop(graceMs = 3000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exit) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exit!;
  }

  private failure(what: string): Error {
    const recent = this.events.slice(-40).map((e) => `  ${JSON.stringify(e)}`);
    const parts = [`ref-pri ${this.name} ${what}`, `last ${recent.length} of ${this.events.length} events:`, ...recent];
    if (this.garbage.length) parts.push('not JSON on stdout:', ...this.garbage.slice(-5).map((l) => `  ${l}`));
    if (this.stderr.length) parts.push('stderr:', ...this.stderr.slice(-10).map((l) => `  ${l}`));
    return new Error(parts.join('\n'));
  }
}

/** Builds (if needed) and starts ref-pri, waits for its ready line; `t.teardown` stops it. */
export async function startRefPri(t: { teardown(fn: () => unknown): void }, options: RefPriOptions): Promise<RefPri> {
  const binary = await buildRefPri();
  const args = ['--bind', options.bind, '--peer', options.peer];
  if (options.spanChannels !== undefined) args.push('--span-channels', options.spanChannels);
  if (options.debug) args.push('--debug');
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  child.stdin.on('error', () => {}); // it exited; the exit is reported where it matters
  const pri = new RefPri(child, options.name ?? options.bind);
  t.teardown(() => pri.stop());
  await pri.next('ready', undefined, options.startMs ?? 15_000);
  return pri;
}
