import { nextSequence, sequenceDistance } from './sequence.js';
import type { Fisu, Msu, SequenceFields } from './signal-unit.js';

/** An MSU sent and not yet acknowledged, kept for retransmission. */
export interface RetransmissionEntry {
  fsn: number;
  data: Uint8Array;
}

/** Q.703 5.2.1: at most 127 MSUs are unacknowledged at once (seven-bit sequence numbers). */
export const RETRANSMISSION_BUFFER_SIZE = 127;

/** The outcome of BSN and BIB processing. */
export type AcknowledgeResult =
  /** The BSN acknowledged `acked` MSUs; with `nack`, the far end asks for `retransmit` again. */
  | { kind: 'ok'; acked: number; nack: boolean; retransmit: RetransmissionEntry[] }
  /** The BSN is neither the last acknowledged FSN nor one in the buffer: the unit is discarded. */
  | { kind: 'abnormal-bsn'; failure: boolean };

/** The outcome of FSN and FIB processing. */
export type ReceiveResult =
  /** The next MSU in sequence: deliver it; its FSN goes back as BSN. */
  | 'accepted'
  /** A FISU whose FSN matches the last accepted MSU: nothing lost. */
  | 'in-sequence'
  /** An MSU received before (a retransmission overlapping what arrived): discarded. */
  | 'duplicate'
  /** An MSU or FISU showing a gap: discarded, and BIB inverted to ask for retransmission. */
  | 'nack'
  /** A negative acknowledgement was sent and the far end has not begun retransmitting yet: discarded. */
  | 'waiting'
  /** FIB inverted without our asking: discarded; `abnormal-fib-failure` when it is the second of three. */
  | 'abnormal-fib'
  | 'abnormal-fib-failure';

/**
 * The sequence numbering and acknowledgement of the basic error correction method (Q.703
 * 5): the transmit side numbers MSUs, keeps them until acknowledged and sends them again
 * after a negative acknowledgement; the receive side accepts MSUs in sequence only and asks
 * for a retransmission with an inverted BIB. Pure: the link sends and times.
 */
export class BasicErrorCorrection {
  /** Unacknowledged MSUs in FSN order: FSNs fsnAcked+1 .. fsnLast. */
  readonly buffer: RetransmissionEntry[] = [];
  private fsnLast = 127;
  private fsnAcked = 127;
  private fib: 0 | 1 = 1;
  private fsnAccepted = 127;
  private bib: 0 | 1 = 1;
  private nackPending = false;
  private readonly recentBsn: boolean[] = [];
  private readonly recentFib: boolean[] = [];

  constructor() {
    this.reset();
  }

  /** Q.703 5.2.1: at the start of alignment the sequence numbers are 127 and the indicator bits 1. */
  reset(): void {
    this.buffer.length = 0;
    this.fsnLast = this.fsnAcked = this.fsnAccepted = 127;
    this.fib = this.bib = 1;
    this.nackPending = false;
    this.recentBsn.length = 0;
    this.recentFib.length = 0;
  }

  /**
   * The sequence fields of the next FISU or LSSU: the BSN of the last MSU accepted and the
   * FSN of the last MSU sent (Q.703 5.2.1: fill-in units take no new number).
   */
  sequence(): SequenceFields {
    return { bsn: this.fsnAccepted, bib: this.bib, fsn: this.fsnLast, fib: this.fib };
  }

  get full(): boolean {
    return this.buffer.length >= RETRANSMISSION_BUFFER_SIZE;
  }

  /** Numbers a new MSU and keeps it until it is acknowledged. Check `full` first. */
  assign(data: Uint8Array): Msu {
    if (this.full) throw new Error('the retransmission buffer is full');
    this.fsnLast = nextSequence(this.fsnLast);
    this.buffer.push({ fsn: this.fsnLast, data });
    return { kind: 'msu', ...this.sequence(), data };
  }

  /** A kept MSU as sent again: its own FSN, the current BSN, BIB and FIB. */
  again(entry: RetransmissionEntry): Msu {
    return { kind: 'msu', ...this.sequence(), fsn: entry.fsn, data: entry.data };
  }

  /** BSN and BIB of a received FISU or MSU (Q.703 5.3). */
  acknowledge(su: SequenceFields): AcknowledgeResult {
    const acked = sequenceDistance(this.fsnAcked, su.bsn);
    if (acked > this.buffer.length) {
      // Q.703 5.3: an abnormal BSN; two in three consecutive units fail the link.
      return { kind: 'abnormal-bsn', failure: twoOfThree(this.recentBsn, true) };
    }
    twoOfThree(this.recentBsn, false);
    this.buffer.splice(0, acked);
    this.fsnAcked = su.bsn;
    if (su.bib === this.fib) return { kind: 'ok', acked, nack: false, retransmit: [] };
    // Q.703 5.3.2: a negative acknowledgement. Everything after BSN goes again, in order,
    // with FIB inverted to match the BIB received.
    this.fib = su.bib;
    return { kind: 'ok', acked, nack: true, retransmit: [...this.buffer] };
  }

  /** FSN and FIB of a received FISU or MSU (Q.703 5.2.2). */
  receive(su: Fisu | Msu): ReceiveResult {
    if (su.fib !== this.bib) {
      if (this.nackPending) return 'waiting';
      // Q.703 5.3: an abnormal FIB, changed although no negative acknowledgement was sent.
      return twoOfThree(this.recentFib, true) ? 'abnormal-fib-failure' : 'abnormal-fib';
    }
    this.nackPending = false;
    twoOfThree(this.recentFib, false);
    if (su.kind === 'fisu') return su.fsn === this.fsnAccepted ? 'in-sequence' : this.nack();
    if (su.fsn === this.fsnAccepted) return 'duplicate';
    if (su.fsn !== nextSequence(this.fsnAccepted)) return this.nack();
    this.fsnAccepted = su.fsn;
    return 'accepted';
  }

  /**
   * A gap: the unit is discarded and BIB inverted (Q.703 5.2.2). A FISU shows a gap too,
   * since it carries the FSN of the last MSU sent (Q.703 5.2.1): that is how the loss of the
   * last MSU of a burst is found before T7 runs out at the far end.
   */
  private nack(): ReceiveResult {
    this.bib = this.bib === 1 ? 0 : 1;
    this.nackPending = true;
    return 'nack';
  }
}

/** Records whether the latest unit was abnormal; true when two of the last three were. */
function twoOfThree(recent: boolean[], abnormal: boolean): boolean {
  recent.push(abnormal);
  if (recent.length > 3) recent.shift();
  return recent.filter(Boolean).length >= 2;
}
