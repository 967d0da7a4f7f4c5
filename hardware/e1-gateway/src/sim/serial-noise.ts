/**
 * Line noise on the serial link: each byte passing through is corrupted with probability
 * `ratio`, by XOR with a random non-zero byte (so a corrupted byte always differs). The
 * card's framing must notice every such frame by its FCS and recover by retransmission.
 */
export class SerialNoise {
  private ratioValue = 0;
  /** Bytes corrupted so far, by direction (`tx`: card to host, `rx`: host to card). */
  readonly corrupted = { tx: 0, rx: 0 };

  constructor(
    private readonly random: () => number,
    ratio = 0,
  ) {
    this.ratio = ratio;
  }

  get ratio(): number {
    return this.ratioValue;
  }

  set ratio(value: number) {
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new RangeError(`noise ratio ${value} is outside 0..1`);
    this.ratioValue = value;
  }

  get corruptedBytes(): number {
    return this.corrupted.tx + this.corrupted.rx;
  }

  /**
   * Returns the bytes as they arrive after the noisy line. The input is never modified:
   * the link keeps the frames it sent so that it can repeat them.
   */
  pass(bytes: Uint8Array, direction: 'tx' | 'rx'): Buffer {
    const out = Buffer.from(bytes);
    if (this.ratioValue === 0) return out;
    for (let i = 0; i < out.length; i++) {
      if (this.random() < this.ratioValue) {
        out[i] = out[i]! ^ (1 + Math.floor(this.random() * 255));
        this.corrupted[direction]++;
      }
    }
    return out;
  }

  reset(): void {
    this.corrupted.tx = 0;
    this.corrupted.rx = 0;
  }
}

export { seededRandom } from '../random.js';
