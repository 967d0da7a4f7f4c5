import { hostname, networkInterfaces } from 'node:os';
import { systemClock, type Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { Config } from '../config/config-schema.js';
import { AgentCall, type CallAgentRequest } from './agent-call.js';
import { AgentDirectory } from './agent-directory.js';
import { DigestAuth } from './digest.js';
import { KeepAlive } from './keep-alive.js';
import { Registrar } from './registrar.js';
import type { IncomingRequest, SipEndpoint } from './sip-endpoint.js';
import { UdpSipEndpoint } from './udp-endpoint.js';

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

/**
 * The box's SIP side, one object for the firmware: the registrar for the agents' phones,
 * keep-alive, and calls to agents. Requests are routed here by method and Call-ID (RFC
 * 3261 section 12.2.2: inside a dialog by its Call-ID and tags, outside by method).
 */
export class SipService {
  readonly agents: AgentDirectory;
  private readonly endpoint: SipEndpoint;
  private readonly registrar: Registrar;
  private readonly keepAlive: KeepAlive;
  private readonly calls = new Map<string, AgentCall>();
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
    this.registrar = new Registrar({
      directory: this.agents,
      digest,
      clock: this.clock,
      logger: this.log,
      minExpiresS: sip.minExpiresS,
      maxExpiresS: sip.maxExpiresS,
      loginFailuresPerMinute: sip.loginFailuresPerMinute,
      onRegistered: (user) => this.keepAlive.registered(user),
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
    for (const call of [...this.calls.values()]) call.shutdown();
    this.registrar.stop();
    // Let the CANCELs and BYEs just queued leave before the socket closes.
    await new Promise((resolve) => setImmediate(resolve));
    await this.endpoint.close();
  }

  registerMetrics(registry: Registry): void {
    for (const c of [...this.endpoint.counters, this.registrar.loginFailed, this.registered]) registry.registerMetric(c);
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
      finished: () => this.calls.delete(call.callId),
    });
    this.calls.set(call.callId, call);
    return call;
  }

  private route(incoming: IncomingRequest): void {
    const { request } = incoming;
    const call = this.calls.get(request.headers['call-id']);
    if (call && request.headers.to.params.tag) return call.handle(incoming);
    switch (request.method) {
      case 'REGISTER':
        return this.registrar.handle(incoming);
      case 'OPTIONS':
        return incoming.respond(200, 'OK', { headers: { allow: ALLOW, accept: 'application/sdp' } });
      case 'ACK':
        return;
      case 'INVITE':
        // Agents do not place calls through the box (yet).
        return incoming.respond(403, 'Forbidden (the box does not place calls for phones)');
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
