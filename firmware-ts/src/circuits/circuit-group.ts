import type { Circuit, CircuitMap } from './circuit-map.js';
import { CircuitState, type BlockKind, type BlockSide, type BlockState, type CallEvent, type CallState, type LastRelease } from './circuit-state.js';
import {
  ControlledFirstSelector,
  derivedHuntDirection,
  OppositeOrderSelector,
  SELECTION_METHODS,
  type CircuitSelector,
  type HuntDirection,
  type SelectionMethod,
} from './circuit-selector.js';
import { circuitControl, type CircuitControl, type ControlRule } from './control-rule.js';

/**
 * The circuits of one group (one far-end point code): state, selection for outgoing calls,
 * dual-seizure decisions, blocking, and the views the CLI and the GRS start-up need.
 *
 * Pure: no timers, no I/O; every call-changing method takes `now` (ms). Synchronous, so a
 * `reserve()` that returned a circuit has already marked it `reserved` before the caller can
 * send its IAM: two local callers can never get the same circuit.
 *
 * Unknown CICs are a programming error here (the ISUP dispatcher answers those with UCIC
 * before it gets this far, see `has()`): methods taking a CIC throw `RangeError` for them.
 *
 * Glare counters (`glaresWon`, `glaresLost` in `counts()`) are kept here, since every dual
 * seizure passes through `seizeIncoming`; the metrics layer reads them.
 */
export interface CircuitGroupOptions {
  ownPointCode: number;
  peerPointCode: number;
  /** Dual-seizure control rule; default `point-code`. */
  control?: ControlRule;
  /** Default `controlled-first`. */
  selection?: SelectionMethod;
  /** For `opposite-order`: configured direction; default derived from the point codes. */
  huntDirection?: HuntDirection;
  /** Start-up time: every circuit counts as released at this moment. */
  now: number;
}

/** What an IAM arriving on a circuit means for it. */
export type SeizeResult =
  /** The circuit was idle and is now incoming busy. Blocks are passed on for the Q.764 2.8 checks (test calls). */
  | { outcome: 'seized'; dualSeizure: false; maintenance: BlockState; hardware: BlockState }
  /** Dual seizure, we control the circuit: keep our call, ignore the IAM (Q.764 2.9.1). */
  | { outcome: 'keep-ours'; dualSeizure: true; controlling: true }
  /**
   * Dual seizure, the far end controls the circuit: our attempt is dropped without REL and
   * the circuit is now incoming busy with their call; repeat our call on another circuit.
   */
  | { outcome: 'yield'; dualSeizure: true; controlling: false; maintenance: BlockState; hardware: BlockState }
  /** The circuit already carries a call past the dual-seizure window; the IAM is unexpected. */
  | { outcome: 'busy'; dualSeizure: false; call: 'outgoing' | 'incoming' };

export type ReserveSpecificResult =
  | { ok: true; circuit: Circuit }
  | { ok: false; reason: 'busy' | 'blocked'; call: CallState; maintenance: BlockState; hardware: BlockState };

/** One row of `countyline circuits`. */
export interface CircuitRow {
  cic: number;
  span: number;
  timeslot: number;
  call: CallState;
  maintenance: BlockState;
  hardware: BlockState;
  controlledBy: 'us' | 'peer';
  /** When the last call ended (start-up time if none has). */
  releasedAt: number;
  /** When the call state last changed. */
  since: number;
  lastRelease: LastRelease | null;
}

export interface CircuitCounts {
  total: number;
  /** Idle and unblocked: what selection can hand out. */
  offerable: number;
  idle: number;
  reserved: number;
  outgoing: number;
  incoming: number;
  /** Circuits with any maintenance block (local, remote or both). */
  maintenanceBlocked: number;
  hardwareBlocked: number;
  /** Circuits with any block, maintenance or hardware, each counted once. */
  blocked: number;
  /** Dual seizures on circuits we control (we kept our call). */
  glaresWon: number;
  /** Dual seizures on circuits the far end controls (we yielded and repeated). */
  glaresLost: number;
}

/** A run of consecutive CICs: one GRS (or CGB/CGU) covers it; a run of 1 takes RSC instead. */
export interface CicRun {
  firstCic: number;
  count: number;
}

export class CircuitGroup {
  readonly control: CircuitControl;
  readonly selection: SelectionMethod;
  /** The hunting direction in use with `opposite-order`, else null. */
  readonly huntDirection: HuntDirection | null;
  private readonly states: CircuitState[];
  private readonly controlled: boolean[];
  private readonly selector: CircuitSelector;
  private readonly calls: Record<CallState, number> = { idle: 0, reserved: 0, outgoing: 0, incoming: 0 };
  private readonly blocked: Record<BlockKind, number> = { maintenance: 0, hardware: 0 };
  private glaresWon = 0;
  private glaresLost = 0;
  /** Circuits the far end says it does not have (UCIC): never offered, never tested. */
  private readonly unequipped = new Set<number>();

