import type { Timer } from '../sim-timers.js';
import { blockedBy, type BlockKind, type CircuitRow } from './circuits/index.js';
import type { ExchangeContext } from './exchange-context.js';
import { bare, gra, grs, group as groupMessage, rlc } from './exchange-messages.js';
import type { CircuitStateCode, IsupMessage, IsupMessageOf } from './isup/index.js';

/** The maintenance messages the far end sends and waits on, with the Q.764 timer that repeats each. */
export type PendingType = 'BLO' | 'UBL' | 'RSC' | 'CGB' | 'CGU' | 'GRS';
export const REPEAT_TIMER: Readonly<Record<PendingType, string>> = { BLO: 'T12', UBL: 'T14', RSC: 'T16', CGB: 'T18', CGU: 'T20', GRS: 'T22' };
/** The short repeat timers (T12, T14, T16, T18, T20, T22): ITU default 15 s. */
export const REPEAT_MS = 15_000;
/** The long timers (T13...T23): after 5 minutes unanswered, warn (and keep repeating). */
export const ALERT_MS = 300_000;
/** Q.763 3.43: GRS, CGB and CGU cover 2..32 circuits (range 1..31; range 0 is reserved). */
export const MAX_GROUP = 32;

export interface PendingView {
  type: PendingType;
  cic: number;
  count: number;
  since: number;
  repeats: number;
}

interface Pending extends PendingView {
  timer: Timer;
}

export interface ExchangeMaintenanceHooks {
  /** The circuit is reset: its call or test goes without REL. */
  clearCircuit(cic: number, reason: string): void;
  /** BLO or maintenance CGB arrived for the circuit (Q.764 2.8.2.1 d). */
  blockedInSetup(cic: number): void;
  /** A GRA or an RLC for our RSC made circuits ready for our calls. */
  onReady(): void;
}

type GroupMessage = IsupMessageOf<'CGB'> | IsupMessageOf<'CGU'>;

const locally = (row: CircuitRow | undefined) => row !== undefined && blockedBy(row.maintenance, 'local');

/**
 * Circuit maintenance at the far end (Q.764 2.8, 2.9.3): it answers BLO, UBL, CGB, CGU, RSC
 * and GRS, sends its own on request, and repeats what the box leaves unacknowledged. It also
 * keeps which circuits may carry the exchange's calls: none until the GRS (or RSC) covering
 * them is acknowledged, again after each reset.
 */
export class ExchangeMaintenance {
  private readonly pending = new Map<string, Pending>();
  private readonly unready = new Set<number>();

  constructor(
    private readonly ctx: ExchangeContext,
    private readonly hooks: ExchangeMaintenanceHooks,
  ) {
    this.markAllUnready();
  }

  isReady(cic: number): boolean {
    return !this.unready.has(cic);
  }

  get readyCount(): number {
    return this.ctx.group.map.size - this.unready.size;
  }

  pendingList(): PendingView[] {
    return [...this.pending.values()].map(({ type, cic, count, since, repeats }) => ({ type, cic, count, since, repeats }));
  }

  /** Link in service: reset the whole group, as at start-up. */
  linkUp(): void {
    this.resetAll();
  }

  /** Link failed: nothing can be acknowledged any more; the next link-up resets again. */
  linkDown(): void {
    for (const p of this.pending.values()) p.timer.cancel();
    this.pending.clear();
    this.markAllUnready();
  }

  // --- from the box

  onBlo(cic: number): void {
    this.ctx.group.block(cic, 'maintenance', 'remote');
    this.ctx.send(bare('BLA', cic));
    this.hooks.blockedInSetup(cic);
  }

  onUbl(cic: number): void {
    this.ctx.group.unblock(cic, 'maintenance', 'remote');
    this.ctx.send(bare('UBA', cic));
  }

  onAck(type: 'BLA' | 'UBA', cic: number): void {
    this.acknowledged(type === 'BLA' ? 'BLO' : 'UBL', cic);
  }

  /** Q.764 2.9.3.1: clear the circuit, lift the box's blocks, RLC; a block of ours is said again. */
  onRsc(cic: number): void {
    const { group } = this.ctx;
    this.hooks.clearCircuit(cic, 'reset');
    this.liftRemoteBlocks(cic);
    this.ctx.send(rlc(cic));
    if (locally(group.state(cic))) this.sendBlock(cic, true);
  }

  /** RLC answering our RSC; false when no RSC of ours waits on this circuit. */
  onRlc(cic: number): boolean {
    if (!this.acknowledged('RSC', cic, true)) return false;
    this.unready.delete(cic);
    if (locally(this.ctx.group.state(cic))) this.sendBlock(cic, true);
    this.hooks.onReady();
    return true;
  }

