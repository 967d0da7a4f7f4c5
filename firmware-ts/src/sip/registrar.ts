import type { Clock, TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { AgentDirectory } from './agent-directory.js';
import type { Credentials, DigestAuth } from './digest.js';
import { LoginLimiter } from './login-limiter.js';
import type { IncomingRequest, Peer } from './sip-endpoint.js';
import type { NameAddr, SipRequest } from './sip-message.js';
import { toWire, unquote } from './wire-text.js';

export interface RegistrarOptions {
  directory: AgentDirectory;
  digest: DigestAuth;
  clock: Clock;
  logger: Logger;
  minExpiresS: number;
  maxExpiresS: number;
  loginFailuresPerMinute: number;
  /** Called after each accepted registration or refresh (keep-alive starts counting again). */
  onRegistered?: (user: string) => void;
}

/** RFC 3261 section 10.2.1.1: with no expiry asked, the registrar chooses; an hour, as most do. */
const DEFAULT_EXPIRES_S = 3600;

interface Binding {
  contact: string;
  target: Peer;
  callId: string;
  cseq: number;
  expiresAt: number;
  timer: TimerHandle;
}

/**
 * The registrar for the configured agents (RFC 3261 section 10.3). Everyone is challenged
 * first, known user or not, so the answer to an unauthenticated REGISTER tells nothing about
 * which users exist. An agent has one binding: a new Contact replaces the old one, so the
 * phone that registered last is the one that rings.
 */
export class Registrar {
  readonly loginFailed = new Counter({ name: 'countyline_sip_login_failed_total', help: 'REGISTER requests whose digest credentials failed, by reason', labelNames: ['reason'], registers: [] });
  private readonly bindings = new Map<string, Binding>();
  private readonly limiter: LoginLimiter;

  constructor(private readonly o: RegistrarOptions) {
    this.limiter = new LoginLimiter(o.loginFailuresPerMinute, o.clock);
  }

  handle(incoming: IncomingRequest): void {
    const { request, source } = incoming;
    if (this.limiter.isBlocked(source.address)) return incoming.respond(403, 'Forbidden (too many failed logins; try again in a minute)');
    const credentials = this.credentials(request);
    if (!credentials) return this.challenge(incoming, false);
    const verdict = this.o.digest.verify(credentials, request.method, request.uri, (user) => this.o.directory.password(user));
    if (!verdict.ok && verdict.reason === 'stale') return this.challenge(incoming, true);
    if (!verdict.ok) {
      this.loginFailed.inc({ reason: verdict.reason });
      this.o.logger.info({ source, user: verdict.username, reason: verdict.reason, detail: verdict.detail }, 'SIP login failed');
      if (this.limiter.failed(source.address)) this.o.logger.warn({ source: source.address, limit: this.o.loginFailuresPerMinute }, 'too many failed SIP logins from this address; refusing it for a minute');
      // An unknown user learns it only after answering a challenge (RFC 3261 section 21.4.4).
      if (verdict.reason === 'unknown-user') return incoming.respond(403, 'Forbidden');
      return this.challenge(incoming, false);
    }
    // RFC 3261 section 10.3 step 6: the authenticated user may only register its own address.
    const aor = userOf(request.headers.to.uri);
    if (aor !== verdict.username) return incoming.respond(403, `Forbidden (${verdict.username} may not register ${aor ?? 'that address'})`);
    this.bind(incoming, verdict.username);
  }

  /** Forgets every binding (the service is stopping). */
  stop(): void {
    for (const b of this.bindings.values()) this.o.clock.clearTimeout(b.timer);
    this.bindings.clear();
  }

  private bind(incoming: IncomingRequest, user: string): void {
    const { request, source } = incoming;
    const h = request.headers;
    const now = this.o.clock.now();
    const current = this.bindings.get(user);
    const headerExpires = h.expires === undefined ? undefined : seconds(h.expires);
    if (headerExpires === null) return incoming.respond(400, 'Bad Request (Expires is not a number of seconds)');
    const contacts = h.contact;
    if (contacts === '*') {
      // RFC 3261 section 10.3 step 6: "*" only with Expires: 0.
      if (headerExpires !== 0) return incoming.respond(400, 'Bad Request (Contact: * needs Expires: 0)');
      if (current && !this.inOrder(current, request)) return incoming.respond(500, 'Server Internal Error (CSeq out of order)');
      this.remove(user);
      return this.ok(incoming, user);
    }
    if (!contacts || contacts.length === 0) return this.ok(incoming, user); // a query: the bindings as they are
    // The last Contact listed is the one kept (one binding per agent).
    const contact = contacts[contacts.length - 1]!;
    const asked = contact.params.expires !== undefined ? seconds(contact.params.expires) : (headerExpires ?? DEFAULT_EXPIRES_S);
    if (asked === null) return incoming.respond(400, 'Bad Request (the Contact expires parameter is not a number of seconds)');
    const uri = contact.uri;
    if (current && current.callId === h['call-id'] && !this.inOrder(current, request)) return incoming.respond(500, 'Server Internal Error (CSeq out of order)');
    if (asked === 0) {
      if (current?.contact === uri) this.remove(user);
      return this.ok(incoming, user);
    }
    // RFC 3261 section 10.3 step 7: too short is refused with the shortest we take.
    if (asked < this.o.minExpiresS) return incoming.respond(423, 'Interval Too Brief', { headers: { 'min-expires': this.o.minExpiresS } });
    const expires = Math.min(asked, this.o.maxExpiresS);
    if (current) this.o.clock.clearTimeout(current.timer);
    const expiresAt = now + expires * 1000;
    const timer = this.o.clock.setTimeout(() => {
      this.bindings.delete(user);
      this.o.directory.unbind(user);
      this.o.logger.info({ user, contact: uri }, 'SIP registration expired');
    }, expires * 1000);
    this.bindings.set(user, { contact: uri, target: source, callId: h['call-id'], cseq: h.cseq.seq, expiresAt, timer });
    if (!current || current.contact !== uri) this.o.logger.info({ user, contact: uri, source, expires }, 'SIP agent registered');
    this.o.directory.bind(user, uri, source, expiresAt);
    this.o.onRegistered?.(user);
    this.ok(incoming, user);
  }

  /** 200 with the agent's current binding and its remaining time (RFC 3261 section 10.3 step 8). */
  private ok(incoming: IncomingRequest, user: string): void {
    const b = this.bindings.get(user);
    const left = b ? Math.max(0, Math.round((b.expiresAt - this.o.clock.now()) / 1000)) : 0;
    const contact: NameAddr[] | undefined = b ? [{ uri: b.contact, params: { expires: String(left) } }] : undefined;
    incoming.respond(200, 'OK', { headers: { ...(contact && { contact }), date: new Date(this.o.clock.now()).toUTCString() } });
  }

  private challenge(incoming: IncomingRequest, stale: boolean): void {
    incoming.respond(401, 'Unauthorized', { headers: { 'www-authenticate': this.o.digest.challenges(stale).map((c) => ({ ...c, realm: toWire(c.realm) })) } });
  }

  /** RFC 3261 section 10.3 step 7: a request of the same Call-ID must have a higher CSeq. */
  private inOrder(current: Binding, request: SipRequest): boolean {
    return current.callId !== request.headers['call-id'] || request.headers.cseq.seq > current.cseq;
  }

  private remove(user: string): void {
    const b = this.bindings.get(user);
    if (!b) return;
    this.o.clock.clearTimeout(b.timer);
    this.bindings.delete(user);
    this.o.directory.unbind(user);
    this.o.logger.info({ user, contact: b.contact }, 'SIP agent unregistered');
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

/** Whole seconds from a header or parameter value; null when it is not digits. */
function seconds(v: unknown): number | null {
  const s = String(v).trim();
  if (!/^[0-9]{1,10}$/.test(s)) return null;
  return Math.min(Number(s), 2 ** 32 - 1); // RFC 3261 section 20.19: up to 2**32-1
}

function userOf(uri: string): string | null {
  const m = /^sips?:([^@;:?]+)@/i.exec(uri);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!.replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
  } catch {
    return null; // escapes that are not UTF-8 (%C3 alone): no user of ours
  }
}
