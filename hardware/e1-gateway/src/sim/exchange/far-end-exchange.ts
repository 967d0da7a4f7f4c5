import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '../../clock.js';
import type { LinkState } from '../../protocol/index.js';
import { TypedEmitter } from '../../typed-emitter.js';
import { seededRandom } from '../serial-noise.js';
import type { PeerSend, SignallingPeer, TimeslotFarEnd } from '../signalling-peer.js';
import { SimError } from '../sim-error.js';
import { Timers } from '../sim-timers.js';
import type { CircuitCounts, CircuitGroup, CircuitRow } from './circuits/index.js';
import type { CallView } from './exchange-call-state.js';
import { ExchangeCalls } from './exchange-calls.js';
import { buildGroup, MAX_HOLD_SECONDS, parseExchangeConfig, type ExchangeConfig } from './exchange-config.js';
import { bump, MAINTENANCE_TYPES, newCounters, type ExchangeContext, type ExchangeCounters, type ExchangeTraffic } from './exchange-context.js';
import { ExchangeContinuity } from './exchange-continuity.js';
import { ExchangeLinkTest, type LinkTestView } from './exchange-link-test.js';
import { ExchangeMaintenance, MAX_GROUP, type PendingView } from './exchange-maintenance.js';
import { cfn, CAUSE } from './exchange-messages.js';
import { PoissonArrivals } from './exchange-traffic.js';
import { decodeMsu, encodeIsupMsu, encodeLinkTestMsu, encodeTraMsu, SERVICE_INDICATOR, Ss7CodecError, type DecodedMsu, type IsupMessage, type LinkTestMessage, type Mtp3Route, type UnrecognisedMessage } from './isup/index.js';

export interface FarEndExchangeOptions {
  /** Parsed settings (see `parseExchangeConfig`); default: the bench defaults. */
  config?: ExchangeConfig;
  clock?: Clock;
  /** Default: seeded from `config.seed`, so a bench run can be repeated. */
  random?: () => number;
  /** Default: silent. */
  logger?: Logger;
}

export interface FarEndExchangeEvents {
  /** A far-end loop came or went: whoever detects tones should look again. */
  loopback: (span: number, timeslot: number, on: boolean) => void;
}

export type ExchangeCircuit = CircuitRow & { ready: boolean; loopback: boolean; exchangeCall: CallView | null };

export type ExchangeCounterView = ExchangeCounters & { glaresWon: number; glaresLost: number };

/** What `GET /state` shows of the exchange. */
export interface ExchangeSummary {
  pointCode: number;
  peerPointCode: number;
  link: number;
  /** The card's link is in service (MTP2). */
  linkInService: boolean;
  /** The signalling link test, and whether ISUP flows. */
  linkTest: LinkTestView;
  /** Circuits whose GRS/RSC is acknowledged: the ones the exchange may call on. */
  readyCircuits: number;
  traffic: ExchangeTraffic;
  counts: CircuitCounts;
  counters: ExchangeCounterView;
  pending: PendingView[];
}

/** What `GET /exchange` shows. */
export interface ExchangeSnapshot extends ExchangeSummary {
  config: ExchangeConfig;
  circuits: ExchangeCircuit[];
}

/**
 * The simulated far-end telephone exchange behind one signalling link of the card: an ISUP
 * exchange with its own point code and circuit group, speaking Q.764 with the box. It
 * answers the box's calls, places its own (Poisson), handles dual seizure, maintenance
 * (BLO/UBL, CGB/CGU, RSC, GRS, CQM) and continuity checks, tests its signalling link
 * (Q.707), and counts what happens. Its SS7 codec and circuit code are its own, written
 * apart from the firmware's, so that the two ends do not share a misreading.
 *
 * It is the card's `SignallingPeer` (MSUs) and `TimeslotFarEnd` (continuity loops); the
 * `loopback` event tells the card when a loop changes.
 */
