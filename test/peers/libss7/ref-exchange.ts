/**
 * The reference exchange (ref-exchange.c, an ISUP exchange built on Asterisk's libss7) as a
 * child process for tests: compiled with gcc against Debian's libss7-dev the first time a test
 * needs it, started on a unix datagram socket pair, driven by typed commands, watched through
 * its typed events.
 *
 *   const ex = await startRefExchange(t, { name: 'exchange', bind: `${dir}/peer.sock`, peer: `${dir}/card.sock` });
 *   await ex.next('up', undefined, 30_000);
 *   ex.send({ cmd: 'call', cic: 3, called: '12345', calling: '13900000000' });
 *   await ex.next('ACM', { cic: 3 });
 *
 * The binary is cached under the system temp dir, keyed by a hash of the C sources, and written
 * by rename so that test files compiling at the same time never run a half-written one.
 * A missing gcc or libss7-dev fails with the Debian package to install; nothing is skipped.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { JsonLinesPeer, type PeerEvent } from '../json-lines-peer.js';

const SOURCE_DIR = dirname(fileURLToPath(import.meta.url));
const CACHE_DIR = join(tmpdir(), 'countyline-ref-exchange');
const GCC = process.env.CC ?? 'gcc';
const CFLAGS = ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror'];
const INSTALL_HINT = 'install the Debian packages gcc, libc6-dev and libss7-dev (apt-get install -y gcc libc6-dev libss7-dev, or bash scripts/setup-debian.sh)';

/** Commands, one JSON line each on the exchange's stdin. CICs are those of --cics unless noted. */
export type RefCommand =
  /** continuityCheck: the IAM asks for a continuity check on this circuit (a COT must follow: `cot`). */
  | { cmd: 'call'; cic: number; called: string; calling?: string; calledNai?: number; callingNai?: number; category?: number; continuityCheck?: boolean }
  | { cmd: 'acm' | 'answer' | 'rsc' | 'blo' | 'ubl'; cic: number }
  | { cmd: 'cpg'; cic: number; event: 'alerting' | 'progress' | 'in-band' }
  | { cmd: 'release'; cic: number; cause?: number }
  | { cmd: 'sus' | 'res'; cic: number; initiator?: 'subscriber' | 'network' }
  | { cmd: 'grs'; cic: number; count: number }
  | { cmd: 'cgb' | 'cgu'; cic: number; count: number; type?: 'maintenance' | 'hardware'; status?: (0 | 1)[] }
  /** Any CIC, equipped or not. cqm, cot and raw go around libss7, which cannot send them. */
  | { cmd: 'ucic'; cic: number }
  | { cmd: 'cqm'; cic: number; count: number }
  | { cmd: 'cot'; cic: number; passed?: boolean }
  /** The octets after the CIC, message type first, as hex ("50 00"). */
  | { cmd: 'raw'; cic: number; hex: string }
  /** One GRS per run of up to 32 equipped CICs, as after a restart. */
  | { cmd: 'grs-all' }
  /** Reads nothing from the peer for `ms` (at most 1000): what is sent meanwhile crosses. */
  | { cmd: 'hold'; ms: number }
  | { cmd: 'circuits' };

type Cic = { cic: number; /** set when the CIC is not one of --cics: the exchange answered UCIC */ unequipped?: boolean };
type Range = { cic: number; count: number };
type Block = 'none' | 'maintenance' | 'hardware' | 'both';

/** What the exchange prints, by event name. ISUP messages received are named as in Q.763. */
export interface RefEvents {
  ready: { libss7: string; opc: number; dpc: number; slc: number };
  peer: { state: 'connected' | 'gone' };
  'mtp2-up': object;
  'mtp2-down': object;
  /** libss7's SS7_EVENT_UP/DOWN: MTP3 can carry ISUP (link test passed, TRA both ways) */
  up: object;
  down: object;
  /** Network management and link test messages (SLTM, SLTA, TRA, ...) in and out */
  mtp3: { dir: 'in' | 'out'; message: string; slc: number };
  /** Each ISUP message as it leaves, retransmissions not counted */
  sent: { message: string; type: number; cic: number };
  error: { message: string };
  log: { level: 'error' | 'debug'; message: string };
  IAM: Cic & { called: string; endOfPulsing: boolean; calledNai: number; calling: string; callingNai: number; category: number; presentation: number; screening: number; cotRequired: boolean };
  SAM: Cic & { called: string };
  ACM: Cic & { calledPartyStatus: number };
  CPG: Cic & { cpgEvent: string; cpgEventValue: number };
  REL: Cic & { cause: number };
  COT: Cic & { passed: boolean };
  SUS: Cic & { initiator: 'subscriber' | 'network' };
  RES: Cic & { initiator: 'subscriber' | 'network' };
  ANM: Cic;
  CON: Cic;
  RLC: Cic;
  RSC: Cic;
  BLO: Cic;
  UBL: Cic;
  BLA: Cic;
  UBA: Cic;
  UCIC: Cic;
  CCR: Cic;
  LPA: Cic;
  GRS: Range;
  CQM: Range;
  /** status: 1 where the sender has the circuit maintenance blocked */
  GRA: Range & { status: number[] };
  CGB: Range & { type: 'maintenance' | 'hardware'; status: number[] };
  CGU: Range & { type: 'maintenance' | 'hardware'; status: number[] };
  CGBA: Range & { type: 'maintenance' | 'hardware'; status: number[] };
  CGUA: Range & { type: 'maintenance' | 'hardware'; status: number[] };
  /** Read off the wire: libss7 raises no event for these two */
  CFN: Cic & { cause: number };
  CQR: Range & { states: number[] };
  /** A message type libss7 does not know; the exchange answers CFN cause 97 unless --no-cfn */
  unrecognised: Cic & { type: number };
  glare: Cic & { result: 'won' | 'lost' };
  /** libss7 cleared a call itself (e.g. a message it did not expect: it resets the circuit) */
  hangup: Cic & { cause: number; action: number };
  hold: { ms: number };
  circuits: { circuits: { cic: number; call: 'idle' | 'incoming' | 'outgoing'; local: Block; remote: Block }[] };
  'digit-timeout': Cic;
  /** Any other libss7 event, by libss7's name and number */
  libss7: { name: string; number: number };
}