  constructor(
    readonly map: CircuitMap,
    options: CircuitGroupOptions,
  ) {
    const { ownPointCode, peerPointCode, now } = options;
    this.control = circuitControl(options.control ?? 'point-code', ownPointCode, peerPointCode);
    this.selection = options.selection ?? 'controlled-first';
    if (!SELECTION_METHODS.includes(this.selection)) {
      throw new TypeError(`unknown circuit selection "${String(this.selection)}": use one of ${SELECTION_METHODS.join(', ')}`);
    }
    this.controlled = map.circuits.map((c) => this.control.controlledByUs(c.cic));
    this.states = map.circuits.map((c) => new CircuitState(c.cic, now));
    if (this.selection === 'opposite-order') {
      this.huntDirection = options.huntDirection ?? derivedHuntDirection(ownPointCode, peerPointCode);
      this.selector = new OppositeOrderSelector(map.size, this.huntDirection);
    } else {
      this.huntDirection = null;
      this.selector = new ControlledFirstSelector(this.controlled);
    }
    for (const c of map.circuits) this.selector.add(c.index, now);
    this.calls.idle = map.size;
  }

  has(cic: number): boolean {
    return this.map.byCic(cic) !== undefined;
  }

  /**
   * Takes the circuit selection picks for a new outgoing call and marks it `reserved`; null
   * when no circuit is offerable (all busy or blocked).
   */
  reserve(now: number): Circuit | null {
    const index = this.selector.peek();
    if (index < 0) return null;
    this.move(index, 'reserve', now);
    return this.map.circuits[index]!;
  }

  /**
   * Marks a circuit unequipped at the far end (Q.764 2.12, UCIC) or equipped again: an
   * unequipped circuit is never offered for calls or tests. Returns whether it changed.
   */
  setUnequipped(cic: number, unequipped: boolean): boolean {
    const index = this.indexOf(cic);
    if (this.unequipped.has(index) === unequipped) return false;
    if (unequipped) this.unequipped.add(index);
    else this.unequipped.delete(index);
    this.sync(index);
    return true;
  }

  isUnequipped(cic: number): boolean {
    const c = this.map.byCic(cic);
    return c !== undefined && this.unequipped.has(c.index);
  }

  /** Reserves one given circuit (a test call, a routed CIC), if it is offerable. */
  reserveSpecific(cic: number, now: number): ReserveSpecificResult {
    const index = this.indexOf(cic);
    const st = this.states[index]!;
    if (!st.offerable || this.unequipped.has(index)) {
      const reason = st.call === 'idle' ? 'blocked' : 'busy';
      return { ok: false, reason, call: st.call, maintenance: st.maintenance, hardware: st.hardware };
    }
    this.move(index, 'reserve', now);
    return { ok: true, circuit: this.map.circuits[index]! };
  }

  /**
   * Reserves a circuit for a continuity check (CCR). Q.764 2.1.8 allows testing a circuit we
   * blocked ourselves (that is how a circuit that failed its tests comes back); it must be
   * idle and not blocked by the far end or by hardware.
   */
  reserveForTest(cic: number, now: number): ReserveSpecificResult {
    const index = this.indexOf(cic);
    const st = this.states[index]!;
    const remoteOrHardware = st.maintenance === 'remote' || st.maintenance === 'both' || st.hardware !== 'none' || this.unequipped.has(index);
    if (st.call !== 'idle' || remoteOrHardware) {
      return { ok: false, reason: st.call === 'idle' ? 'blocked' : 'busy', call: st.call, maintenance: st.maintenance, hardware: st.hardware };
    }
    this.move(index, 'reserve', now);
    return { ok: true, circuit: this.map.circuits[index]! };
  }

  /** Gives back a reservation no IAM was sent for; the circuit keeps its old release time. */
  cancelReservation(cic: number, now: number): void {
    this.move(this.indexOf(cic), 'cancel', now);
  }

  /** A backward message (ACM, CON, ANM, CPG) came for our call: the dual-seizure window ends. */
  confirmOutgoing(cic: number, now: number): void {
    this.move(this.indexOf(cic), 'confirm', now);
  }

  /** An IAM arrived for `cic`. */
  seizeIncoming(cic: number, now: number): SeizeResult {
    const index = this.indexOf(cic);
    const st = this.states[index]!;
    switch (st.call) {
      case 'idle':
        this.move(index, 'seize', now);
        return { outcome: 'seized', dualSeizure: false, maintenance: st.maintenance, hardware: st.hardware };
      case 'reserved':
        // Q.764 2.9.1: the controlling exchange completes its call and ignores the IAM; the
        // non-controlling one backs off, takes the incoming call and repeats on another circuit.
        if (this.controlled[index]) {
          this.glaresWon++;
          return { outcome: 'keep-ours', dualSeizure: true, controlling: true };
        }
        this.glaresLost++;
        this.move(index, 'yield', now);
        return { outcome: 'yield', dualSeizure: true, controlling: false, maintenance: st.maintenance, hardware: st.hardware };
      default:
        return { outcome: 'busy', dualSeizure: false, call: st.call };
    }
  }