export class FarEndExchange extends TypedEmitter<FarEndExchangeEvents> implements SignallingPeer, TimeslotFarEnd {
  readonly config: ExchangeConfig;
  readonly group: CircuitGroup;
  private readonly counters: ExchangeCounters = newCounters();
  private readonly traffic: ExchangeTraffic;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timers: Timers;
  private readonly loops = new Set<number>();
  private readonly calls: ExchangeCalls;
  private readonly continuity: ExchangeContinuity;
  private readonly maintenance: ExchangeMaintenance;
  private readonly arrivals: PoissonArrivals;
  private readonly linkTest: ExchangeLinkTest;
  private readonly route: Mtp3Route;
  private sendFn: PeerSend | undefined;
  /** The card's link is in service. */
  private inService = false;
  /** ISUP flows: the link is in service and, if the link test is required, it passed. */
  private isupUp = false;
  /** The box's TRA came since the link came into service. */
  private boxTraSeen = false;

  constructor(opts: FarEndExchangeOptions = {}) {
    super();
    this.config = opts.config ?? parseExchangeConfig({});
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.timers = new Timers(this.clock);
    this.group = buildGroup(this.config, this.clock.now());
    this.traffic = { callsPerMinute: this.config.callsPerMinute, holdSeconds: this.config.holdSeconds, glareRatio: 0 };
    const random = opts.random ?? seededRandom(this.config.seed);
    const ctx: ExchangeContext = {
      config: this.config,
      traffic: this.traffic,
      group: this.group,
      counters: this.counters,
      timers: this.timers,
      random,
      log: this.log,
      now: () => this.clock.now(),
      send: (m) => this.sendMessage(m),
      setLoop: (cic, on) => this.setLoop(cic, on),
    };
    this.calls = new ExchangeCalls(ctx, {
      isReady: (cic) => this.isupUp && this.maintenance.isReady(cic),
      reassertBlock: (cic) => this.maintenance.sendBlock(cic, true),
      requestReset: (cic) => this.maintenance.sendReset(cic),
    });
    this.continuity = new ExchangeContinuity(ctx);
    this.maintenance = new ExchangeMaintenance(ctx, {
      clearCircuit: (cic, reason) => {
        this.continuity.clear(cic);
        this.calls.clear(cic, reason);
      },
      blockedInSetup: (cic) => this.calls.blockedInSetup(cic),
      onReady: () => {
        if (!this.arrivals.running) this.arrivals.run(this.traffic.callsPerMinute);
      },
    });
    this.arrivals = new PoissonArrivals(this.timers, random, () => this.calls.originate());
    this.route = { variant: this.config.variant, ni: this.config.ni, opc: this.config.pointCode, dpc: this.config.peerPointCode };
    this.linkTest = new ExchangeLinkTest(this.config.linkTest, this.timers, () => this.clock.now(), this.log, {
      send: (test) => this.sendLinkTest(test),
      onIsupAvailable: (available) => (available ? this.isupStart() : this.isupStop('link-test')),
    });
  }

  // --- SignallingPeer

  attach(send: PeerSend): void {
    this.sendFn = send;
  }

  detach(): void {
    this.linkDown();
    this.sendFn = undefined;
    this.timers.cancelAll();
  }

  onLinkState(link: number, state: LinkState): void {
    if (link !== this.config.link) return;
    if (state === 'in-service' && !this.inService) {
      this.inService = true;
      this.log.info({ link, linkTestRequired: this.config.linkTest.required }, 'link in service: testing it (SLTM)');
      this.linkTest.linkUp();
    } else if (state !== 'in-service' && this.inService) {
      this.log.info({ link, state }, 'link out of service: calls cleared');
      this.linkDown();
    }
  }

