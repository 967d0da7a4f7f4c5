/**
 * Loss from one source's sequence numbers, after RFC 3550 A.1 and A.3: packets expected
 * (the extended highest sequence number less the first, plus one) less packets received.
 * A late packet arriving after a gap was counted fills the gap again, as in A.3; a
 * duplicate is counted apart and does not make the loss negative.
 */
const MAX_DROPOUT = 3000; // A.1: a jump ahead this large is a restart of the sender, not loss
const MAX_MISORDER = 100; // A.1: this far behind is a late packet, further is a restart

export class RtpSequence {
  private base = 0;
  private highest = 0;
  private cycles = 0;
  private received = 0;
  private started = false;
  /** Loss of earlier runs, before a restart of the numbering. */
  private lostBefore = 0;
  duplicates = 0;
  private readonly seen = new Set<number>();

  /** Records one packet's sequence number. */
  update(sequence: number): void {
    if (!this.started) {
      this.restart(sequence);
      return;
    }
    const delta = (sequence - this.highest) & 0xffff;
    if (delta === 0 || this.seen.has(sequence)) {
      this.duplicates++;
      return;
    }
    if (delta < MAX_DROPOUT) {
      if (sequence < this.highest) this.cycles += 0x10000; // wrapped round
      this.highest = sequence;
    } else if (delta <= 0x10000 - MAX_MISORDER) {
      // Far ahead or far behind: the sender restarted its numbering.
      this.lostBefore += this.currentLoss();
      this.restart(sequence);
      return;
    }
    // else: a late packet, within MAX_MISORDER behind the highest
    this.received++;
    this.remember(sequence);
  }

  /** Packets lost so far. */
  get lost(): number {
    return this.lostBefore + this.currentLoss();
  }

  private currentLoss(): number {
    if (!this.started) return 0;
    const expected = this.cycles + this.highest - this.base + 1;
    return Math.max(0, expected - this.received);
  }

  private restart(sequence: number): void {
    this.started = true;
    this.base = sequence;
    this.highest = sequence;
    this.cycles = 0;
    this.received = 1;
    this.seen.clear();
    this.remember(sequence);
  }

  /** The last MAX_MISORDER sequence numbers, to tell a duplicate from a late packet. */
  private remember(sequence: number): void {
    this.seen.add(sequence);
    if (this.seen.size > MAX_MISORDER) this.seen.delete(this.seen.values().next().value!);
  }
}
