import type { LinkState } from '../protocol/index.js';

/**
 * Sends a frame from the far end to the host on a signalling link: an `msu` on an MTP2
 * link, an `hdlcFrame` on an HDLC link. Returns false (and the card counts it dropped)
 * when the link is not in service.
 */
export type PeerSend = (link: number, data: Uint8Array) => boolean;

/**
 * The far end of the card's signalling links, for example a simulated ISUP exchange.
 * The card calls `attach` once with the function the peer uses to send, then hands it
 * every frame the host sends on an in-service link. Without a peer those frames are
 * counted and dropped.
 */
export interface SignallingPeer {
  attach(send: PeerSend): void;
  /** The card let go of the peer (another one was set, or the simulator stopped). */
  detach?(): void;
  /** An MSU the host sent on an in-service MTP2 link. */
  onMsu(link: number, data: Uint8Array): void;
  /** A frame the host sent on an in-service HDLC link. */
  onHdlcFrame?(link: number, data: Uint8Array): void;
  /** A link changed state (the far end sees alignment, proving and failure too). */
  onLinkState?(link: number, state: LinkState): void;
}

/**
 * Far-end behaviour of the bearer timeslots. Ask the card to `recheckTimeslots()` when an
 * answer changes, so that a tone already being sent is detected (or lost) at once.
 */
export interface TimeslotFarEnd {
  /** True while the far end loops the timeslot back (as for a continuity check). */
  farEndLoopback(span: number, timeslot: number): boolean;
}
