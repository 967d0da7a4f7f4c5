/**
 * Idle circuits (by index) ordered by release time, with the first in order at the top.
 *
 *   oldest-first  released longest ago first (FIFO), for the circuits we control
 *   newest-first  released most recently first (LIFO), for the others
 *
 * Equal release times go to the lower index, i.e. the lower CIC.
 *
 * A binary heap with each member's position kept, so add, remove-any and take-top are
 * O(log n) and peek O(1). A sorted linked list would give O(1) appends when circuits come
 * back in time order, but a circuit coming back from a block or a cancelled reservation
 * keeps its old release time and would need a walk to find its place; the heap never walks.
 */
export type ReleaseOrder = 'oldest-first' | 'newest-first';

export class ReleaseOrderHeap {
  private readonly heap: Int32Array;
  private readonly pos: Int32Array;
  /** releasedAt, negated for newest-first so that the heap is always a min-heap. */
  private readonly key: Float64Array;
  private readonly sign: 1 | -1;
  private n = 0;

  constructor(capacity: number, order: ReleaseOrder) {
    this.heap = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
    this.key = new Float64Array(capacity);
    this.sign = order === 'oldest-first' ? 1 : -1;
  }

  get size(): number {
    return this.n;
  }

  has(index: number): boolean {
    return this.pos[index]! >= 0;
  }

  /** The first circuit in order, or -1 when empty. */
  peek(): number {
    return this.n === 0 ? -1 : this.heap[0]!;
  }

  add(index: number, releasedAt: number): void {
    if (this.has(index)) throw new Error(`circuit index ${index} is already in the idle heap`);
    this.key[index] = this.sign * releasedAt;
    this.place(index, this.n++);
    this.up(this.n - 1);
  }

  remove(index: number): void {
    const at = this.pos[index]!;
    if (at < 0) throw new Error(`circuit index ${index} is not in the idle heap`);
    this.pos[index] = -1;
    const last = this.heap[--this.n]!;
    if (at === this.n) return;
    this.place(last, at);
    this.up(at);
    this.down(this.pos[last]!);
  }

  private before(a: number, b: number): boolean {
    const ka = this.key[a]!;
    const kb = this.key[b]!;
    return ka < kb || (ka === kb && a < b);
  }

  private place(index: number, at: number): void {
    this.heap[at] = index;
    this.pos[index] = at;
  }

  private up(at: number): void {
    const item = this.heap[at]!;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = this.heap[parentAt]!;
      if (!this.before(item, parent)) break;
      this.place(parent, at);
      at = parentAt;
    }
    this.place(item, at);
  }

  private down(at: number): void {
    const item = this.heap[at]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= this.n) break;
      const right = child + 1;
      if (right < this.n && this.before(this.heap[right]!, this.heap[child]!)) child = right;
      const c = this.heap[child]!;
      if (!this.before(c, item)) break;
      this.place(c, at);
      at = child;
    }
    this.place(item, at);
  }
}
