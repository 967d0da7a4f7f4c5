import type { Logger } from 'pino';
import { bChannels, cause, GLOBAL_CR, message, validChannel } from './q931-calls-build.js';
import { Q931TimerSet, type Q931TimerSettings } from './q931-calls-timers.js';
import type { ChannelPolicy, Q931CallCounters, Q931CallError } from './q931-calls-types.js';
import type { CallReference, Q931Message } from './q931-codec.js';
import type { Clock } from '@countyline/e1-gateway';

/** What the restart procedures need from call control. */
export interface RestartDeps {
  clock: Clock;
  log: Logger;
  timers: Q931TimerSettings;
  maxChannel: number;
  channels: ChannelPolicy;
  counters: Q931CallCounters;
  send: (m: Q931Message) => void;
  /** Ends, without a message, every call on these channels (null: all): the restart idles them. */
  clearCalls: (channels: readonly number[] | null, by: 'network' | 'box') => void;
  restarted: (channels: readonly number[] | null, by: 'network' | 'box') => void;
  error: (e: Q931CallError) => void;
}

/** How often our RESTART goes out in all: the first and two repeats at T316 (Q.931 5.5.1 leaves the count to the implementation). */
const RESTART_SENDS = 3;

/**
 * The restart procedures of Q.931 5.5, on the global call reference. One RESTART of ours is
 * outstanding at a time (a RESTART ACKNOWLEDGE says nothing to tell two apart); later ones
 * wait in a queue. Channels we restart stay out of use from the request until the network
 * acknowledges: then `ChannelPolicy.restarted` hands them back. A RESTART the network never
 * acknowledges (T316, three sends) is reported and its channels stay out of use: the
 * operator (or the stack) restarts them again.
 */
export class Q931Restarts {
  private readonly timers: Q931TimerSet;
  private readonly queue: (readonly number[] | null)[] = [];
  private outstanding: { channels: readonly number[] | null; sends: number } | null = null;
  /** Channels waiting for a restart of ours to be acknowledged; `all`: the whole interface. */
  private readonly held = new Set<number>();
  private all = false;

  constructor(private readonly d: RestartDeps) {
    this.timers = new Q931TimerSet(d.clock);
  }

  /** Restarts these channels (null: the interface): their calls end at once, the channels come back at the acknowledgement. */
  request(channels: readonly number[] | null): void {
    if (channels !== null) {
      if (channels.length === 0) throw new RangeError('Q.931 restart: name at least one B-channel, or null for the whole interface');
      for (const n of channels) if (!validChannel(n, this.d.maxChannel)) throw new RangeError(`Q.931 restart: ${n} is not a B-channel (1-${this.d.maxChannel}, not 16)`);
    }
    this.d.clearCalls(channels, 'box');
    if (channels === null) this.all = true;
    else for (const n of channels) this.held.add(n);
    this.queue.push(channels === null ? null : [...channels]);
    if (this.outstanding === null) this.next();
  }

  pending(): number {
    return this.queue.length + (this.outstanding === null ? 0 : 1);
  }

  maintenance(): number[] {
    if (this.all) return allChannels(this.d.maxChannel);
    return [...this.held].sort((a, b) => a - b);
  }

  /** RESTART from the network (Q.931 5.5.2). */
  onRestart(m: Q931Message): void {
    this.d.counters.restartsIn++;
    const ri = m.ies.restartIndicator!;
    const ci = m.ies.channelIdentification;
    // 4.3: the network chose the (global) call reference of its RESTART: our answers carry flag 1.
    const back = { value: 0, flag: !m.callReference.flag, length: m.callReference.length ?? 2 };
    let channels: number[] | null = null;
    if (ri === 'indicated-channels') {
      // 5.5.2: "indicated channels" without the channel identification: STATUS, cause 96.
      if (ci === undefined) return this.status(back, 96, [0x18], 'RESTART for indicated channels names none');
      const list = ci.indicated !== undefined && 'channels' in ci.indicated ? ci.indicated.channels : [];
      if (ci.interfaceType !== 'primary' || ci.indicated?.unit !== 'b' || list.length === 0 || !list.every((n) => validChannel(n, this.d.maxChannel))) {
        return this.status(back, 82, [], `RESTART names channel(s) ${list.join(', ') || '(none)'} this interface does not have`);
      }
      channels = [...list];
    }
    this.d.log.info({ channels, class: ri }, 'Q.931 RESTART from the network');
    this.d.clearCalls(channels, 'network');
    this.d.channels.restarted(channels);
    const covered = this.release(channels);
    const ack = message('RESTART ACKNOWLEDGE', back, { restartIndicator: ri });
    if (ci !== undefined) ack.ies.channelIdentification = ci;
    this.d.send(ack);
    this.d.restarted(channels, 'network');
    // Ours for the same channels is settled by theirs: the channels are idle at both ends.
    if (covered && this.outstanding !== null) {
      this.d.log.info({ channels: this.outstanding.channels }, 'Q.931: the network restarted the channels of our RESTART; not waiting for its acknowledgement');
      this.outstanding = null;
      this.timers.stop('T316', true);
      this.next();
    }
  }

