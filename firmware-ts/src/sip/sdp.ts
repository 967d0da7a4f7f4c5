import { parse, write, type SessionDescription } from 'sdp-transform';

/**
 * The SDP of agent calls (RFC 4566, offer/answer RFC 3264). The box offers one audio stream:
 * G.711 A-law (PCMA, static payload type 8, RFC 3551) as the E1 carries it, so no transcoding,
 * and telephone-event (RFC 4733) for the agent's DTMF, 20 ms frames like the PCM highway.
 */
export const PCMA = 8;
export const TELEPHONE_EVENT = 101;

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface LocalMedia {
  address: string;
  port: number;
}

export interface RemoteMedia {
  address: string;
  port: number;
  payloadType: typeof PCMA;
  /** The payload type the agent uses for telephone-event, or null: no RFC 4733 DTMF. */
  telephoneEvent: number | null;
}

export function buildSdp(media: LocalMedia, sessionId: number, version: number, direction: Direction = 'sendrecv'): string {
  const sdp: SessionDescription = {
    version: 0,
    origin: { username: 'countyline', sessionId, sessionVersion: version, netType: 'IN', ipVer: 4, address: media.address },
    name: 'countyline',
    connection: { version: 4, ip: media.address },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: 'audio',
        port: media.port,
        protocol: 'RTP/AVP',
        payloads: `${PCMA} ${TELEPHONE_EVENT}`,
        rtp: [
          { payload: PCMA, codec: 'PCMA', rate: 8000 },
          { payload: TELEPHONE_EVENT, codec: 'telephone-event', rate: 8000 },
        ],
        fmtp: [{ payload: TELEPHONE_EVENT, config: '0-15' }],
        ptime: 20,
        direction,
      },
    ],
  };
  return write(sdp);
}

export type SdpReading = { ok: true; media: RemoteMedia; direction: Direction; hold: boolean } | { ok: false; reason: string };

/**
 * Reads the agent's SDP: its first audio stream must keep PCMA (else the call cannot go on,
 * a 488-like failure). On hold (RFC 3264 section 8.4) when the stream is sendonly or
 * inactive, or its address is 0.0.0.0 (the older RFC 2543 way many phones still use).
 */
export function readSdp(text: string): SdpReading {
  let sdp: SessionDescription;
  try {
    sdp = parse(text);
  } catch (err) {
    return { ok: false, reason: `SDP does not parse: ${(err as Error).message}` };
  }
  const audio = (sdp.media ?? []).find((m) => m.type === 'audio');
  if (!audio) return { ok: false, reason: 'no audio stream in the SDP' };
  const payloads = String(audio.payloads ?? '').trim().split(/\s+/).map(Number);
  if (audio.port === 0 || !payloads.includes(PCMA)) return { ok: false, reason: `the audio stream does not keep PCMA (payload types: ${String(audio.payloads)})` };
  const address = audio.connection?.ip ?? sdp.connection?.ip;
  if (!address) return { ok: false, reason: 'no connection address in the SDP' };
  if (!Number.isInteger(audio.port) || audio.port < 1 || audio.port > 65535) return { ok: false, reason: `audio port ${audio.port}` };
  const event = (audio.rtp ?? []).find((r) => r.codec.toLowerCase() === 'telephone-event' && r.rate === 8000 && payloads.includes(r.payload));
  const direction: Direction = (audio.direction ?? sdp.direction ?? 'sendrecv') as Direction;
  const hold = direction === 'sendonly' || direction === 'inactive' || address === '0.0.0.0';
  return { ok: true, media: { address, port: audio.port, payloadType: PCMA, telephoneEvent: event ? event.payload : null }, direction, hold };
}

/** RFC 3264 section 6.1: the answer's direction mirrors the offer's. */
export function mirror(direction: Direction): Direction {
  return direction === 'sendonly' ? 'recvonly' : direction === 'recvonly' ? 'sendonly' : direction;
}

/** The discard port (RFC 863): a valid port for an inactive stream, where nothing is sent. */
const DISCARD_PORT = 9;

/**
 * An answer that takes no media, for a call that only carries a request (a feature code).
 * RFC 3264 section 6: one m-line per offered stream, in order. The first stream the offer
 * keeps is answered `inactive` (section 5.1: no media either way) with a valid port and one
 * of the offered formats, since phones treat an answer whose every stream is rejected as a
 * failed call; the others are rejected with port 0 (section 6). An INVITE without an offer
 * (RFC 3261 section 13.2.1) gets the box's usual offer, inactive on the discard port.
 */
export function noMediaSdp(offer: string, address: string, sessionId: number): { ok: true; sdp: string } | { ok: false; reason: string } {
  if (offer.trim() === '') return { ok: true, sdp: buildSdp({ address, port: DISCARD_PORT }, sessionId, 1, 'inactive') };
  let parsed: SessionDescription;
  try {
    parsed = parse(offer);
  } catch (err) {
    return { ok: false, reason: `SDP does not parse: ${(err as Error).message}` };
  }
  const offered = parsed.media ?? [];
  if (offered.length === 0) return { ok: false, reason: 'no media stream in the SDP offer' };
  let kept = false;
  const media: SessionDescription['media'] = [];
  for (const m of offered) {
    const first = String(m.payloads ?? '').trim().split(/\s+/)[0] ?? '';
    if (first === '') return { ok: false, reason: `the ${m.type} stream of the offer lists no format` };
    const keep: boolean = !kept && m.port !== 0;
    kept ||= keep;
    media.push({
      type: m.type,
      port: keep ? DISCARD_PORT : 0,
      protocol: m.protocol,
      payloads: first,
      rtp: keep ? (m.rtp ?? []).filter((r) => String(r.payload) === first) : [],
      fmtp: keep ? (m.fmtp ?? []).filter((f) => String(f.payload) === first) : [],
      ...(keep && { direction: 'inactive' as const }),
    });
  }
  if (!kept) return { ok: false, reason: 'every stream of the SDP offer has port 0' };
  const answer: SessionDescription = {
    version: 0,
    origin: { username: 'countyline', sessionId, sessionVersion: 1, netType: 'IN', ipVer: 4, address },
    name: 'countyline',
    connection: { version: 4, ip: address },
    timing: { start: 0, stop: 0 },
    media,
  };
  return { ok: true, sdp: write(answer) };
}
