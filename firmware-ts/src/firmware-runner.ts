import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Config } from './config/config-schema.js';
import { FsyncJsonFile } from './config/fsync-json-file.js';
import { writeRolledBack } from './config/rolled-back-file.js';
import { Firmware, type FirmwareDeps } from './firmware.js';
import type { ConfigChange } from './telemetry/desired-config.js';

/** What the runner needs of a firmware (tests give their own). */
export interface RunnableFirmware {
  readonly config: Config;
  start(): Promise<void>;
  stop(): Promise<void>;
  callsUp(): number;
}

export interface FirmwareRunnerOptions {
  config: Config;
  /** The config file `config` was loaded from; a desired config rewrites it. */
  configPath: string;
  logger: Logger;
  /** How often a waiting config change looks for the calls to have ended; default 1 s. */
  pollMs?: number;
  /** What every firmware it builds gets of the process: its metrics, whether `debug hang` is on. */
  processDeps?: Pick<FirmwareDeps, 'registerMetrics' | 'debugHang'>;
  /** Builds each firmware; default: `new Firmware(config, logger, deps)`. */
  create?: (config: Config, deps: FirmwareDeps) => RunnableFirmware;
}

/**
 * `countyline run`: the firmware, restarted in-process on a desired config from central. A
 * change waits until no call is up (nobody is cut off by it); then the config file is
 * replaced (the old one kept as `<config>.previous`), the firmware stopped and started anew on
 * the new one. When it does not start, the old file is put back, the revision is remembered as
 * rolled back (so the retained message does not try it again, and central is told why), and
 * the firmware starts on the old config. Only when that fails too does `failed` resolve.
 */
export class FirmwareRunner {
  private current: RunnableFirmware;
  private pending: ConfigChange | null = null;
  private applying: Promise<void> | null = null;
  private stopping = false;
  private fail!: (err: Error) => void;
  /** Resolves when the firmware could start on neither the new config nor the old one. */
  readonly failed = new Promise<Error>((resolve) => (this.fail = resolve));

  constructor(private readonly o: FirmwareRunnerOptions) {
    this.current = this.build(o.config);
  }

  get firmware(): RunnableFirmware {
    return this.current;
  }

  start(): Promise<void> {
    return this.current.start();
  }

  /** Stops the firmware; a config change under way finishes (or rolls back) first. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.pending = null;
    await this.applying;
    await this.current.stop();
  }

  private build(config: Config): RunnableFirmware {
    const deps: FirmwareDeps = { ...this.o.processDeps, configFile: this.o.configPath, applyConfig: (change) => this.apply(change) };
    return this.o.create ? this.o.create(config, deps) : new Firmware(config, this.o.logger, deps);
  }

  /** Queues a change; a newer revision that comes while one waits replaces it. */
  private apply(change: ConfigChange): void {
    if (this.stopping) return;
    if (this.pending && this.pending.revision >= change.revision) return;
    this.pending = change;
    this.applying ??= this.drain().finally(() => (this.applying = null));
  }

  private async drain(): Promise<void> {
    while (this.pending && !this.stopping) {
      if (this.current.callsUp() > 0) {
        await new Promise((resolve) => setTimeout(resolve, this.o.pollMs ?? 1000));
        continue;
      }
      const change = this.pending;
      this.pending = null;
      try {
        await this.restart(change);
      } catch (err) {
        // The files could not be written (a full disk, say): the firmware was not stopped and runs on.
        this.o.logger.error({ revision: change.revision, err: (err as Error).message }, 'desired config not applied: the config files could not be written; the firmware runs on as it was');
      }
    }
  }

  private async restart(change: ConfigChange): Promise<void> {
    const log = this.o.logger;
    const path = this.o.configPath;
    const file = new FsyncJsonFile<Record<string, unknown>>(path);
    const oldText = await readFile(path, 'utf8');
    const oldConfig = this.current.config;
    await new FsyncJsonFile<Record<string, unknown>>(`${path}.previous`).write(JSON.parse(oldText) as Record<string, unknown>);
    await file.write(change.raw);
    log.info({ revision: change.revision, changed: change.changed, previous: `${path}.previous` }, 'desired config written; restarting the firmware on it');
    await this.current.stop();
    try {
      await this.startOn(change.config);
      log.info({ revision: change.revision }, 'firmware restarted on the desired config');
      return;
    } catch (err) {
      const reason = (err as Error).message;
      log.error({ revision: change.revision, err: reason }, 'the firmware did not start on the desired config; putting the previous config back');
      await file.write(JSON.parse(oldText) as Record<string, unknown>);
      await writeRolledBack(oldConfig.dataDir, { revision: change.revision, reason: reason.slice(0, 400), at: Date.now() });
    }
    try {
      await this.startOn(oldConfig);
      log.info({ revision: change.revision }, 'firmware running on the previous config again');
    } catch (err) {
      log.fatal({ err: (err as Error).message }, 'the firmware does not start on the previous config either');
      this.fail(err as Error);
    }
  }

  /** Builds and starts a firmware; one that fails to start is stopped again before the error goes on. */
  private async startOn(config: Config): Promise<void> {
    const firmware = this.build(config);
    this.current = firmware;
    try {
      await firmware.start();
    } catch (err) {
      await firmware.stop().catch((stopErr: Error) => this.o.logger.error({ err: stopErr.message }, 'stopping the firmware that did not start failed'));
      throw err;
    }
  }
}
