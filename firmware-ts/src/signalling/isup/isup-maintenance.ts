import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { CircuitGroup } from '../../circuits/circuit-group.js';
import type { BlockKind } from '../../circuits/circuit-state.js';
import { buildBare, buildGra, buildGroupSupervision, buildGrs, buildRlc } from './isup-builders.js';
import { CAUSE } from './isup-cause.js';
import type { IsupMessageOf } from './isup-messages.js';
import { callFailure, type CallFailure } from './isup-call-reasons.js';
import { circuitQueryResponse } from './isup-circuit-query.js';
import type { IsupCalls } from './isup-calls.js';
import type { IsupTimerName, IsupTimers, IsupTimerSettings } from './isup-timers.js';
import type { IsupTransport } from './isup-transport.js';

/**
 * Circuit maintenance (Q.764 2.8 and 2.9): reset (RSC, GRS), blocking (BLO, CGB) and
 * unblocking (UBL, CGU) both ways, with the repeat and alert timers.
 *
 * Restart versus link flap (Q.764 2.9.3: a group is reset when memory is lost). When the stack
 * starts, and after the card restarted, every circuit is reset with the exchange once the link
 * is in service (one GRS per run of up to 32 contiguous CICs); outgoing calls wait for the
 * GRAs. A link that goes out of service and comes back (MTP pause, then resume) loses no
 * memory: the answered calls go on, and only the circuits caught in a transient state are
 * reset (RSC): an IAM of ours with no backward message, a REL of ours with no RLC, a
 * maintenance message of ours unanswered or not sent.
 */
export interface IsupMaintenanceEvents {
  /** Outgoing calls may start: the start-up GRS is acknowledged, or the link resumed. */
  ready: () => void;
  /** A long timer (T13, T15, T17, T19, T21, T23) ran out: the exchange is not answering. */
  'maintenance-alert': (cic: number, what: string) => void;
  /** UCIC: the exchange has no such CIC (true); a reset of it acknowledged since (false). */
  'cic-unequipped': (cic: number, unequipped: boolean) => void;
}

export interface IsupMaintenanceDeps {
  group: CircuitGroup;
  transport: IsupTransport;
  calls: IsupCalls;
  timers: IsupTimers;
  settings: IsupTimerSettings;
  clock: Clock;
  logger: Logger;
}

/** Why maintenance ends or gives up calls, in English and as codes for the reader's language. */
const WHY = {
  startupReset: callFailure('circuit group reset at start-up', 'group-reset-at-start'),
  circuitReset: callFailure('circuit reset', 'circuit-reset'),
  spanFailed: callFailure('span failed', 'span-failed'),
  resetByExchange: callFailure('reset by the exchange', 'reset-by-exchange'),
  blockedByExchange: callFailure('blocked by the exchange', 'blocked-by-exchange'),
  groupResetByExchange: callFailure('circuit group reset by the exchange', 'group-reset-by-exchange'),
  exchangeHardwareFailure: callFailure('hardware failure at the exchange', 'exchange-hardware-failure'),
  unequipped: callFailure('the exchange has no such circuit (UCIC)', 'unequipped-at-exchange'),
};

/**
 * One maintenance procedure of ours waiting for its answer: the message, its short (repeat)
 * and long (alert) timers as Q.764 Table A.1 pairs them, and the circuits it is about.
 */
interface Pending {
  message: () => void;
  repeat: IsupTimerName;
  alert: IsupTimerName;
  what: string;
  cics: number[];
}

/** Q.763 3.43: a GRS covers 2 to 32 circuits; range 0 is reserved, above 31 is too many. */
const GRS_RANGE = { min: 1, max: 31 };

export class IsupMaintenance extends TypedEmitter<IsupMaintenanceEvents> {
  /** First CICs of the start-up GRS runs still waiting for their GRA. */
  private readonly resetPending = new Map<number, number>();
  private isReady = false;
  /**
   * True from start and after a card restart until the group reset is acknowledged: what the
   * box knew of its circuits is gone, and only a GRS makes the two ends agree again.
   */
  private memoryLost = true;
  /** Procedures of ours waiting for an answer, by `<long timer>/<cic>`. */
  private readonly pending = new Map<string, Pending>();
  /**
   * Circuits the exchange may not see as we do after a link outage: a maintenance message of
   * ours was unanswered when the link went, or could not be sent while it was down.
   */
  private readonly inDoubt = new Set<number>();
  /**
   * Circuits removed from service by T5 until their reset is answered (Q.764 Table A.1, T5).
   * The block is the box's alone: the exchange never hears of it (no BLO), so it is never
   * reported in a GRA or said again, and it ends with the reset, however the reset ends.
   */
  private readonly outOfService = new Set<number>();
  readonly counters = { grsSent: 0, graReceived: 0, resetsByExchange: 0, blocksByExchange: 0, alerts: 0, discarded: 0 };

