import type { Clock, TimerHandle } from '@countyline/e1-gateway';
import type { Peer } from './sip-endpoint.js';
import type { SipRequest } from './sip-message.js';
import { T1, T2, TRANSACTION_TIMEOUT } from './sip-timers.js';

/**
 * Server transactions over UDP (RFC 3261 section 17.2), reduced to what a registrar and a
 * UAC that answers in-dialog requests need: a retransmitted request is answered with the
 * last response again and not passed up (17.2.1, 17.2.2), so a REGISTER resent because our
 * 200 was lost is not checked twice (its nonce count would look replayed). A final answer
 * to an INVITE is resent from T1, doubling to T2, until its ACK comes (Timer G for 3xx-6xx,
 * 13.3.1.4 for 2xx) or 64*T1 pass (Timer H). The ACK of a 3xx-6xx ends here (17.2.1); the
 * ACK of a 2xx is a request of the dialog (13.3.1.4), so it stops the resending and goes up.
 */
interface Entry {
  key: string;
  ackKey: string | null;
  /** The final response sent was a 2xx. */
  accepted: boolean;
  last: Buffer | null;
  peer: Peer;
  timer: TimerHandle | null;
  expiry: TimerHandle | null;
}

/** Entries kept at most; under a flood the oldest go first (they only absorb retransmissions). */
const MAX_ENTRIES = 20_000;

/** `new` is passed up (an ACK is passed up with no key: it is never answered). */
export type Match = { kind: 'new'; key: string } | { kind: 'retransmission' } | { kind: 'ack' };

export class ServerTransactions {
  private readonly entries = new Map<string, Entry>();
  private readonly awaitingAck = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly send: (data: Buffer, peer: Peer) => void,
  ) {}

  /** 17.2.3: the branch, the sent-by and the method (an ACK's is its INVITE's) name a transaction. */
  match(request: SipRequest): Match {
    if (request.method === 'ACK') {
      const entry = this.awaitingAck.get(ackKey(request)) ?? this.entries.get(key(request, 'INVITE'));
      if (entry?.ackKey) {
        this.awaitingAck.delete(entry.ackKey);
        entry.ackKey = null;
        this.stopTimer(entry);
        return entry.accepted ? { kind: 'new', key: '' } : { kind: 'ack' };
      }
      return { kind: 'new', key: '' };
    }
    const k = key(request, request.method);
    const entry = this.entries.get(k);
    if (entry) {
      if (entry.last) this.send(entry.last, entry.peer);
      return { kind: 'retransmission' };
    }
    this.entries.set(k, { key: k, ackKey: null, accepted: false, last: null, peer: { address: '', port: 0 }, timer: null, expiry: null });
    if (this.entries.size > MAX_ENTRIES) this.forget(this.entries.values().next().value!);
    return { kind: 'new', key: k };
  }

  /** Sends a response of the transaction `key` and keeps it for retransmissions. */
  respond(key: string, request: SipRequest, status: number, data: Buffer, peer: Peer): void {
    this.send(data, peer);
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.last = data;
    entry.peer = peer;
    if (status < 200) return;
    if (entry.expiry) this.clock.clearTimeout(entry.expiry);
    entry.expiry = this.clock.setTimeout(() => this.forget(entry), TRANSACTION_TIMEOUT); // Timer J / H
    if (request.method === 'INVITE') {
      entry.accepted = status < 300;
      this.stopTimer(entry);
      if (entry.ackKey) this.awaitingAck.delete(entry.ackKey);
      entry.ackKey = ackKey(request);
      this.awaitingAck.set(entry.ackKey, entry);
      this.resend(entry, T1);
    }
  }

  clear(): void {
    for (const entry of [...this.entries.values()]) this.forget(entry);
  }

  private resend(entry: Entry, interval: number): void {
    entry.timer = this.clock.setTimeout(() => {
      if (entry.last) this.send(entry.last, entry.peer);
      this.resend(entry, Math.min(interval * 2, T2));
    }, interval);
  }

  private stopTimer(entry: Entry): void {
    if (entry.timer) this.clock.clearTimeout(entry.timer);
    entry.timer = null;
  }

  private forget(entry: Entry): void {
    this.stopTimer(entry);
    if (entry.expiry) this.clock.clearTimeout(entry.expiry);
    if (entry.ackKey) this.awaitingAck.delete(entry.ackKey);
    this.entries.delete(entry.key);
  }
}

function key(request: SipRequest, method: string): string {
  const via = request.headers.via[0]!;
  return `${via.params.branch ?? ''}|${via.host}:${via.port ?? ''}|${method}|${request.headers['call-id']}|${request.headers.cseq.seq}`;
}

function ackKey(request: SipRequest): string {
  return `${request.headers['call-id']}|${request.headers.cseq.seq}`;
}
