import type { Counter } from 'prom-client';
import type { NameAddr, SipRequest, SipResponse } from './sip-message.js';

/**
 * The box's SIP transport and transaction layer as the rest of the SIP code sees it. The
 * UDP implementation (udp-endpoint.ts) parses with the `sip` package; a binding to another
 * stack (pjsip) would implement the same interface.
 */
export interface SipEndpoint {
  /** Binds the socket; rejects when the address cannot be bound. */
  listen(): Promise<void>;
  /** Unbinds the socket; client transactions still open end without reporting. */
  close(): Promise<void>;
  /** The bound UDP port (the configured one, or the one the system chose for port 0). */
  readonly port: number;
  /** Each new request (retransmissions are answered by the transaction layer, not passed on). */
  onRequest(handler: (request: IncomingRequest) => void): void;
  /**
   * Sends a request as a client transaction (RFC 3261 section 17.1): retransmitted over UDP,
   * every response reported, a timeout reported as a 408 made here. INVITE transactions send
   * the ACK for a 3xx-6xx themselves (section 17.1.1.3); the 2xx ACK is the caller's.
   */
  request(target: Peer, request: OutgoingRequest, onResponse: (response: SipResponse) => void, options?: { timeoutMs?: number }): ClientTransaction;
  /** Sends an ACK for a 2xx: end to end, outside any transaction (RFC 3261 section 13.2.2.4). */
  sendAck(target: Peer, ack: OutgoingRequest): void;
  /** Counters the endpoint keeps; the service registers them. */
  readonly counters: readonly Counter[];
  /** The Via sent-by and Contact host of requests we send. */
  readonly address: string;
}

/** A UDP address and port. */
export interface Peer {
  address: string;
  port: number;
}

export interface IncomingRequest {
  request: SipRequest;
  /** Where the datagram came from (the `received` and `rport` of RFC 3261 18.2.1 and RFC 3581). */
  source: Peer;
  /** Answers the request through its server transaction; a final answer ends it. */
  respond(status: number, reason: string, extra?: ResponseExtras): void;
}

export interface ResponseExtras {
  headers?: Record<string, unknown>;
  content?: string;
  /** The To tag of a response that creates a dialog or is final (RFC 3261 section 8.2.6.2). */
  toTag?: string;
}

/** A request we originate; the endpoint adds Via (with a fresh branch), Max-Forwards and Content-Length. */
export interface OutgoingRequest {
  method: string;
  uri: string;
  headers: {
    to: NameAddr;
    from: NameAddr;
    'call-id': string;
    cseq: { seq: number; method: string };
    [name: string]: unknown;
  };
  content?: string;
  /** The Via branch to reuse: a CANCEL carries its INVITE's (RFC 3261 section 9.1). */
  branch?: string;
}

export interface ClientTransaction {
  /** The Via branch it was sent with (a CANCEL must reuse it). */
  readonly branch: string;
  /** Stops retransmitting and forgets the transaction; no more responses are reported. */
  abandon(): void;
}