  /**
   * GRS (Q.764 2.9.3.2): every circuit of the range is reset and loses the box's blocks,
   * maintenance and hardware; the GRA's status bits say which ones we have maintenance-blocked.
   */
  onGrs(m: IsupMessageOf<'GRS'>): void {
    const { group } = this.ctx;
    if (!this.rangeOk(m.cic, m.rangeAndStatus.range)) return;
    const status = this.cicsOf(m.cic, m.rangeAndStatus.range).map((cic) => {
      if (!group.has(cic)) return false;
      this.hooks.clearCircuit(cic, 'reset');
      this.liftRemoteBlocks(cic);
      return locally(group.state(cic));
    });
    this.ctx.send(gra(m.cic, status));
  }

  /** GRA for our GRS: the circuits are ready; its status bits are the box's own blocks. */
  onGra(m: IsupMessageOf<'GRA'>): void {
    const { group } = this.ctx;
    const p = this.pending.get(key('GRS', m.cic));
    if (!p || p.count !== m.rangeAndStatus.range + 1) {
      this.ctx.counters.unexpected++;
      this.ctx.log.warn({ cic: m.cic, range: m.rangeAndStatus.range }, 'GRA that answers no GRS of ours');
      return;
    }
    this.acknowledged('GRS', m.cic);
    this.cicsOf(m.cic, m.rangeAndStatus.range).forEach((cic, i) => {
      if (!group.has(cic)) return;
      if (m.rangeAndStatus.status[i]) group.block(cic, 'maintenance', 'remote');
      else group.unblock(cic, 'maintenance', 'remote');
      this.unready.delete(cic);
      // The box forgot our blocks with its reset: say them again.
      if (locally(group.state(cic))) this.sendBlock(cic, true);
    });
    this.hooks.onReady();
  }

  /** CGB/CGU: block or unblock the circuits whose status bit is set; acknowledge with the same bits. */
  onGroup(m: GroupMessage): void {
    const { group } = this.ctx;
    const { range, status } = m.rangeAndStatus;
    if (!this.rangeOk(m.cic, range)) return;
    if (m.supervisionType !== 'maintenance' && m.supervisionType !== 'hardware-failure') {
      this.ctx.counters.unexpected++;
      this.ctx.log.warn({ cic: m.cic, type: m.type, supervisionType: m.supervisionType }, 'group message with a supervision type for national use or spare ignored');
      return;
    }
    const kind: BlockKind = m.supervisionType === 'maintenance' ? 'maintenance' : 'hardware';
    this.cicsOf(m.cic, range).forEach((cic, i) => {
      if (!status[i] || !group.has(cic)) return;
      if (m.type === 'CGU') return void group.unblock(cic, kind, 'remote');
      group.block(cic, kind, 'remote');
      // Q.764 2.8.2.3: a hardware block ends the calls; a maintenance block only the setups.
      if (kind === 'hardware') this.hooks.clearCircuit(cic, 'blocked');
      else this.hooks.blockedInSetup(cic);
    });
    this.ctx.send(groupMessage(m.type === 'CGB' ? 'CGBA' : 'CGUA', m.cic, m.supervisionType, status));
  }

  /**
   * CQM (Q.764, circuit group query): a CQR with each circuit's state as we see it; a CIC not in our group
   * is unequipped. A range outside 0..31 is dropped like the other group messages' ranges.
   */
  onCqm(m: IsupMessageOf<'CQM'>): void {
    const { range } = m.rangeAndStatus;
    if (range >= MAX_GROUP) {
      this.ctx.counters.badRange++;
      this.ctx.log.warn({ cic: m.cic, range }, 'CQM with a range above 31 dropped');
      return;
    }
    const states = this.cicsOf(m.cic, range).map((cic): CircuitStateCode => {
      const row = this.ctx.group.state(cic);
      if (!row) return { state: 'unequipped' };
      // A hardware-blocked circuit is reported idle (Q.763, circuit state indicator).
      const call = row.hardware !== 'none' || row.call === 'idle' ? 'idle' : row.call === 'incoming' ? 'incoming-busy' : 'outgoing-busy';
      return { state: call, maintenance: row.maintenance, hardware: row.hardware };
    });
    this.ctx.send({ type: 'CQR', cic: m.cic, rangeAndStatus: { range }, circuitStateIndicators: states });
  }

  /**
   * UCIC: the box has no such circuit. The exchange stops offering calls on it until a reset
   * (RSC or GRS) is acknowledged again.
   */
  onUcic(cic: number): void {
    this.unready.add(cic);
    this.ctx.log.warn({ cic }, 'the box says the CIC is unequipped at its end: no calls on it until it is reset again');
  }

