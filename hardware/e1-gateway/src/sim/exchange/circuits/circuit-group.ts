import { controls, type ControlRule } from './circuit-control.js';
import type { CircuitMap } from './circuit-map.js';
import { defaultHuntDirection, selectCircuit, type HuntDirection, type SelectionMethod } from './circuit-selection.js';
import { blockedBy, IllegalCircuitMove, moveCircuit, withSide, type BlockKind, type BlockSide, type BlockState, type CallState, type CircuitRow } from './circuit-state.js';

export interface CircuitGroupOptions {
  ownPointCode: number;
  peerPointCode: number;
  control: ControlRule;
  selection: SelectionMethod;
  /** For `opposite-order`; null or left out: derived from the point codes. */
  huntDirection?: HuntDirection | null;
  /** Start time: every circuit counts as released then. */
  now: number;
}

/**
 * What an IAM (or CCR) from the other end finds on a circuit (Q.764 2.9.1.4):
 * `seized` an idle circuit; `keep-ours` our own IAM is out and we control the circuit, so
 * theirs is ignored; `yield` our IAM is out and they control it, so ours gives way and the
 * circuit is theirs; `busy` a call is already up on it.
 */
export type Seizure =
  | { outcome: 'seized' | 'yield'; maintenance: BlockState; hardware: BlockState }
  | { outcome: 'keep-ours' }
  | { outcome: 'busy'; call: CallState };

export interface CircuitCounts {
  total: number;
  /** Idle and blocked by neither end: what a new call may take. */
  offerable: number;
  idle: number;
  reserved: number;
  outgoing: number;
  incoming: number;
  maintenanceBlocked: number;
  hardwareBlocked: number;
  /** Dual seizures where our call went on, and where it gave way. */
  glaresWon: number;
  glaresLost: number;
}

/**
 * The exchange's circuits: call state and blocking per circuit, circuit selection and the
 * dual-seizure rule. It holds no timers and sends nothing; the exchange's call and
 * maintenance parts drive it.
 */
export class CircuitGroup {
  private readonly rows = new Map<number, CircuitRow>();
  private readonly selection: SelectionMethod;
  private readonly direction: HuntDirection;
  private won = 0;
  private lost = 0;

  constructor(
    readonly map: CircuitMap,
    opts: CircuitGroupOptions,
  ) {
    if (opts.ownPointCode === opts.peerPointCode) throw new TypeError(`own and peer point code are both ${opts.ownPointCode}; the two ends of a circuit group are two signalling points`);
    this.selection = opts.selection;
    this.direction = opts.huntDirection ?? defaultHuntDirection(opts.ownPointCode, opts.peerPointCode);
    for (const c of map.circuits) {
      const ours = controls(opts.control, c.cic, opts.ownPointCode, opts.peerPointCode);
      this.rows.set(c.cic, { ...c, call: 'idle', maintenance: 'none', hardware: 'none', controlledBy: ours ? 'us' : 'peer', releasedAt: opts.now, since: opts.now, lastRelease: null });
    }
  }

  has(cic: number): boolean {
    return this.rows.has(cic);
  }

  /** A copy of one circuit's row. */
  state(cic: number): CircuitRow | undefined {
    const row = this.rows.get(cic);
    return row && copy(row);
  }

  /** Copies of every row, by CIC. */
  list(): CircuitRow[] {
    return [...this.rows.values()].map(copy);
  }

  counts(): CircuitCounts {
    const c: CircuitCounts = { total: 0, offerable: 0, idle: 0, reserved: 0, outgoing: 0, incoming: 0, maintenanceBlocked: 0, hardwareBlocked: 0, glaresWon: this.won, glaresLost: this.lost };
    for (const row of this.rows.values()) {
      c.total++;
      c[row.call]++;
      if (row.maintenance !== 'none') c.maintenanceBlocked++;
      if (row.hardware !== 'none') c.hardwareBlocked++;
      if (offerable(row)) c.offerable++;
    }
    return c;
  }

  /** Takes a free circuit for our call, as the selection method says; null when none is free. */
  reserve(now: number, acceptable: (cic: number) => boolean = () => true): CircuitRow | null {
    const free = [...this.rows.values()].filter((r) => offerable(r) && acceptable(r.cic));
    const row = selectCircuit(free, this.selection, this.direction);
    if (!row) return null;
    moveCircuit(row, 'reserved', now);
    return copy(row);
  }

  /** Takes this circuit for our call if it is free (the forced-glare fault uses it). */
  reserveSpecific(cic: number, now: number): boolean {
    const row = this.rows.get(cic);
    if (!row || !offerable(row)) return false;
    moveCircuit(row, 'reserved', now);
    return true;
  }

  /** A backward message came for our IAM: the dual-seizure window is over. */
  confirmOutgoing(cic: number, now: number): void {
    moveCircuit(this.row(cic), 'outgoing', now);
  }

  /** An IAM or CCR from the other end on this circuit. */
  seizeIncoming(cic: number, now: number): Seizure {
    const row = this.row(cic);
    if (row.call === 'reserved') {
      // Q.764 2.9.1.4: a dual seizure; the controlling exchange's call goes on.
      if (row.controlledBy === 'us') {
        this.won++;
        return { outcome: 'keep-ours' };
      }
      this.lost++;
      moveCircuit(row, 'incoming', now);
      return { outcome: 'yield', maintenance: row.maintenance, hardware: row.hardware };
    }
    if (row.call !== 'idle') return { outcome: 'busy', call: row.call };
    moveCircuit(row, 'incoming', now);
    return { outcome: 'seized', maintenance: row.maintenance, hardware: row.hardware };
  }

  /** The call on the circuit is over (or our attempt dropped): idle, released now with `cause`. */
  release(cic: number, now: number, cause: number): void {
    const row = this.row(cic);
    moveCircuit(row, 'idle', now);
    row.releasedAt = now;
    row.lastRelease = { cause, at: now };
  }

  /** Puts one side's block of one kind on; false when it was on already. */
  block(cic: number, kind: BlockKind, side: BlockSide): boolean {
    return this.setBlock(cic, kind, side, true);
  }

  unblock(cic: number, kind: BlockKind, side: BlockSide): boolean {
    return this.setBlock(cic, kind, side, false);
  }

  isBlocked(cic: number, kind: BlockKind, side: BlockSide): boolean {
    return blockedBy(this.row(cic)[kind], side);
  }

  get glaresWon(): number {
    return this.won;
  }

  get glaresLost(): number {
    return this.lost;
  }

  private setBlock(cic: number, kind: BlockKind, side: BlockSide, on: boolean): boolean {
    const row = this.row(cic);
    const next = withSide(row[kind], side, on);
    if (next === row[kind]) return false;
    row[kind] = next;
    return true;
  }

  private row(cic: number): CircuitRow {
    const row = this.rows.get(cic);
    if (!row) throw new IllegalCircuitMove(`CIC ${cic} is not in the exchange's circuit group`);
    return row;
  }
}

function offerable(row: CircuitRow): boolean {
  return row.call === 'idle' && row.maintenance === 'none' && row.hardware === 'none';
}

function copy(row: CircuitRow): CircuitRow {
  return { ...row, lastRelease: row.lastRelease && { ...row.lastRelease } };
}
