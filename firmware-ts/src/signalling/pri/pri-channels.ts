import type { Clock } from '@countyline/e1-gateway';
import { CircuitGroup } from '../../circuits/circuit-group.js';
import { CircuitMap } from '../../circuits/circuit-map.js';
import type { ChannelPolicy } from './q931-calls-types.js';

// Q.850 causes a refused channel is answered with.
const NO_CHANNEL = 34;
const CHANNEL_NOT_AVAILABLE = 44;
const NO_SUCH_CHANNEL = 82;

/** Every B-channel of an E1 PRI: timeslots 1-31 but 16, which carries the D-channel. */
export const ALL_E1_B_CHANNELS = '1-15,17-31';

/**
 * The B-channels of config `pri.channels` ("1-15,17-31", "1-10"), ascending. Throws a
 * message naming the fault: a number outside 1-31, channel 16 (the D-channel), a range
 * written backwards, or a channel given twice.
 */
export function parseBChannels(spec: string): number[] {
  const seen = new Set<number>();
  for (const part of spec.split(',')) {
    const m = /^(\d{1,2})(?:-(\d{1,2}))?$/.exec(part.trim());
    if (!m) throw new Error(`"${part}" is neither a channel nor a range like 1-15`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) throw new Error(`${part}: the range runs backwards`);
    for (let n = first; n <= last; n++) {
      if (n < 1 || n > 31) throw new Error(`${n} is no E1 B-channel (1-31)`);
      if (n === 16) throw new Error('16 carries the D-channel, never a call');
      if (seen.has(n)) throw new Error(`channel ${n} is given twice`);
      seen.add(n);
    }
  }
  return [...seen].sort((a, b) => a - b);
}

/**
 * The B-channels of one PRI span as circuits, in a circuit group like ISUP's (so `countyline
 * circuits`, blocking and the span's hardware block read the same), numbered as Q.931 numbers
 * them on an E1: the channel number is the timeslot (1-15, 17-31). The network side controls
 * every channel: when its SETUP names a channel the box has just reserved for its own, the
 * network's call takes it (the group's dual-seizure "yield"), and Q.931 call control repeats
 * ours on another channel once the network refuses it.
 *
 * A channel may so be held by two calls for a moment (ours, being refused, and the network's);
 * it is free again only when both have let it go.
 */
export class PriChannels implements ChannelPolicy {
  readonly map: CircuitMap;
  readonly group: CircuitGroup;
  /** Calls holding each channel (0, 1, or 2 across a collision). */
  private readonly holders = new Map<number, number>();
  private readonly onRestarted: (channels: readonly number[] | null) => void;

  /**
   * `channels`: the B-channels the telco provides (all 30 by default); the others are no
   * circuits: a SETUP naming one exclusively is refused with cause 82.
   */
  constructor(
    private readonly clock: Clock,
    span: number,
    o: { channels?: readonly number[]; onRestarted?: (channels: readonly number[] | null) => void } = {},
  ) {
    const channels = o.channels ?? parseBChannels(ALL_E1_B_CHANNELS);
    this.map = CircuitMap.fromConfig({ cics: channels.map((n) => ({ cic: n, span, timeslot: n })) });
    // Point codes mean nothing on PRI; `none`: the box controls no channel (the network's choice wins).
    this.group = new CircuitGroup(this.map, { ownPointCode: 0, peerPointCode: 1, control: 'none', now: clock.now() });
    this.onRestarted = o.onRestarted ?? (() => {});
  }

  takeIncoming(channel: number | null, exclusive: boolean): number | { cause: number } {
    const now = this.clock.now();
    if (channel !== null && this.group.has(channel)) {
      const row = this.group.state(channel)!;
      const blocked = row.maintenance !== 'none' || row.hardware !== 'none';
      if (!blocked) {
        const seized = this.group.seizeIncoming(channel, now);
        if (seized.outcome === 'seized' || seized.outcome === 'yield') {
          this.hold(channel);
          return channel;
        }
      }
      if (exclusive) return { cause: CHANNEL_NOT_AVAILABLE };
    } else if (channel !== null && exclusive) {
      // Not one of the channels the telco provides (a fractional PRI).
      return { cause: NO_SUCH_CHANNEL };
    }
    // Preferred, or any: another idle channel.
    const other = this.group.reserve(now);
    if (!other) return { cause: NO_CHANNEL };
    this.group.cancelReservation(other.cic, now);
    this.group.seizeIncoming(other.cic, now);
    this.hold(other.cic);
    return other.cic;
  }

  reserveOutgoing(avoid: readonly number[]): number | null {
    const now = this.clock.now();
    const skipped: number[] = [];
    let found: number | null = null;
    for (;;) {
      const c = this.group.reserve(now);
      if (!c) break;
      if (!avoid.includes(c.cic)) {
        found = c.cic;
        break;
      }
      skipped.push(c.cic);
    }
    for (const cic of skipped) this.group.cancelReservation(cic, now);
    if (found !== null) this.hold(found);
    return found;
  }

  confirmOutgoing(reserved: number, given: number): boolean {
    const now = this.clock.now();
    if (reserved === given) {
      // Still ours (not taken by the network's SETUP across a collision): outgoing from now on.
      if (this.group.state(reserved)?.call === 'reserved') this.group.confirmOutgoing(reserved, now);
      return true;
    }
    if (!this.group.has(given)) return false;
    const taken = this.group.reserveSpecific(given, now);
    if (!taken.ok) return false;
    this.group.confirmOutgoing(given, now);
    this.hold(given);
    this.release(reserved);
    return true;
  }

  release(channel: number): void {
    const left = (this.holders.get(channel) ?? 0) - 1;
    if (left > 0) {
      this.holders.set(channel, left);
      return;
    }
    this.holders.delete(channel);
    const row = this.group.state(channel);
    if (row && row.call !== 'idle') {
      if (row.call === 'reserved') this.group.cancelReservation(channel, this.clock.now());
      else this.group.release(channel, this.clock.now(), 16);
    }
  }

  restarted(channels: readonly number[] | null): void {
    for (const cic of channels ?? this.map.circuits.map((c) => c.cic)) {
      this.holders.set(cic, 1);
      this.release(cic);
    }
    this.onRestarted(channels);
  }

  /**
   * Takes an idle channel for a test call (one the box itself blocked after failed tests
   * too, as a circuit that failed comes back by passing one). Released with `release`.
   */
  reserveForTest(channel: number): { ok: true } | { ok: false; reason: 'busy' | 'blocked' } {
    if (!this.group.has(channel)) return { ok: false, reason: 'blocked' };
    const taken = this.group.reserveForTest(channel, this.clock.now());
    if (!taken.ok) return { ok: false, reason: taken.reason };
    this.hold(channel);
    return { ok: true };
  }

  private hold(channel: number): void {
    this.holders.set(channel, (this.holders.get(channel) ?? 0) + 1);
  }
}
