import type { Clock, LinkState } from '@countyline/e1-gateway';
import type { FarEndExchange, PeerSend, SignallingPeer } from '@countyline/e1-gateway/sim';
import { IsupCodecError } from '../src/signalling/isup/isup-codec-error.js';
import type { IsupMessage, IsupMessageOf, IsupMessageType } from '../src/signalling/isup/isup-messages.js';
import { decodeIsupMsu, encodeIsupMsu } from '../src/signalling/isup/isup-msu.js';

/** The box's point code in the rig, and the exchange's (the simulator's bench default). */
export const BOX_PC = 1000;
export const EXCHANGE_PC = 2000;

/** One message as it crossed the link between the box and the exchange. */
export interface Crossed {
  at: number;
  from: 'box' | 'exchange';
  message: IsupMessage;
}

/**
 * Stands between the card and the far-end exchange as the card's signalling peer: passes
 * everything both ways and writes it down, and can make the exchange deaf (what the box
 * sends is lost) or speak for it (an MSU of the test's choosing).
 */
export class ExchangeTap implements SignallingPeer {
  readonly crossed: Crossed[] = [];
  /** While true, what the box sends never reaches the exchange. */
  deaf = false;
  /**
   * While true, the exchange is not told when the link goes out of service or comes back: it
   * keeps its calls across the outage, as an exchange whose ISUP rides out an MTP pause
   * (the simulator's exchange otherwise clears its calls and resets the group).
   */
  hideLinkState = false;
  private send: PeerSend | undefined;

  constructor(
    readonly exchange: FarEndExchange,
    private readonly clock: Clock,
  ) {}

  attach(send: PeerSend): void {
    this.send = send;
    this.exchange.attach((link, data) => {
      const sent = send(link, data);
      if (sent) this.note('exchange', data);
      return sent;
    });
  }

  detach(): void {
    this.exchange.detach();
    this.send = undefined;
  }

  onMsu(link: number, data: Uint8Array): void {
    this.note('box', data);
    if (!this.deaf) this.exchange.onMsu(link, data);
  }

  onLinkState(link: number, state: LinkState): void {
    if (!this.hideLinkState) this.exchange.onLinkState(link, state);
  }

  /** Bytes on link 0 as if the exchange sent them; false when the card would not take them. */
  inject(data: Uint8Array): boolean {
    return this.send?.(0, data) ?? false;
  }

  /** A message from the exchange's point code to the box's, as the exchange would send it. */
  injectMessage(message: IsupMessage): boolean {
    return this.inject(encodeIsupMsu({ variant: 'itu', ni: 'national', opc: EXCHANGE_PC, dpc: BOX_PC }, message));
  }

  /** Messages of one type, one way (after `mark`), with when they crossed. */
  of<T extends IsupMessageType>(from: 'box' | 'exchange', type: T, mark = 0): (IsupMessageOf<T> & { at: number })[] {
    return this.crossed.slice(mark).filter((c) => c.from === from && c.message.type === type).map((c) => ({ ...(c.message as IsupMessageOf<T>), at: c.at }));
  }

  /** Where the record stands now; pass it to `trace` to see only what crosses after. */
  mark(): number {
    return this.crossed.length;
  }

  /** "IAM 3" style lines of what crossed one way (after `mark`), for readable assertions. */
  trace(from: 'box' | 'exchange', mark = 0): string[] {
    return this.crossed.slice(mark).filter((c) => c.from === from).map((c) => `${c.message.type} ${c.message.cic}`);
  }

  private note(from: 'box' | 'exchange', data: Uint8Array): void {
    try {
      this.crossed.push({ at: this.clock.now(), from, message: decodeIsupMsu(data, 'itu').message });
    } catch (err) {
      if (!(err instanceof IsupCodecError)) throw err;
    }
  }
}
