import { Q850_LOCATION, type Cause } from './q931-cause.js';
import type { CallReference, Q931Ies, Q931Message } from './q931-codec.js';
import type { ChannelIdentification } from './q931-ies.js';
import type { Q931MessageType } from './q931-messages.js';
import type { Q931Bearer } from './q931-calls-types.js';

// The messages call control sends, built as the box words them. The box is the user side:
// its causes carry location "user" (Q.850 2.2.4).

/** The global call reference (Q.931 4.3, 5.5): RESTART and RESTART ACKNOWLEDGE. */
export const GLOBAL_CR: CallReference = { value: 0, flag: false, length: 2 };

export function message(type: Q931MessageType, callReference: CallReference, ies: Q931Ies = {}): Q931Message {
  return { type, callReference, ies };
}

export function cause(value: number, diagnostics: readonly number[] = []): Cause {
  return { codingStandard: 'itu-t', location: Q850_LOCATION.user, value, diagnostics: Uint8Array.from(diagnostics) };
}

/** One B-channel of a primary rate interface by number (Q.931 4.5.13): `a9 83 8n` exclusive, `a1 83 8n` preferred. */
export function bChannel(channel: number, exclusive: boolean): ChannelIdentification {
  return { interfaceType: 'primary', exclusive, dChannel: false, selection: 'indicated', indicated: { codingStandard: 'itu-t', unit: 'b', channels: [channel] } };
}

/** B-channels for a RESTART (class "indicated channels"). */
export function bChannels(channels: readonly number[]): ChannelIdentification {
  return { interfaceType: 'primary', exclusive: true, dChannel: false, selection: 'indicated', indicated: { codingStandard: 'itu-t', unit: 'b', channels: [...channels] } };
}

/**
 * Our SETUP (Q.931 3.1.14): bearer capability 64 kbit/s circuit mode, G.711 A-law (the E1
 * law; `80 90 a3` for speech, `90 90 a3` for 3.1 kHz audio), the channel, the numbers with
 * type "unknown" and plan ISDN/E.164 (the network reads the digits as dialled), the calling
 * number "presentation allowed, user-provided not screened", and sending complete: the box
 * dials en bloc and never sees SETUP ACKNOWLEDGE (5.1.3 overlap sending is not used).
 */
export function setupIes(p: { called: string; calling: string; channel: number; exclusive: boolean; bearer: Q931Bearer }): Q931Ies {
  const ies: Q931Ies = {
    sendingComplete: true,
    bearerCapability: { codingStandard: 'itu-t', capability: p.bearer === '3.1khz' ? 'audio-3.1khz' : 'speech', transferMode: 'circuit', rate: '64k', layer1: 3 },
    channelIdentification: bChannel(p.channel, p.exclusive),
    calledPartyNumber: { typeOfNumber: 'unknown', numberingPlan: 'isdn', digits: p.called },
  };
  if (p.calling !== '') ies.callingPartyNumber = { typeOfNumber: 'unknown', numberingPlan: 'isdn', digits: p.calling, presentation: 'allowed', screening: 'user-not-screened' };
  return ies;
}

/** Reads a channel identification from the network: one B-channel, any, or why it cannot be used (a cause). */
export function channelOf(ci: ChannelIdentification | undefined, maxChannel: number): { channel: number | null; exclusive: boolean } | { cause: number } {
  if (ci === undefined || ci.selection === 'any' || ci.selection === 'none') return { channel: null, exclusive: false };
  if (ci.interfaceType !== 'primary' || ci.dChannel) return { cause: 82 };
  const ind = ci.indicated;
  // 66 channel type not implemented: H0/H1 channels or a slot map; the box takes one B-channel per call.
  if (ind === undefined || ind.unit !== 'b' || !('channels' in ind) || ind.channels.length !== 1) return { cause: 66 };
  const n = ind.channels[0]!;
  if (!validChannel(n, maxChannel)) return { cause: 82 };
  return { channel: n, exclusive: ci.exclusive };
}

/** A B-channel number of an E1 PRI: 1-31 without 16 (the D-channel), up to `maxChannel`. */
export function validChannel(n: number, maxChannel: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= maxChannel && n !== 16;
}