  constructor(private readonly d: IsupMaintenanceDeps) {
    super();
    d.transport.on('link', (up) => (up ? this.linkUp() : this.linkDown()));
  }

  get ready(): boolean {
    return this.isReady;
  }

  /**
   * The card restarted or was lost: the calls on it and its bearer state are gone. The next
   * time the link is in service the whole group is reset, as after a restart of the box.
   */
  memoryLostAtCard(): void {
    this.memoryLost = true;
  }

  /** Whether our reset of this circuit is unanswered: its start-up GRS (or RSC), or an RSC since. */
  resetting(cic: number): boolean {
    if (this.d.timers.isRunning('T16', cic) || this.d.timers.isRunning('T17', cic)) return true;
    for (const [first, count] of this.resetPending) if (cic >= first && cic < first + count) return true;
    return false;
  }

  /** GRS for every circuit of the group, one message per run of up to 32 contiguous CICs. */
  resetAll(): void {
    this.isReady = false;
    this.resetPending.clear();
    this.inDoubt.clear();
    for (const run of this.d.group.contiguousRuns(32)) {
      this.clearCircuits(run.firstCic, run.count, WHY.startupReset);
      this.resetRun(run.firstCic, run.count);
    }
  }

  /** One start-up run: GRS for `count` circuits from `first` (RSC for a lone one), repeated until answered. */
  private resetRun(first: number, count: number): void {
    this.resetPending.set(first, count);
    // The GRS settles every reset of ours in its range, the one T5 started included.
    for (let cic = first; cic < first + count; cic++) this.resetAnswered(cic);
    if (count === 1) {
      // Q.763 3.43: a GRS covers 2 to 32 circuits (range 1-31); a lone circuit takes RSC.
      this.repeatUntilAnswered(first, this.rscPending(first));
      return;
    }
    this.repeatUntilAnswered(first, {
      message: () => {
        this.counters.grsSent++;
        this.d.transport.send(buildGrs(first, count));
      },
      repeat: 'T22',
      alert: 'T23',
      what: `circuit group reset of CIC ${first}-${first + count - 1} not acknowledged`,
      cics: [],
    });
  }

  /**
   * UCIC (Q.764 2.12): the exchange has no such CIC. Its calls end, our attempt on it goes
   * elsewhere, and it is no longer offered for calls or tests, nor reset, blocked or
   * unblocked again on its own account: the exchange would only answer UCIC again. A start-up
   * reset waiting on it stops waiting (a GRS named by it goes again for the rest of its run),
   * so the group gets ready without it. It is equipped again when the exchange acknowledges
   * a reset of it (GRA, RLC), or resets it itself.
   */
  private onUcic(cic: number): void {
    this.d.calls.abandonAttempt(cic, WHY.unequipped);
    this.clearCircuits(cic, 1, WHY.unequipped);
    this.stopPending(cic, ['T12', 'T13', 'T14', 'T15', 'T16', 'T17']);
    this.inDoubt.delete(cic);
    if (this.outOfService.delete(cic)) this.d.group.unblock(cic, 'maintenance', 'local');
    const run = this.resetPending.get(cic);
    if (run !== undefined) {
      this.stopPending(cic, ['T22', 'T23']);
      this.resetPending.delete(cic);
      if (run > 1) this.resetRun(cic + 1, run - 1);
      else this.maybeReady();
    }
    if (!this.d.group.setUnequipped(cic, true)) return;
    this.d.logger.error({ cic }, 'the exchange has no such CIC (UCIC): circuit out of use until a reset of it is acknowledged');
    this.emit('cic-unequipped', cic, true);
  }

  /** The exchange acknowledged a reset of `cic`, so it has the circuit after all. */
  private equippedAgain(cic: number): void {
    if (!this.d.group.has(cic) || !this.d.group.setUnequipped(cic, false)) return;
    this.d.logger.info({ cic }, 'the exchange acknowledged a reset of an unequipped CIC: back in use');
    this.emit('cic-unequipped', cic, false);
  }

