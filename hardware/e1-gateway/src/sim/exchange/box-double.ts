import { FakeClock } from '../../clock.js';
import { parseExchangeConfig } from './exchange-config.js';
import { acm } from './exchange-messages.js';
import { FarEndExchange } from './far-end-exchange.js';
import {
  decodeMsu,
  encodeIsupMsu,
  encodeLinkTestMsu,
  SERVICE_INDICATOR,
  type IsupMessage,
  type IsupMessageOf,
  type IsupMessageType,
  type LinkTestMessage,
  type Mtp3Route,
  type UnrecognisedMessage,
} from './isup/index.js';

export interface BoxDoubleOptions {
  /** Raw exchange settings, as in an `--exchange` file. */
  config?: Record<string, unknown>;
  random?: () => number;
}

export interface SeenMessage {
  at: number;
  message: IsupMessage | UnrecognisedMessage;
}

export interface SeenLinkTest {
  at: number;
  test: LinkTestMessage;
}

/**
 * The box as a test sees it from the far end: a `FarEndExchange` on a FakeClock, fed MSUs
 * encoded with the box's route (as the card would hand them over) and with everything it
 * sends decoded and recorded. No card, no serial line: for tests of the exchange itself.
 *
 * With `autoAnswer`, the double answers like a well-behaved box one millisecond later:
 * ACM then ANM to the exchange's IAMs, RLC to its RELs, GRA to its GRS. With
 * `answerLinkTests` (the default, as the firmware does) it answers SLTM with SLTA at once.
 */
export class BoxDouble {
  readonly clock = new FakeClock(0);
  readonly exchange: FarEndExchange;
  /** Every ISUP message the exchange sent, in order. */
  readonly seen: SeenMessage[] = [];
  /** Every SLTM and SLTA the exchange sent, in order. */
  readonly linkTests: SeenLinkTest[] = [];
  /** Whether the card would take what the exchange sends. */
  linkInService = true;
  autoAnswer = false;
  answerLinkTests = true;
  /** When the exchange sent TRA (Q.704 9). */
  readonly traSent: number[] = [];
  private readonly route: Mtp3Route;

  constructor(opts: BoxDoubleOptions = {}) {
    const config = parseExchangeConfig(opts.config ?? {});
    this.exchange = new FarEndExchange({ config, clock: this.clock, ...(opts.random ? { random: opts.random } : {}) });
    this.route = { variant: config.variant, ni: config.ni, dpc: config.pointCode, opc: config.peerPointCode };
    this.exchange.attach((link, data) => {
      if (!this.linkInService || link !== config.link) return false;
      const msu = decodeMsu(data, config.variant);
      if (msu.kind === 'link-test') {
        this.linkTests.push({ at: this.clock.now(), test: msu.test });
        if (this.answerLinkTests && msu.test.type === 'SLTM') this.sendLinkTest({ ...msu.test, type: 'SLTA' });
      } else if (msu.kind === 'isup') {
        this.seen.push({ at: this.clock.now(), message: msu.message });
        if (this.autoAnswer) this.answer(msu.message);
      } else if (msu.header.si === SERVICE_INDICATOR.networkManagement && msu.sif[0] === 0x17) {
        this.traSent.push(this.clock.now());
      } else {
        throw new Error(`the exchange sent an MSU of service indicator ${msu.header.si}`);
      }
      return true;
    });
  }

  /** The link comes into service: the exchange sends its GRS. */
  linkUp(): void {
    this.linkInService = true;
    this.exchange.onLinkState(this.exchange.config.link, 'in-service');
  }

  linkDown(): void {
    this.linkInService = false;
    this.exchange.onLinkState(this.exchange.config.link, 'out-of-service');
  }

  /** Link up, the exchange's GRS answered with GRA, and the messages so far forgotten. */
  ready(): void {
    this.linkUp();
    for (const grs of this.of('GRS')) this.send({ type: 'GRA', cic: grs.cic, rangeAndStatus: { range: grs.rangeAndStatus.range, status: new Array<boolean>(grs.rangeAndStatus.range + 1).fill(false) } });
    this.clear();
  }

  /** Sends a message from the box (route overrides for wrong-route tests). */
  send(message: IsupMessage | UnrecognisedMessage, route: Partial<Mtp3Route> = {}): void {
    this.sendBytes(encodeIsupMsu({ ...this.route, ...route }, message));
  }

  /** Sends an SLTM or SLTA from the box. */
  sendLinkTest(test: LinkTestMessage, route: Partial<Mtp3Route> = {}): void {
    this.sendBytes(encodeLinkTestMsu({ ...this.route, ...route }, test));
  }

  sendBytes(bytes: Uint8Array): void {
    this.exchange.onMsu(this.exchange.config.link, bytes);
  }

  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /** The messages of one type the exchange sent. */
  of<T extends IsupMessageType>(type: T): (IsupMessageOf<T> & { at: number })[] {
    return this.seen.filter((s) => s.message.type === type).map((s) => ({ ...(s.message as IsupMessageOf<T>), at: s.at }));
  }

  /** `TYPE cic` for each message sent, in order: a compact view for assertions. */
  trace(): string[] {
    return this.seen.map((s) => `${s.message.type} ${s.message.cic}`);
  }

  clear(): void {
    this.seen.length = 0;
  }

  private answer(m: IsupMessage | UnrecognisedMessage): void {
    const reply = (message: IsupMessage, delay = 1) => this.clock.setTimeout(() => this.send(message), delay);
    if (m.type === 'IAM') {
      reply(acm(m.cic));
      reply({ type: 'ANM', cic: m.cic }, 2);
    } else if (m.type === 'REL') {
      reply({ type: 'RLC', cic: m.cic });
    } else if (m.type === 'GRS') {
      reply({ type: 'GRA', cic: m.cic, rangeAndStatus: { range: m.rangeAndStatus.range, status: new Array<boolean>(m.rangeAndStatus.range + 1).fill(false) } });
    }
  }
}