  /** RESTART ACKNOWLEDGE (Q.931 5.5.1): ends our outstanding restart. */
  onRestartAck(): void {
    const done = this.outstanding;
    if (done === null) {
      this.d.log.info('Q.931 RESTART ACKNOWLEDGE with no RESTART of ours outstanding; ignored');
      return;
    }
    this.outstanding = null;
    this.timers.stop('T316', true);
    this.release(done.channels, true);
    this.d.channels.restarted(done.channels);
    this.d.restarted(done.channels, 'box');
    this.next();
  }

  /**
   * The data link came back, or was reset under us: a RESTART of ours sent on the old link
   * may never have arrived (Q.921 discards unacknowledged I frames at a reset), and the
   * network cannot acknowledge what it did not get. Send it again now, T316 anew; the resend
   * does not count as one of the tries.
   */
  linkUp(): void {
    const o = this.outstanding;
    if (o === null) return;
    this.d.log.info({ channels: o.channels }, 'Q.931: data link (re)established with our RESTART unacknowledged; sending it again');
    this.timers.stop('T316', true);
    o.sends--;
    this.sendRestart();
  }

  clear(): void {
    this.timers.clear();
  }

  private next(): void {
    const channels = this.queue.shift();
    if (channels === undefined) return;
    this.outstanding = { channels, sends: 0 };
    this.d.counters.restartsOut++;
    this.sendRestart();
  }

  private sendRestart(): void {
    const o = this.outstanding!;
    o.sends++;
    const m = message('RESTART', GLOBAL_CR, { restartIndicator: o.channels === null ? 'single-interface' : 'indicated-channels' });
    if (o.channels !== null) m.ies.channelIdentification = bChannels(o.channels);
    this.d.send(m);
    this.timers.start('T316', this.d.timers.t316Ms, () => {
      if (o.sends < RESTART_SENDS) return this.sendRestart();
      this.d.counters.restartsUnanswered++;
      this.outstanding = null;
      this.timers.stop('T316', true);
      const which = o.channels === null ? 'the interface' : `B-channel(s) ${o.channels.join(', ')}`;
      this.d.error({ code: 'restart-unanswered', channels: o.channels, message: `RESTART of ${which} unanswered after ${RESTART_SENDS} tries (T316): the channels stay out of use; restart them again` });
      this.next();
    });
  }

  /** Takes channels out of `held`; true when they include everything our outstanding restart named. */
  private release(channels: readonly number[] | null, ours = false): boolean {
    const o = this.outstanding;
    const covered = o !== null && (channels === null || (o.channels !== null && o.channels.every((n) => channels.includes(n))));
    if (channels === null) {
      this.held.clear();
      this.all = false;
    } else {
      for (const n of channels) this.held.delete(n);
      if (ours && this.all) this.all = this.queue.includes(null);
    }
    return covered;
  }

  private status(back: CallReference, value: number, diagnostics: number[], why: string): void {
    this.d.counters.actions['5.5.2'] = (this.d.counters.actions['5.5.2'] ?? 0) + 1;
    this.d.log.warn(`Q.931 ${why}: STATUS cause ${value}`);
    this.d.send(message('STATUS', back, { cause: cause(value, diagnostics), callState: { codingStandard: 'itu-t', state: 0 } }));
  }
}

export function allChannels(maxChannel: number): number[] {
  const out: number[] = [];
  for (let n = 1; n <= maxChannel; n++) if (n !== 16) out.push(n);
  return out;
}
