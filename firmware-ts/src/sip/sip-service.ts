import { hostname, networkInterfaces } from 'node:os';
import { systemClock, type Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { Gauge, type Metric, type Registry } from 'prom-client';
import type { Config } from '../config/config-schema.js';
import { AgentCall, type CallAgentRequest } from './agent-call.js';
import { AgentDirectory } from './agent-directory.js';
import { DigestAuth } from './digest.js';
import { FeatureCodes, type FeatureCodeHandler } from './feature-codes.js';
import { KeepAlive } from './keep-alive.js';
import { Registrar } from './registrar.js';
import { SipAuth } from './sip-auth.js';
import type { IncomingRequest, Peer, SipEndpoint } from './sip-endpoint.js';
import { userOf } from './sip-uri.js';
import { newTag } from './sip-ids.js';
import { UdpSipEndpoint } from './udp-endpoint.js';

export type { FeatureAction, FeatureCodeHandler, FeatureCodeVerdict } from './feature-codes.js';

export interface SipServiceOptions {
  config: Pick<Config, 'sip' | 'agents'>;
  logger: Logger;
  clock?: Clock;
}

export class AgentNotRegisteredError extends Error {
  constructor(readonly agent: string) {
    super(`agent ${agent} has no registered phone`);
  }
}

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER';

/** A call the service routes in-dialog requests to (a call to an agent, a feature code call). */
interface Dialog {
  readonly callId: string;
  handle(incoming: IncomingRequest): void;
  /** Ends it at once (the service is stopping). */
  shutdown(): void;
}

/**
 * The box's SIP side, one object for the firmware: the registrar for the agents' phones,
 * keep-alive, calls to agents, and the feature codes agents dial. Requests are routed here
 * by method and Call-ID (RFC 3261 section 12.2.2: inside a dialog by its Call-ID and tags,
 * outside by method).
 */
export class SipService {
  readonly agents: AgentDirectory;
  private readonly endpoint: SipEndpoint;
  private readonly auth: SipAuth;
  private readonly registrar: Registrar;
  private readonly featureCodes: FeatureCodes;
  private readonly keepAlive: KeepAlive;
  private readonly dialogs = new Map<string, Dialog>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly registered: Gauge;

  constructor(opts: SipServiceOptions) {
    const { sip, agents } = opts.config;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger;
    this.agents = new AgentDirectory(agents);
    const address = sip.address ?? defaultAddress(sip.bind);
    this.endpoint = new UdpSipEndpoint({ bind: sip.bind, port: sip.port, address, clock: this.clock, logger: this.log });
    const digest = new DigestAuth({ realm: sip.realm ?? hostname(), nonceTtlMs: sip.nonceTtlMs, clock: this.clock, algorithms: sip.digestAlgorithms });
    this.keepAlive = new KeepAlive({ endpoint: this.endpoint, directory: this.agents, clock: this.clock, logger: this.log, intervalMs: sip.keepAliveMs, failures: sip.keepAliveFailures });
    this.auth = new SipAuth({ directory: this.agents, digest, clock: this.clock, logger: this.log, loginFailuresPerMinute: sip.loginFailuresPerMinute });
    this.registrar = new Registrar({
      directory: this.agents,
      auth: this.auth,
      clock: this.clock,
      logger: this.log,
      minExpiresS: sip.minExpiresS,
      maxExpiresS: sip.maxExpiresS,
      onRegistered: (user) => this.keepAlive.registered(user),
    });
    this.featureCodes = new FeatureCodes({
      codes: sip.featureCodes,
      auth: this.auth,
      endpoint: this.endpoint,
      clock: this.clock,
      logger: this.log,
      started: (call) => this.dialogs.set(call.callId, call),
      ended: (call) => this.dialogs.delete(call.callId),
    });
    const directory = this.agents;
    this.registered = new Gauge({
      name: 'countyline_sip_agents_registered',
      help: 'Agents with a registered phone',
      registers: [],
      collect() {
        this.set(directory.list().filter((a) => a.registered).length);
      },
    });
    this.endpoint.onRequest((r) => this.route(r));
  }

  /** The bound SIP port (useful with `sip.port` 0 in tests). */
  get port(): number {
    return this.endpoint.port;
  }

  /** The box's address in Via, Contact and From. */
  get address(): string {
    return this.endpoint.address;
  }

  async start(): Promise<void> {
    await this.endpoint.listen();
    this.keepAlive.start();
  }

  /** Ends calls in progress (CANCEL or BYE), stops keep-alive and unbinds the socket. */
  async stop(): Promise<void> {
    this.keepAlive.stop();
    for (const dialog of [...this.dialogs.values()]) dialog.shutdown();
    this.registrar.stop();
    // Let the CANCELs and BYEs just queued leave before the socket closes.
    await new Promise((resolve) => setImmediate(resolve));
    await this.endpoint.close();
  }

  registerMetrics(registry: Registry): void {
    const metrics: Metric[] = [...this.endpoint.counters, this.auth.loginFailed, this.featureCodes.used, this.registered];
    for (const m of metrics) registry.registerMetric(m);
  }

  /**
   * Installs what decides an agent's feature code (`sip.featureCodes`): login, logout or
   * break. Until one is installed (or after null), a feature code is refused with 403 "feature
   * codes are not enabled on this box", after the agent has authenticated.
   */
  setFeatureCodeHandler(handler: FeatureCodeHandler | null): void {
    this.featureCodes.setHandler(handler);
  }

  /**
   * Rings one agent's phone. Throws AgentNotRegisteredError when the agent has no
   * registration; whether the agent is free is the caller's business (`agents.available()`).
   */
  callAgent(request: CallAgentRequest): AgentCall {
    const agent = this.agents.get(request.agent);
    if (!agent?.registered || !agent.contact || !agent.target) throw new AgentNotRegisteredError(request.agent);
    const call: AgentCall = new AgentCall(request, {
      endpoint: this.endpoint,
      clock: this.clock,
      logger: this.log,
      contact: agent.contact,
      target: agent.target,
      finished: () => this.dialogs.delete(call.callId),
    });
    this.dialogs.set(call.callId, call);
    return call;
  }

  /**
   * Calls a SIP URI outside the office (the city centre's trunk): INVITE to `uri` at `target`,
   * To the same URI, From the caller's number. It ends like a call to an agent.
   */
  callUri(uri: string, target: Peer, request: Omit<CallAgentRequest, 'agent' | 'to'>): AgentCall {
    const call: AgentCall = new AgentCall(
      { ...request, agent: userOf(uri) ?? 'centre', to: uri },
      { endpoint: this.endpoint, clock: this.clock, logger: this.log, contact: uri, target, finished: () => this.dialogs.delete(call.callId) },
    );
    this.dialogs.set(call.callId, call);
    return call;
  }

  private route(incoming: IncomingRequest): void {
    const { request } = incoming;
    const inDialog = Boolean(request.headers.to.params.tag);
    const dialog = this.dialogs.get(request.headers['call-id']);
    if (dialog && inDialog) return dialog.handle(incoming);
    switch (request.method) {
      case 'REGISTER':
        return this.registrar.handle(incoming);
      case 'OPTIONS':
        return incoming.respond(200, 'OK', { headers: { allow: ALLOW, accept: 'application/sdp' } });
      case 'ACK':
        return;
      case 'INVITE': {
        const action = inDialog ? null : this.featureCodes.actionOf(request.uri);
        if (action) return this.featureCodes.handle(incoming, action);
        // Agents do not place calls through the box (yet), only feature codes.
        return incoming.respond(403, 'Forbidden (the box does not place calls for phones)', { toTag: newTag() });
      }
      case 'BYE':
      case 'CANCEL':
        // RFC 3261 sections 15.1.2 and 9.2: no such dialog or transaction.
        return incoming.respond(481, 'Call/Transaction Does Not Exist');
      default:
        // RFC 3261 section 8.2.1: 405 lists what we do take.
        return incoming.respond(405, 'Method Not Allowed', { headers: { allow: ALLOW } });
    }
  }
}

/** The box's first LAN IPv4 address; the bind address when it is a specific one. */
function defaultAddress(bind: string): string {
  if (bind !== '0.0.0.0' && bind !== '::') return bind;
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  return '127.0.0.1';
}
