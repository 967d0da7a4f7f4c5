import type { RigProcess } from './bench-rig.mjs';

export const CENTRAL_CLI: string;

export interface CentralOptions {
  /** Keeps data and log here (a restart passes the same folder); a temp folder otherwise, removed by stop(). */
  dir?: string;
  keepDir?: boolean;
  adminToken?: string;
  httpPort?: number;
  mqttPort?: number;
  args?: string[];
  env?: Record<string, string>;
}

export interface Central {
  dir: string;
  proc: RigProcess & { keep(chunk: string | Buffer): void };
  adminToken: string;
  httpUrl: string;
  mqttUrl: string;
  request(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }>;
  api(method: string, path: string, body?: unknown, opts?: { expect?: number | number[]; token?: string }): Promise<any>;
  running(): boolean;
  log(): string;
  stopProcess(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export function startCentral(options?: CentralOptions): Promise<Central>;
