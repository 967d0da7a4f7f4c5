import type { Logger } from 'pino';
import type { CardMessage, LinkState } from '../protocol/index.js';
import { MAX_MSU_DATA, MIN_MSU_DATA } from './mtp2/signal-unit.js';
import type { SignallingPeer } from './signalling-peer.js';
import type { SimSignallingLink } from './sim-signalling-link.js';

export interface SignallingRouterOptions {
  links: readonly SimSignallingLink[];
  /** Sends an event to the host. */
  send: (message: CardMessage) => void;
  /** Whether the card can send at all (running, not rebooting). */
  cardUp: () => boolean;
  log: Logger;
}

/**
 * Carries signalling frames between the host and the far end: an MSU (or HDLC frame) the
 * host sends on an in-service link goes to the peer, or into the link's own MTP2 when its
 * line side runs one (the peer socket); what comes back goes to the host. Anything else is
 * counted on the link as dropped. Link state changes go to the host and the peer.
 */
export class SignallingRouter {
  private peer: SignallingPeer | undefined;

  constructor(private readonly opts: SignallingRouterOptions) {}

  setPeer(peer: SignallingPeer | undefined): void {
    if (this.peer === peer) return;
    const old = this.peer;
    this.peer = peer;
    if (old?.detach) this.callPeer('detach', () => old.detach!());
    if (peer) this.callPeer('attach', () => peer.attach((link, data) => this.fromPeer(link, data)));
  }

  linkState(link: number, state: LinkState): void {
    this.opts.send({ type: 'linkState', link, state });
    const peer = this.peer;
    if (peer?.onLinkState) this.callPeer('onLinkState', () => peer.onLinkState!(link, state));
  }

  /** An `msu` (mode mtp2) or `hdlcFrame` (mode hdlc) event from the host. */
  fromHost(mode: 'mtp2' | 'hdlc', index: number, data: Uint8Array): void {
    const link = this.opts.links[index];
    if (!link) {
      this.opts.log.warn({ link: index }, 'frame from the host on a link that does not exist');
      return;
    }
    link.counters.fromHost++;
    if (link.line.carriesMsus) {
      this.toLine(link, mode, data);
      return;
    }
    const peer = this.peer;
    const deliver = mode === 'mtp2' ? peer?.onMsu.bind(peer) : peer?.onHdlcFrame?.bind(peer);
    if (!link.inService || link.config?.mode !== mode || !deliver) {
      link.counters.dropped++;
      return;
    }
    link.counters.toPeer++;
    this.callPeer(mode === 'mtp2' ? 'onMsu' : 'onHdlcFrame', () => deliver(index, data));
  }

  /** An MSU the link's own MTP2 received from the far end. */
  fromLine(index: number, data: Uint8Array): void {
    const link = this.opts.links[index];
    if (link) this.toHost(link, data);
  }

  private toLine(link: SimSignallingLink, mode: 'mtp2' | 'hdlc', data: Uint8Array): void {
    if (mode !== 'mtp2' || link.config?.mode !== 'mtp2' || !link.inService) {
      link.counters.dropped++;
      return;
    }
    if (data.length < MIN_MSU_DATA || data.length > MAX_MSU_DATA) {
      // Q.703 2.2: an MSU has an SIO and 2 to 272 SIF octets; anything else cannot be sent.
      link.counters.dropped++;
      this.opts.log.warn({ link: link.index, length: data.length }, `MSU of ${data.length} octets from the host dropped: an MSU carries ${MIN_MSU_DATA} to ${MAX_MSU_DATA} octets (SIO and SIF)`);
      return;
    }
    if (link.line.sendMsu?.(data)) link.counters.toPeer++;
    else link.counters.dropped++;
  }

  private fromPeer(index: number, data: Uint8Array): boolean {
    const link = this.opts.links[index];
    if (!link) return false;
    // A link whose line side runs MTP2 carries only what that MTP2 receives.
    if (link.line.carriesMsus) {
      link.counters.dropped++;
      return false;
    }
    return this.toHost(link, data);
  }

  private toHost(link: SimSignallingLink, data: Uint8Array): boolean {
    const index = link.index;
    if (!link.inService || !link.config || !this.opts.cardUp()) {
      link.counters.dropped++;
      return false;
    }
    link.counters.toHost++;
    this.opts.send(link.config.mode === 'mtp2' ? { type: 'msu', link: index, data } : { type: 'hdlcFrame', link: index, data });
    return true;
  }

  /** A failing peer is logged, never allowed to take the card down. */
  private callPeer(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.log.error({ err }, `signalling peer failed in ${what}`);
    }
  }
}