  /**
   * Resets one circuit whose state is in doubt (RSC; RLC expected). `afterT5`: the reset that
   * T5 starts (Q.764 Table A.1): the circuit is removed from service until the reset is
   * answered, and the RSC repeats every T17 from the start (T5 alerted already; T16 is for
   * an RSC not started by T5).
   */
  resetCircuit(cic: number, afterT5 = false): void {
    this.clearCircuits(cic, 1, WHY.circuitReset);
    if (afterT5 && this.d.group.state(cic)?.maintenance === 'none') {
      this.d.group.block(cic, 'maintenance', 'local');
      this.outOfService.add(cic);
    }
    this.repeatUntilAnswered(cic, this.rscPending(cic), afterT5);
  }

  /**
   * Blocks a circuit for maintenance from our side (BLO; BLA expected). The circuit is out
   * of our selection at once. Returns whether the BLO went now: while the link is down it
   * goes once the link is back; while the start-up reset is unanswered, once it is answered
   * (a circuit group reset carries no blocking of the sender's, so every local block is sent
   * again after it: Q.764 2.9.3.2).
   */
  block(cic: number): boolean {
    this.outOfService.delete(cic); // from now on the block is one the exchange is told of
    this.d.group.block(cic, 'maintenance', 'local');
    this.stopPending(cic, ['T14', 'T15']);
    if (!this.canSignal) return this.later(cic);
    this.repeatUntilAnswered(cic, { message: () => this.d.transport.send(buildBare('BLO', cic)), repeat: 'T12', alert: 'T13', what: `blocking of CIC ${cic} not acknowledged`, cics: [cic] });
    return true;
  }

  /**
   * Lifts our maintenance block (UBL; UBA expected). Returns whether the UBL went now: while
   * the link is down nothing needs to go, because the reset of the circuit when the link is
   * back clears the exchange's record of our block (Q.762: a reset removes the remote block).
   */
  unblock(cic: number): boolean {
    this.outOfService.delete(cic);
    this.d.group.unblock(cic, 'maintenance', 'local');
    this.stopPending(cic, ['T12', 'T13']);
    if (!this.canSignal) return this.later(cic);
    this.repeatUntilAnswered(cic, { message: () => this.d.transport.send(buildBare('UBL', cic)), repeat: 'T14', alert: 'T15', what: `unblocking of CIC ${cic} not acknowledged`, cics: [cic] });
    return true;
  }

  /** Blocking messages go only on a link in service whose start-up reset is acknowledged. */
  private get canSignal(): boolean {
    return this.d.transport.isUp && this.isReady;
  }

  /** A maintenance change that cannot be signalled now: the circuit is reset when the link is back. */
  private later(cic: number): false {
    if (!this.d.transport.isUp && !this.memoryLost) this.inDoubt.add(cic);
    return false;
  }

  /**
   * The span under these circuits failed (red) or recovered: hardware blocking follows it,
   * and the exchange is told with hardware-failure CGB / CGU (Q.764 2.8.2.2).
   */
  hardwareBlock(cics: number[], blocked: boolean): void {
    if (blocked) for (const cic of cics) this.clearCircuits(cic, 1, WHY.spanFailed);
    if (this.canSignal) this.sendGroupHardware(cics, blocked);
    else for (const cic of cics) this.later(cic);
  }

