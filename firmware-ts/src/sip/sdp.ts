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
