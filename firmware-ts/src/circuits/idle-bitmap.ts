/**
 * A set of circuit indices with find-lowest and find-highest in constant time: a two-level
 * bitmap, one bit per circuit and one summary bit per non-empty 32-bit word. A group holds
 * at most 4,096 circuits (12-bit CIC), i.e. 128 words and 4 summary words, so a search reads
 * at most 4 summary words and 1 word.
 */
export class IdleBitmap {
  private readonly words: Uint32Array;
  private readonly summary: Uint32Array;
  private count = 0;

  constructor(readonly capacity: number) {
    this.words = new Uint32Array(Math.ceil(capacity / 32));
    this.summary = new Uint32Array(Math.ceil(this.words.length / 32));
  }

  get size(): number {
    return this.count;
  }

  has(index: number): boolean {
    return (this.words[index >>> 5]! & (1 << (index & 31))) !== 0;
  }

  add(index: number): void {
    if (this.has(index)) throw new Error(`circuit index ${index} is already in the idle bitmap`);
    const w = index >>> 5;
    this.words[w] = this.words[w]! | (1 << (index & 31));
    this.summary[w >>> 5] = this.summary[w >>> 5]! | (1 << (w & 31));
    this.count++;
  }

  remove(index: number): void {
    if (!this.has(index)) throw new Error(`circuit index ${index} is not in the idle bitmap`);
    const w = index >>> 5;
    const word = this.words[w]! & ~(1 << (index & 31));
    this.words[w] = word;
    if (word === 0) this.summary[w >>> 5] = this.summary[w >>> 5]! & ~(1 << (w & 31));
    this.count--;
  }

  /** Lowest index in the set, or -1. */
  first(): number {
    for (let s = 0; s < this.summary.length; s++) {
      const sw = this.summary[s]!;
      if (sw === 0) continue;
      const w = (s << 5) + lowestBit(sw);
      return (w << 5) + lowestBit(this.words[w]!);
    }
    return -1;
  }

  /** Highest index in the set, or -1. */
  last(): number {
    for (let s = this.summary.length - 1; s >= 0; s--) {
      const sw = this.summary[s]!;
      if (sw === 0) continue;
      const w = (s << 5) + highestBit(sw);
      return (w << 5) + highestBit(this.words[w]!);
    }
    return -1;
  }
}

function lowestBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}

function highestBit(x: number): number {
  return 31 - Math.clz32(x);
}
