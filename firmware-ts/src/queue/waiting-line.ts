/** What the line needs of a waiting caller: its rank (higher first) and arrival number. */
export interface InLine {
  readonly rank: number;
  readonly seq: number;
}

/**
 * The callers of one queue in the order they are served: higher rank first, then arrival.
 * A sorted array with binary search: finding a caller's position is O(log n), entering and
 * leaving move the tail (a memmove, cheap for the thousands a box could ever hold).
 */
export class WaitingLine<T extends InLine> {
  private readonly items: T[] = [];

  get length(): number {
    return this.items.length;
  }

  at(index: number): T | undefined {
    return this.items[index];
  }

  add(item: T): void {
    const i = this.lowerBound(item);
    // The usual cases, joining at the tail and leaving from the head, take V8's O(1) paths.
    if (i === this.items.length) this.items.push(item);
    else this.items.splice(i, 0, item);
  }

  /** Removes `item`; false when it is not in the line. */
  remove(item: T): boolean {
    const i = this.indexOf(item);
    if (i < 0) return false;
    if (i === 0) this.items.shift();
    else this.items.splice(i, 1);
    return true;
  }

  /** 0-based place of `item`, or -1. */
  indexOf(item: T): number {
    const i = this.lowerBound(item);
    return this.items[i] === item ? i : -1;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]();
  }

  /** The first index whose item does not come before `item`. */
  private lowerBound(item: T): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.items[mid]!, item)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function before(a: InLine, b: InLine): boolean {
  return a.rank !== b.rank ? a.rank > b.rank : a.seq < b.seq;
}
