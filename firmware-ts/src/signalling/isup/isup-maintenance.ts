import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { CircuitGroup } from '../../circuits/circuit-group.js';
import type { BlockKind } from '../../circuits/circuit-state.js';
import { buildBare, buildGra, buildGroupSupervision, buildGrs, buildRlc } from './isup-builders.js';
import { CAUSE } from './isup-cause.js';
import type { IsupMessageOf } from './isup-messages.js';
import { callFailure, type CallFailure } from './isup-call-reasons.js';
import type { IsupCalls } from './isup-calls.js';
import type { IsupTimerName, IsupTimers, IsupTimerSettings } from './isup-timers.js';
import type { IsupTransport } from './isup-transport.js';

/**
 * Circuit maintenance (Q.764 clause 2.8 and 2.10): reset (RSC, GRS), blocking (BLO, CGB)
 * and unblocking (UBL, CGU) both ways, with the repeat and alert timers. At start-up and
 * each time the signalling link comes back, every circuit is reset with the exchange (one
 * GRS per run of up to 32 contiguous CICs); outgoing calls wait for the GRAs.
 */
export interface IsupMaintenanceEvents {
  /** Every start-up GRS is acknowledged: outgoing calls may start. */
  ready: () => void;
  /** A long timer (T13, T15, T17, T19, T21, T23) ran out: the exchange is not answering. */
  'maintenance-alert': (cic: number, what: string) => void;
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
};

type Pending = { message: () => void; repeat: IsupTimerName; alert: IsupTimerName; what: string };

export class IsupMaintenance extends TypedEmitter<IsupMaintenanceEvents> {
  /** First CICs of the start-up GRS runs still waiting for their GRA. */
  private readonly resetPending = new Map<number, number>();
  private isReady = false;
  readonly counters = { grsSent: 0, graReceived: 0, resetsByExchange: 0, blocksByExchange: 0, alerts: 0 };

  constructor(private readonly d: IsupMaintenanceDeps) {
    super();
    d.transport.on('link', (up) => (up ? this.resetAll() : this.linkDown()));
  }

  get ready(): boolean {
    return this.isReady;
  }

  /** Whether our reset of this circuit is unanswered: its start-up GRS (or RSC), or an RSC since. */
  resetting(cic: number): boolean {
    if (this.d.timers.isRunning('T16', cic)) return true;
    for (const [first, count] of this.resetPending) if (cic >= first && cic < first + count) return true;
    return false;
  }

  /** GRS for every circuit of the group, one message per run of up to 32 contiguous CICs. */
  resetAll(): void {
    this.isReady = false;
    this.resetPending.clear();
    for (const run of this.d.group.contiguousRuns(32)) {
      this.resetPending.set(run.firstCic, run.count);
      this.clearCircuits(run.firstCic, run.count, WHY.startupReset);
      if (run.count === 1) {
        // Q.763 3.43: a GRS covers 2 to 32 circuits (range 1-31); a lone circuit takes RSC.
        this.repeatUntilAnswered(run.firstCic, this.rscPending(run.firstCic));
        continue;
      }
      this.repeatUntilAnswered(run.firstCic, {
        message: () => {
          this.counters.grsSent++;
          this.d.transport.send(buildGrs(run.firstCic, run.count));
        },
        repeat: 'T22',
        alert: 'T23',
        what: `circuit group reset of CIC ${run.firstCic}-${run.firstCic + run.count - 1} not acknowledged`,
      });
    }
  }

  /** Resets one circuit whose state is in doubt (RSC; RLC expected). */
  resetCircuit(cic: number, outOfService = false): void {
    this.clearCircuits(cic, 1, WHY.circuitReset);
    if (outOfService && this.d.group.state(cic)?.maintenance === 'none') {
      // Q.764 Annex A, T5: the circuit stays out of service until the reset is answered.
      this.d.group.block(cic, 'maintenance', 'local');
      this.awaitingReset.add(cic);
    }
    this.repeatUntilAnswered(cic, this.rscPending(cic));
  }

  /** Circuits kept out of service until the exchange answers their RSC (after T5). */
  private readonly awaitingReset = new Set<number>();

  /**
   * Blocks a circuit for maintenance from our side (BLO; BLA expected). The circuit is out
   * of our selection at once. Returns whether the BLO went now: while the link is down or
   * the start-up reset is unanswered it goes once the reset is acknowledged (a circuit
   * group reset carries no blocking of the sender's, so every local block is sent again
   * after it: Q.764, reset of circuits).
   */
  block(cic: number): boolean {
    this.d.group.block(cic, 'maintenance', 'local');
    this.stopPending(cic, ['T14', 'T15']);
    if (!this.canSignal) return false;
    this.repeatUntilAnswered(cic, { message: () => this.d.transport.send(buildBare('BLO', cic)), repeat: 'T12', alert: 'T13', what: `blocking of CIC ${cic} not acknowledged` });
    return true;
  }

  /**
   * Lifts our maintenance block (UBL; UBA expected). Returns whether the UBL went now: while
   * the link is down nothing needs to go, because the reset that follows the link's return
   * clears the exchange's record of our blocks (Q.764: a GRS removes the remote blocks).
   */
  unblock(cic: number): boolean {
    this.d.group.unblock(cic, 'maintenance', 'local');
    this.stopPending(cic, ['T12', 'T13']);
    if (!this.canSignal) return false;
    this.repeatUntilAnswered(cic, { message: () => this.d.transport.send(buildBare('UBL', cic)), repeat: 'T14', alert: 'T15', what: `unblocking of CIC ${cic} not acknowledged` });
    return true;
  }

  /** Blocking messages go only on a link in service whose start-up reset is acknowledged. */
  private get canSignal(): boolean {
    return this.d.transport.isUp && this.isReady;
  }

