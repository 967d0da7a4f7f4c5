import { mkdir } from 'node:fs/promises';
import { systemClock, type Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { CardDriver } from './card/card-driver.js';
import { registerCardMetrics } from './card/card-metrics.js';
import { openSerialTransport, type OpenTransport } from './card/card-transport.js';
import type { Config } from './config/config-schema.js';
import { ControlServer } from './control/control-server.js';
import { buildStatus, type BoxStatus } from './status.js';

export interface FirmwareDeps {
  clock?: Clock;
  openTransport?: OpenTransport;
}

/**
 * The firmware process: wires the modules together and owns their lifetimes. Each module
 * gets its own child logger; the control socket exposes read-only views and commands.
 */
export class Firmware {
  readonly card: CardDriver;
  readonly metrics = new Registry();
  private readonly control: ControlServer;
  private readonly startedAt: number;
  private readonly clock: Clock;

  constructor(
    readonly config: Config,
    private readonly log: Logger,
    deps: FirmwareDeps = {},
  ) {
    this.clock = deps.clock ?? systemClock;
    this.startedAt = this.clock.now();
    this.card = new CardDriver({
      path: config.card.path,
      baudRate: config.card.baudRate,
      openTransport: deps.openTransport ?? openSerialTransport,
      clock: this.clock,
      logger: log.child({ module: 'card' }),
      hostName: config.hostName,
      spans: config.card.spans,
      links: config.card.links,
      heartbeatTimeoutMs: config.card.heartbeatTimeoutMs,
    });
    registerCardMetrics(this.metrics, this.card);
    this.control = new ControlServer(
      config.control.socket,
      {
        status: () => this.status(),
        metrics: async () => ({ text: await this.metrics.metrics() }),
      },
      log.child({ module: 'control' }),
    );
  }

  async start(): Promise<void> {
    await mkdir(this.config.dataDir, { recursive: true });
    await this.control.listen();
    this.card.start();
    this.log.info({ card: this.config.card.path, socket: this.config.control.socket }, 'firmware started');
  }

  async stop(): Promise<void> {
    await this.control.close();
    await this.card.stop();
    this.log.info('firmware stopped');
  }

  status(): BoxStatus {
    return buildStatus(this.card, this.clock.now() - this.startedAt);
  }
}
