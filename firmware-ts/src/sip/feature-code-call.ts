import type { Clock, TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { IncomingRequest, Peer, SipEndpoint } from './sip-endpoint.js';
import type { NameAddr } from './sip-message.js';
import { TRANSACTION_TIMEOUT } from './sip-timers.js';

/** The dialog a feature code's 2xx made (RFC 3261 section 12.1.1, the UAS side). */
export interface FeatureCodeDialog {
  callId: string;
  /** Our side: the INVITE's To, with the tag of our 2xx. */
  local: NameAddr;
  /** The phone's side: the INVITE's From, with its tag. */
  remote: NameAddr;
  /** The INVITE's Contact: the Request-URI of our BYE. */
  remoteTarget: string;
  /** Where the INVITE came from; our BYE goes there (the phone may be behind NAT). */
  peer: Peer;
  /** The agent who dialled. */
  user: string;
}

export interface FeatureCodeCallDeps {
  endpoint: SipEndpoint;
  clock: Clock;
  logger: Logger;
  /** Called once, when the dialog is over (the service forgets it). */
  finished: () => void;
}

type CallState = 'confirming' | 'ending' | 'ended';

const LEGAL: Record<CallState, readonly CallState[]> = {
  confirming: ['ending', 'ended'],
  ending: ['ended'],
  ended: [],
};

/**
 * The short call a feature code makes, after the box's 2xx (the UAS of RFC 3261 section
 * 13.3): the ACK confirms the dialog and the box hangs up at once with BYE, so the phone
 * shows the call ended. Section 15: the callee sends no BYE before the ACK; with no ACK
 * within 64*T1 the BYE goes all the same (13.3.1.4). A BYE from the phone ends it too.
 */
export class FeatureCodeCall {
  private state: CallState = 'confirming';
  private ackTimer: TimerHandle | null;

  constructor(
    readonly dialog: FeatureCodeDialog,
    private readonly d: FeatureCodeCallDeps,
  ) {
    this.ackTimer = d.clock.setTimeout(() => {
      this.ackTimer = null;
      if (this.state !== 'confirming') return;
      d.logger.info({ callId: dialog.callId, user: dialog.user }, 'no ACK for the feature code answer; hanging up');
      this.sendBye();
    }, TRANSACTION_TIMEOUT);
  }

  get callId(): string {
    return this.dialog.callId;
  }

  /** A request inside the dialog (the service routes by Call-ID and To tag). */
  handle(incoming: IncomingRequest): void {
    switch (incoming.request.method) {
      case 'ACK':
        if (this.state === 'confirming') this.sendBye();
        return;
      case 'BYE':
        incoming.respond(200, 'OK');
        return this.end();
      default:
        // The call is being ended: nothing else is taken in it.
        return incoming.respond(405, 'Method Not Allowed', { headers: { allow: 'ACK, BYE' } });
    }
  }

  /** The service is stopping: BYE if the phone still holds the call, then forget it. */
  shutdown(): void {
    if (this.state === 'confirming') this.sendBye();
    this.end();
  }

  private sendBye(): void {
    this.transition('ending');
    this.clearAckTimer();
    const { dialog } = this;
    // RFC 3261 section 12.2.1.1: From is our side, To the phone's; our first request in the
    // dialog, so any CSeq number will do (the phone's view of ours is still empty).
    this.d.endpoint.request(dialog.peer, { method: 'BYE', uri: dialog.remoteTarget, headers: { from: dialog.local, to: dialog.remote, 'call-id': dialog.callId, cseq: { seq: 1, method: 'BYE' } } }, (r) => {
      if (r.status < 200) return;
      if (r.status >= 300) this.d.logger.info({ callId: dialog.callId, user: dialog.user, status: r.status, reason: r.reason }, 'the phone did not take the BYE ending a feature code call');
      this.end();
    });
  }

  private end(): void {
    if (this.state === 'ended') return;
    this.transition('ended');
    this.clearAckTimer();
    this.d.finished();
  }

  private clearAckTimer(): void {
    if (this.ackTimer) this.d.clock.clearTimeout(this.ackTimer);
    this.ackTimer = null;
  }

  private transition(to: CallState): void {
    if (!LEGAL[this.state].includes(to)) throw new Error(`feature code call ${this.dialog.callId}: ${this.state} -> ${to} is not a legal move`);
    this.state = to;
  }
}
