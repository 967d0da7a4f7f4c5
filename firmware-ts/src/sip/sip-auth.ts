import type { Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { AgentDirectory } from './agent-directory.js';
import type { Credentials, DigestAuth } from './digest.js';
import { LoginLimiter } from './login-limiter.js';
import type { IncomingRequest } from './sip-endpoint.js';
import type { SipRequest } from './sip-message.js';
import { toWire, unquote } from './wire-text.js';

export interface SipAuthOptions {
  directory: AgentDirectory;
  digest: DigestAuth;
  clock: Clock;
  logger: Logger;
  loginFailuresPerMinute: number;
}

/**
 * Digest authentication of an agent's request, one gate for every request the box
 * challenges (REGISTER, and the INVITE of a feature code): one nonce source, one failure
 * counter and one limiter, so guessing a password through INVITEs costs what it costs
 * through REGISTERs. Everyone is challenged first, known user or not, so the answer to an
 * unauthenticated request tells nothing about which users exist. The box is the UAS here, so
 * it challenges with 401 and WWW-Authenticate (RFC 3261 section 22.2), not 407.
 */
export class SipAuth {
  readonly loginFailed = new Counter({ name: 'countyline_sip_login_failed_total', help: 'REGISTER and feature-code INVITE requests whose digest credentials failed, by reason', labelNames: ['reason'], registers: [] });
  private readonly limiter: LoginLimiter;

  constructor(private readonly o: SipAuthOptions) {
    this.limiter = new LoginLimiter(o.loginFailuresPerMinute, o.clock);
  }

  /**
   * The authenticated agent, or null when the request has been answered already (403 for a
   * blocked address or an unknown user, 401 with a challenge otherwise). `toTag` goes on
   * those answers: a final response to an INVITE carries one (RFC 3261 section 8.2.6.2).
   */
  authenticate(incoming: IncomingRequest, toTag?: string): string | null {
    const { request, source } = incoming;
    if (this.limiter.isBlocked(source.address)) {
      incoming.respond(403, 'Forbidden (too many failed logins; try again in a minute)', { toTag });
      return null;
    }
    const credentials = this.credentials(request);
    if (!credentials) return this.challenge(incoming, false, toTag);
    const verdict = this.o.digest.verify(credentials, request.method, request.uri, (user) => this.o.directory.password(user));
    if (verdict.ok) return verdict.username;
    if (verdict.reason === 'stale') return this.challenge(incoming, true, toTag);
    this.loginFailed.inc({ reason: verdict.reason });
    this.o.logger.info({ source, method: request.method, user: verdict.username, reason: verdict.reason, detail: verdict.detail }, 'SIP login failed');
    if (this.limiter.failed(source.address)) this.o.logger.warn({ source: source.address, limit: this.o.loginFailuresPerMinute }, 'too many failed SIP logins from this address; refusing it for a minute');
    // An unknown user learns it only after answering a challenge (RFC 3261 section 21.4.4).
    if (verdict.reason === 'unknown-user') {
      incoming.respond(403, 'Forbidden', { toTag });
      return null;
    }
    return this.challenge(incoming, false, toTag);
  }

  private challenge(incoming: IncomingRequest, stale: boolean, toTag: string | undefined): null {
    incoming.respond(401, 'Unauthorized', { toTag, headers: { 'www-authenticate': this.o.digest.challenges(stale).map((c) => ({ ...c, realm: toWire(c.realm) })) } });
    return null;
  }

  /** The Digest Authorization header for our realm, its parameters unquoted; null when none. */
  private credentials(request: SipRequest): Credentials | null {
    const headers = request.headers.authorization;
    if (!Array.isArray(headers)) return null;
    for (const h of headers) {
      if (typeof h !== 'object' || h === null) continue;
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(h as Record<string, unknown>)) if (typeof v === 'string') params[k.toLowerCase()] = k === 'scheme' ? v : unquote(v);
      if (params.scheme?.toLowerCase() !== 'digest' || params.realm !== this.o.digest.realm) continue;
      return params;
    }
    return null;
  }
}