  onMsu(link: number, data: Uint8Array): void {
    const { counters, config } = this;
    if (link !== config.link) return;
    counters.msusReceived++;
    let msu: DecodedMsu;
    try {
      msu = decodeMsu(data, config.variant);
    } catch (err) {
      if (!(err instanceof Ss7CodecError)) throw err;
      counters.malformedMsus++;
      this.log.warn({ err: err.message, bytes: Buffer.from(data).toString('hex') }, 'undecodable MSU dropped');
      return;
    }
    const { header } = msu;
    if (header.dpc !== config.pointCode || header.opc !== config.peerPointCode || header.ni !== config.ni) {
      counters.wrongRoute++;
      this.log.warn({ dpc: header.dpc, opc: header.opc, ni: header.ni, si: header.si }, 'MSU not routed to us dropped');
      return;
    }
    if (msu.kind === 'link-test') {
      if (msu.test.type === 'SLTM') this.linkTest.onSltm(msu.test);
      else this.linkTest.onSlta(msu.test);
      return;
    }
    if (msu.kind === 'other' && header.si === SERVICE_INDICATOR.networkManagement && msu.sif[0] === 0x17) {
      // TRA from the box: the end of its MTP restart (Q.704 9). A second one while our ISUP
      // runs means the box restarted without the link going down (its memory lost, the
      // card's MTP2 kept): its restart waits for ours, so restart too and say so with TRA,
      // as an adjacent point does.
      counters.otherServices++;
      if (this.isupUp && this.boxTraSeen) {
        this.log.info('TRA from the box again while ISUP runs: the box restarted; answering with TRA');
        this.sendTra();
      }
      this.boxTraSeen = true;
      return;
    }
    if (msu.kind === 'other') {
      // Q.704: a user part or management function this exchange does not have; nothing to answer.
      counters.otherServices++;
      this.log.debug({ si: header.si }, 'MSU for another service indicator ignored');
      return;
    }
    const { message } = msu;
    if (!this.isupUp) {
      counters.isupHeld++;
      this.log.debug({ cic: message.cic, type: message.type }, 'ISUP before the link test passed dropped');
      return;
    }
    if (!this.group.has(message.cic)) {
      counters.unknownCic++;
      this.log.warn({ cic: message.cic, type: message.type }, 'message for a CIC not in our group dropped');
      return;
    }
    if ((MAINTENANCE_TYPES as readonly string[]).includes(message.type)) bump(counters.maintenanceReceived, message.type);
    this.log.debug({ cic: message.cic, type: message.type }, 'received');
    this.dispatch(message);
  }

  // --- TimeslotFarEnd

  farEndLoopback(span: number, timeslot: number): boolean {
    const circuit = this.group.map.byTimeslot(span, timeslot);
    return circuit !== undefined && this.loops.has(circuit.cic);
  }

  // --- control (the simulator's control API calls these)

  /** New traffic settings; a rate of 0 stops new calls, calls in progress finish. */
  setTraffic(update: { callsPerMinute?: number; holdSeconds?: number }): ExchangeTraffic {
    if (update.holdSeconds !== undefined) {
      if (!(update.holdSeconds > 0 && update.holdSeconds <= MAX_HOLD_SECONDS)) throw new SimError('bad-value', `holdSeconds ${update.holdSeconds} is outside (0, ${MAX_HOLD_SECONDS}]`);
      this.traffic.holdSeconds = update.holdSeconds;
    }
    if (update.callsPerMinute !== undefined) {
      if (!(update.callsPerMinute >= 0)) throw new SimError('bad-value', `callsPerMinute ${update.callsPerMinute} must be 0 or more`);
      this.traffic.callsPerMinute = update.callsPerMinute;
      if (this.isupUp && this.maintenance.readyCount > 0) this.arrivals.run(update.callsPerMinute);
    }
    this.log.info({ ...this.traffic }, 'traffic set');
    return { ...this.traffic };
  }

  /** The forced-glare fault: this share of the box's IAMs meets an IAM of ours on the same CIC. */
  setGlareRatio(ratio: number): ExchangeTraffic {
    if (!(ratio >= 0 && ratio <= 1)) throw new SimError('bad-value', `glare ratio ${ratio} is outside 0..1`);
    this.traffic.glareRatio = ratio;
    this.log.info({ ratio }, 'forced glare ratio set');
    return { ...this.traffic };
  }

