import { TypedEmitter, type Clock, type TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { CardDriver } from '../../card/card-driver.js';
import { IsupCodecError } from '../isup/isup-codec-error.js';
import { decodeLinkTest, encodeLinkTest, type LinkTestMessage } from './link-test-codec.js';
import { LinkTest, type LinkTestResult, type LinkTestSettings, type LinkTestView } from './link-test.js';
import { decodeMsu, encodeMsu, SI_ISUP, type DecodedMsu, type Mtp3Variant, type NetworkIndicator } from './mtp3-label.js';
import { decodeSnm, encodeSnm, type SnmMessage, type SnmType } from './network-management-codec.js';
import { NetworkManagement } from './network-management.js';
import { serviceName, SI_SNM, SI_TEST, SI_TEST_SPECIAL, type ServiceName } from './service-indicator.js';

export interface Mtp3Options {
  card: CardDriver;
  clock: Clock;
  logger: Logger;
  /** The card's signalling link to the exchange (MTP2 runs on the card). */
  link: number;
  variant: Mtp3Variant;
  ni: NetworkIndicator;
  ownPointCode: number;
  peerPointCode: number;
  /** Signalling link code of the link, agreed with the exchange (0..15). */
  slc: number;
  linkTest: LinkTestSettings;
  /**
   * How long ISUP waits for the exchange's TRA once our link test passed (Q.704 9, at most
   * T20): an exchange that runs the restart procedure takes user traffic only after it has
   * sent its TRA, and drops what comes before. Default 60 s.
   */
  traWaitMs?: number;
}

/** Q.704 16.8 T20 (59-61 s): the longest a restarting point waits for its neighbours' TRA. */
export const TRA_WAIT_DEFAULT_MS = 60_000;

/** One MSU as it crossed the link, for `countyline capture`. */
export interface CapturedMsu {
  at: number;
  direction: 'in' | 'out';
  data: Uint8Array;
}

/** The management messages the box counts by name, both ways. */
export type ManagementName = SnmType | LinkTestMessage['type'];

type Counts<K extends string> = Partial<Record<K, number>>;

export interface Mtp3Stats {
  /** Well-formed MSUs from the exchange to us, and MSUs we sent, by service indicator. */
  received: Counts<ServiceName>;
  sent: Counts<ServiceName>;
  /** Management messages (SI 0, 1, 2) by name, each way. */
  managementIn: Counts<ManagementName>;
  managementOut: Counts<ManagementName>;
  /** MSUs dropped, by why and service indicator. */
  dropped: {
    /** The label, or a management message, could not be read. */
    malformed: Counts<ServiceName>;
    /** Not from the exchange's point code to ours, or another network indicator. */
    misrouted: Counts<ServiceName>;
    /** Arrived while MTP2 had the link out of service. */
    beforeLinkUp: Counts<ServiceName>;
    /** For a user part the box does not have (anything but ISUP and MTP3's own). */
    unequipped: Counts<ServiceName>;
    /** ISUP held while the first link test ran, dropped because the test failed or the link went. */
    heldDropped: Counts<ServiceName>;
  };
  /** Messages not sent because the link was not available. */
  notSent: Counts<ServiceName>;
  /** Times ISUP started without the exchange's TRA, because the wait for it ran out. */
  traWaitExpired: number;
}

export interface Mtp3Events {
  /** The link became available to ISUP (its test passed), or stopped being so. */
  available: (available: boolean) => void;
  /** An ISUP MSU from the exchange to us (all of it, from the SIO), while the link is available. */
  isup: (msu: Uint8Array) => void;
  capture: (msu: CapturedMsu) => void;
  /** A signalling link test ended. */
  'link-test': (result: LinkTestResult) => void;
  /** Two link tests failed in a row: the link is being restarted. */
  'link-restart': (view: LinkTestView) => void;
}

/** ISUP MSUs kept while the first link test runs; beyond this the oldest go. */
const HOLD_LIMIT = 256;

/**
 * MTP level 3 on the box (Q.704, Q.707) over one signalling link of the card to one
 * adjacent exchange: checks each MSU's routing label and hands it on by service indicator
 * (message discrimination and distribution, Q.704 2.3, 2.4):
 *
 *     SI 5 (ISUP)      -> the ISUP stack, once the link is available
 *     SI 1, 2 (tests)  -> the signalling link test (Q.707)
 *     SI 0 (SNM)       -> network management
 *     any other        -> counted and dropped, UPU "unequipped" back to the exchange
 *
 * ISUP that arrives while the first link test still runs is held and handed on once it
 * passes: the exchange's start-up GRS often overtakes our test's SLTA.
 */
export class Mtp3 extends TypedEmitter<Mtp3Events> {
  readonly stats: Mtp3Stats = {
    received: {},
    sent: {},
    managementIn: {},
    managementOut: {},
    dropped: { malformed: {}, misrouted: {}, beforeLinkUp: {}, unequipped: {}, heldDropped: {} },
    notSent: {},
    traWaitExpired: 0,
  };
  readonly linkTest: LinkTest;
  private readonly management: NetworkManagement;
  private inService = false;
  /** What the card last said of the link's MTP2 state. */
  private mtp2InService = false;
  /** Q.704 9: since the link came into service, the exchange's TRA came, or the wait for it ran out. */
  private restartEnded = false;
  /** The exchange's TRA came since the link came into service. */
  private traReceived = false;
  private traWait: TimerHandle | undefined;
  private held: Uint8Array[] = [];
  /** The service indicator of the SLTM being answered: its SLTA goes back on the same one. */
  private answerSi = SI_TEST;
  private stopped = false;

  constructor(private readonly opts: Mtp3Options) {
    super();
    const log = opts.logger;
    this.linkTest = new LinkTest({
      clock: opts.clock,
      logger: log,
      settings: opts.linkTest,
      slc: opts.slc,
      send: (m, slc) => this.sendUnchecked(m.type === 'SLTA' ? this.answerSi : SI_TEST, encodeLinkTest(m), slc, m.type),
    });
    this.management = new NetworkManagement({
      logger: log,
      peerPointCode: opts.peerPointCode,
      // Our TRA has to go before the restart ends: the link only has to have passed its test.
      send: (m) => this.inService && this.linkTest.available && this.sendUnchecked(SI_SNM, encodeSnm(m, opts.variant), opts.slc, m.type),
    });
    this.linkTest.on('available', (up) => this.onAvailable(up));
    this.linkTest.on('result', (r) => this.emit('link-test', r));
    this.linkTest.on('restart', (failure) => this.restart(failure));
    opts.card.on('msu', (m) => {
      if (m.link === opts.link) this.onMsu(m.data);
    });
    // The link is in service for MTP3 once MTP2 on the card says so and the card driver can
    // send: a card that still has its link in service when the box (re)starts reports it
    // during the driver's set-up, when an SLTM would be refused and the test lost until T1.
    const update = () => this.setInService(this.mtp2InService && opts.card.current === 'up');
    opts.card.on('link-state', (m) => {
      if (m.link !== opts.link) return;
      this.mtp2InService = m.state === 'in-service';
      update();
    });
    opts.card.on('card-up', update);
    opts.card.on('card-back', update);
    opts.card.on('card-lost', () => {
      this.mtp2InService = false;
      update();
    });
    opts.card.on('card-restarted', () => {
      this.mtp2InService = false;
      update();
    });
  }

  /**
   * Whether ISUP may use the link: MTP2 has it in service, the link test passed, and the
   * exchange allowed traffic (its TRA came, or the wait for it ran out).
   */
  get available(): boolean {
    return this.inService && this.linkTest.available && this.restartEnded;
  }

  /** Sends a user part's payload behind our routing label; false (and counted) when the link is not available. */
  send(si: number, payload: Uint8Array, sls: number): boolean {
    if (!this.available) {
      count(this.stats.notSent, serviceName(si));
      return false;
    }
    return this.sendUnchecked(si, payload, sls);
  }

  stop(): void {
    this.stopped = true;
    this.linkTest.stop();
    this.cancelTraWait();
    this.held = [];
  }

  private sendUnchecked(si: number, payload: Uint8Array, sls: number, management?: ManagementName): boolean {
    const { opts } = this;
    const data = encodeMsu({ variant: opts.variant, ni: opts.ni, si, dpc: opts.peerPointCode, opc: opts.ownPointCode, sls, payload });
    try {
      opts.card.send({ type: 'msu', link: opts.link, data });
    } catch (err) {
      count(this.stats.notSent, serviceName(si));
      opts.logger.warn({ err: (err as Error).message, si: serviceName(si), message: management }, 'MSU not sent');
      return false;
    }
    count(this.stats.sent, serviceName(si));
    if (management) count(this.stats.managementOut, management);
    this.emit('capture', { at: opts.clock.now(), direction: 'out', data });
    return true;
  }

  private setInService(inService: boolean): void {
    if (inService === this.inService) return;
    this.inService = inService;
    this.opts.logger.info({ link: this.opts.link }, inService ? 'signalling link in service (MTP2); testing it' : 'signalling link out of service (MTP2)');
    if (!inService) {
      // Tells ISUP (through `onAvailable`) if it had the link.
      this.linkTest.linkOutOfService();
    }
    // Every return to service is an MTP restart at both ends (the box was isolated): the
    // exchange's TRA is awaited again.
    this.restartEnded = false;
    this.traReceived = false;
    this.cancelTraWait();
    if (inService) this.linkTest.linkInService();
    else this.dropHeld();
  }

  /** The link test passed (the link may carry traffic) or stopped passing. */
  private onAvailable(up: boolean): void {
    if (!up) {
      const was = this.restartEnded;
      this.restartEnded = false;
      this.cancelTraWait();
      this.dropHeld();
      if (was) this.emit('available', false);
      return;
    }
    // Our TRA ends our restart (Q.704 9): an exchange running the restart procedure takes no
    // user traffic until it has it.
    this.management.linkAvailable();
    if (this.traReceived) return this.endRestart();
    // And the exchange's TRA ends its own: libss7, for one, drops ISUP until it has passed its
    // own link test and sent TRA. Wait for it, as long as T20 at most.
    const waitMs = this.opts.traWaitMs ?? TRA_WAIT_DEFAULT_MS;
    this.opts.logger.info({ waitMs }, 'link test passed; waiting for the exchange to allow traffic (TRA)');
    this.traWait = this.opts.clock.setTimeout(() => {
      this.traWait = undefined;
      this.stats.traWaitExpired++;
      this.opts.logger.warn({ waitMs }, `no TRA from the exchange within ${waitMs / 1000} s of the link test passing; ISUP starts without it`);
      this.endRestart();
    }, waitMs);
  }

  private endRestart(): void {
    this.cancelTraWait();
    if (this.restartEnded) return;
    this.restartEnded = true;
    this.emit('available', true);
    const held = this.held;
    this.held = [];
    for (const msu of held) this.emit('isup', msu);
  }

  private cancelTraWait(): void {
    if (this.traWait) this.opts.clock.clearTimeout(this.traWait);
    this.traWait = undefined;
  }

  private onMsu(data: Uint8Array): void {
    const { opts, stats } = this;
    this.emit('capture', { at: opts.clock.now(), direction: 'in', data });
    let msu: DecodedMsu;
    try {
      msu = decodeMsu(data, opts.variant);
    } catch (err) {
      if (!(err instanceof IsupCodecError)) throw err;
      const si = data.length > 0 ? serviceName(data[0]! & 0x0f) : 'snm';
      count(stats.dropped.malformed, si);
      opts.logger.warn({ msu: hex(data), offset: err.offset }, `malformed MSU dropped: ${err.message}`);
      return;
    }
    const service = serviceName(msu.si);
    if (!this.inService) {
      // Left over from before the link came (back) into service; the reset that follows
      // the link's test settles every circuit, so these must not start calls.
      count(stats.dropped.beforeLinkUp, service);
      return;
    }
    if (msu.dpc !== opts.ownPointCode || msu.opc !== opts.peerPointCode || msu.ni !== opts.ni) {
      count(stats.dropped.misrouted, service);
      opts.logger.warn({ si: service, opc: msu.opc, dpc: msu.dpc, ni: msu.ni }, `MSU not from ${opts.peerPointCode} to ${opts.ownPointCode} (${opts.ni}) dropped`);
      return;
    }
    count(stats.received, service);
    switch (msu.si) {
      case SI_ISUP:
        return this.onIsup(data);
      case SI_TEST:
      case SI_TEST_SPECIAL:
        return this.onLinkTest(msu, data);
      case SI_SNM:
        return this.onManagement(msu, data);
      default:
        return this.onUnequipped(msu, service);
    }
  }

  private onIsup(data: Uint8Array): void {
    if (this.available) {
      this.emit('isup', data);
      return;
    }
    this.held.push(data);
    if (this.held.length > HOLD_LIMIT) {
      this.held.shift();
      count(this.stats.dropped.heldDropped, 'isup');
    }
  }

  private onLinkTest(msu: DecodedMsu, data: Uint8Array): void {
    let message: LinkTestMessage;
    try {
      message = decodeLinkTest(data, msu.payloadOffset);
    } catch (err) {
      return this.malformed(err, msu, data);
    }
    count(this.stats.managementIn, message.type);
    this.answerSi = msu.si;
    this.linkTest.onMessage(message, msu.sls);
  }

  private onManagement(msu: DecodedMsu, data: Uint8Array): void {
    let message: SnmMessage;
    try {
      message = decodeSnm(data, msu.payloadOffset, this.opts.variant);
    } catch (err) {
      return this.malformed(err, msu, data);
    }
    count(this.stats.managementIn, message.type);
    this.management.onMessage(message);
    if (message.type === 'TRA') {
      this.traReceived = true;
      if (this.linkTest.available && !this.restartEnded) this.endRestart();
    }
  }

  /**
   * Q.704 2.4: a message for a user part this point does not have is discarded, and the
   * origin is told with a UPU, cause "unequipped remote user" (Q.704 15.17), so that it
   * stops sending them.
   */
  private onUnequipped(msu: DecodedMsu, service: ServiceName): void {
    count(this.stats.dropped.unequipped, service);
    this.opts.logger.warn({ si: msu.si, service }, 'MSU for a user part the box does not have dropped; UPU sent back');
    const upu: SnmMessage = { type: 'UPU', destination: this.opts.ownPointCode, userPart: msu.si, cause: 'unequipped' };
    if (this.available) this.sendUnchecked(SI_SNM, encodeSnm(upu, this.opts.variant), this.opts.slc, 'UPU');
  }

  private malformed(err: unknown, msu: DecodedMsu, data: Uint8Array): void {
    if (!(err instanceof IsupCodecError)) throw err;
    const service = serviceName(msu.si);
    count(this.stats.dropped.malformed, service);
    this.opts.logger.warn({ si: service, code: err.code, offset: err.offset, msu: hex(data) }, `malformed ${service} message dropped: ${err.message}`);
  }

  /** Q.707 2.2: two failed tests take the link out of service and restore it (Q.704 12). */
  private restart(failure: string): void {
    const { card, link, logger } = this.opts;
    this.emit('link-restart', this.linkTest.view());
    logger.error({ link, failure, restarts: this.linkTest.view().restarts }, 'signalling link test failed twice in a row: restarting the link');
    void (async () => {
      try {
        await card.command({ type: 'linkControl', link, action: 'stop' });
        if (!this.stopped) await card.command({ type: 'linkControl', link, action: 'start' });
      } catch (err) {
        // A card that is not up restarts its links itself when it comes back (card driver).
        logger.error({ link, err: (err as Error).message }, 'the card did not restart the signalling link');
      }
    })();
  }

  private dropHeld(): void {
    if (this.held.length === 0) return;
    count(this.stats.dropped.heldDropped, 'isup', this.held.length);
    this.held = [];
  }
}

function count<K extends string>(counts: Counts<K>, key: K, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
