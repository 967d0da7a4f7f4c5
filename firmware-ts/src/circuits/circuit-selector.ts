import { IdleBitmap } from './idle-bitmap.js';
import { ReleaseOrderHeap } from './release-order-heap.js';

/**
 * Which offerable circuit a new outgoing call gets. Both methods are the preventive actions
 * of Q.764 2.9.1.3 that make dual seizure rare:
 *
 *   controlled-first  (method 2, the Chinese practice; default) among the circuits we control,
 *                     the one released longest ago (FIFO); when none is free, among the
 *                     others the one released most recently (LIFO). The far end does the
 *                     mirror image, so both ends work from opposite halves and, when one end
 *                     must dip into the other's half, it takes the circuit the other end will
 *                     reach last.
 *   opposite-order    (method 1) one end hunts from the highest CIC down, the other from the
 *                     lowest up.
 *
 * A selector holds exactly the offerable circuits (by index in CIC order); the circuit group
 * adds and removes them as their state changes. Every operation is O(1) or O(log n); none
 * looks at every circuit.
 */
export type SelectionMethod = 'controlled-first' | 'opposite-order';
export type HuntDirection = 'high-to-low' | 'low-to-high';

export const SELECTION_METHODS: readonly SelectionMethod[] = ['controlled-first', 'opposite-order'];

export interface CircuitSelector {
  readonly method: SelectionMethod;
  /** How many circuits are offerable. */
  readonly size: number;
  has(index: number): boolean;
  /** The circuit became offerable; `releasedAt` is when its last call ended. */
  add(index: number, releasedAt: number): void;
  /** The circuit is no longer offerable (busy or blocked). */
  remove(index: number): void;
  /** The circuit the next call should take, or -1 when none is offerable. Does not take it. */
  peek(): number;
}

/**
 * Derived hunting direction when the group does not configure one: the exchange with the
 * higher point code hunts high-to-low, the other low-to-high, so both ends, each deriving it,
 * end up opposite without a bilateral agreement on who does what.
 */
export function derivedHuntDirection(ownPointCode: number, peerPointCode: number): HuntDirection {
  if (ownPointCode === peerPointCode) {
    throw new RangeError(`own and peer point code are both ${ownPointCode}: configure the hunting direction for opposite-order selection`);
  }
  return ownPointCode > peerPointCode ? 'high-to-low' : 'low-to-high';
}

export class ControlledFirstSelector implements CircuitSelector {
  readonly method = 'controlled-first';
  private readonly ours: ReleaseOrderHeap;
  private readonly theirs: ReleaseOrderHeap;

  /** `controlled[i]`: we control the circuit with index i. */
  constructor(private readonly controlled: readonly boolean[]) {
    this.ours = new ReleaseOrderHeap(controlled.length, 'oldest-first');
    this.theirs = new ReleaseOrderHeap(controlled.length, 'newest-first');
  }

  get size(): number {
    return this.ours.size + this.theirs.size;
  }

  has(index: number): boolean {
    return this.heapOf(index).has(index);
  }

  add(index: number, releasedAt: number): void {
    this.heapOf(index).add(index, releasedAt);
  }

  remove(index: number): void {
    this.heapOf(index).remove(index);
  }

  peek(): number {
    return this.ours.size > 0 ? this.ours.peek() : this.theirs.peek();
  }

  private heapOf(index: number): ReleaseOrderHeap {
    return this.controlled[index] ? this.ours : this.theirs;
  }
}

export class OppositeOrderSelector implements CircuitSelector {
  readonly method = 'opposite-order';
  private readonly idle: IdleBitmap;

  constructor(
    size: number,
    readonly direction: HuntDirection,
  ) {
    this.idle = new IdleBitmap(size);
  }

  get size(): number {
    return this.idle.size;
  }

  has(index: number): boolean {
    return this.idle.has(index);
  }

  add(index: number, _releasedAt: number): void {
    this.idle.add(index);
  }

  remove(index: number): void {
    this.idle.remove(index);
  }

  peek(): number {
    return this.direction === 'high-to-low' ? this.idle.last() : this.idle.first();
  }
}