  /**
   * The span under these circuits failed (red) or recovered: hardware blocking follows it,
   * and the exchange is told with hardware-failure CGB / CGU (Q.764 2.8.2.2).
   */
  hardwareBlock(cics: number[], blocked: boolean): void {
    if (blocked) for (const cic of cics) this.clearCircuits(cic, 1, WHY.spanFailed);
    if (this.canSignal) this.sendGroupHardware(cics, blocked);
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
        this.d.group.unblock(m.cic, 'maintenance', 'remote');
        this.d.transport.send(buildRlc(m.cic));
        // Q.764 2.9.3.1: the reset may have wiped our block at the exchange; say it again.
        if (this.blockedLocally(m.cic)) this.block(m.cic);
        return;
      case 'RLC':
        // The answer to our RSC.
        this.stopPending(m.cic, ['T16', 'T17']);
        if (this.awaitingReset.delete(m.cic)) this.d.group.unblock(m.cic, 'maintenance', 'local');
        if (this.resetPending.get(m.cic) === 1) this.startupRunAcknowledged(m.cic);
        return;
      case 'BLO':
        this.counters.blocksByExchange++;
        // Q.764 2.8.2.1: a BLO after our IAM and before a backward message: BLA, release,
        // repeat the attempt on another circuit.
        this.d.calls.abandonAttempt(m.cic, WHY.blockedByExchange);
        this.d.group.block(m.cic, 'maintenance', 'remote');
        this.d.transport.send(buildBare('BLA', m.cic));
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
  }

  private linkDown(): void {
    this.isReady = false;
    for (const [cic, count] of this.resetPending) this.stopPending(cic, count === 1 ? ['T16', 'T17'] : ['T22', 'T23']);
    this.resetPending.clear();
    // Blocking and unblocking waiting for their answer: repeating into a dead link would only
    // raise false alerts. The reset when the link is back settles them (see block()).
    for (const c of this.d.group.list()) this.stopPending(c.cic, ['T12', 'T13', 'T14', 'T15', 'T18', 'T19', 'T20', 'T21']);
  }

  private onGrs(m: IsupMessageOf<'GRS'>): void {
    const count = m.rangeAndStatus.range + 1;
    this.counters.resetsByExchange++;
    const status: boolean[] = [];
    for (let cic = m.cic; cic < m.cic + count; cic++) {
      if (!this.d.group.has(cic)) {
        status.push(false);
        continue;
      }
      this.d.calls.abandonAttempt(cic, WHY.resetByExchange);
      this.clearCircuits(cic, 1, WHY.groupResetByExchange);
      // Q.764 2.10.3.2: a GRS removes remote blocks; the GRA reports our own.
      this.d.group.unblock(cic, 'maintenance', 'remote');
      const local = this.d.group.state(cic)!.maintenance;
      status.push(local === 'local' || local === 'both');
    }
    this.d.transport.send(buildGra(m.cic, status));
  }

  private onGra(m: IsupMessageOf<'GRA'>): void {
    this.counters.graReceived++;
    this.stopPending(m.cic, ['T22', 'T23']);
    const status = m.rangeAndStatus.status;
    status.forEach((blocked, i) => {
      const cic = m.cic + i;
      if (!this.d.group.has(cic)) return;
      if (blocked) this.d.group.block(cic, 'maintenance', 'remote');
      else this.d.group.unblock(cic, 'maintenance', 'remote');
    });
    this.startupRunAcknowledged(m.cic);
  }

  /** A start-up GRS (or the RSC of a lone circuit) is answered; the last one makes us ready. */
  private startupRunAcknowledged(firstCic: number): void {
    if (!this.resetPending.delete(firstCic) || this.resetPending.size > 0 || this.isReady) return;
    this.isReady = true;
    this.d.logger.info('circuits reset with the exchange: ready for calls');
    // Blocks of ours the GRS did not carry: tell the exchange again.
    const local = this.d.group.list().filter((c) => c.maintenance === 'local' || c.maintenance === 'both');
    for (const c of local) this.block(c.cic);
    const hardware = this.d.group.list().filter((c) => c.hardware === 'local' || c.hardware === 'both');
    if (hardware.length > 0) this.sendGroupHardware(hardware.map((c) => c.cic), true);
    this.emit('ready');
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
      });
      start = end + 1;
    }
  }

  private blockedLocally(cic: number): boolean {
    const st = this.d.group.state(cic)?.maintenance;
    return st === 'local' || st === 'both';
  }

  private rscPending(cic: number): Pending {
    return { message: () => this.d.transport.send(buildBare('RSC', cic)), repeat: 'T16', alert: 'T17', what: `reset of CIC ${cic} not acknowledged` };
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
   * Sends now, repeats on the short timer until answered, and alerts once on the long one
   * while going on repeating (Q.764 2.10.6: "alert maintenance and keep repeating").
   */
  private repeatUntilAnswered(cic: number, p: Pending): void {
    const repeat = () => {
      p.message();
      this.d.timers.start(p.repeat, cic, this.d.settings.repeatMs, repeat);
    };
    repeat();
    this.d.timers.start(p.alert, cic, this.d.settings.alertMs, () => {
      this.counters.alerts++;
      this.d.logger.error({ cic }, `maintenance alert: ${p.what}`);
      this.emit('maintenance-alert', cic, p.what);
    });
  }

  private stopPending(cic: number, timers: IsupTimerName[]): void {
    for (const t of timers) this.d.timers.stop(t, cic);
  }
}

export type MaintenanceType = 'GRS' | 'GRA' | 'RSC' | 'RLC' | 'BLO' | 'UBL' | 'BLA' | 'UBA' | 'CGB' | 'CGU' | 'CGBA' | 'CGUA';
