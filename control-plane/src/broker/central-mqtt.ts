import type { Logger } from 'pino';
import type { BoxKind } from '@countyline/firmware/telemetry';
import type { Registry } from 'prom-client';
import { CentralAlarmRules, type CentralAlarmSettings } from '../alarms/central-alarm-rules.js';
import { silentNotifier, type AlarmNotifier } from '../alarms/alarm-notifier.js';
import type { Clock } from '../alarms/clock.js';
import { WebhookNotifier } from '../alarms/webhook-notifier.js';
import { Ingest } from '../ingest/ingest.js';
import type { BoxChangeKind, LiveFeed } from '../live/live-feed.js';
import type { Store } from '../store/store.js';
import type { BoxLink } from './box-link.js';
import { startBroker, type BrokerLimits } from './mqtt-broker.js';

export interface CentralMqttOptions {
  store: Store;
  logger: Logger;
  registry: Registry;
  clock: Clock;
  /** MQTT port; 0 takes a free one (the result says which). */
  port: number;
  host?: string;
  tls?: { key: string | Buffer; cert: string | Buffer };
  limits?: BrokerLimits;
  ingest?: { maxPayloadBytes?: number; rebirthIntervalMs?: number };
  alarms?: Partial<CentralAlarmSettings>;
  /** Critical alarms (raised and cleared) are POSTed here as JSON; none: no webhook. */
  webhook?: { url: string; timeoutMs?: number; retries?: number; backoffMs?: number };
  /** Where what the store took is told as it happens (the ops page's event stream); none: nowhere. */
  live?: LiveFeed;
}

/** The box messages the ops page shows, by the feed's name for them (status and alarms go with their details). */
const LIVE_KIND: Partial<Record<BoxKind, BoxChangeKind>> = { birth: 'birth', trunks: 'trunks', kpi: 'kpi', cdr: 'cdr', 'cmd-result': 'command', 'config/reported': 'config' };

/** A box alarm central hears of this long after it happened is marked `replayed` in the webhook notice. */
const REPLAYED_AFTER_MS = 5 * 60_000;

export interface CentralMqtt {
  port: number;
  boxLink: BoxLink;
  /** Stops taking connections, lets the boxes' wills and queued messages reach the store, stops the rules. */
  close(): Promise<void>;
}

/**
 * Central's MQTT side in one call: the broker with the box access rules, ingest into the
 * store, central's own alarm rules and the webhook for critical alarms.
 */
export async function startCentralMqtt(opts: CentralMqttOptions): Promise<CentralMqtt> {
  const { store, registry, clock } = opts;
  const logger = opts.logger;
  const notifier: AlarmNotifier = opts.webhook ? new WebhookNotifier({ ...opts.webhook, logger: logger.child({ module: 'webhook' }), registry, clock }) : silentNotifier;
  let link: BoxLink | null = null;
  const ingest = new Ingest({
    store,
    logger: logger.child({ module: 'ingest' }),
    registry,
    clock,
    link: { sendCommand: (boxId, name, command) => (link ? link.sendCommand(boxId, name, command) : Promise.reject(new Error('broker not started'))) },
    ...opts.ingest,
  });
  const { live } = opts;
  const rules = new CentralAlarmRules({ store, logger: logger.child({ module: 'central-alarms' }), clock, notifier, settings: opts.alarms, live });
  ingest.on('status', (boxId, online, at) => rules.onStatus(boxId, online, at));
  ingest.on('message', (boxId, _kind, at) => rules.onMessage(boxId, at));
  if (live) {
    ingest.on('status', (boxId, online, at) => live.publish({ kind: 'status', boxId, online, at }));
    ingest.on('alarm', (boxId, change, alarm, at) => live.publish({ kind: 'alarm', boxId, change, origin: 'box', type: alarm.type, at }));
    ingest.on('message', (boxId, kind, at) => {
      const liveKind = LIVE_KIND[kind];
      if (liveKind) live.publish({ kind: liveKind, boxId, at });
    });
  }
  ingest.on('alarm', (boxId, change, alarm, ingestedAt) => {
    if (alarm.severity !== 'critical' || change === 'updated') return;
    // The alarm's own time: after a WAN outage the box replays hours-old alarms, and the
    // duty leader must not be told they happened now.
    const at = change === 'cleared' ? (alarm.clearedAt ?? alarm.lastRaisedAt) : alarm.lastRaisedAt;
    const replayed = ingestedAt - at > REPLAYED_AFTER_MS ? { replayed: true as const } : {};
    notifier.notify({ change, boxId, origin: 'box', source: alarm.source, type: alarm.type, severity: alarm.severity, cause: alarm.cause, at, ...replayed });
  });
  await rules.start();
  let broker;
  try {
    broker = await startBroker({
      store,
      logger: logger.child({ module: 'broker' }),
      registry,
      clock,
      port: opts.port,
      host: opts.host,
      tls: opts.tls,
      limits: opts.limits,
      onBoxPublish: (boxId, kind, payload) => ingest.handle(boxId, kind, payload),
    });
  } catch (err) {
    await rules.stop();
    throw err;
  }
  link = broker.boxLink;
  return {
    port: broker.port,
    boxLink: broker.boxLink,
    async close() {
      await broker.close();
      await ingest.idle();
      await rules.stop();
      await notifier.close();
    },
  };
}
