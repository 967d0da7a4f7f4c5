import { pino, type Logger } from 'pino';
import { crc16x25 } from '../protocol/crc16.js';
import type { Mtp2Transport, PeerSocketSnapshot } from './mtp2/peer-socket.js';
import type { PeerSend, SignallingPeer } from './signalling-peer.js';

/** The link whose line side the HDLC peer takes (the same one `--mtp2-peer` takes). */
export const HDLC_PEER_LINK = 0;
/** FCS octets at the end of each datagram, as a DAHDI D-channel fd carries them to libpri. */
export const HDLC_FCS_OCTETS = 2;
/**
 * The shortest frame taken from the peer, FCS not counted: address (2 octets) and control
 * (1). Q.921 2.9: a frame with fewer than 5 octets between flags (FCS included) is invalid.
 */
export const HDLC_MIN_FRAME = 3;
/** How the peer socket names itself and what it carries in its log lines. */
export const HDLC_SOCKET_WORDS = { socket: 'HDLC peer socket', units: 'frames' };

export interface HdlcPeerSnapshot {
  link: number;
  /** Frames passed on: from the host to the peer socket, from the peer to the host. */
  framesOut: number;
  framesIn: number;
  /** Datagrams from the peer shorter than a frame and its FCS (HDLC_MIN_FRAME + 2 octets). */
  tooShort: number;
  /** Frames from the peer the host could not be given (the link not in service, or not in hdlc mode). */
  dropped: number;
  transport: PeerSocketSnapshot;
}

export interface HdlcPeerRelayOptions {
  transport: Mtp2Transport;
  /** The link's mode now (undefined while it is not configured): only an `hdlc` link is relayed. */
  mode: () => 'mtp2' | 'hdlc' | undefined;
  link?: number;
  /** close() closes the transport too (the relay's owner opened it for the relay). */
  ownsTransport?: boolean;
  logger?: Logger;
}

/**
 * The line side of an `hdlc` link handed to an outside process (a libpri D-channel, say)
 * over a datagram transport, one frame per datagram without flags. The FCS follows the
 * convention of a DAHDI D-channel, which libpri expects: each datagram ends in 2 FCS octets.
 * libpri's q921_transmit() writes 2 octets more than the frame for the driver to fill in, and
 * its __q921_receive() takes 2 off the length unread ("Discard FCS"). So this relay appends
 * the CRC-16 it computes (as the card's HDLC controller would, low-order octet first) to each
 * frame from the host, and drops the last 2 octets of each datagram without checking them:
 * libpri leaves whatever its buffer held there, and a socket has no bit errors to catch.
 *
 * It is the signalling peer of the card: the router hands it the host's `hdlcFrame`s on an
 * in-service link and refuses what it sends while the link is out of service.
 */
export class HdlcPeerRelay implements SignallingPeer {
  readonly link: number;
  private send: PeerSend | undefined;
  private readonly log: Logger;
  private readonly counts = { framesOut: 0, framesIn: 0, tooShort: 0, dropped: 0 };

  constructor(private readonly opts: HdlcPeerRelayOptions) {
    this.link = opts.link ?? HDLC_PEER_LINK;
    this.log = opts.logger ?? pino({ level: 'silent' });
    opts.transport.onReceive((datagram) => this.fromPeer(datagram));
  }

  attach(send: PeerSend): void {
    this.send = send;
  }

  detach(): void {
    this.send = undefined;
  }

  /** MSUs are not this peer's business: an `mtp2` link has no far end with --hdlc-peer. */
  onMsu(link: number): void {
    this.log.debug({ link }, 'MSU from the host dropped: the HDLC peer carries only hdlc frames');
  }

  onHdlcFrame(link: number, data: Uint8Array): void {
    if (link !== this.link) return;
    const out = new Uint8Array(data.length + HDLC_FCS_OCTETS);
    out.set(data);
    const fcs = crc16x25(data);
    out[data.length] = fcs & 0xff;
    out[data.length + 1] = fcs >>> 8;
    this.counts.framesOut++;
    this.opts.transport.send(out);
  }

  snapshot(): HdlcPeerSnapshot {
    return { link: this.link, ...this.counts, transport: this.opts.transport.snapshot() };
  }

  /** Stops taking datagrams, and closes the transport if it owns it. */
  close(): void {
    this.opts.transport.onReceive(undefined);
    if (this.opts.ownsTransport) this.opts.transport.close();
  }

  private fromPeer(datagram: Uint8Array): void {
    if (datagram.length < HDLC_MIN_FRAME + HDLC_FCS_OCTETS) {
      this.counts.tooShort++;
      this.log.debug({ link: this.link, length: datagram.length }, `datagram of ${datagram.length} octets from the HDLC peer ignored: a frame and its FCS take at least ${HDLC_MIN_FRAME + HDLC_FCS_OCTETS}`);
      return;
    }
    const frame = datagram.slice(0, datagram.length - HDLC_FCS_OCTETS);
    if (this.opts.mode() !== 'hdlc' || !this.send?.(this.link, frame)) {
      this.counts.dropped++;
      return;
    }
    this.counts.framesIn++;
  }
}
