import { randomInt } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { FeatureCodeCall } from './feature-code-call.js';
import { noMediaSdp } from './sdp.js';
import type { SipAuth } from './sip-auth.js';
import type { IncomingRequest, SipEndpoint } from './sip-endpoint.js';
import { newTag } from './sip-ids.js';
import { userOf } from './sip-uri.js';
import { quotedString } from './wire-text.js';

/** What an agent asks for by dialling a feature code. */
export type FeatureAction = 'login' | 'logout' | 'break';

/** The firmware's answer: done, or refused with a reason the phone shows (English). */
export type FeatureCodeVerdict = { ok: true } | { ok: false; reason: string };

/** Policy hook the firmware installs (the ACD decides); none installed: feature codes are off. */
export type FeatureCodeHandler = (user: string, action: FeatureAction) => FeatureCodeVerdict;

/** How a feature code INVITE ended (the `result` label of the counter). */
export type FeatureCodeResult = 'ok' | 'refused' | 'not-enabled' | 'forbidden' | 'unacceptable' | 'failed';

export interface FeatureCodesOptions {
  /** The dialled number of each action (`sip.featureCodes`). */
  codes: Readonly<Record<FeatureAction, string>>;
  auth: SipAuth;
  endpoint: SipEndpoint;
  clock: Clock;
  logger: Logger;
  /** A feature code call was answered: its in-dialog requests go to it until `ended`. */
  started: (call: FeatureCodeCall) => void;
  ended: (call: FeatureCodeCall) => void;
}

/** Reason phrases are ASCII and short (a phone shows them on one line). */
const MAX_PHRASE = 100;

/**
 * Agents log in, log out and take a break by dialling a code from their phone, as on any
 * ACD. The INVITE is authenticated like a REGISTER (digest, RFC 3261 section 22.2) and must
 * come from the agent who authenticated; the firmware's handler then decides. Done: 200 with
 * an SDP answer that takes no media, and a BYE right after the ACK, so the phone shows a
 * short call that ended. Refused: 403 whose reason phrase says why, the full text in a
 * Warning (RFC 3261 section 20.43, code 399: miscellaneous).
 */
export class FeatureCodes {
  readonly used = new Counter({
    name: 'countyline_sip_feature_codes_total',
    help: 'Feature codes dialled by agents, by action and result (ok, refused by the box, not-enabled, forbidden: From is not the agent, unacceptable: SDP offer, failed)',
    labelNames: ['action', 'result'],
    registers: [],
  });
  private handler: FeatureCodeHandler | null = null;
  private readonly actions: ReadonlyMap<string, FeatureAction>;

  constructor(private readonly o: FeatureCodesOptions) {
    this.actions = new Map(Object.entries(o.codes).map(([action, code]) => [code, action as FeatureAction]));
  }

  /** Installs the handler; null turns feature codes off again. */
  setHandler(handler: FeatureCodeHandler | null): void {
    this.handler = handler;
  }

  /** The action an INVITE's Request-URI asks for, or null: not a feature code. */
  actionOf(requestUri: string): FeatureAction | null {
    const user = userOf(requestUri);
    return user === null ? null : (this.actions.get(user) ?? null);
  }

  /** An INVITE outside any dialog whose Request-URI is the code of `action`. */
  handle(incoming: IncomingRequest, action: FeatureAction): void {
    // One tag for every final answer of this INVITE (RFC 3261 section 8.2.6.2).
    const toTag = newTag();
    const user = this.o.auth.authenticate(incoming, toTag);
    if (user === null) return;
    const { request, source } = incoming;
    const from = userOf(request.headers.from.uri);
    if (from !== user) return this.refuse(incoming, toTag, user, action, 'forbidden', `${user} may not dial feature codes as ${from ?? 'that caller'}`);
    const handler = this.handler;
    if (!handler) return this.refuse(incoming, toTag, user, action, 'not-enabled', 'feature codes are not enabled on this box');
    const sessionId = randomInt(1, 2 ** 31);
    const sdp = noMediaSdp(request.content, this.o.endpoint.address, sessionId);
    if (!sdp.ok) return this.refuse(incoming, toTag, user, action, 'unacceptable', sdp.reason, 488, 'Not Acceptable Here');
    let verdict: FeatureCodeVerdict;
    try {
      verdict = handler(user, action);
    } catch (err) {
      this.count(user, action, 'failed', source, (err as Error).message);
      this.o.logger.error({ err, user, action }, 'the feature code handler failed');
      return incoming.respond(500, 'Server Internal Error', { toTag });
    }
    if (!verdict.ok) return this.refuse(incoming, toTag, user, action, 'refused', verdict.reason);
    this.count(user, action, 'ok', source);
    const contact = request.headers.contact;
    const local = { ...request.headers.to, params: { ...request.headers.to.params, tag: toTag } };
    incoming.respond(200, 'OK', {
      toTag,
      headers: { contact: [{ uri: `sip:countyline@${this.o.endpoint.address}:${this.o.endpoint.port}`, params: {} }], 'content-type': 'application/sdp' },
      content: sdp.sdp,
    });
    const call: FeatureCodeCall = new FeatureCodeCall(
      {
        callId: request.headers['call-id'],
        local,
        remote: request.headers.from,
        // RFC 3261 section 12.1.1: the remote target is the INVITE's Contact; a phone that sent
        // none (it must, 8.1.1.8) is reached at its From URI.
        remoteTarget: Array.isArray(contact) && contact[0] ? contact[0].uri : request.headers.from.uri,
        peer: source,
        user,
      },
      { endpoint: this.o.endpoint, clock: this.o.clock, logger: this.o.logger, finished: () => this.o.ended(call) },
    );
    this.o.started(call);
  }

  private refuse(incoming: IncomingRequest, toTag: string, user: string, action: FeatureAction, result: FeatureCodeResult, text: string, status = 403, phrase = 'Forbidden'): void {
    this.count(user, action, result, incoming.source, text);
    const ascii = text.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_PHRASE);
    incoming.respond(status, `${phrase} (${ascii})`, { toTag, headers: { warning: `399 ${warnAgent(this.o.endpoint.address)} ${quotedString(text)}` } });
  }

  private count(user: string, action: FeatureAction, result: FeatureCodeResult, source: IncomingRequest['source'], reason?: string): void {
    this.used.inc({ action, result });
    this.o.logger.info({ user, action, code: this.o.codes[action], source, result, ...(reason !== undefined && { reason }) }, result === 'ok' ? 'feature code done' : 'feature code refused');
  }
}

/** RFC 3261 section 20.43: warn-agent is a hostport; an IPv6 address goes in brackets. */
function warnAgent(address: string): string {
  return isIPv6(address) ? `[${address}]` : address;
}