  /** BLO (on) or UBL (off) for one circuit. */
  blockCircuit(cic: number, on: boolean): ExchangeCircuit {
    this.checkCic(cic);
    this.checkLink(on ? 'BLO' : 'UBL');
    this.maintenance.sendBlock(cic, on);
    return this.circuit(cic);
  }

  /** RSC for one circuit. */
  resetCircuit(cic: number): ExchangeCircuit {
    this.checkCic(cic);
    this.checkLink('RSC');
    this.maintenance.sendReset(cic);
    return this.circuit(cic);
  }

  /** Maintenance-oriented CGB (on) or CGU (off) for `count` circuits from `firstCic`. */
  groupBlock(firstCic: number, count: number, on: boolean): ExchangeCircuit[] {
    if (!Number.isInteger(count) || count < 2 || count > MAX_GROUP) throw new SimError('bad-value', `count ${count}: a group message covers 2 to ${MAX_GROUP} circuits; use block for one`);
    const cics = Array.from({ length: count }, (_, i) => firstCic + i);
    for (const cic of cics) this.checkCic(cic);
    this.checkLink(on ? 'CGB' : 'CGU');
    this.maintenance.sendGroupBlock(firstCic, count, on);
    return cics.map((cic) => this.circuit(cic));
  }

  /** GRS for the whole group, as at start-up. */
  resetAll(): ExchangeSummary {
    this.checkLink('GRS');
    this.maintenance.resetAll();
    return this.summary();
  }

  summary(): ExchangeSummary {
    const counts = this.group.counts();
    return {
      pointCode: this.config.pointCode,
      peerPointCode: this.config.peerPointCode,
      link: this.config.link,
      linkInService: this.inService,
      linkTest: this.linkTest.view(),
      readyCircuits: this.isupUp ? this.maintenance.readyCount : 0,
      traffic: { ...this.traffic },
      counts,
      counters: { ...structuredClone(this.counters), glaresWon: counts.glaresWon, glaresLost: counts.glaresLost },
      pending: this.maintenance.pendingList(),
    };
  }

  snapshot(): ExchangeSnapshot {
    return { ...this.summary(), config: structuredClone(this.config), circuits: this.group.list().map((row) => this.row(row)) };
  }

  // --- internals

  private dispatch(m: IsupMessage | UnrecognisedMessage): void {
    switch (m.type) {
      case 'unrecognised':
        // Q.764 2.9.5.1: a message type we do not know, with no compatibility information to
        // say otherwise, is discarded and answered with CFN, cause 97, naming the type.
        this.counters.unrecognised++;
        this.log.warn({ cic: m.cic, code: m.code }, 'unknown message type: answered with CFN (cause 97)');
        this.sendMessage(cfn(m.cic, CAUSE.messageTypeNonExistent, [m.code]));
        return;
      case 'CFN':
        this.counters.confusionReceived++;
        this.log.warn({ cic: m.cic, cause: m.causeIndicators.causeValue }, 'the box did not understand something we sent (CFN)');
        return;
      case 'SAM':
        return this.calls.onSam(m);
      case 'CPG':
        return this.calls.onCpg(m);
      case 'SUS':
      case 'RES':
        return this.calls.onSuspendResume(m);
      case 'CQM':
        return this.maintenance.onCqm(m);
      case 'UCIC':
        return this.maintenance.onUcic(m.cic);
      case 'CQR':
        // We send no CQM, so no CQR answers one of ours.
        this.counters.unexpected++;
        return;
      case 'IAM':
        return this.calls.onIam(m);
      case 'ACM':
      case 'CON':
      case 'ANM':
        return this.calls.onBackward(m);
      case 'REL':
        if (!this.continuity.onRel(m.cic, m.causeIndicators.causeValue)) this.calls.onRel(m);
        return;
      case 'RLC':
        if (!this.maintenance.onRlc(m.cic) && !this.calls.onRlc(m.cic)) this.counters.unexpected++;
        return;
      case 'COT':
        return this.calls.onCot(m);
      case 'CCR':
        return this.continuity.onCcr(m.cic);
      case 'RSC':
        return this.maintenance.onRsc(m.cic);
      case 'BLO':
        return this.maintenance.onBlo(m.cic);
      case 'UBL':
        return this.maintenance.onUbl(m.cic);
      case 'BLA':
      case 'UBA':
        return this.maintenance.onAck(m.type, m.cic);
      case 'GRS':
        return this.maintenance.onGrs(m);
      case 'GRA':
        return this.maintenance.onGra(m);
      case 'CGB':
      case 'CGU':
        return this.maintenance.onGroup(m);
      case 'CGBA':
      case 'CGUA':
        return this.maintenance.onGroupAck(m);
    }
  }

