import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { SCHEMA_VERSION } from '@countyline/firmware/telemetry';
import type { Store } from './store/store.js';
import type { BoxLink } from './broker/box-link.js';
import { openStore } from './store/sql-store.js';
import { startCentralMqtt, type CentralMqtt } from './broker/central-mqtt.js';
import type { BrokerLimits } from './broker/mqtt-broker.js';
import { buildApi, ensureAdminToken, type ApiApp } from './api/index.js';
import { systemClock } from './alarms/clock.js';
import { LiveFeed } from './live/live-feed.js';
import { CommandDeadline, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_SWEEP_EVERY_MS } from './commands/command-deadline.js';

export interface CentralOptions {
  /** Data folder: the SQLite file lives here (unless `postgresUrl`). */
  dataDir: string;
  postgresUrl?: string;
  host: string;
  httpPort: number;
  mqttPort: number;
  /** What enrolment tells boxes to connect to; default mqtt://<host>:<mqtt port>. */
  publicMqttUrl?: string;
  tls?: { key: Buffer; cert: Buffer };
  webhookUrl?: string;
  limits?: BrokerLimits;
  adminToken?: string;
  retention: { cdrDays: number; historyDays: number };
  enrolmentTtlMs: number;
  /** How long central waits for a box to answer a command before marking it timed out; default 300 s. */
  commandTimeoutMs?: number;
}

const DAY_MS = 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Central in one process: the store, the command deadline sweep, the MQTT broker with
 * ingest and alarm rules, and the HTTP API. start() brings them up in that order, stop()
 * takes them down in reverse, so no message is taken from a box that cannot be stored.
 */
export class Central {
  readonly metrics = new Registry();
  private store: Store | null = null;
  private mqtt: CentralMqtt | null = null;
  private api: ApiApp | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private commandDeadline: CommandDeadline | null = null;
  httpUrl = '';
  mqttUrl = '';
  /** The admin token made at this start, to be printed once; null when one existed or was given. */
  newAdminToken: string | null = null;

  constructor(
    private readonly options: CentralOptions,
    private readonly log: Logger,
  ) {
    collectDefaultMetrics({ register: this.metrics, prefix: 'countyline_central_' });
  }

  async start(): Promise<void> {
    const o = this.options;
    await mkdir(o.dataDir, { recursive: true });
    const location = o.postgresUrl ? { kind: 'postgres' as const, url: o.postgresUrl } : { kind: 'sqlite' as const, file: join(o.dataDir, 'central.sqlite') };
    const store = (this.store = openStore(location, { logger: this.log.child({ module: 'store' }) }));
    await store.migrate();
    // Read from the store at each scrape, so that it counts what operators see.
    new Gauge({
      name: 'countyline_central_alarms_active',
      help: 'Active alarms (from boxes and central) by severity',
      labelNames: ['severity'],
      registers: [this.metrics],
      async collect() {
        for (const [severity, n] of Object.entries(await store.countActiveAlarms())) this.set({ severity }, n);
      },
    });
    this.newAdminToken = await ensureAdminToken(store, o.adminToken);
    const clock = systemClock;
    const live = new LiveFeed();
    const commandTimeoutMs = o.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    // A short timeout is swept as often as it lasts, so a time-out never shows a whole round late.
    this.commandDeadline = new CommandDeadline({ store, clock, logger: this.log.child({ module: 'command-deadline' }), registry: this.metrics, everyMs: Math.min(DEFAULT_SWEEP_EVERY_MS, commandTimeoutMs) });
    this.commandDeadline.start();
    this.mqtt = await startCentralMqtt({
      store,
      logger: this.log,
      registry: this.metrics,
      clock,
      port: o.mqttPort,
      host: o.host,
      tls: o.tls,
      limits: o.limits,
      webhook: o.webhookUrl ? { url: o.webhookUrl } : undefined,
      live,
    });
    await this.restoreDesiredConfigs(store, this.mqtt.boxLink);
    const reachable = o.host === '0.0.0.0' || o.host === '::' ? 'localhost' : o.host;
    this.mqttUrl = o.publicMqttUrl ?? `${o.tls ? 'mqtts' : 'mqtt'}://${reachable}:${this.mqtt.port}`;
    this.api = await buildApi({ store, boxLink: this.mqtt.boxLink, metrics: this.metrics, clock, logger: this.log.child({ module: 'api' }), mqttUrl: this.mqttUrl, enrolmentTtlMs: o.enrolmentTtlMs, commandTimeoutMs, live });
    await this.api.listen({ host: o.host, port: o.httpPort });
    const http = this.api.server.address();
    this.httpUrl = `http://${reachable}:${typeof http === 'object' && http ? http.port : o.httpPort}`;
    this.prune();
  }

  async stop(): Promise<void> {
    if (this.pruneTimer) clearTimeout(this.pruneTimer);
    // The API first (no new commands), then the broker (the boxes' last messages reach the
    // store), then the command deadline sweep (its round in progress ends), then the store.
    await this.api?.close();
    await this.mqtt?.close();
    await this.commandDeadline?.stop();
    await this.store?.close();
  }

  /**
   * The broker keeps retained messages in memory only: after a restart each box's desired
   * config is published again from the store, for the box to find when it subscribes.
   */
  private async restoreDesiredConfigs(store: Store, link: BoxLink): Promise<void> {
    let restored = 0;
    for (const box of await store.listBoxes()) {
      const { desired } = await store.getConfigState(box.id);
      if (!desired) continue;
      await link.sendDesiredConfig(box.id, { v: SCHEMA_VERSION, ts: desired.at, revision: desired.revision, config: desired.config });
      restored += 1;
    }
    if (restored > 0) this.log.info({ boxes: restored }, 'desired configs published again (retained)');
  }

  /** Retention: old CDRs and history go hourly, in batches. */
  private prune(): void {
    const store = this.store;
    if (!store) return;
    const now = Date.now();
    const { cdrDays, historyDays } = this.options.retention;
    store
      .prune({ cdrsBefore: now - cdrDays * DAY_MS, historyBefore: now - historyDays * DAY_MS })
      .then((gone) => {
        if (gone.cdrs + gone.events + gone.kpis + gone.alarms > 0) this.log.info({ gone }, 'retention: old records deleted');
      })
      .catch((err: unknown) => this.log.error({ err }, 'retention: pruning failed; will try again in an hour'))
      .finally(() => {
        this.pruneTimer = setTimeout(() => this.prune(), PRUNE_EVERY_MS);
        this.pruneTimer.unref();
      });
  }
}
