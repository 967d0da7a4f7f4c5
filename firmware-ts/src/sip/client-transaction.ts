import type { Clock, TimerHandle } from '@countyline/e1-gateway';
import type { SipResponse } from './sip-message.js';
import { T1, T2, T4, TRANSACTION_TIMEOUT } from './sip-timers.js';

/**
 * One client transaction over UDP (RFC 3261 section 17.1), as an explicit state machine.
 * INVITE (17.1.1): Timer A retransmits from T1, doubling, until a response; Timer B gives up
 * after 64*T1 with no response at all. A 3xx-6xx is ACKed here (17.1.1.3) and the ACK sent
 * again for each retransmission during Timer D. A 2xx goes to the user, and so do its
 * retransmissions for 64*T1 (the "Accepted" state of RFC 6026), since the 2xx ACK is the
 * user's to send (13.2.2.4). Non-INVITE (17.1.2): Timer E from T1 doubling to T2 (T2 once
 * a provisional came), Timer F gives up after 64*T1; Timer K absorbs late copies.
 */
export type ClientState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export interface ClientTransactionParts {
  invite: boolean;
  clock: Clock;
  /** Sends the request (again). */
  send(): void;
  /** Sends the ACK for a 3xx-6xx final response (INVITE only). */
  sendAck(response: SipResponse): void;
  report(response: SipResponse): void;
  /** Builds the 408 reported on a timeout (RFC 3261 section 8.1.3.1). */
  timeoutResponse(): SipResponse;
  /** Called once, when the transaction is terminated. */
  done(): void;
  /** Timer F / B override (keep-alive OPTIONS use a shorter one). */
  timeoutMs?: number;
}

const LEGAL: Record<ClientState, readonly ClientState[]> = {
  calling: ['proceeding', 'completed', 'accepted', 'terminated'],
  proceeding: ['completed', 'accepted', 'terminated'],
  completed: ['terminated'],
  accepted: ['terminated'],
  terminated: [],
};

export class ClientTransactionMachine {
  state: ClientState = 'calling';
  private retransmit: TimerHandle | null = null;
  private timeout: TimerHandle | null = null;
  private interval = T1;

  constructor(private readonly p: ClientTransactionParts) {
    p.send();
    this.armRetransmit();
    this.timeout = p.clock.setTimeout(() => {
      if (this.state === 'calling' || (!p.invite && this.state === 'proceeding')) {
        this.transition('terminated');
        p.report(p.timeoutResponse());
      }
    }, p.timeoutMs ?? TRANSACTION_TIMEOUT);
  }

  receive(response: SipResponse): void {
    const s = response.status;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        if (s < 200) {
          if (this.state === 'calling') this.transition('proceeding');
          this.p.report(response);
          return;
        }
        if (this.p.invite && s < 300) {
          this.transition('accepted');
          this.p.report(response);
          this.linger(TRANSACTION_TIMEOUT);
          return;
        }
        this.transition('completed');
        if (this.p.invite) this.p.sendAck(response);
        this.p.report(response);
        // Timer D (at least 32 s over UDP) for INVITE, Timer K (T4) for the others.
        this.linger(this.p.invite ? TRANSACTION_TIMEOUT : T4);
        return;
      case 'completed':
        if (this.p.invite && s >= 300) this.p.sendAck(response);
        return;
      case 'accepted':
        if (s >= 200 && s < 300) this.p.report(response);
        return;
      case 'terminated':
        return;
    }
  }

  /** Ends the transaction now, reporting nothing more. */
  abandon(): void {
    if (this.state !== 'terminated') this.transition('terminated');
  }

  private transition(to: ClientState): void {
    if (!LEGAL[this.state].includes(to)) throw new Error(`client transaction: ${this.state} -> ${to} is not a legal move`);
    this.state = to;
    if (to !== 'calling' && to !== 'proceeding') this.stopRetransmit();
    if (to === 'proceeding' && this.p.invite) this.stopRetransmit(); // 17.1.1.2: no retransmission once a provisional came
    if (to === 'proceeding' && !this.p.invite) this.interval = T2; // 17.1.2.2: T2 in Proceeding
    if (to === 'terminated') {
      if (this.timeout) this.p.clock.clearTimeout(this.timeout);
      this.timeout = null;
      this.p.done();
    }
  }

  private armRetransmit(): void {
    this.retransmit = this.p.clock.setTimeout(() => {
      if (this.state !== 'calling' && this.state !== 'proceeding') return;
      this.p.send();
      this.interval = this.p.invite ? this.interval * 2 : Math.min(this.interval * 2, T2);
      this.armRetransmit();
    }, this.interval);
  }

  private stopRetransmit(): void {
    if (this.retransmit) this.p.clock.clearTimeout(this.retransmit);
    this.retransmit = null;
  }

  private linger(ms: number): void {
    if (this.timeout) this.p.clock.clearTimeout(this.timeout);
    this.timeout = this.p.clock.setTimeout(() => {
      this.timeout = null;
      if (this.state !== 'terminated') this.transition('terminated');
    }, ms);
  }
}
