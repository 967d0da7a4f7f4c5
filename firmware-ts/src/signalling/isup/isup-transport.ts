import { TypedEmitter } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { Mtp3 } from '../mtp3/mtp3.js';
import { SI_ISUP, type Mtp3Variant } from '../mtp3/mtp3-label.js';
import { encodeIsup } from './isup-codec.js';
import { IsupCodecError } from './isup-codec-error.js';
import type { IsupMessage } from './isup-messages.js';
import { decodeIsupMsu } from './isup-msu.js';
import { decodeMsu } from '../mtp3/mtp3-label.js';
import { readUnrecognised, type UnrecognisedMessage } from './isup-unrecognised.js';

export type { CapturedMsu } from '../mtp3/mtp3.js';

export interface IsupTransportOptions {
  /** MTP3 toward the exchange: routing label, link test, the card's link. */
  mtp3: Mtp3;
  logger: Logger;
  variant: Mtp3Variant;
}

export interface IsupTransportEvents {
  message: (message: IsupMessage) => void;
  sent: (message: IsupMessage) => void;
  /** A well-routed ISUP message whose type code the box does not know (Q.764 2.9.5.1). */
  unrecognised: (message: UnrecognisedMessage) => void;
  /**
   * A message the box knows with a spare value in a mandatory parameter (Q.764 2.9.5.3),
   * counted as malformed; the stack answers it rather than leave the sender waiting.
   */
  'invalid-value': (message: { cic: number; typeCode: number; error: IsupCodecError }) => void;
  /**
   * The link became usable for ISUP (true: in service and its link test passed; MTP-RESUME)
   * or stopped being so (false; MTP-PAUSE).
   */
  link: (up: boolean) => void;
}

export interface IsupTransportStats {
  received: number;
  sent: number;
  /** ISUP MSUs from the exchange whose ISUP part could not be read. */
  malformed: number;
  /** ISUP messages of a type the box does not know (not malformed: Q.764 2.9.5.1 answers them). */
  unrecognised: number;
  /** Messages not sent because the link was not available. */
  notSent: number;
}

/**
 * ISUP as an MTP3 user: sends messages as MSUs with service indicator 5, decodes what MTP3
 * hands on (already checked to come from the exchange's point code to ours). A malformed
 * message is logged and counted, never thrown.
 */
export class IsupTransport extends TypedEmitter<IsupTransportEvents> {
  readonly stats: IsupTransportStats = { received: 0, sent: 0, malformed: 0, unrecognised: 0, notSent: 0 };

  constructor(private readonly opts: IsupTransportOptions) {
    super();
    opts.mtp3.on('isup', (data) => this.onMsu(data));
    opts.mtp3.on('available', (up) => {
      opts.logger.info(up ? 'signalling link available to ISUP' : 'signalling link not available to ISUP');
      this.emit('link', up);
    });
  }

  get isUp(): boolean {
    return this.opts.mtp3.available;
  }

  /** Sends one message; returns false (and counts it) when the link is not available. */
  send(message: IsupMessage): boolean {
    // The customary SLS: the four low bits of the CIC, so that all messages of one circuit
    // take the same link and stay in order (Q.764 relies on that).
    if (!this.opts.mtp3.send(SI_ISUP, encodeIsup(message), message.cic & 0x0f)) {
      this.stats.notSent++; // MTP3 logs why when the card refused it
      return false;
    }
    this.stats.sent++;
    this.emit('sent', message);
    return true;
  }

  private onMsu(data: Uint8Array): void {
    let message: IsupMessage;
    try {
      message = decodeIsupMsu(data, this.opts.variant).message;
    } catch (err) {
      if (!(err instanceof IsupCodecError)) throw err;
      if (err.code === 'unknown-message') {
        // The error names the type octet; the CIC is the two octets before it.
        const unknown = readUnrecognised(data, err.offset - 2);
        this.stats.unrecognised++;
        this.opts.logger.warn({ cic: unknown.cic, typeCode: unknown.typeCode, msu: Buffer.from(data).toString('hex') }, `ISUP message of unknown type 0x${unknown.typeCode.toString(16).padStart(2, '0')}`);
        this.emit('unrecognised', unknown);
        return;
      }
      this.stats.malformed++;
      this.opts.logger.warn({ code: err.code, offset: err.offset, msu: Buffer.from(data).toString('hex') }, `malformed ISUP MSU dropped: ${err.message}`);
      if (err.code === 'bad-value') {
        // The header read (a value further on did not): CIC and type are where Q.763 puts them.
        const start = decodeMsu(data, this.opts.variant).payloadOffset;
        this.emit('invalid-value', { cic: data[start]! | ((data[start + 1]! & 0x0f) << 8), typeCode: data[start + 2]!, error: err });
      }
      return;
    }
    this.stats.received++;
    this.emit('message', message);
  }
}