  onGroupAck(m: IsupMessageOf<'CGBA'> | IsupMessageOf<'CGUA'>): void {
    const type = m.type === 'CGBA' ? 'CGB' : 'CGU';
    const p = this.pending.get(key(type, m.cic));
    if (!p || p.count !== m.rangeAndStatus.range + 1) {
      this.ctx.counters.unexpected++;
      return;
    }
    this.acknowledged(type, m.cic);
  }

  // --- ours (control API)

  /** BLO (on) or UBL (off) for one circuit, repeated until BLA/UBA. */
  sendBlock(cic: number, on: boolean): void {
    const { group } = this.ctx;
    if (on) group.block(cic, 'maintenance', 'local');
    else group.unblock(cic, 'maintenance', 'local');
    this.cancel(on ? 'UBL' : 'BLO', cic);
    this.start(on ? 'BLO' : 'UBL', cic, 1, bare(on ? 'BLO' : 'UBL', cic));
  }

  /** RSC: the circuit is cleared here at once and carries no call of ours until RLC. */
  sendReset(cic: number): void {
    this.hooks.clearCircuit(cic, 'reset');
    this.unready.add(cic);
    this.start('RSC', cic, 1, bare('RSC', cic));
  }

  /** Maintenance CGB/CGU over `count` circuits from `firstCic` (all present in the group). */
  sendGroupBlock(firstCic: number, count: number, on: boolean): void {
    const { group } = this.ctx;
    const status = new Array<boolean>(count).fill(true);
    for (const cic of this.cicsOf(firstCic, count - 1)) {
      if (on) group.block(cic, 'maintenance', 'local');
      else group.unblock(cic, 'maintenance', 'local');
    }
    this.cancel(on ? 'CGU' : 'CGB', firstCic);
    const type = on ? 'CGB' : 'CGU';
    this.start(type, firstCic, count, groupMessage(type, firstCic, 'maintenance', status));
  }

  /** GRS for each run of at most 32 consecutive CICs (RSC for a run of one), as at start-up. */
  resetAll(): void {
    for (const run of this.ctx.group.map.contiguousRuns(MAX_GROUP)) {
      if (run.count === 1) {
        this.sendReset(run.firstCic);
        continue;
      }
      for (const cic of this.cicsOf(run.firstCic, run.count - 1)) {
        this.hooks.clearCircuit(cic, 'reset');
        this.unready.add(cic);
      }
      this.start('GRS', run.firstCic, run.count, grs(run.firstCic, run.count));
    }
  }

  // --- internals

  private start(type: PendingType, cic: number, count: number, message: IsupMessage): void {
    this.cancel(type, cic);
    const since = this.ctx.now();
    const p: Pending = {
      type,
      cic,
      count,
      since,
      repeats: 0,
      timer: this.ctx.timers.every(REPEAT_MS, () => {
        p.repeats++;
        this.ctx.counters.maintenanceRepeats++;
        if (p.repeats === ALERT_MS / REPEAT_MS) this.ctx.log.warn({ type, cic, timer: REPEAT_TIMER[type] }, `${type} unacknowledged for 5 minutes; still repeating`);
        this.ctx.send(message);
      }),
    };
    this.pending.set(key(type, cic), p);
    this.ctx.send(message);
  }

  private cancel(type: PendingType, cic: number): void {
    const p = this.pending.get(key(type, cic));
    if (!p) return;
    p.timer.cancel();
    this.pending.delete(key(type, cic));
  }

  /** Stops the repeats of an acknowledged message; an ack for nothing is counted. */
  private acknowledged(type: PendingType, cic: number, quiet = false): boolean {
    if (!this.pending.has(key(type, cic))) {
      if (!quiet) this.ctx.counters.unexpected++;
      return false;
    }
    this.cancel(type, cic);
    return true;
  }

  /** Q.764 2.9.3: a reset ends every block the other end had put on the circuit. */
  private liftRemoteBlocks(cic: number): void {
    this.ctx.group.unblock(cic, 'maintenance', 'remote');
    this.ctx.group.unblock(cic, 'hardware', 'remote');
  }

  private rangeOk(cic: number, range: number): boolean {
    if (range >= 1 && range < MAX_GROUP) return true;
    this.ctx.counters.badRange++;
    this.ctx.log.warn({ cic, range }, 'group message with a range outside 1..31 dropped');
    return false;
  }

  private cicsOf(first: number, range: number): number[] {
    return Array.from({ length: range + 1 }, (_, i) => first + i);
  }

  private markAllUnready(): void {
    for (const c of this.ctx.group.map.circuits) this.unready.add(c.cic);
  }
}

const key = (type: PendingType, cic: number) => `${type}:${cic}`;