export type RefEventName = keyof RefEvents;
export type RefEvent<K extends RefEventName = RefEventName> = PeerEvent<RefEvents, K>;

export interface RefExchangeOptions {
  /** Shown in failure messages. */
  name?: string;
  /** The socket this exchange binds, and the one it sends to. */
  bind: string;
  peer: string;
  /** ITU point codes, a number or 3-8-3 ("2-100-6"); defaults 2000 (own) and 1000 (adjacent), as the bench. */
  opc?: number | string;
  dpc?: number | string;
  /** CIC ranges, default "1-30" */
  cics?: string;
  slc?: number;
  networkIndicator?: 'national' | 'international';
  /** ACM at once and ANM this long after each IAM; without it incoming calls wait for commands */
  answerAfterMs?: number;
  /** false: leave an unknown message type unanswered, as libss7 does */
  cfn?: boolean;
  grsOnUp?: boolean;
  fillMs?: number;
  debug?: boolean;
  /** libss7 timer names (q707_t1, t21, ... / t1, t5, t7, ...) to milliseconds */
  mtp3Timers?: Record<string, number>;
  isupTimers?: Record<string, number>;
  /** Every line the exchange prints (stdout and stderr) is appended here too. */
  logFile?: string;
  /** How long to wait for {"event":"ready"}, default 15 s */
  startMs?: number;
}

const run = promisify(execFile);

/** Compiles ref-exchange (once per version of its sources) and returns the binary's path. */
export async function buildRefExchange(): Promise<string> {
  const names = (await readdir(SOURCE_DIR)).filter((n) => n.endsWith('.c') || n.endsWith('.h')).sort();
  const hash = createHash('sha256').update(CFLAGS.join(' '));
  for (const name of names) hash.update(name).update(await readFile(join(SOURCE_DIR, name)));
  const binary = join(CACHE_DIR, `ref-exchange-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(binary)) return binary;

  await mkdir(CACHE_DIR, { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  const sources = names.filter((n) => n.endsWith('.c')).map((n) => join(SOURCE_DIR, n));
  try {
    await run(GCC, [...CFLAGS, '-o', partial, ...sources, '-lss7']);
  } catch (err: any) {
    await rm(partial, { force: true });
    if (err.code === 'ENOENT') throw new Error(`${GCC} is not installed, needed to build the libss7 reference exchange: ${INSTALL_HINT}`);
    const stderr = String(err.stderr ?? '');
    if (/libss7\.h|-lss7/.test(stderr)) throw new Error(`libss7-dev is not installed (no libss7.h or libss7.so): ${INSTALL_HINT}\n${stderr}`);
    if (/stdio\.h|crt1\.o|-lc\b/.test(stderr)) throw new Error(`libc6-dev is not installed (gcc finds no C library): ${INSTALL_HINT}\n${stderr}`);
    throw new Error(`compiling the reference exchange failed:\n${stderr || err.message}`);
  }
  await rename(partial, binary); // atomic: a parallel build of the same sources wins or loses whole
  return binary;
}

function args(o: RefExchangeOptions): string[] {
  const a = ['--bind', o.bind, '--peer', o.peer];
  if (o.opc !== undefined) a.push('--opc', String(o.opc));
  if (o.dpc !== undefined) a.push('--dpc', String(o.dpc));
  if (o.cics !== undefined) a.push('--cics', o.cics);
  if (o.slc !== undefined) a.push('--slc', String(o.slc));
  if (o.networkIndicator !== undefined) a.push('--ni', o.networkIndicator);
  if (o.answerAfterMs !== undefined) a.push('--answer-after-ms', String(o.answerAfterMs));
  if (o.cfn === false) a.push('--no-cfn');
  if (o.grsOnUp) a.push('--grs-on-up');
  if (o.fillMs !== undefined) a.push('--fill-ms', String(o.fillMs));
  if (o.debug) a.push('--debug');
  for (const [name, ms] of Object.entries(o.mtp3Timers ?? {})) a.push('--mtp3-timer', `${name}=${ms}`);
  for (const [name, ms] of Object.entries(o.isupTimers ?? {})) a.push('--isup-timer', `${name}=${ms}`);
  return a;
}

export class RefExchange extends JsonLinesPeer<RefEvents, RefCommand> {
  constructor(child: ChildProcess, name: string, log: WriteStream | null) {
    super(child, 'ref-exchange', name, log);
  }
}

/**
 * Builds (if needed) and starts a reference exchange, and waits for it to listen. `t.teardown`
 * stops it when the test ends, whether it passed or not.
 */
export async function startRefExchange(t: { teardown(fn: () => unknown): void }, options: RefExchangeOptions): Promise<RefExchange> {
  const binary = await buildRefExchange();
  const child = spawn(binary, args(options), { stdio: ['pipe', 'pipe', 'pipe'] });
  const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : null;
  const exchange = new RefExchange(child, options.name ?? options.bind, log);
  t.teardown(() => exchange.stop());
  await exchange.next('ready', undefined, options.startMs ?? 15_000);
  return exchange;
}
