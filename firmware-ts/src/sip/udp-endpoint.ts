import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import sip, { type RawSipMessage } from 'sip';
import { ClientTransactionMachine } from './client-transaction.js';
import { LogLimiter } from './log-limiter.js';
import type { ClientTransaction, IncomingRequest, OutgoingRequest, Peer, ResponseExtras, SipEndpoint } from './sip-endpoint.js';
import { checkMessage, type SipRequest, type SipResponse } from './sip-message.js';
import { ServerTransactions } from './server-transactions.js';

/**
 * The SIP endpoint over UDP. It owns its `node:dgram` socket and uses the `sip` package
 * only to parse and serialise: the package's transport binds without an error handler,
 * cannot bind port 0, drops bad datagrams silently and runs its timers on the real clock.
 * Nothing a peer sends can throw out of here: every datagram is either counted as received
 * (then handled) or counted as malformed (then answered 400 when a response can be built,
 * RFC 3261 section 8.2.6.2, else dropped).
 */
export interface UdpEndpointOptions {
  bind: string;
  port: number;
  /** Our address as peers reach it: Via sent-by (RFC 3261 section 18.1.1) and Contact. */
  address: string;
  clock: Clock;
  logger: Logger;
}

/** Datagrams larger than this are not parsed (a SIP message over UDP stays far below). */
export const MAX_DATAGRAM = 16 * 1024;

export class UdpSipEndpoint implements SipEndpoint {
  readonly address: string;
  private socket: Socket | null = null;
  private boundPort = 0;
  private handler: (request: IncomingRequest) => void = () => {};
  private readonly clients = new Map<string, ClientTransactionMachine>();
  private readonly servers: ServerTransactions;
  private readonly malformedLog: LogLimiter;
  private readonly received = new Counter({ name: 'countyline_sip_received_total', help: 'SIP messages received and handled, by kind (request, response)', labelNames: ['kind'], registers: [] });
  private readonly malformed = new Counter({ name: 'countyline_sip_malformed_total', help: 'SIP datagrams refused as malformed, by reason', labelNames: ['reason'], registers: [] });
  private readonly sent = new Counter({ name: 'countyline_sip_sent_total', help: 'SIP messages sent, by kind (request, response, retransmission)', labelNames: ['kind'], registers: [] });
  readonly counters: readonly Counter[] = [this.received, this.malformed, this.sent];

  constructor(private readonly opts: UdpEndpointOptions) {
    this.address = opts.address;
    this.servers = new ServerTransactions(opts.clock, (data, peer) => this.transmit(data, peer, 'retransmission'));
    this.malformedLog = new LogLimiter(opts.clock, 10_000);
  }

  get port(): number {
    return this.boundPort;
  }

  onRequest(handler: (request: IncomingRequest) => void): void {
    this.handler = handler;
  }

