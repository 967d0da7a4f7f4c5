import type { ChildProcess } from 'node:child_process';

export const FIRMWARE_CLI: string;
export const SIM_CLI: string;
export function requireTool(tool: string, why: string): void;

/**
 * Waits until `check` returns something truthy, and returns it. `check` gets `seen(x)`,
 * which records `x` as the latest observation (and returns it) for the failure message.
 */
export function waitFor<T>(
  what: string,
  check: (seen: <V>(value: V) => V) => T | false | null | undefined | Promise<T | false | null | undefined>,
  deadlineMs: number,
  opts?: { intervalMs?: number },
): Promise<T>;

export interface RigProcess {
  name: string;
  child: ChildProcess;
  output: string[];
  /** Resolves when the process has exited; `at` is when (Date.now()). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts a process whose stderr (and whatever `keep` is given) goes to `logFile`; killed when this process exits. */
export function startProcess(name: string, cmd: string, args: string[], logFile: string, opts?: { env?: Record<string, string> }): RigProcess & { keep(chunk: string | Buffer): void };
export function running(proc: RigProcess | null): boolean;
/** SIGTERM (or `signal`), then SIGKILL after `graceMs`; resolves when it has exited. */
export function stopProcess(proc: RigProcess | null, signal?: NodeJS.Signals, graceMs?: number): Promise<void>;

export interface RigOptions {
  dir?: string;
  simArgs?: string[];
  /** Extra keys for the firmware config's `card` section. */
  card?: Record<string, unknown>;
  /** Extra top-level config keys. */
  config?: Record<string, unknown>;
  logLevel?: string;
  /** SS7 ISUP toward the simulator's exchange; an object adds or overrides `isup` keys. */
  isup?: boolean | Record<string, unknown>;
  /** Keep the temporary folder (logs, data) after stop(). */
  keepDir?: boolean;
  /** false: no simulator on the card end (start it later with startSim, or never). */
  sim?: boolean;
  /** false: start socat and the simulator only. */
  firmware?: boolean;
  /**
   * Runs another build of the firmware (the arm64 package under qemu): the program and its
   * first arguments, in place of this checkout's node and CLI; `run --config <file>` follows.
   */
  firmwareCommand?: string[];
  /** How long the firmware may take to open its control socket (default 10 s). */
  firmwareStartMs?: number;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A `countyline` run in progress. */
export interface CliRun {
  child: ChildProcess;
  /** Resolves when the run has ended and its output is read, whatever its exit code. */
  closed: Promise<CliResult>;
  stdout(): string;
  stderr(): string;
  /** Waits until stdout or stderr matches `pattern`; fails at once if the run ends first. */
  waitOutput(what: string, pattern: RegExp, deadlineMs: number): Promise<true>;
  /** Its result; fails with its stderr unless it exited with `expect` (default 0). */
  result(expect?: number | number[]): Promise<CliResult>;
}

/** A long-running `countyline status --json --watch`. */
export interface StatusWatch {
  /** Every snapshot so far, with the time it arrived (Date.now()). */
  snapshots: { at: number; status: any }[];
  /**
   * The first snapshot that satisfies `predicate`, from index `from` of `snapshots` (default:
   * the next one to arrive), with its index.
   */
  until(what: string, predicate: (status: any) => boolean, deadlineMs: number, opts?: { from?: number }): Promise<{ at: number; status: any; index: number }>;
  stop(): Promise<void>;
}

export interface Rig {
  dir: string;
  cardPath: string;
  hostPath: string;
  configPath: string;
  socketPath: string;
  simControl: string;
  socat: RigProcess;
  sim: RigProcess | null;
  firmware: RigProcess | null;
  startSim(extraArgs?: string[]): Promise<string>;
  startFirmware(opts?: { waitUp?: boolean }): Promise<void>;
  stopFirmware(signal?: NodeJS.Signals): Promise<void>;
  stopSim(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Starts `countyline <args>` and returns at once; `command` runs another build's CLI
   * (program and first arguments) instead of this checkout's.
   */
  spawnCli(args: string[], opts?: { command?: string[] }): CliRun;
  /** Runs `countyline <args>`; fails with its stderr unless it exits with `expect` (default 0). */
  cli(args: string[], expect?: number | number[]): Promise<CliResult>;
  /** `countyline <args> --json`, exit code checked, parsed. */
  json(args: string[], expect?: number | number[]): Promise<any>;
  /** `countyline status --json` (exit 0, or 1 while the card link is down), parsed. */
  status(): Promise<any>;
  watchStatus(): StatusWatch;
  /** Waits for a status that satisfies `predicate` and returns it. */
  waitStatus(what: string, predicate: (status: any) => boolean, deadlineMs?: number): Promise<any>;
  simRequest(method: string, path: string, body?: unknown): Promise<any>;
  simPost(path: string, body?: unknown): Promise<any>;
  simGet(path: string): Promise<any>;
  logs(): { sim: string; firmware: string; socat: string };
  /** The whole log of a process since the rig started (every run of it). */
  fullLog(name: 'sim' | 'firmware' | 'socat'): string;
  stop(): Promise<void>;
}

export function startRig(options?: RigOptions): Promise<Rig>;