  onMessage(m: Extract<Parameters<IsupTransport['send']>[0], { type: MaintenanceType }>): void {
    switch (m.type) {
      case 'GRS':
        return this.onGrs(m);
      case 'GRA':
        return this.onGra(m);
      case 'RSC':
        this.counters.resetsByExchange++;
        // Q.764 2.10.3.1: an RSC crossing our IAM: clear, and repeat the attempt elsewhere.
        this.d.calls.abandonAttempt(m.cic, WHY.resetByExchange);
        this.clearCircuits(m.cic, 1, WHY.resetByExchange);
        this.resetByExchange(m.cic);
        this.d.transport.send(buildRlc(m.cic));
        // Q.764 2.9.3.1: the reset may have wiped our block at the exchange; say it again.
        if (this.blockedLocally(m.cic)) this.block(m.cic);
        return;
      case 'UCIC':
        return this.onUcic(m.cic);
      case 'CQM': {
        const cqr = circuitQueryResponse(m, this.d.group, new Set(this.d.calls.transientCircuits()));
        if (cqr) return void this.d.transport.send(cqr);
        // Q.763 3.43: at most 32 circuits; Q.764 2.9.5 has a message with a reserved value discarded.
        this.counters.discarded++;
        this.d.logger.warn({ cic: m.cic, range: m.rangeAndStatus.range }, 'CQM with a range above 31 discarded');
        return;
      }
      case 'CQR':
        return; // we send no CQM
      case 'RLC':
        // The answer to our RSC (an RLC to a REL of ours is the call side's).
        if (!this.d.timers.isRunning('T16', m.cic) && !this.d.timers.isRunning('T17', m.cic)) return;
        this.resetAnswered(m.cic);
        this.equippedAgain(m.cic);
        if (this.resetPending.get(m.cic) === 1) return this.startupRunAcknowledged(m.cic);
        // Our reset removed our blocks at the exchange too (Q.762: a reset removes the remote
        // blocked state): the ones we keep are said again.
        if (this.canSignal) this.reassertBlocks(m.cic);
        return;
      case 'BLO':
        this.counters.blocksByExchange++;
        this.d.group.block(m.cic, 'maintenance', 'remote');
        this.d.transport.send(buildBare('BLA', m.cic));
        // Q.764 2.8.2.1: a BLO after our IAM and before a backward message: BLA, release the
        // attempt in the normal way (REL, RLC) and repeat the call on another circuit.
        this.d.calls.releaseAttempt(m.cic, WHY.blockedByExchange);
        return;
      case 'UBL':
        this.d.group.unblock(m.cic, 'maintenance', 'remote');
        this.d.transport.send(buildBare('UBA', m.cic));
        return;
      case 'BLA':
        return this.stopPending(m.cic, ['T12', 'T13']);
      case 'UBA':
        return this.stopPending(m.cic, ['T14', 'T15']);
      case 'CGB':
      case 'CGU':
        return this.onGroupSupervision(m);
      case 'CGBA':
        return this.stopPending(m.cic, ['T18', 'T19']);
      case 'CGUA':
        return this.stopPending(m.cic, ['T20', 'T21']);
    }
  }

  stop(): void {
    this.resetPending.clear();
    this.pending.clear();
  }

  private linkUp(): void {
    if (this.memoryLost) return this.resetAll();
    this.resume();
  }

  private linkDown(): void {
    this.isReady = false;
    for (const [cic, count] of this.resetPending) this.stopPending(cic, count === 1 ? ['T16', 'T17'] : ['T22', 'T23']);
    this.resetPending.clear();
    // Procedures waiting for their answer: repeating into a dead link would only raise false
    // alerts. Their circuits are reset when the link is back (see resume()).
    for (const [key, p] of [...this.pending]) {
      const cic = Number(key.split('/')[1]);
      this.stopPending(cic, [p.repeat, p.alert]);
      for (const c of p.cics) this.later(c);
    }
  }

  /**
   * The link is back after an outage (MTP resume) and nothing was forgotten: no GRS. The
   * answered calls go on; each circuit caught in a transient state is reset (RSC), and an IAM
   * of ours that got no backward message is repeated on another circuit.
   */
  private resume(): void {
    this.isReady = true;
    const transient = new Set([...this.d.calls.transientCircuits(), ...this.inDoubt]);
    this.inDoubt.clear();
    this.d.logger.info({ circuits: transient.size }, 'signalling link resumed: calls kept, circuits in a transient state reset');
    for (const cic of [...transient].sort((a, b) => a - b)) {
      this.d.calls.abandonAttempt(cic, WHY.circuitReset);
      this.resetCircuit(cic, this.outOfService.has(cic));
    }
    this.emit('ready');
  }

  private onGrs(m: IsupMessageOf<'GRS'>): void {
    const range = m.rangeAndStatus.range;
    if (range < GRS_RANGE.min || range > GRS_RANGE.max) {
      // Q.763 3.43 a): range 0 is reserved for GRS and more than 32 circuits are too many;
      // Q.764 2.9.5 has a message with a reserved value discarded.
      this.counters.discarded++;
      this.d.logger.warn({ cic: m.cic, range }, `GRS with range ${range} (allowed ${GRS_RANGE.min}-${GRS_RANGE.max}) discarded`);
      return;
    }
    const count = range + 1;
    this.counters.resetsByExchange++;
    const status: boolean[] = [];
    const hardware: number[] = [];
    for (let cic = m.cic; cic < m.cic + count; cic++) {
      if (!this.d.group.has(cic)) {
        status.push(false);
        continue;
      }
      this.d.calls.abandonAttempt(cic, WHY.resetByExchange);
      this.clearCircuits(cic, 1, WHY.groupResetByExchange);
      this.resetByExchange(cic);
      // Q.764 2.9.3.2: the GRA reports our own maintenance blocks.
      status.push(this.blockedLocally(cic));
      const hw = this.d.group.state(cic)!.hardware;
      if (hw === 'local' || hw === 'both') hardware.push(cic);
    }
    this.d.transport.send(buildGra(m.cic, status));
    // The GRA carries no hardware blocks: those of ours go again as CGB (Q.764 2.9.3.2).
    if (hardware.length > 0 && this.canSignal) this.sendGroupHardware(hardware, true);
  }