  /** The call on `cic` is over (RLC sent or received); `cause` is the Q.850 cause value. */
  release(cic: number, now: number, cause: number): void {
    this.move(this.indexOf(cic), 'release', now, cause);
  }

  /** Sets one side of a block; returns that block's new state. Repeats are harmless. */
  block(cic: number, kind: BlockKind, side: BlockSide): BlockState {
    return this.setBlock(this.indexOf(cic), kind, 'block', side);
  }

  unblock(cic: number, kind: BlockKind, side: BlockSide): BlockState {
    return this.setBlock(this.indexOf(cic), kind, 'unblock', side);
  }

  /**
   * The span went into alarm: hardware-block locally every circuit of this group on it.
   * Returns the CICs whose block is new (for the hardware-oriented CGB to the far end).
   */
  blockSpan(span: number): number[] {
    return this.spanBlock(span, 'block');
  }

  /** The span alarm cleared: lifts the local hardware block; returns the CICs it was lifted on. */
  unblockSpan(span: number): number[] {
    return this.spanBlock(span, 'unblock');
  }

  state(cic: number): CircuitRow | undefined {
    const c = this.map.byCic(cic);
    return c && this.row(c);
  }

  counts(): CircuitCounts {
    return {
      total: this.map.size,
      offerable: this.selector.size,
      ...this.calls,
      maintenanceBlocked: this.blocked.maintenance,
      hardwareBlocked: this.blocked.hardware,
      blocked: this.states.reduce((n, s) => (s.maintenance !== 'none' || s.hardware !== 'none' ? n + 1 : n), 0),
      glaresWon: this.glaresWon,
      glaresLost: this.glaresLost,
    };
  }

  /** Every circuit, ascending CIC. */
  list(): CircuitRow[] {
    return this.map.circuits.map((c) => this.row(c));
  }

  /**
   * The group's CICs cut into runs of consecutive CICs of at most `maxLen`, for the GRS sent
   * at start-up: its range field covers up to 32 circuits (Q.763 range value 31). A run of
   * one is reset with RSC.
   */
  contiguousRuns(maxLen = 32): CicRun[] {
    if (!Number.isInteger(maxLen) || maxLen < 1) throw new RangeError(`maxLen must be a whole number >= 1, got ${maxLen}`);
    const runs: CicRun[] = [];
    let run: CicRun | null = null;
    for (const { cic } of this.map.circuits) {
      if (run && cic === run.firstCic + run.count && run.count < maxLen) run.count++;
      else runs.push((run = { firstCic: cic, count: 1 }));
    }
    return runs;
  }

  private indexOf(cic: number): number {
    const c = this.map.byCic(cic);
    if (!c) throw new RangeError(`CIC ${cic} is not in this circuit group`);
    return c.index;
  }

  private row(c: Circuit): CircuitRow {
    const st = this.states[c.index]!;
    return {
      cic: c.cic,
      span: c.span,
      timeslot: c.timeslot,
      call: st.call,
      maintenance: st.maintenance,
      hardware: st.hardware,
      controlledBy: this.controlled[c.index] ? 'us' : 'peer',
      releasedAt: st.releasedAt,
      since: st.since,
      lastRelease: st.lastRelease,
    };
  }

  private move(index: number, event: CallEvent, now: number, cause?: number): void {
    const st = this.states[index]!;
    const from = st.call;
    const to = st.transition(event, now, cause);
    this.calls[from]--;
    this.calls[to]++;
    this.sync(index);
  }

  private setBlock(index: number, kind: BlockKind, move: 'block' | 'unblock', side: BlockSide): BlockState {
    const st = this.states[index]!;
    const before = st[kind];
    const after = st.setBlock(kind, move, side);
    if (before === 'none' && after !== 'none') this.blocked[kind]++;
    if (before !== 'none' && after === 'none') this.blocked[kind]--;
    this.sync(index);
    return after;
  }

  private spanBlock(span: number, move: 'block' | 'unblock'): number[] {
    const changed: number[] = [];
    for (const c of this.map.onSpan(span)) {
      const before = this.states[c.index]!.hardware;
      if (this.setBlock(c.index, 'hardware', move, 'local') !== before) changed.push(c.cic);
    }
    return changed;
  }

  /** Keeps the invariant: a circuit is in the selector iff it is offerable. */
  private sync(index: number): void {
    const st = this.states[index]!;
    const listed = this.selector.has(index);
    const offerable = st.offerable && !this.unequipped.has(index);
    if (offerable && !listed) this.selector.add(index, st.releasedAt);
    else if (!offerable && listed) this.selector.remove(index);
  }
}
