import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { BoxKind } from '@countyline/firmware/telemetry';
import { hashPassword, newSecret, verifyPassword } from '../auth/secrets.js';
import type { Store } from '../store/store.js';
import { decideLogin, decidePublish, decideSubscribe, type Refusal } from './acl.js';
import { AedesBoxLink } from './aedes-box-link.js';
import { brokerMetrics } from './broker-metrics.js';
import { ConnectLimiter } from './connect-limiter.js';
import { guardFrames } from './frame-guard.js';

export interface BrokerLimits {
  /** Connection attempts per remote address: refill per second, and the burst (token bucket). Defaults 20 and 200. */
  connectsPerSecond?: number;
  connectBurst?: number;
  /** Open connections at most (sockets, authenticated or not); default 10,000. */
  maxConnections?: number;
  /** Largest MQTT packet, header included; default 1 MiB. */
  maxPacketBytes?: number;
  /** A client whose socket does not drain within this is dropped (aedes drainTimeout); default 30 s. */
  drainTimeoutMs?: number;
  /** CONNECT must arrive within this after the socket opens; default 10 s. */
  connectTimeoutMs?: number;
  /**
   * Open sockets from one remote address at most (logged in or not); default 50. A site's
   * boxes each have their own address; a bench running many boxes on one host raises it.
   */
  maxConnectionsPerAddress?: number;
}

export interface BrokerOptions {
  store: Store;
  logger: Logger;
  registry: Registry;
  clock: { now(): number };
  /** 0 takes a free port; `port` on the result says which. */
  port: number;
  host?: string;
  /** PEM key and certificate: the broker speaks MQTT over TLS (mqtts) instead of plain TCP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  limits?: BrokerLimits;
  /**
   * Every publish a box may make, before the broker acknowledges it: the PUBACK goes out
   * only once this resolves, so a box deletes a message from its outbox only after central
   * has it. A rejection drops the box's connection unacknowledged (the box sends it again).
   * Resolving to 'rejected' (ingest refused the payload) acknowledges it but never keeps it
   * as the topic's retained message.
   */
  onBoxPublish(boxId: string, kind: BoxKind, payload: Buffer): Promise<unknown>;
  /** Checks a password against a stored hash (tests watch it); default secrets.ts verifyPassword. */
  verifyPassword?: (password: string, stored: string) => Promise<boolean>;
}

export interface MqttBroker {
  port: number;
  boxLink: AedesBoxLink;
  /** The payload the broker holds retained on `topic` (exact, no wildcards); null: none. */
  retained(topic: string): Promise<Buffer | null>;
  close(): Promise<void>;
}

// MQTT 3.1.1 3.2.2.3 CONNACK return codes.
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;

/**
 * Central's embedded MQTT broker (aedes 1.x, MQTT 3.1.1), with the box access rules of
 * acl.ts as its hooks. Each refusal is logged with the box (or address) and counted by
 * reason. A refused publish closes the connection: MQTT 3.1.1 3.3.5 has no way to say no to
 * a publish but to drop it or the client, and dropping it silently would hide the fault.
 * A refused subscription is answered 0x80 in the SUBACK (3.9.3).
 */
