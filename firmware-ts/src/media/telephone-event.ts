/**
 * The telephone-event payload (RFC 4733 2.3): one DTMF digit (or other event) per packet.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     event     |E|R| volume    |          duration             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * event: 0-9, 10 = *, 11 = #, 12-15 = A-D (RFC 4733 3.2); E: the end of the event; volume in
 * -dBm0; duration in timestamp units (1/8000 s) since the event's RTP timestamp, which stays
 * the same in every packet of one event.
 */
export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

export const TELEPHONE_EVENT_OCTETS = 4;
const DIGITS = '0123456789*#ABCD';

/** Parses the payload, or names why not (never throws). */
export function parseTelephoneEvent(payload: Buffer): { ok: true; event: TelephoneEvent } | { ok: false; detail: string } {
  // RFC 4733 2.5.2.1 allows several events in one packet (redundancy); the first is the current one.
  if (payload.length < TELEPHONE_EVENT_OCTETS) return { ok: false, detail: `telephone-event payload of ${payload.length} octets; it is 4` };
  return {
    ok: true,
    event: { event: payload[0]!, end: (payload[1]! & 0x80) !== 0, volume: payload[1]! & 0x3f, duration: payload.readUInt16BE(2) },
  };
}

export function encodeTelephoneEvent(e: TelephoneEvent): Buffer {
  const out = Buffer.alloc(TELEPHONE_EVENT_OCTETS);
  out[0] = e.event;
  out[1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  out.writeUInt16BE(e.duration & 0xffff, 2);
  return out;
}

/** The DTMF digit of an event code, or undefined for the other events (flash, tones). */
export function dtmfDigit(event: number): string | undefined {
  return DIGITS[event];
}
