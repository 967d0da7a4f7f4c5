import { FakeClock } from '@countyline/e1-gateway';
import { cause } from '../src/signalling/pri/q931-calls-build.js';
import { allChannels } from '../src/signalling/pri/q931-calls-restart.js';
import { Q931Calls } from '../src/signalling/pri/q931-calls.js';
import type { ChannelPolicy, Q931CallEnded, Q931CallsOptions } from '../src/signalling/pri/q931-calls-types.js';
import { decodeQ931, encodeQ931, type Q931Ies, type Q931Message } from '../src/signalling/pri/q931-codec.js';
import type { Q931MessageType } from '../src/signalling/pri/q931-messages.js';

/**
 * A hand-driven network side for Q.931 call control, for tests and the bench: it builds the
 * network's messages as bytes (through `encodeQ931`, as a switch would put them on the
 * D-channel) and reads back what the box sent, re-encoded and decoded as the network would
 * read it. Call references: `flag` false for the network's own calls, true for the box's.
 */
export class Q931NetworkPeer {
  /** What the box sent, decoded, oldest first. */
  readonly got: Q931Message[] = [];

  /** Give this to `Q931Calls` as `send`. */
  readonly sink = (m: Q931Message): void => {
    const r = decodeQ931(encodeQ931(m), 'user');
    if (!r.ok || r.message.type === 'unknown') throw new Error(`the box sent bytes that do not decode: ${JSON.stringify(r)}`);
    this.got.push(r.message);
  };

  /** The network's message as bytes. */
  bytes(type: Q931MessageType, cr: number, flag: boolean, ies: Q931Ies = {}): Uint8Array {
    return encodeQ931({ type, callReference: { value: cr, flag, length: 2 }, ies });
  }

  /** A voice SETUP from the network on `channel` (null: any). */
  setup(cr: number, channel: number | null, opts: { exclusive?: boolean; calling?: string; called?: string; ies?: Q931Ies } = {}): Uint8Array {
    return this.bytes('SETUP', cr, false, {
      sendingComplete: true,
      bearerCapability: { codingStandard: 'itu-t', capability: 'speech', transferMode: 'circuit', rate: '64k', layer1: 3 },
      channelIdentification:
        channel === null
          ? { interfaceType: 'primary', exclusive: false, dChannel: false, selection: 'any' }
          : { interfaceType: 'primary', exclusive: opts.exclusive ?? true, dChannel: false, selection: 'indicated', indicated: { codingStandard: 'itu-t', unit: 'b', channels: [channel] } },
      callingPartyNumber: { typeOfNumber: 'national', numberingPlan: 'isdn', digits: opts.calling ?? '01088880000', presentation: 'allowed', screening: 'network' },
      calledPartyNumber: { typeOfNumber: 'unknown', numberingPlan: 'isdn', digits: opts.called ?? '12345' },
      ...opts.ies,
    });
  }

  withCause(value: number): Q931Ies {
    return { cause: { ...cause(value), location: 2 } };
  }

  /** The messages sent since the last call, one line each: `SETUP cr=1/0 ch=3 cause=… state=…`. */
  take(): string[] {
    return this.got.splice(0).map(describe);
  }
}

export function describe(m: Q931Message): string {
  const parts = [m.type, `cr=${m.callReference.value}/${m.callReference.flag ? 1 : 0}`];
  const ci = m.ies.channelIdentification;
  if (ci?.indicated !== undefined && 'channels' in ci.indicated) parts.push(`ch=${ci.indicated.channels.join(',')}${ci.exclusive ? '' : '?'}`);
  if (m.ies.cause) parts.push(`cause=${m.ies.cause.value}`);
  if (m.ies.callState) parts.push(`state=${m.ies.callState.state}`);
  if (m.ies.restartIndicator) parts.push(m.ies.restartIndicator);
  return parts.join(' ');
}

/**
 * Call control on a FakeClock against the network peer, with a channel policy that keeps a
 * free list (lowest first) and logs what it was asked: `take 5 excl`, `reserve -> 1`,
 * `confirm 1->7`, `release 5`, `restarted 1,2` / `restarted all`. `events` logs what the
 * box's user hears: `incoming 1 ch=5 from=... to=...`, `ended 1 cause=16 by=network`...
 */
export function q931CallsRig(options: { timers?: Q931CallsOptions['timers']; free?: number[]; confirm?: boolean } = {}) {
  const clock = new FakeClock(0);
  const net = new Q931NetworkPeer();
  const free = new Set(options.free ?? allChannels(31));
  const policyLog: string[] = [];
  const events: string[] = [];
  const ended: Q931CallEnded[] = [];
  const channels: ChannelPolicy = {
    takeIncoming(channel, exclusive) {
      policyLog.push(`take ${channel ?? 'any'}${exclusive ? ' excl' : ''}`);
      const n = channel !== null && free.has(channel) ? channel : exclusive ? null : (Math.min(...free) as number);
      if (n === null || !Number.isFinite(n)) return { cause: channel === null ? 34 : 44 };
      free.delete(n);
      return n;
    },
    reserveOutgoing(avoid) {
      const n = [...free].filter((c) => !avoid.includes(c)).sort((a, b) => a - b)[0] ?? null;
      policyLog.push(`reserve -> ${n}`);
      if (n !== null) free.delete(n);
      return n;
    },
    confirmOutgoing(reserved, given) {
      policyLog.push(`confirm ${reserved}->${given}`);
      if (reserved === given) return true;
      if (options.confirm === false || !free.has(given)) return false;
      free.delete(given);
      free.add(reserved);
      return true;
    },
    release(channel) {
      policyLog.push(`release ${channel}`);
      free.add(channel);
    },
    restarted(list) {
      policyLog.push(`restarted ${list === null ? 'all' : list.join(',')}`);
      for (const n of list ?? allChannels(31)) free.add(n);
    },
  };
  const calls = new Q931Calls({ clock, send: net.sink, channels, timers: options.timers });
  calls.on('incoming', (c) => events.push(`incoming ${c.callId} ch=${c.channel} from=${c.calling} to=${c.called}`));
  calls.on('alerting', (e) => events.push(`alerting ${e.callId}`));
  calls.on('progress', (e) => events.push(`progress ${e.callId} ${e.description}`));
  calls.on('answered', (e) => events.push(`answered ${e.callId}`));
  calls.on('call-ended', (e) => {
    ended.push(e);
    events.push(`ended ${e.callId} cause=${e.cause} by=${e.clearedBy}`);
  });
  calls.on('restart', (e) => events.push(`restart ${e.channels === null ? 'all' : e.channels.join(',')} by=${e.by}`));
  calls.on('error', (e) => events.push(`error ${e.code}`));
  const take = <T>(list: T[]) => list.splice(0);
  return { clock, net, calls, free, policyLog, events, ended, take };
}
