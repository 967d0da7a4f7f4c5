import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:dgram';
import type { Logger } from 'pino';
import { TypedEmitter } from '@countyline/e1-gateway';
import { FRAME_OCTETS } from './media-channel.js';
import { encodeRtp, parseRtp, PT_PCMA, type RtpRejectReason } from './rtp-packet.js';
import type { RtpPortLease, RtpPorts } from './rtp-ports.js';
import { RtpSequence } from './rtp-sequence.js';
import { dtmfDigit, parseTelephoneEvent } from './telephone-event.js';
import { bindUdp, type UdpAddress } from './udp-bind.js';

/** Where the phone wants its media, from its SDP (c= address, m= port, telephone-event rtpmap). */
export interface RtpRemote extends UdpAddress {
  /** The payload type the phone gave telephone-event (RFC 4733), often 101; none: no DTMF. */
  telephoneEventPt?: number;
}

export interface RtpSessionEvents {
  /** One 20 ms PCMA frame (160 octets) from the phone. */
  frame: (frame: Buffer) => void;
  /** One DTMF digit (0-9, *, #, A-D), at the end of its event (RFC 4733 2.5.1.4). */
  dtmf: (digit: string, durationMs: number) => void;
  /** The phone's media comes from here; we send there from now on (symmetric RTP). */
  latched: (source: UdpAddress) => void;
  closed: () => void;
}

export type MalformedReason = RtpRejectReason | 'short-telephone-event';

export interface RtpSessionCounters {
  /** RTP packets from the phone taken in (audio and telephone-event). */
  packetsIn: number;
  packetsOut: number;
  /** Packets missing from the phone's sequence numbers (RFC 3550 A.3). */
  lost: number;
  duplicates: number;
  /** Datagrams that are not RTP (or telephone-events shorter than 4 octets), by reason. */
  malformed: Partial<Record<MalformedReason, number>>;
  /** RTP with a payload type we did not agree on (neither PCMA nor the telephone-event type). */
  unexpectedPayloadType: number;
  /** Datagrams from another source than the one latched to, or before the phone's SDP. */
  foreign: number;
  /** Audio packets whose payload was not one 160-octet frame, repacked into frames. */
  repacked: number;
  /** Frames given to send() while there was nowhere to send them. */
  sentWithoutRemote: number;
  dtmfDigits: number;
}

export interface RtpSessionOptions {
  ports: RtpPorts;
  logger: Logger;
  /** Address to bind; default all interfaces, since the phones are on the office LAN. */
  address?: string;
  /** Source of the random SSRC, first sequence number and timestamp; default crypto. */
  random32?: () => number;
}

/**
 * One RTP session with one phone: G.711 A-law (PT 8) in 20 ms packets both ways, and DTMF
 * from the phone as telephone-events. Never throws on what arrives from the network: it
 * counts and drops it.
 *
 * Audio packets of another size than 160 octets (a phone that ignores ptime:20) are
 * repacked: their octets are cut into 160-octet frames, the remainder kept for the next
 * packet. A lost packet then shifts the frames by the remainder, which is inaudible.
 */
export class RtpSession extends TypedEmitter<RtpSessionEvents> {
  readonly port: number;
  private sdpRemote: RtpRemote | undefined;
  private latchedTo: UdpAddress | undefined;
  private readonly ssrc: number;
  private sequence: number;
  private timestamp: number;
  private first = true;
  private closed = false;
  private carry = Buffer.alloc(0);
  private readonly sequences = new Map<number, RtpSequence>();
  private lastDtmfEnd: { ssrc: number; timestamp: number } | undefined;
  private readonly count = { packetsIn: 0, packetsOut: 0, unexpectedPayloadType: 0, foreign: 0, repacked: 0, sentWithoutRemote: 0, dtmfDigits: 0 };
  private readonly malformed: Partial<Record<MalformedReason, number>> = {};
  private readonly logger: Logger;

  private constructor(
    private readonly socket: Socket,
    private readonly lease: RtpPortLease<Socket>,
    logger: Logger,
    random32: () => number,
  ) {
    super();
    this.port = lease.port;
    this.logger = logger.child({ rtpPort: this.port });
    // RFC 3550 5.1: SSRC, the first sequence number and the first timestamp are random.
    this.ssrc = random32() >>> 0;
    this.sequence = random32() & 0xffff;
    this.timestamp = random32() >>> 0;
    socket.on('message', (datagram, from) => this.receive(datagram, { address: from.address, port: from.port }));
    socket.on('error', (err) => this.logger.error({ err }, 'RTP socket error'));
  }

  /** Binds a session on a free port of the pool. */
  static async open(options: RtpSessionOptions): Promise<RtpSession> {
    const address = options.address ?? '0.0.0.0';
    const lease = await options.ports.take((port) => bindUdp(address, port));
    return new RtpSession(lease.value, lease, options.logger, options.random32 ?? (() => randomBytes(4).readUInt32BE(0)));
  }

  /** Where packets go now: the latched source, else the address from the SDP. */
  get remote(): UdpAddress | undefined {
    return this.latchedTo ?? (this.sdpRemote && { address: this.sdpRemote.address, port: this.sdpRemote.port });
  }

