import type { Clock, TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { AgentDirectory } from './agent-directory.js';
import type { SipEndpoint } from './sip-endpoint.js';
import { newCallId, newTag } from './sip-ids.js';
import { TRANSACTION_TIMEOUT } from './sip-timers.js';

export interface KeepAliveOptions {
  endpoint: SipEndpoint;
  directory: AgentDirectory;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** Unanswered OPTIONS in a row that make a phone unreachable. */
  failures: number;
}

/**
 * Asks each registered phone with OPTIONS (RFC 3261 section 11) every interval whether it is
 * still there. Any final response counts, a 404 or 501 too: the phone answered. Only silence
 * (the transaction timing out) counts against it; `failures` in a row mark it unreachable,
 * so no call rings a phone that has gone (its registration may last an hour). An answer or a
 * new REGISTER marks it reachable again.
 */
export class KeepAlive {
  private timer: TimerHandle | null = null;
  private readonly missed = new Map<string, number>();
  private readonly outstanding = new Set<string>();
  private readonly fromTag = newTag();

  constructor(private readonly o: KeepAliveOptions) {}

  start(): void {
    this.arm();
  }

  stop(): void {
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    this.timer = this.o.clock.setTimeout(() => {
      this.round();
      this.arm();
    }, this.o.intervalMs);
  }

  private round(): void {
    for (const agent of this.o.directory.list()) {
      if (!agent.registered || !agent.target || !agent.contact || this.outstanding.has(agent.user)) continue;
      this.ask(agent.user, agent.contact, agent.target);
    }
  }

  private ask(user: string, contact: string, target: { address: string; port: number }): void {
    this.outstanding.add(user);
    const address = this.o.endpoint.address;
    this.o.endpoint.request(
      target,
      {
        method: 'OPTIONS',
        uri: contact,
        headers: { to: { uri: contact, params: {} }, from: { uri: `sip:countyline@${address}`, params: { tag: this.fromTag } }, 'call-id': newCallId(address), cseq: { seq: 1, method: 'OPTIONS' }, accept: 'application/sdp' },
      },
      (response) => {
        if (response.status < 200) return;
        this.outstanding.delete(user);
        const current = this.o.directory.get(user);
        if (!current?.registered || current.contact !== contact) return; // re-registered meanwhile
        if (response.timedOut) {
          const n = (this.missed.get(user) ?? 0) + 1;
          this.missed.set(user, n);
          if (n === this.o.failures) {
            this.o.logger.warn({ user, contact, missed: n }, 'SIP phone does not answer OPTIONS; not offering it calls');
            this.o.directory.setReachable(user, false);
          }
          return;
        }
        if (!current.reachable) this.o.logger.info({ user, contact }, 'SIP phone answers again');
        this.missed.delete(user);
        this.o.directory.setReachable(user, true);
      },
      // An OPTIONS still unanswered at the next round is a miss, not a reason to wait 32 s.
      { timeoutMs: Math.min(this.o.intervalMs, TRANSACTION_TIMEOUT) },
    );
  }

  /** A REGISTER came from the phone: its count of misses starts again. */
  registered(user: string): void {
    this.missed.delete(user);
  }
}
