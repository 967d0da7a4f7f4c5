import { readFileSync } from 'node:fs';
import { TypedEmitter, type Clock, type TimerHandle } from '@countyline/e1-gateway';
import { connect as mqttConnect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { Backoff } from './backoff.js';
import type { Outbox, OutboxEntry } from './outbox.js';
import { SCHEMA_VERSION, type BoxKind, type Status } from './schema.js';
import { boxTopic, desiredConfigTopic, TOPIC_ROOT } from './topics.js';

export type LinkState = 'connecting' | 'connected' | 'stopped';

export interface MqttLinkOptions {
  /** mqtt://host:port or mqtts://host:port. */
  url: string;
  boxId: string;
  password: string;
  /** PEM of the CA that signed the broker's certificate (mqtts). */
  caFile?: string;
  outbox: Outbox;
  clock: Clock;
  logger: Logger;
  /** Reconnect delays; default 1 s doubling up to 60 s, full jitter. */
  backoff?: Backoff;
  /** mqtt.js's connect unless a test replaces it. */
  connect?: (url: string, options: IClientOptions) => MqttClient;
}

export interface MqttLinkEvents {
  /** A connection is up: the retained status says online, the subscriptions are asked for. */
  connected: (bdSeq: number) => void;
  /** The connection went; a reconnect follows after the backoff. */
  disconnected: () => void;
  /** A message from central (a command or the desired config). */
  message: (topic: string, payload: Buffer) => void;
  /** The broker acknowledged a message. */
  published: (kind: BoxKind) => void;
  /** The broker closed the connection while a message waited for its PUBACK. */
  refused: (kind: BoxKind, seq: number) => void;
  /** A connection could not even be attempted (the CA file, the outbox, the client's options); retried after the backoff. */
  'open-failed': (reason: OpenFailure) => void;
}

/** ca-file: central.caFile unreadable; outbox: the bdSeq not written; client: the MQTT client refused the options. */
export type OpenFailure = 'ca-file' | 'outbox' | 'client';

/**
 * The box's MQTT connection to central: MQTT 3.1.1 (aedes 1.x speaks no MQTT 5), a clean
 * session each time (the outbox on disk is the store, so the library keeps no queue of its
 * own: `queueQoSZero` off, nothing published while offline), and its own reconnect with
 * backoff (`reconnectPeriod: 0` on the library).
 *
 * On each connection: a new bdSeq (on disk first), the retained `status` online (the will
 * says offline), the subscriptions to `cmd/+` and `config/desired`, then the outbox drains
 * one message at a time, strictly in seq order: the next goes only after the PUBACK of the
 * one before.
 *
 * Under MQTT 3.1.1 a broker cannot say "not authorised" to a PUBLISH: it closes the
 * connection [MQTT-3.3.5-2]. A connection closed while a message waits for its PUBACK (and no
 * socket error seen) is counted as a refusal and logged, and the message goes again, first,
 * after the reconnect: never dropped. Central also closes the connection unacknowledged when
 * it cannot store a message (its database restarting, central itself restarting), so a close
 * says nothing about the message; the backoff (reset only by a PUBACK) keeps the retries slow.
 * The one message a broker always refuses, one over its packet limit, never enters the
 * outbox (Outbox.create).
 *
 * Nothing that fails while a connection is set up (the CA file unreadable, the outbox
 * unwritable) escapes as a rejection: it is logged, counted (`open-failed`) and retried after
 * the backoff like a failed connection.
 */
export class MqttLink extends TypedEmitter<MqttLinkEvents> {
  private client: MqttClient | null = null;
  private generation = 0;
  private current: LinkState = 'connecting';
  private inFlight: OutboxEntry | null = null;
  private bdSeq = 0;
  private reconnectTimer: TimerHandle | null = null;
  private socketError: Error | null = null;
  private lastAck: number | null = null;
  private readonly backoff: Backoff;
  private readonly onReady = () => this.drain();

  constructor(private readonly o: MqttLinkOptions) {
    super();
    this.backoff = o.backoff ?? new Backoff();
  }

  get state(): LinkState {
    return this.current;
  }

  /** When the broker last acknowledged a message (ms since the epoch), or null. */
  get lastPubackAt(): number | null {
    return this.lastAck;
  }

  start(): void {
    this.o.outbox.on('ready', this.onReady);
    void this.open();
  }

  /**
   * Says offline (retained) and disconnects cleanly; what waits in the outbox stays there for
   * the next start. Gives the broker up to `timeoutMs` to take the status.
   */
  async stop(timeoutMs = 2000): Promise<void> {
    const wasConnected = this.current === 'connected';
    this.current = 'stopped';
    this.generation++;
    this.o.outbox.off('ready', this.onReady);
    if (this.reconnectTimer) this.o.clock.clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (wasConnected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        client.publish(this.statusTopic, this.status(false), { qos: 1, retain: true }, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await new Promise<void>((resolve) => client.end(!wasConnected, {}, () => resolve()));
  }

  private get statusTopic(): string {
    return boxTopic(this.o.boxId, 'status');
  }

  /** `status` takes no seq of its own: it carries the latest created (schema.ts, StatusPayload). */
  private status(online: boolean): string {
    const status: Status = { v: SCHEMA_VERSION, seq: this.o.outbox.seq, ts: this.o.clock.now(), bdSeq: this.bdSeq, online };
    return JSON.stringify(status);
  }

  /** Never rejects: a failure is logged, counted and retried (a rejection here would end the process). */
  private async open(): Promise<void> {
    const generation = ++this.generation;
    try {
      this.bdSeq = await this.o.outbox.nextConnection();
    } catch (err) {
      this.openFailed(generation, 'outbox', { err: (err as Error).message }, 'telemetry: cannot note the connection in the outbox (see the outbox error before); not connecting');
      return;
    }
    if (generation !== this.generation) return;
    let ca: Buffer | undefined;
    if (this.o.caFile) {
      try {
        ca = readFileSync(this.o.caFile);
      } catch (err) {
        this.openFailed(
          generation,
          'ca-file',
          { err: (err as Error).message, caFile: this.o.caFile },
          "telemetry: cannot read central.caFile; put the PEM of the CA that signed central's broker certificate there, readable by the firmware, or remove central.caFile to use the system's CAs",
        );
        return;
      }
    }
    const options: IClientOptions = {
      protocolVersion: 4,
      clientId: this.o.boxId,
      username: this.o.boxId,
      password: this.o.password,
      clean: true,
      reconnectPeriod: 0,
      queueQoSZero: false,
      resubscribe: false,
      connectTimeout: 30_000,
      keepalive: 60,
      will: { topic: this.statusTopic, payload: Buffer.from(this.status(false)), qos: 1, retain: true },
      ...(ca ? { ca } : {}),
    };
    this.socketError = null;
    this.current = 'connecting';
    let client: MqttClient;
    try {
      client = this.client = (this.o.connect ?? mqttConnect)(this.o.url, options);
    } catch (err) {
      this.openFailed(generation, 'client', { err: (err as Error).message, url: this.o.url }, 'telemetry: the MQTT client refused to connect to central.url; check it');
      return;
    }
    client.on('connect', () => this.connected(generation, client));
    client.on('message', (topic, payload) => {
      if (generation === this.generation) this.emit('message', topic, payload);
    });
    client.on('error', (err) => {
      if (generation !== this.generation) return;
      this.socketError = err;
      const code = (err as { code?: unknown }).code;
      // CONNACK return codes 4 and 5 (MQTT 3.1.1 3.2.2.3): the broker does not take our credentials.
      if (code === 4 || code === 5) this.o.logger.error({ err: err.message, code, boxId: this.o.boxId, url: this.o.url }, 'telemetry: central refused the box id or password; check central.boxId and central.password (countyline provision writes them)');
      else this.o.logger.warn({ err: err.message, code, url: this.o.url }, 'telemetry: connection to central failed');
    });
    client.on('close', () => this.closed(generation, client));
  }

  private connected(generation: number, client: MqttClient): void {
    if (generation !== this.generation) return;
    this.current = 'connected';
    this.o.logger.info({ url: this.o.url, bdSeq: this.bdSeq }, 'telemetry: connected to central');
    // Sent in this order on the one socket: the broker has the status before anything else.
    client.publish(this.statusTopic, this.status(true), { qos: 1, retain: true });
    const root = `${TOPIC_ROOT}/${this.o.boxId}`;
    client.subscribe({ [`${root}/cmd/+`]: { qos: 1 }, [desiredConfigTopic(this.o.boxId)]: { qos: 1 } }, (err) => {
      if (err) this.o.logger.error({ err: err.message }, 'telemetry: central refused the subscription to commands');
    });
    this.emit('connected', this.bdSeq);
    this.drain();
  }

  private drain(): void {
    const client = this.client;
    if (this.current !== 'connected' || !client || this.inFlight) return;
    const entry = this.o.outbox.take();
    if (!entry) return;
    this.inFlight = entry;
    const generation = this.generation;
    client.publish(entry.topic, JSON.stringify(entry.payload), { qos: 1 }, (err) => {
      // An error here is the connection going before the PUBACK: closed() puts the message back.
      if (err || generation !== this.generation || this.inFlight !== entry) return;
      this.inFlight = null;
      this.lastAck = this.o.clock.now();
      // Only a PUBACK shows the connection works: a broker that takes the connection and then
      // closes it on each message is not retried faster and faster.
      this.backoff.reset();
      this.emit('published', entry.kind);
      void this.o.outbox.ack(entry.seq);
      this.drain();
    });
  }

  private closed(generation: number, client: MqttClient): void {
    if (generation !== this.generation) return;
    this.generation++;
    client.removeAllListeners('message');
    client.end(true);
    if (this.client === client) this.client = null;
    const entry = this.inFlight;
    this.inFlight = null;
    const wasConnected = this.current === 'connected';
    if (entry) {
      this.o.outbox.release(entry.seq);
      if (!this.socketError) this.refused(entry);
    }
    if (wasConnected) this.emit('disconnected');
    this.current = 'connecting';
    this.o.logger.info({ inMs: this.retry() }, 'telemetry: connection to central closed; reconnecting');
  }

  private openFailed(generation: number, reason: OpenFailure, details: Record<string, unknown>, message: string): void {
    if (generation !== this.generation) return;
    this.current = 'connecting';
    this.emit('open-failed', reason);
    this.o.logger.error({ ...details, retryInMs: this.retry() }, message);
  }

  /** The next attempt after the backoff; returns the delay. */
  private retry(): number {
    const delay = this.backoff.next();
    this.reconnectTimer = this.o.clock.setTimeout(() => {
      this.reconnectTimer = null;
      void this.open();
    }, delay);
    return delay;
  }

  private refused(entry: OutboxEntry): void {
    this.emit('refused', entry.kind, entry.seq);
    this.o.logger.error(
      { kind: entry.kind, seq: entry.seq, topic: entry.topic },
      'telemetry: central closed the connection on a message (a refused publish under MQTT 3.1.1, or central unable to store it); sending it again after the reconnect',
    );
  }
}