  listen(): Promise<void> {
    const socket = createSocket(isIPv6(this.opts.bind) ? 'udp6' : 'udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.opts.port, this.opts.bind, () => {
        socket.off('error', reject);
        // After binding, a socket error (ICMP unreachable on some systems) is logged, never thrown.
        socket.on('error', (err) => this.opts.logger.warn({ err: err.message }, 'SIP socket error'));
        socket.on('message', (data, rinfo) => this.receive(data, { address: rinfo.address, port: rinfo.port }));
        this.socket = socket;
        this.boundPort = socket.address().port;
        this.opts.logger.info({ bind: this.opts.bind, port: this.boundPort, address: this.address }, 'SIP listening');
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    for (const tx of [...this.clients.values()]) tx.abandon();
    this.servers.clear();
    const socket = this.socket;
    this.socket = null;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  request(target: Peer, request: OutgoingRequest, onResponse: (response: SipResponse) => void, options: { timeoutMs?: number } = {}): ClientTransaction {
    const branch = request.branch ?? newBranch();
    const key = `${branch}|${request.method}`;
    const message: RawSipMessage = {
      method: request.method,
      uri: request.uri,
      version: '2.0',
      headers: { via: [this.via(branch)], 'max-forwards': 70, ...request.headers },
      content: request.content ?? '',
    };
    const data = encode(message);
    const invite = request.method === 'INVITE';
    let first = true;
    const tx = new ClientTransactionMachine({
      invite,
      clock: this.opts.clock,
      timeoutMs: options.timeoutMs,
      send: () => {
        this.transmit(data, target, first ? 'request' : 'retransmission');
        first = false;
      },
      // RFC 3261 section 17.1.1.3: the ACK of a non-2xx has the INVITE's Request-URI, Call-ID,
      // From, CSeq number and top Via, and the To of the response.
      sendAck: (response) => {
        const ack: RawSipMessage = {
          method: 'ACK',
          uri: request.uri,
          version: '2.0',
          headers: { via: [this.via(branch)], 'max-forwards': 70, to: response.headers.to, from: request.headers.from, 'call-id': request.headers['call-id'], cseq: { seq: request.headers.cseq.seq, method: 'ACK' } },
          content: '',
        };
        this.transmit(encode(ack), target, 'request');
      },
      report: (response) => {
        try {
          onResponse(response);
        } catch (err) {
          this.opts.logger.error({ err, callId: request.headers['call-id'] }, 'SIP response handler failed');
        }
      },
      timeoutResponse: () => ({ status: 408, reason: 'Request Timeout', headers: { ...request.headers, via: [this.via(branch)] }, content: '', timedOut: true }) as SipResponse,
      done: () => this.clients.delete(key),
    });
    this.clients.set(key, tx);
    return { branch, abandon: () => tx.abandon() };
  }

  sendAck(target: Peer, ack: OutgoingRequest): void {
    const message: RawSipMessage = { method: 'ACK', uri: ack.uri, version: '2.0', headers: { via: [this.via(ack.branch ?? newBranch())], 'max-forwards': 70, ...ack.headers }, content: ack.content ?? '' };
    this.transmit(encode(message), target, 'request');
  }

  private via(branch: string) {
    // RFC 3581: rport asks the phone to answer to the port we sent from.
    return { version: '2.0', protocol: 'UDP', host: this.address, port: this.boundPort, params: { branch, rport: null } };
  }

  private receive(data: Buffer, source: Peer): void {
    try {
      this.dispatch(data, source);
    } catch (err) {
      // A bug of ours must not take the box down because of one datagram.
      this.opts.logger.error({ err, source }, 'SIP datagram handling failed');
    }
  }

  private dispatch(data: Buffer, source: Peer): void {
    if (data.length > MAX_DATAGRAM) return this.refuse('too-large', `${data.length} bytes`, null, source);
    let raw: RawSipMessage | undefined;
    try {
      raw = sip.parse(data);
    } catch {
      raw = undefined;
    }
    const checked = checkMessage(raw, bodyLength(data));
    if (!checked.ok) return this.refuse(checked.reason, checked.detail, checked.replyable, source);
    if ('response' in checked) {
      this.received.inc({ kind: 'response' });
      const r = checked.response;
      // RFC 3261 section 17.1.3: the top Via branch and the CSeq method name the transaction.
      const tx = this.clients.get(`${r.headers.via[0]!.params.branch ?? ''}|${r.headers.cseq.method}`);
      if (tx) tx.receive(r);
      else this.opts.logger.debug({ source, status: r.status, callId: r.headers['call-id'] }, 'SIP response matches no transaction; dropped');
      return;
    }
    this.received.inc({ kind: 'request' });
    const request = checked.request;
    stampVia(request, source);
    const match = this.servers.match(request);
    if (match.kind !== 'new') return;
    const incoming: IncomingRequest = {
      request,
      source,
      respond: (status, reason, extra) => {
        if (request.method === 'ACK') return; // RFC 3261 section 17: an ACK is never answered
        const data = encode(buildResponse(request, status, reason, extra));
        this.servers.respond(match.key, request, status, data, responseTarget(request, source));
        this.sent.inc({ kind: 'response' });
      },
    };
    this.handler(incoming);
  }

  private refuse(reason: string, detail: string, replyable: SipRequest | null, source: Peer): void {
    this.malformed.inc({ reason });
    const suppressed = this.malformedLog.allow();
    if (suppressed !== null) this.opts.logger.warn({ source, reason, detail, suppressedSinceLast: suppressed }, 'malformed SIP datagram refused');
    else this.opts.logger.debug({ source, reason, detail }, 'malformed SIP datagram refused');
    if (replyable && replyable.method !== 'ACK') {
      stampVia(replyable, source);
      // RFC 3261 section 21.4.1: 400 with the reason phrase saying what was wrong.
      const phrase = `Bad Request (${detail.replace(/[^\x20-\x7e]/g, '?').slice(0, 80)})`;
      this.transmit(encode(buildResponse(replyable, 400, phrase)), responseTarget(replyable, source), 'response');
    }
  }

  private transmit(data: Buffer, peer: Peer, kind: 'request' | 'response' | 'retransmission'): void {
    if (!this.socket || peer.port <= 0 || peer.port > 65535) return;
    this.sent.inc({ kind });
    this.socket.send(data, peer.port, peer.address, (err) => {
      if (err) this.opts.logger.debug({ err: err.message, peer }, 'SIP send failed');
    });
  }
}

/** A branch starting with the RFC 3261 magic cookie (section 8.1.1.7), 96 random bits. */
export function newBranch(): string {
  return `z9hG4bK${randomBytes(12).toString('hex')}`;
}

function encode(message: RawSipMessage): Buffer {
  return Buffer.from(sip.stringify(message), 'latin1');
}

function bodyLength(data: Buffer): number {
  const end = data.indexOf('\r\n\r\n');
  return end < 0 ? 0 : data.length - end - 4;
}

/** RFC 3261 section 18.2.1: `received` when the source differs from sent-by; RFC 3581: `rport` filled in. */
function stampVia(request: SipRequest, source: Peer): void {
  const via = request.headers.via[0]!;
  if (via.host !== source.address) via.params.received = source.address;
  if (Object.hasOwn(via.params, 'rport')) via.params.rport = String(source.port);
}

/** RFC 3261 section 18.2.2 and RFC 3581: the source address; its port when rport asked for it. */
function responseTarget(request: SipRequest, source: Peer): Peer {
  const via = request.headers.via[0]!;
  return { address: source.address, port: Object.hasOwn(via.params, 'rport') ? source.port : (via.port ?? 5060) };
}

/** RFC 3261 section 8.2.6.2: Via, From, Call-ID and CSeq copied; To copied with our tag added. */
function buildResponse(request: SipRequest, status: number, reason: string, extra: ResponseExtras = {}): RawSipMessage {
  const to = request.headers.to;
  const tagged = extra.toTag && !to.params.tag ? { ...to, params: { ...to.params, tag: extra.toTag } } : to;
  return {
    status,
    reason,
    version: '2.0',
    headers: { via: request.headers.via, to: tagged, from: request.headers.from, 'call-id': request.headers['call-id'], cseq: request.headers.cseq, ...extra.headers },
    content: extra.content ?? '',
  };
}
