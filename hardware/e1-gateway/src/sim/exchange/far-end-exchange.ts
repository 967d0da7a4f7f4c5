import type { CircuitCounts, CircuitGroup, CircuitRow } from '@countyline/firmware/circuits';
import { decodeIsupMsu, encodeIsupMsu, type IsupMessage, type IsupMsu } from '@countyline/firmware/isup';
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '../../clock.js';
import type { LinkState } from '../../protocol/index.js';
import { TypedEmitter } from '../../typed-emitter.js';
import { seededRandom } from '../serial-noise.js';
import type { PeerSend, SignallingPeer, TimeslotFarEnd } from '../signalling-peer.js';
import { SimError } from '../sim-error.js';
import { Timers } from '../sim-timers.js';
import type { CallView } from './exchange-call-state.js';
import { ExchangeCalls } from './exchange-calls.js';
import { buildGroup, MAX_HOLD_SECONDS, parseExchangeConfig, type ExchangeConfig } from './exchange-config.js';
import { bump, MAINTENANCE_TYPES, newCounters, type ExchangeContext, type ExchangeCounters, type ExchangeTraffic } from './exchange-context.js';
import { ExchangeContinuity } from './exchange-continuity.js';
import { ExchangeMaintenance, MAX_GROUP, type PendingView } from './exchange-maintenance.js';
import { PoissonArrivals } from './exchange-traffic.js';

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
  linkInService: boolean;
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
 * (BLO/UBL, CGB/CGU, RSC, GRS) and continuity checks, and counts what happens.
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
  private sendFn: PeerSend | undefined;
  private inService = false;

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
      isReady: (cic) => this.inService && this.maintenance.isReady(cic),
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
      this.log.info({ link }, 'link in service: resetting the circuit group (GRS)');
      this.maintenance.linkUp();
    } else if (state !== 'in-service' && this.inService) {
      this.log.info({ link, state }, 'link out of service: calls cleared');
      this.linkDown();
    }
  }

  onMsu(link: number, data: Uint8Array): void {
    const { counters, config } = this;
    if (link !== config.link) return;
    counters.msusReceived++;
    let msu: IsupMsu;
    try {
      msu = decodeIsupMsu(data, config.variant);
    } catch (err) {
      counters.malformedMsus++;
      this.log.warn({ err: (err as Error).message, bytes: Buffer.from(data).toString('hex') }, 'undecodable MSU dropped');
      return;
    }
    const { label, message } = msu;
    if (label.dpc !== config.pointCode || label.opc !== config.peerPointCode || label.ni !== config.ni) {
      counters.wrongRoute++;
      this.log.warn({ dpc: label.dpc, opc: label.opc, ni: label.ni, type: message.type }, 'MSU not routed to us dropped');
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
      if (this.inService && this.maintenance.readyCount > 0) this.arrivals.run(update.callsPerMinute);
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
      readyCircuits: this.inService ? this.maintenance.readyCount : 0,
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

  private dispatch(m: IsupMessage): void {
    switch (m.type) {
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

  private sendMessage(message: IsupMessage): boolean {
    const { config, counters } = this;
    const bytes = encodeIsupMsu({ variant: config.variant, ni: config.ni, dpc: config.peerPointCode, opc: config.pointCode }, message);
    const sent = this.sendFn?.(config.link, bytes) ?? false;
    if (!sent) {
      counters.notSent++;
      return false;
    }
    counters.msusSent++;
    if ((MAINTENANCE_TYPES as readonly string[]).includes(message.type)) bump(counters.maintenanceSent, message.type);
    this.log.debug({ cic: message.cic, type: message.type }, 'sent');
    return true;
  }

  private linkDown(): void {
    this.inService = false;
    this.arrivals.stop();
    this.maintenance.linkDown();
    this.continuity.clearAll();
    this.calls.clearAll('link-down');
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
  }

  private circuit(cic: number): ExchangeCircuit {
    return this.row(this.group.state(cic)!);
  }

  private row(row: CircuitRow): ExchangeCircuit {
    return { ...row, ready: this.inService && this.maintenance.isReady(row.cic), loopback: this.loops.has(row.cic), exchangeCall: this.calls.get(row.cic) ?? null };
  }
}