export async function startBroker(opts: BrokerOptions): Promise<MqttBroker> {
  const limits = opts.limits ?? {};
  const log = opts.logger;
  const maxConnections = limits.maxConnections ?? 10_000;
  const maxPacketBytes = limits.maxPacketBytes ?? 1024 * 1024;
  const limiter = new ConnectLimiter({ perSecond: limits.connectsPerSecond ?? 20, burst: limits.connectBurst ?? 200 });
  const maxPerAddress = limits.maxConnectionsPerAddress ?? 50;
  const verify = opts.verifyPassword ?? verifyPassword;
  // An unknown box is checked against this hash of a secret nobody holds, so it costs the
  // same scrypt as a known box with a wrong password: the CONNACK's timing does not tell
  // whether a box id exists.
  const dummyHash = await hashPassword(newSecret());
  let closing = false;

  const aedes = await Aedes.createBroker({
    drainTimeout: limits.drainTimeoutMs ?? 30_000,
    connectTimeout: limits.connectTimeoutMs ?? 10_000,
    // Box ids go up to 64 characters (topics.ts); aedes holds MQTT 3.1's 23 by default.
    maxClientsIdLength: 64,
  });
  const boxLink = new AedesBoxLink(aedes);
  const metrics = brokerMetrics(opts.registry, boxLink);

  const refuse = (reason: Refusal, fields: Record<string, unknown>, what: string) => {
    metrics.refused.inc({ reason });
    log.warn({ reason, ...fields }, `${what} refused: ${reason}`);
  };
  const addressOf = (client: Client) => (client.conn as Socket).remoteAddress ?? 'unknown';
  const authError = (message: string, returnCode: number) => Object.assign(new Error(message), { returnCode }) as AuthenticateError;

  aedes.preConnect = (client, _packet, callback) => {
    const address = addressOf(client);
    if (!limiter.take(address, opts.clock.now())) {
      refuse('rate-limited', { address }, 'connection');
      return callback(new Error(`too many connection attempts from ${address}`), false);
    }
    callback(null, true);
  };

  aedes.authenticate = (client, username, password, done) => {
    const box = { box: username, clientId: client.id, address: addressOf(client) };
    const login = decideLogin(client.id, username);
    if (!login.ok) {
      refuse(login.reason, box, 'login');
      return done(authError(login.reason, login.reason === 'client-id-mismatch' ? IDENTIFIER_REJECTED : BAD_USERNAME_OR_PASSWORD), false);
    }
    opts.store
      .boxCredential(username!)
      .then(async (hash) => {
        const matches = await verify(password?.toString('utf8') ?? '', hash ?? dummyHash);
        return hash !== null && password !== undefined && matches;
      })
      .then(
        (ok) => {
          if (ok) return done(null, true);
          // Unknown box and wrong password read the same to the client, and take the same scrypt, so ids cannot be probed.
          refuse('bad-credentials', box, 'login');
          done(authError('bad user name or password', BAD_USERNAME_OR_PASSWORD), false);
        },
        (err: unknown) => {
          log.error({ ...box, err }, 'login failed: the store did not answer');
          done(authError('server unavailable', SERVER_UNAVAILABLE), false);
        },
      );
  };

  aedes.authorizePublish = (client, packet, callback) => {
    // A null client is a will aedes found in persistence with its client gone: nobody to check it against.
    if (client === null) {
      refuse('no-client', { topic: packet.topic }, 'publish');
      return callback(new Error('publish without a client'));
    }
    const decision = decidePublish(client.id, packet.topic, packet.retain);
    if (!decision.ok) {
      refuse(decision.reason, { box: client.id, topic: packet.topic, retain: packet.retain }, 'publish');
      return callback(new Error(`publish to ${packet.topic} refused: ${decision.reason}`));
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    opts.onBoxPublish(client.id, decision.kind, payload).then(
      (outcome) => {
        // Garbage must not become the retained status a late subscriber reads.
        if (outcome === 'rejected') packet.retain = false;
        callback(null);
      },
      (err: Error) => callback(err),
    );
  };

  aedes.authorizeSubscribe = (client, sub, callback) => {
    const decision = decideSubscribe(client.id, sub.topic);
    if (!decision.ok) {
      refuse(decision.reason, { box: client.id, topic: sub.topic }, 'subscription');
      return callback(null, null);
    }
    callback(null, sub);
  };

  aedes.on('clientError', (client, err) => log.info({ box: client.id, err: err.message }, 'client dropped'));
  aedes.on('connectionError', (client, err) => log.info({ address: addressOf(client), err: err.message }, 'connection dropped before login'));

  const sockets = new Set<Socket>();
  // Open sockets per remote address: one host holding idle sockets that never send CONNECT
  // would otherwise fill maxConnections and lock every box out.
  const perAddress = new Map<string, number>();
  const onConnection = (socket: Socket) => {
    if (closing) return void socket.destroy();
    const address = socket.remoteAddress ?? 'unknown';
    if (sockets.size >= maxConnections) {
      refuse('too-many-connections', { address, open: sockets.size }, 'connection');
      socket.destroy();
      return;
    }
    const fromAddress = perAddress.get(address) ?? 0;
    if (fromAddress >= maxPerAddress) {
      refuse('too-many-from-address', { address, open: fromAddress }, 'connection');
      socket.destroy();
      return;
    }
    sockets.add(socket);
    perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      sockets.delete(socket);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
    guardFrames(socket, maxPacketBytes, (why) => refuse('packet-too-large', { address: socket.remoteAddress, box: (socket as Socket & { client?: Client }).client?.id, why }, 'packet'));
    aedes.handle(socket);
  };
  const server: Server = opts.tls ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, onConnection) : createServer(onConnection);
  server.on('error', (err) => log.error({ err }, 'MQTT listener error'));
  server.on('tlsClientError', (err: Error, socket: Socket) => log.info({ address: socket.remoteAddress, err: err.message }, 'TLS handshake failed'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, tls: Boolean(opts.tls) }, `MQTT broker listening on ${port}${opts.tls ? ' (TLS)' : ''}`);

  // aedes 1.x does not declare its persistence on the instance; it is aedes-persistence's.
  const persistence = (aedes as unknown as { persistence: { createRetainedStream(pattern: string): Readable } }).persistence;

  return {
    port,
    boxLink,
    async retained(topic) {
      for await (const packet of persistence.createRetainedStream(topic)) return Buffer.from((packet as { payload: Buffer | string }).payload);
      return null;
    },
    async close() {
      if (closing) return;
      closing = true;
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await serverClosed;
    },
  };
}
