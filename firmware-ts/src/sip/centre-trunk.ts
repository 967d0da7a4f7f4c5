import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { AgentCallLeg, CentreTrunk } from '../calls/call-ports.js';
import type { Peer } from './sip-endpoint.js';
import type { SipService } from './sip-service.js';

/** The SIP port a `sip:` URI without one means (RFC 3261 section 19.1.2). */
const SIP_PORT = 5060;

export class CentreUnreachableError extends Error {
  constructor(
    readonly uri: string,
    why: string,
  ) {
    super(`the city centre's trunk ${uri} cannot be called: ${why}`);
    this.name = 'CentreUnreachableError';
  }
}

/** Host and port of a `sip:user@host[:port]` URI (the config's pattern checked its shape). */
export function hostPort(uri: string): { host: string; port: number } {
  const m = /^sip:[^@]+@([^:;?]+)(?::(\d+))?/i.exec(uri);
  if (!m) throw new CentreUnreachableError(uri, 'not a sip:user@host[:port] URI');
  const port = m[2] === undefined ? SIP_PORT : Number(m[2]);
  if (port < 1 || port > 65535) throw new CentreUnreachableError(uri, `port ${port} is out of range`);
  return { host: m[1]!, port };
}

/**
 * The SIP trunk towards the city centre's hotline, over the box's own SIP endpoint: each call
 * is an INVITE to the configured URI, From the caller's number, and ends as a call to an
 * agent's phone does. A host name is looked up when the trunk starts and again after each
 * call, so a changed DNS record is followed without a restart; until a lookup has
 * succeeded, calls fail at once (the office keeps them).
 */
export class SipCentreTrunk implements CentreTrunk {
  private target: Peer | null = null;
  private readonly host: string;
  private readonly port: number;
  private looking: Promise<void> | null = null;

  constructor(
    readonly uri: string,
    private readonly sip: Pick<SipService, 'callUri'>,
    private readonly logger: Logger,
  ) {
    ({ host: this.host, port: this.port } = hostPort(uri));
    if (isIP(this.host)) this.target = { address: this.host, port: this.port };
    else this.refresh();
  }

  /** Resolves once the current look-up (if any) is over; for start-up and tests. */
  async ready(): Promise<void> {
    await this.looking;
  }

  call(request: { callerNumber: string; localMedia: { address: string; port: number }; ringTimeoutMs: number }): AgentCallLeg {
    const target = this.target;
    if (!target) {
      this.refresh();
      throw new CentreUnreachableError(this.uri, `the host ${this.host} has not been found (DNS)`);
    }
    const leg = this.sip.callUri(this.uri, target, request);
    leg.once('ended', () => this.refresh());
    return leg;
  }

  /** Looks the host name up again in the background (an address needs none). */
  private refresh(): void {
    if (isIP(this.host) || this.looking) return;
    this.looking = lookup(this.host, { family: 4 }).then(
      ({ address }) => {
        if (this.target?.address !== address) this.logger.info({ centre: this.uri, address }, "city centre's trunk host found");
        this.target = { address, port: this.port };
      },
      (err: Error) => this.logger.error({ centre: this.uri, err: err.message }, "city centre's trunk host not found: its calls stay in the office"),
    );
    void this.looking.finally(() => (this.looking = null));
  }
}