  /**
   * The phone's address from its SDP. A new address or port (a re-INVITE moving the media)
   * drops the latch, so the next packet latches again; the same one (a re-INVITE for hold)
   * keeps it.
   */
  setRemote(remote: RtpRemote): void {
    const moved = !this.sdpRemote || this.sdpRemote.address !== remote.address || this.sdpRemote.port !== remote.port;
    this.sdpRemote = { ...remote };
    if (moved) this.latchedTo = undefined;
  }

  /** Sends one PCMA frame to the phone. */
  send(frame: Buffer): void {
    if (this.closed) return;
    const to = this.remote;
    if (!to) {
      this.count.sentWithoutRemote++;
      return;
    }
    // RFC 3551 4.1: the marker is set on the first packet of a talkspurt; our stream is one
    // talkspurt from the first packet on.
    const packet = encodeRtp({ marker: this.first, payloadType: PT_PCMA, sequence: this.sequence, timestamp: this.timestamp, ssrc: this.ssrc }, frame);
    this.first = false;
    this.sequence = (this.sequence + 1) & 0xffff;
    // RFC 3551 4.5.14: PCMA's clock is 8000 Hz, one sample an octet.
    this.timestamp = (this.timestamp + frame.length) >>> 0;
    this.count.packetsOut++;
    this.socket.send(packet, to.port, to.address, (err) => {
      if (err) this.logger.warn({ err, to: `${to.address}:${to.port}` }, 'sending RTP to the phone failed');
    });
  }

  counters(): RtpSessionCounters {
    let lost = 0;
    let duplicates = 0;
    for (const s of this.sequences.values()) {
      lost += s.lost;
      duplicates += s.duplicates;
    }
    return { ...this.count, lost, duplicates, malformed: { ...this.malformed } };
  }

  /** Closes the socket and returns the port pair to the pool. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    this.lease.release();
    this.emit('closed');
  }

  private receive(datagram: Buffer, from: UdpAddress): void {
    if (this.closed) return;
    // Until the phone answered with its SDP nothing is expected here: a stranger who finds
    // the port in the RTP range cannot take the latch while the call rings. After the answer
    // the first packet latches, from wherever it comes (a phone with several addresses sends
    // from another one than its SDP names: baresip does), so the window is the phone's first
    // 20 ms.
    if (!this.sdpRemote) {
      this.count.foreign++;
      return;
    }
    if (this.latchedTo && (from.address !== this.latchedTo.address || from.port !== this.latchedTo.port)) {
      this.count.foreign++;
      return;
    }
    const parsed = parseRtp(datagram);
    if (!parsed.ok) {
      this.malformed[parsed.reason] = (this.malformed[parsed.reason] ?? 0) + 1;
      this.logger.debug({ from: `${from.address}:${from.port}`, reason: parsed.reason, detail: parsed.detail }, 'datagram on the RTP port is not RTP');
      return;
    }
    const packet = parsed.packet;
    const telephoneEventPt = this.sdpRemote?.telephoneEventPt;
    if (packet.payloadType !== PT_PCMA && packet.payloadType !== telephoneEventPt) {
      this.count.unexpectedPayloadType++;
      return;
    }
    if (!this.latchedTo) {
      // Symmetric RTP (RFC 4961): answer to where the phone's media comes from, which behind
      // a NAT or on a multi-homed phone is not always the address in its SDP.
      this.latchedTo = from;
      this.logger.debug({ source: `${from.address}:${from.port}` }, 'RTP latched to the phone');
      this.emit('latched', { ...from });
    }
    this.count.packetsIn++;
    let sequence = this.sequences.get(packet.ssrc);
    if (!sequence) this.sequences.set(packet.ssrc, (sequence = new RtpSequence()));
    sequence.update(packet.sequence);
    if (packet.payloadType === PT_PCMA) this.audio(packet.payload);
    else this.telephoneEvent(packet.ssrc, packet.timestamp, packet.payload);
  }

  private audio(payload: Buffer): void {
    if (payload.length === FRAME_OCTETS && this.carry.length === 0) {
      this.emit('frame', payload);
      return;
    }
    if (payload.length === 0) return;
    this.count.repacked++;
    let data = Buffer.concat([this.carry, payload]);
    while (data.length >= FRAME_OCTETS) {
      this.emit('frame', Buffer.from(data.subarray(0, FRAME_OCTETS)));
      data = data.subarray(FRAME_OCTETS);
    }
    this.carry = Buffer.from(data);
  }

  private telephoneEvent(ssrc: number, timestamp: number, payload: Buffer): void {
    const parsed = parseTelephoneEvent(payload);
    if (!parsed.ok) {
      this.malformed['short-telephone-event'] = (this.malformed['short-telephone-event'] ?? 0) + 1;
      return;
    }
    const { event, end, duration } = parsed.event;
    if (!end) return;
    // RFC 4733 2.5.1.4: the end packet is sent three times, all with the event's timestamp;
    // the digit is reported once.
    if (this.lastDtmfEnd && this.lastDtmfEnd.ssrc === ssrc && this.lastDtmfEnd.timestamp === timestamp) return;
    this.lastDtmfEnd = { ssrc, timestamp };
    const digit = dtmfDigit(event);
    if (digit === undefined) return;
    this.count.dtmfDigits++;
    this.emit('dtmf', digit, duration / 8);
  }
}
