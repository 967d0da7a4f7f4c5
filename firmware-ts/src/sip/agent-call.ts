import { randomInt } from 'node:crypto';
import { TypedEmitter, type Clock, type TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { AgentCallEnd, AgentCallEvents, AgentCallRequest } from '../calls/call-ports.js';
import { buildSdp, mirror, readSdp } from './sdp.js';
import type { IncomingRequest, OutgoingRequest, Peer, SipEndpoint } from './sip-endpoint.js';
import { newCallId, newTag } from './sip-ids.js';
import type { NameAddr, SipResponse } from './sip-message.js';
import { quotedString } from './wire-text.js';

// The call model's view of a call to an agent (calls/call-ports.ts) is what this class is.
export type { AgentCallEvents };
export type CallEnd = AgentCallEnd;
export type CallEndReason = AgentCallEnd['reason'];
/** `to`: the To URI, when the Request-URI is not the agent's registered contact (a trunk). */
export type CallAgentRequest = AgentCallRequest & { to?: string };

export interface AgentCallDeps {
  endpoint: SipEndpoint;
  clock: Clock;
  logger: Logger;
  /** The agent's registered Contact (the Request-URI) and where its REGISTER came from. */
  contact: string;
  target: Peer;
  /** Called once no more SIP can arrive for the call (the service forgets it). */
  finished: () => void;
}

type CallState = 'calling' | 'early' | 'answered' | 'ended';

const LEGAL: Record<CallState, readonly CallState[]> = {
  calling: ['early', 'answered', 'ended'],
  early: ['answered', 'ended'],
  answered: ['ended'],
  ended: [],
};

/** How long an ended call still answers stray retransmissions (RFC 3261 64*T1). */
const LINGER_MS = 32_000;

/**
 * The box calling one agent's phone, as the UAC of RFC 3261 section 13.2. The events tell the
 * call model what happened; SIP clean-up after `ended` (a CANCEL waiting for a provisional, a
 * 200 that crossed our CANCEL) goes on inside, unseen.
 */
export class AgentCall extends TypedEmitter<AgentCallEvents> {
  readonly callId: string;
  private state: CallState = 'calling';
  private readonly fromTag = newTag();
  private readonly from: NameAddr;
  private readonly to: NameAddr;
  private readonly invite: OutgoingRequest;
  private readonly inviteTx;
  private readonly sessionId = randomInt(1, 2 ** 31);
  private sdpVersion = 1;
  private cseq = 1;
  private remoteTag: string | null = null;
  private got2xx = false;
  private remoteTarget: string;
  private provisional = false;
  private cancelWanted = false;
  private cancelSent = false;
  private byeSent = false;
  private rang = false;
  private held = false;
  private ringTimer: TimerHandle | null = null;
  private lingerTimer: TimerHandle | null = null;
  private done = false;

  constructor(
    readonly request: CallAgentRequest,
    private readonly d: AgentCallDeps,
  ) {
    super();
    const address = d.endpoint.address;
    this.callId = newCallId(address);
    this.remoteTarget = d.contact;
    const number = request.callerNumber === '' ? 'anonymous' : request.callerNumber.replace(/[^0-9A-Za-z+*._~-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
    this.from = { name: quotedString(request.callerName ?? request.callerNumber), uri: `sip:${number}@${address}`, params: { tag: this.fromTag } };
    this.to = { uri: request.to ?? `sip:${request.agent}@${address}`, params: {} };
    this.invite = {
      method: 'INVITE',
      uri: d.contact,
      headers: {
        to: this.to,
        from: this.from,
        'call-id': this.callId,
        cseq: { seq: this.cseq, method: 'INVITE' },
        contact: [this.contact()],
        allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS',
        'content-type': 'application/sdp',
      },
      content: buildSdp(request.localMedia, this.sessionId, this.sdpVersion),
    };
    this.inviteTx = d.endpoint.request(d.target, this.invite, (r) => this.onInviteResponse(r));
    this.ringTimer = d.clock.setTimeout(() => {
      this.ringTimer = null;
      if (this.state === 'calling' || this.state === 'early') this.endByBox('no-answer');
    }, request.ringTimeoutMs);
  }

  /** Ends the call from the box: CANCEL before the answer, BYE after. */
  hangUp(): void {
    if (this.state === 'answered') {
      this.sendBye();
      this.end({ by: 'box', reason: 'hangup' });
    } else if (this.state !== 'ended') this.endByBox('hangup');
  }

  /** A request inside this call's dialog (the service routes by Call-ID). */
  handle(incoming: IncomingRequest): void {
    const { request } = incoming;
    switch (request.method) {
      case 'ACK':
        return;
      case 'BYE':
        incoming.respond(200, 'OK');
        if (this.state !== 'ended') this.end({ by: 'agent', reason: 'hangup' });
        return;
      case 'INVITE':
        return this.onReInvite(incoming);
      case 'OPTIONS':
      case 'INFO':
      case 'NOTIFY':
        return incoming.respond(200, 'OK');
      default:
        return incoming.respond(405, 'Method Not Allowed', { headers: { allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS' } });
    }
  }

  private onInviteResponse(r: SipResponse): void {
    if (r.status < 200) {
      this.provisional = true;
      if (this.state === 'calling') this.transition('early');
      if (this.cancelWanted && !this.cancelSent) this.sendCancel();
      if ((r.status === 180 || r.status === 183) && !this.rang && this.state === 'early') {
        this.rang = true;
        this.emit('ringing');
      }
      return;
    }
    if (r.status < 300) return this.onAnswer(r);
    if (this.state === 'ended') return; // 487 to our CANCEL, or a refusal after we gave up
    // RFC 3261 section 21.4.25 / 21.6.2: 486 and 600 busy, 603 declined; the rest failed.
    if (r.status === 486 || r.status === 600) return this.end({ by: 'agent', reason: 'busy', status: r.status });
    if (r.status === 603) return this.end({ by: 'agent', reason: 'rejected', status: r.status });
    this.d.logger.info({ callId: this.callId, agent: this.request.agent, status: r.status, reason: r.reason }, 'agent call failed');
    this.end({ by: r.timedOut ? 'box' : 'agent', reason: 'failed', status: r.status });
  }

  private onAnswer(r: SipResponse): void {
    // Not `remoteTag === null`: a 200 without a To tag (a broken phone) would then count as
    // first on every retransmission.
    const first = !this.got2xx;
    this.got2xx = true;
    if (first) {
      this.remoteTag = r.headers.to.params.tag ?? null;
      const contact = r.headers.contact;
      if (Array.isArray(contact) && contact[0]) this.remoteTarget = contact[0].uri; // RFC 3261 12.1.2
    }
    this.sendAck(); // 13.2.2.4: every 2xx, retransmissions too, is ACKed
    if (!first) return;
    if (this.state === 'ended') {
      // The 200 crossed our CANCEL (or came after we gave up): the dialog exists, so end it.
      this.sendBye();
      return;
    }
    const sdp = readSdp(r.content);
    if (!sdp.ok) {
      this.d.logger.warn({ callId: this.callId, agent: this.request.agent, reason: sdp.reason }, 'agent answered with unusable SDP; hanging up');
      this.sendBye();
      return this.end({ by: 'box', reason: 'failed', status: 488 });
    }
    this.transition('answered');
    this.clearRing();
    this.emit('answered', sdp.media);
    // An answer that holds the call at once (a=sendonly/inactive) is a hold like any other.
    if (sdp.hold) {
      this.held = true;
      this.emit('hold', true);
    }
  }

  private onReInvite(incoming: IncomingRequest): void {
    if (this.state !== 'answered') return incoming.respond(481, 'Call/Transaction Does Not Exist');
    const sdp = readSdp(incoming.request.content);
    if (incoming.request.content && !sdp.ok) return incoming.respond(488, 'Not Acceptable Here');
    const direction = sdp.ok ? mirror(sdp.direction) : 'sendrecv';
    this.sdpVersion++;
    incoming.respond(200, 'OK', {
      headers: { contact: [this.contact()], 'content-type': 'application/sdp' },
      content: buildSdp(this.request.localMedia, this.sessionId, this.sdpVersion, direction),
    });
    const held = sdp.ok && sdp.hold;
    if (held !== this.held) {
      this.held = held;
      this.emit('hold', held);
    }
  }

  private endByBox(reason: 'no-answer' | 'hangup'): void {
    this.cancelWanted = true;
    // RFC 3261 section 9.1: no CANCEL before a provisional response; it goes when one comes.
    if (this.provisional) this.sendCancel();
    this.end({ by: 'box', reason });
  }

  private sendCancel(): void {
    this.cancelSent = true;
    const h = this.invite.headers;
    // RFC 3261 section 9.1: Request-URI, Call-ID, To, From, CSeq number and branch of the INVITE.
    this.d.endpoint.request(
      this.d.target,
      { method: 'CANCEL', uri: this.invite.uri, branch: this.inviteTx.branch, headers: { to: h.to, from: h.from, 'call-id': this.callId, cseq: { seq: h.cseq.seq, method: 'CANCEL' } } },
      () => {},
    );
  }

  private sendAck(): void {
    this.d.endpoint.sendAck(this.d.target, { method: 'ACK', uri: this.remoteTarget, headers: this.dialogHeaders(this.invite.headers.cseq.seq, 'ACK') });
  }

  private sendBye(): void {
    if (this.byeSent) return;
    this.byeSent = true;
    this.cseq++;
    this.d.endpoint.request(this.d.target, { method: 'BYE', uri: this.remoteTarget, headers: this.dialogHeaders(this.cseq, 'BYE') }, () => {});
  }

  private dialogHeaders(seq: number, method: string): OutgoingRequest['headers'] {
    return { to: { ...this.to, params: this.remoteTag ? { tag: this.remoteTag } : {} }, from: this.from, 'call-id': this.callId, cseq: { seq, method } };
  }

  private contact(): NameAddr {
    return { uri: `sip:countyline@${this.d.endpoint.address}:${this.d.endpoint.port}`, params: {} };
  }

  private end(end: CallEnd): void {
    if (this.state === 'ended') return;
    this.transition('ended');
    this.clearRing();
    this.d.logger.info({ callId: this.callId, agent: this.request.agent, ...end }, 'agent call ended');
    this.emit('ended', end);
    this.lingerTimer = this.d.clock.setTimeout(() => this.finish(), LINGER_MS);
  }

  /** Forgets the call at once (the service is stopping); hangs up first if it is still up. */
  shutdown(): void {
    this.hangUp();
    if (this.lingerTimer) this.d.clock.clearTimeout(this.lingerTimer);
    this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.d.finished();
  }

  private clearRing(): void {
    if (this.ringTimer) this.d.clock.clearTimeout(this.ringTimer);
    this.ringTimer = null;
  }

  private transition(to: CallState): void {
    if (!LEGAL[this.state].includes(to)) throw new Error(`agent call ${this.callId}: ${this.state} -> ${to} is not a legal move`);
    this.state = to;
  }
}