  /**
   * A reset from the exchange (RSC or a GRS covering the circuit): Q.762 has it remove the
   * remote blocked state, maintenance and hardware alike; and it answers any reset of ours
   * still waiting, the one T5 started included: both ends have the circuit idle now.
   */
  private resetByExchange(cic: number): void {
    this.equippedAgain(cic);
    this.d.group.unblock(cic, 'maintenance', 'remote');
    this.d.group.unblock(cic, 'hardware', 'remote');
    // A lone circuit's start-up RSC still wants its RLC, which makes the box ready.
    if (this.resetPending.get(cic) !== 1) this.resetAnswered(cic);
  }

  /** Our reset of `cic` is answered (RLC, or a reset from the exchange): T16/T17 stop, T5's removal ends. */
  private resetAnswered(cic: number): void {
    this.stopPending(cic, ['T16', 'T17']);
    if (this.outOfService.delete(cic)) this.d.group.unblock(cic, 'maintenance', 'local');
  }

  private onGra(m: IsupMessageOf<'GRA'>): void {
    this.counters.graReceived++;
    this.stopPending(m.cic, ['T22', 'T23']);
    const status = m.rangeAndStatus.status;
    status.forEach((blocked, i) => {
      const cic = m.cic + i;
      if (!this.d.group.has(cic)) return;
      this.equippedAgain(cic);
      if (blocked) this.d.group.block(cic, 'maintenance', 'remote');
      else this.d.group.unblock(cic, 'maintenance', 'remote');
    });
    this.startupRunAcknowledged(m.cic);
  }

  /** A start-up GRS (or the RSC of a lone circuit) is answered; the last one makes us ready. */
  private startupRunAcknowledged(firstCic: number): void {
    if (this.resetPending.delete(firstCic)) this.maybeReady();
  }

  /** Ready once no start-up run is left waiting. */
  private maybeReady(): void {
    if (this.resetPending.size > 0 || this.isReady) return;
    this.isReady = true;
    this.memoryLost = false;
    this.d.logger.info('circuits reset with the exchange: ready for calls');
    // Blocks of ours the GRS did not carry: tell the exchange again.
    for (const c of this.d.group.list()) if (this.blockedLocally(c.cic)) this.block(c.cic);
    const hardware = this.d.group.list().filter((c) => c.hardware === 'local' || c.hardware === 'both');
    if (hardware.length > 0) this.sendGroupHardware(hardware.map((c) => c.cic), true);
    this.emit('ready');
  }

  /** After a reset of ours: the blocks we keep on the circuit go to the exchange again. */
  private reassertBlocks(cic: number): void {
    if (this.blockedLocally(cic)) this.block(cic);
    const hw = this.d.group.state(cic)?.hardware;
    if (hw === 'local' || hw === 'both') this.sendGroupHardware([cic], true);
  }

  private onGroupSupervision(m: IsupMessageOf<'CGB'> | IsupMessageOf<'CGU'>): void {
    const kind: BlockKind = m.supervisionType === 'hardware-failure' ? 'hardware' : 'maintenance';
    const blocking = m.type === 'CGB';
    m.rangeAndStatus.status.forEach((marked, i) => {
      const cic = m.cic + i;
      if (!marked || !this.d.group.has(cic)) return;
      if (blocking) {
        this.counters.blocksByExchange++;
        this.d.calls.abandonAttempt(cic, WHY.blockedByExchange);
        // Q.764 2.8.2.3: hardware failure blocking releases the calls on the circuits.
        if (kind === 'hardware') this.clearCircuits(cic, 1, WHY.exchangeHardwareFailure);
        this.d.group.block(cic, kind, 'remote');
      } else {
        this.d.group.unblock(cic, kind, 'remote');
      }
    });
    const ack = blocking ? 'CGBA' : 'CGUA';
    this.d.transport.send(buildGroupSupervision(ack, m.cic, m.supervisionType, m.rangeAndStatus.status));
  }

