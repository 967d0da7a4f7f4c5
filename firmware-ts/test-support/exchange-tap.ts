import type { Clock, LinkState } from '@countyline/e1-gateway';
import type { FarEndExchange, PeerSend, SignallingPeer } from '@countyline/e1-gateway/sim';
import { IsupCodecError } from '../src/signalling/isup/isup-codec-error.js';
import type { IsupMessage, IsupMessageOf, IsupMessageType } from '../src/signalling/isup/isup-messages.js';
import { decodeIsupMsu, encodeIsupMsu } from '../src/signalling/isup/isup-msu.js';
import { decodeLinkTest } from '../src/signalling/mtp3/link-test-codec.js';
import { decodeMsu, encodeMsu, SI_ISUP, type DecodedMsu, type Mtp3Variant } from '../src/signalling/mtp3/mtp3-label.js';
import { decodeSnm } from '../src/signalling/mtp3/network-management-codec.js';
import { serviceName, SI_SNM, SI_TEST, SI_TEST_SPECIAL } from '../src/signalling/mtp3/service-indicator.js';

/** The box's point code in the rig, and the exchange's (the simulator's bench default). */
export const BOX_PC = 1000;
export const EXCHANGE_PC = 2000;

/** One message as it crossed the link between the box and the exchange. */
export interface Crossed {
  at: number;
  from: 'box' | 'exchange';
  message: IsupMessage;
}

/** One MTP3 message other than ISUP (link test, network management, another user part). */
export interface CrossedMtp3 {
  at: number;
  from: 'box' | 'exchange';
  si: number;
  /** `SLTM`, `SLTA`, `TRA`, `UPU`, ...; the service's name (`sccp`) for another user part; `malformed` when unreadable. */
  name: string;
  sls: number;
  /** The MSU from its SIO on. */
  data: Uint8Array;
}

export interface ExchangeTapOptions {
  /**
   * Whether the box's signalling link tests reach the exchange, which answers each SLTM with
   * an SLTA (default true). False: the SLTMs are lost on the way, so no SLTA ever comes.
   */
  answerLinkTests?: boolean;
}

/**
 * Stands between the card and the far-end exchange as the card's signalling peer: passes
 * everything both ways and writes it down, and can make the exchange deaf (the box's ISUP
 * is lost) or speak for it (an MSU of the test's choosing).
 */
export class ExchangeTap implements SignallingPeer {
  readonly crossed: Crossed[] = [];
  /** Link tests and network management both ways, and MSUs for other user parts. */
  readonly mtp3: CrossedMtp3[] = [];
  /** While true, the box's ISUP and network management never reach the exchange (link tests still do). */
  deaf = false;
  /**
   * While true, the exchange is not told when the link goes out of service or comes back: it
   * keeps its calls across the outage, as an exchange whose ISUP rides out an MTP pause
   * (the simulator's exchange otherwise clears its calls and resets the group).
   */
  hideLinkState = false;
  /** While true, the exchange's TRA never reaches the box (an exchange that does not send one). */
  withholdTra = false;
  /** While false, the box's SLTMs never reach the exchange: its link tests go unanswered. */
  answerLinkTests: boolean;
  private send: PeerSend | undefined;

  constructor(
    readonly exchange: FarEndExchange,
    private readonly clock: Clock,
    options: ExchangeTapOptions = {},
  ) {
    this.answerLinkTests = options.answerLinkTests ?? true;
  }

  /** The exchange's routing label variant. */
  get variant(): Mtp3Variant {
    return this.exchange.config.variant;
  }

  attach(send: PeerSend): void {
    this.send = send;
    this.exchange.attach((link, data) => {
      if (this.withholdTra && this.isTra(data)) return true;
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
    const msu = this.note('box', data);
    if (msu && (msu.si === SI_TEST || msu.si === SI_TEST_SPECIAL)) {
      if (!this.answerLinkTests && mtp3Name(msu) === 'SLTM') return;
    } else if (this.deaf) return;
    this.exchange.onMsu(link, data);
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
    return this.inject(encodeIsupMsu({ variant: this.variant, ni: 'national', opc: EXCHANGE_PC, dpc: BOX_PC }, message));
  }

  /** Any MTP3 user's payload (SI 0 network management, 1 link test, 3 SCCP...) from the exchange to the box. */
  injectMtp3(si: number, payload: Uint8Array, sls = 0): boolean {
    return this.inject(encodeMsu({ variant: this.variant, ni: 'national', si, opc: EXCHANGE_PC, dpc: BOX_PC, sls, payload }));
  }

  /** "SLTM 0" style lines (name and SLS) of the non-ISUP MSUs that crossed one way, after `mtp3Mark`. */
  mtp3Trace(from: 'box' | 'exchange', mark = 0): string[] {
    return this.mtp3.slice(mark).filter((c) => c.from === from).map((c) => `${c.name} ${c.sls}`);
  }

  /** Where the MTP3 record stands now. */
  mtp3Mark(): number {
    return this.mtp3.length;
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

  private isTra(data: Uint8Array): boolean {
    try {
      const msu = decodeMsu(data, this.variant);
      return msu.si === SI_SNM && mtp3Name(msu) === 'TRA';
    } catch (err) {
      if (!(err instanceof IsupCodecError)) throw err;
      return false;
    }
  }

  private note(from: 'box' | 'exchange', data: Uint8Array): DecodedMsu | null {
    const at = this.clock.now();
    let msu: DecodedMsu;
    try {
      msu = decodeMsu(data, this.variant);
    } catch (err) {
      if (!(err instanceof IsupCodecError)) throw err;
      return null;
    }
    if (msu.si === SI_ISUP) {
      try {
        this.crossed.push({ at, from, message: decodeIsupMsu(data, this.variant).message });
      } catch (err) {
        if (!(err instanceof IsupCodecError)) throw err;
      }
      return msu;
    }
    this.mtp3.push({ at, from, si: msu.si, name: mtp3Name(msu), sls: msu.sls, data: Uint8Array.from(data) });
    return msu;
  }
}

function mtp3Name(msu: DecodedMsu): string {
  try {
    if (msu.si === SI_SNM) return decodeSnm(msu.payload, 0, msu.variant).type;
    if (msu.si === SI_TEST || msu.si === SI_TEST_SPECIAL) return decodeLinkTest(msu.payload).type;
  } catch (err) {
    if (!(err instanceof IsupCodecError)) throw err;
    return 'malformed';
  }
  return serviceName(msu.si);
}