  private sendMessage(message: IsupMessage | UnrecognisedMessage): boolean {
    const { config, counters } = this;
    if (!this.isupUp) {
      counters.notSent++;
      return false;
    }
    const sent = this.sendFn?.(config.link, encodeIsupMsu(this.route, message)) ?? false;
    if (!sent) {
      counters.notSent++;
      return false;
    }
    counters.msusSent++;
    if ((MAINTENANCE_TYPES as readonly string[]).includes(message.type)) bump(counters.maintenanceSent, message.type);
    this.log.debug({ cic: message.cic, type: message.type }, 'sent');
    return true;
  }

  private sendLinkTest(test: LinkTestMessage): boolean {
    const sent = this.sendFn?.(this.config.link, encodeLinkTestMsu(this.route, test)) ?? false;
    if (sent) this.counters.msusSent++;
    else this.counters.notSent++;
    this.log.debug({ type: test.type, slc: test.slc, sent }, 'link test message');
    return sent;
  }

  private sendTra(): void {
    const sent = this.sendFn?.(this.config.link, encodeTraMsu(this.route, this.config.linkTest.slc)) ?? false;
    if (sent) this.counters.msusSent++;
    else this.counters.notSent++;
  }

  /** ISUP may flow: reset the whole group (GRS), as at start-up; calls follow the GRA. */
  private isupStart(): void {
    // Q.704 9: the end of our MTP restart, said before any user traffic. The box (like any
    // point running the restart procedure) waits for it before it sends ISUP.
    this.sendTra();
    this.isupUp = true;
    this.log.info({ link: this.config.link }, 'ISUP available: resetting the circuit group (GRS)');
    this.maintenance.linkUp();
  }

  /** ISUP stops (link failed, or its link test failed): calls, tests and pending maintenance go. */
  private isupStop(reason: string): void {
    this.isupUp = false;
    this.arrivals.stop();
    this.maintenance.linkDown();
    this.continuity.clearAll();
    this.calls.clearAll(reason);
  }

  private linkDown(): void {
    this.inService = false;
    this.boxTraSeen = false;
    this.linkTest.linkDown();
    this.isupStop('link-down');
  }

  private setLoop(cic: number, on: boolean): void {
    if (on === this.loops.has(cic)) return;
    if (on) this.loops.add(cic);
    else this.loops.delete(cic);
    const circuit = this.group.map.byCic(cic);
    if (circuit) this.emit('loopback', circuit.span, circuit.timeslot, on);
  }

  private checkCic(cic: number): void {
    if (this.group.has(cic)) return;
    const all = this.group.map.circuits;
    throw new SimError('not-found', `CIC ${cic} is not in the exchange's circuit group (CICs ${all[0]?.cic}..${all[all.length - 1]?.cic})`);
  }

  private checkLink(what: string): void {
    if (!this.inService) throw new SimError('conflict', `link ${this.config.link} is not in service, so the exchange cannot send ${what}; start the link from the box first`);
    if (!this.isupUp) throw new SimError('conflict', `link ${this.config.link} has not passed its signalling link test (the box must answer SLTM with SLTA), so the exchange cannot send ${what}`);
  }

  private circuit(cic: number): ExchangeCircuit {
    return this.row(this.group.state(cic)!);
  }

  private row(row: CircuitRow): ExchangeCircuit {
    return { ...row, ready: this.isupUp && this.maintenance.isReady(row.cic), loopback: this.loops.has(row.cic), exchangeCall: this.calls.get(row.cic) ?? null };
  }
}