  private sendGroupHardware(cics: number[], blocked: boolean): void {
    const sorted = [...cics].sort((a, b) => a - b);
    // One message per run of up to 32 contiguous CICs, status bit set for each.
    let start = 0;
    while (start < sorted.length) {
      let end = start;
      while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]! + 1 && end + 1 - start < 32) end++;
      const first = sorted[start]!;
      const last = sorted[end]!;
      // Q.763 3.43: range 0 is reserved for CGB/CGU; a lone circuit goes out with the CIC
      // below it (above CIC 0) as a neighbour whose status bit is 0.
      const lone = first === last;
      const from = lone && first > 0 ? first - 1 : first;
      const status = lone ? (from === first ? [true, false] : [false, true]) : Array.from({ length: last - first + 1 }, () => true);
      const type = blocked ? 'CGB' : 'CGU';
      this.stopPending(from, blocked ? ['T20', 'T21'] : ['T18', 'T19']);
      this.repeatUntilAnswered(from, {
        message: () => this.d.transport.send(buildGroupSupervision(type, from, 'hardware-failure', status)),
        repeat: blocked ? 'T18' : 'T20',
        alert: blocked ? 'T19' : 'T21',
        what: `hardware ${blocked ? 'blocking' : 'unblocking'} of CIC ${first}-${last} not acknowledged`,
        cics: sorted.slice(start, end + 1),
      });
      start = end + 1;
    }
  }

  /** A maintenance block of ours the exchange is told of (not T5's removal from service). */
  private blockedLocally(cic: number): boolean {
    const st = this.d.group.state(cic)?.maintenance;
    return (st === 'local' || st === 'both') && !this.outOfService.has(cic);
  }

  private rscPending(cic: number): Pending {
    return { message: () => this.d.transport.send(buildBare('RSC', cic)), repeat: 'T16', alert: 'T17', what: `reset of CIC ${cic} not acknowledged`, cics: [cic] };
  }

  /** Clears the circuits' calls without REL and makes them idle (reset semantics). */
  private clearCircuits(first: number, count: number, why: CallFailure): void {
    const now = this.d.clock.now();
    for (let cic = first; cic < first + count; cic++) {
      if (!this.d.group.has(cic)) continue;
      this.d.calls.dropCall(cic, why, CAUSE.temporaryFailure);
      if (this.d.group.state(cic)!.call !== 'idle') this.d.group.release(cic, now, CAUSE.temporaryFailure);
    }
  }

  /**
   * Sends now and repeats on the short timer until answered; at the first expiry of the long
   * timer maintenance is alerted once, and from then on the message repeats at the long
   * interval until answered (Q.764 2.9.4 and Table A.1: "alert maintenance, repeat the
   * message, restart the long timer"). `longOnly`: the reset that T5 starts, alerted by T5
   * already and repeated every T17 from the start (Table A.1, T5).
   */
  private repeatUntilAnswered(cic: number, p: Pending, longOnly = false): void {
    const key = `${p.alert}/${cic}`;
    this.pending.set(key, p);
    if (!this.d.transport.isUp) {
      // Nothing can go now: the circuits are reset when the link is back (resume()).
      this.pending.delete(key);
      for (const c of p.cics) this.later(c);
      return;
    }
    const { repeatMs, alertMs } = this.d.settings;
    const short = () => {
      p.message();
      this.d.timers.start(p.repeat, cic, repeatMs, short);
    };
    const long = (alert: boolean) => () => {
      this.d.timers.stop(p.repeat, cic);
      if (alert) {
        this.counters.alerts++;
        this.d.logger.error({ cic }, `maintenance alert: ${p.what}`);
        this.emit('maintenance-alert', cic, p.what);
      }
      p.message();
      this.d.timers.start(p.alert, cic, alertMs, long(false));
    };
    if (longOnly) p.message();
    else short();
    this.d.timers.start(p.alert, cic, alertMs, long(!longOnly));
  }

  private stopPending(cic: number, timers: IsupTimerName[]): void {
    for (const t of timers) {
      this.d.timers.stop(t, cic);
      this.pending.delete(`${t}/${cic}`);
    }
  }
}

export type MaintenanceType = 'GRS' | 'GRA' | 'RSC' | 'RLC' | 'BLO' | 'UBL' | 'BLA' | 'UBA' | 'CGB' | 'CGU' | 'CGBA' | 'CGUA' | 'UCIC' | 'CQM' | 'CQR';
