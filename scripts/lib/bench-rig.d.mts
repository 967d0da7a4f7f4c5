import type { ChildProcess } from 'node:child_process';

export const FIRMWARE_CLI: string;
export const SIM_CLI: string;
export function requireTool(tool: string, why: string): void;

export interface RigProcess {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

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
  /** false: start socat and the simulator only. */
  firmware?: boolean;
}

export interface Rig {
  dir: string;
  cardPath: string;
  hostPath: string;
  configPath: string;
  socketPath: string;
  simControl: string;
  socat: RigProcess;
  sim: RigProcess;
  firmware: RigProcess | null;
  startSim(extraArgs?: string[]): Promise<string>;
  startFirmware(opts?: { waitUp?: boolean }): Promise<void>;
  stopFirmware(signal?: NodeJS.Signals): Promise<void>;
  stopSim(signal?: NodeJS.Signals): Promise<void>;
  cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  status(): Promise<any>;
  waitStatus(what: string, predicate: (status: any) => boolean, timeoutMs?: number): Promise<any>;
  simRequest(method: string, path: string, body?: unknown): Promise<any>;
  simPost(path: string, body?: unknown): Promise<any>;
  simGet(path: string): Promise<any>;
  logs(): { sim: string; firmware: string; socat: string };
  /** The whole log of a process since the rig started (every run of it). */
  fullLog(name: 'sim' | 'firmware' | 'socat'): string;
  stop(): Promise<void>;
}

export function startRig(options?: RigOptions): Promise<Rig>;
