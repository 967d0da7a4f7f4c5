import type { Clock, TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { AgentDirectory } from './agent-directory.js';
import type { SipAuth } from './sip-auth.js';
import type { IncomingRequest, Peer } from './sip-endpoint.js';
import type { NameAddr, SipRequest } from './sip-message.js';
import { userOf } from './sip-uri.js';

export interface RegistrarOptions {
  directory: AgentDirectory;
  /** Digest authentication, shared with the feature codes (one limiter for both). */
  auth: SipAuth;
  clock: Clock;
  logger: Logger;
  minExpiresS: number;
  maxExpiresS: number;
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
 * The registrar for the configured agents (RFC 3261 section 10.3), behind digest
 * authentication (sip-auth.ts). An agent has one binding: a new Contact replaces the old
 * one, so the phone that registered last is the one that rings.
 */
export class Registrar {
  private readonly bindings = new Map<string, Binding>();

  constructor(private readonly o: RegistrarOptions) {}

  handle(incoming: IncomingRequest): void {
    const user = this.o.auth.authenticate(incoming);
    if (user === null) return;
    // RFC 3261 section 10.3 step 6: the authenticated user may only register its own address.
    const aor = userOf(incoming.request.headers.to.uri);
    if (aor !== user) return incoming.respond(403, `Forbidden (${user} may not register ${aor ?? 'that address'})`);
    this.bind(incoming, user);
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
}

/** Whole seconds from a header or parameter value; null when it is not digits. */
function seconds(v: unknown): number | null {
  const s = String(v).trim();
  if (!/^[0-9]{1,10}$/.test(s)) return null;
  return Math.min(Number(s), 2 ** 32 - 1); // RFC 3261 section 20.19: up to 2**32-1
}
