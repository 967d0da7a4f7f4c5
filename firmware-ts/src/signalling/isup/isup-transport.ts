import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { CardDriver } from '../../card/card-driver.js';
import { IsupCodecError } from './isup-codec-error.js';
import type { IsupMessage } from './isup-messages.js';
import { decodeIsupMsu, encodeIsupMsu, type IsupRoute } from './isup-msu.js';
import type { Mtp3Variant, NetworkIndicator } from './mtp3-label.js';

export interface IsupTransportOptions {
  card: CardDriver;
  clock: Clock;
  logger: Logger;
  /** The card's signalling link (MTP2 runs on the card). */
  link: number;
  variant: Mtp3Variant;
  ni: NetworkIndicator;
  ownPointCode: number;
  peerPointCode: number;
}

/** One MSU as it crossed the link, for `countyline capture`. */
export interface CapturedMsu {
  at: number;
  direction: 'in' | 'out';
  data: Uint8Array;
}

export interface IsupTransportEvents {
  message: (message: IsupMessage) => void;
  sent: (message: IsupMessage) => void;
  /** The signalling link went in service (true) or out of it (false). */
  link: (up: boolean) => void;
  capture: (msu: CapturedMsu) => void;
}

export interface IsupTransportStats {
  received: number;
  sent: number;
  malformed: number;
  /** Well-formed MSUs not addressed from our peer to us. */
  misrouted: number;
  /** Messages not sent because the link was down. */
  notSent: number;
  /** MSUs dropped because they arrived before the link was in service. */
  beforeLinkUp: number;
}

/**
 * ISUP over the card's signalling link: encodes with our routing label, sends as MSUs,
 * decodes what arrives and keeps only messages from the adjacent point code to ours.
 * A malformed MSU is logged and counted, never thrown.
 */
export class IsupTransport extends TypedEmitter<IsupTransportEvents> {
  readonly stats: IsupTransportStats = { received: 0, sent: 0, malformed: 0, misrouted: 0, notSent: 0, beforeLinkUp: 0 };
  private up = false;
  private readonly route: IsupRoute;

  constructor(private readonly opts: IsupTransportOptions) {
    super();
    this.route = { variant: opts.variant, ni: opts.ni, opc: opts.ownPointCode, dpc: opts.peerPointCode };
    opts.card.on('msu', (m) => {
      if (m.link === opts.link) this.onMsu(m.data);
    });
    opts.card.on('link-state', (m) => {
      if (m.link === opts.link) this.setUp(m.state === 'in-service');
    });
    opts.card.on('card-lost', () => this.setUp(false));
    opts.card.on('card-restarted', () => this.setUp(false));
  }

  get isUp(): boolean {
    return this.up;
  }

  /** Sends one message; returns false (and counts it) when the link is down. */
  send(message: IsupMessage): boolean {
    if (!this.up) {
      this.stats.notSent++;
      return false;
    }
    const data = encodeIsupMsu(this.route, message);
    try {
      this.opts.card.send({ type: 'msu', link: this.opts.link, data });
    } catch (err) {
      this.stats.notSent++;
      this.opts.logger.warn({ err: (err as Error).message, type: message.type, cic: message.cic }, 'ISUP message not sent');
      return false;
    }
    this.stats.sent++;
    this.emit('sent', message);
    this.emit('capture', { at: this.opts.clock.now(), direction: 'out', data });
    return true;
  }

  private setUp(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    this.opts.logger.info({ link: this.opts.link }, up ? 'signalling link in service' : 'signalling link out of service');
    this.emit('link', up);
  }

  private onMsu(data: Uint8Array): void {
    this.emit('capture', { at: this.opts.clock.now(), direction: 'in', data });
    if (!this.up) {
      // Left over from before the link came (back) into service; the GRS that follows
      // link-up settles every circuit, so these must not start calls.
      this.stats.beforeLinkUp++;
      return;
    }
    let decoded;
    try {
      decoded = decodeIsupMsu(data, this.opts.variant);
    } catch (err) {
      if (!(err instanceof IsupCodecError)) throw err;
      this.stats.malformed++;
      this.opts.logger.warn({ code: err.code, offset: err.offset, msu: Buffer.from(data).toString('hex') }, `malformed ISUP MSU dropped: ${err.message}`);
      return;
    }
    const { label, message } = decoded;
    if (label.dpc !== this.opts.ownPointCode || label.opc !== this.opts.peerPointCode) {
      this.stats.misrouted++;
      this.opts.logger.warn({ opc: label.opc, dpc: label.dpc, type: message.type }, 'ISUP message for another route dropped');
      return;
    }
    this.stats.received++;
    this.emit('message', message);
  }
}
