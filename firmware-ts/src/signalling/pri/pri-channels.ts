import type { Clock } from '@countyline/e1-gateway';
import { CircuitGroup } from '../../circuits/circuit-group.js';
import { CircuitMap } from '../../circuits/circuit-map.js';
import type { ChannelPolicy } from './q931-calls-types.js';

// Q.850 causes a refused channel is answered with.
const NO_CHANNEL = 34;
const CHANNEL_NOT_AVAILABLE = 44;

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

  constructor(
    private readonly clock: Clock,
    span: number,
    o: { onRestarted?: (channels: readonly number[] | null) => void } = {},
  ) {
    this.map = CircuitMap.fromConfig({
      cics: [
        { firstCic: 1, span, timeslots: '1-15' },
        { firstCic: 17, span, timeslots: '17-31' },
      ],
    });
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
      return { cause: CHANNEL_NOT_AVAILABLE };
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
      this.group.confirmOutgoing(reserved, now);
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

  private hold(channel: number): void {
    this.holders.set(channel, (this.holders.get(channel) ?? 0) + 1);
  }
}
