/**
 * The box's side of the card's PCM highway: the audio of one line (an E1 timeslot or an FXO
 * port), G.711 A-law at 8 kHz, in frames of 20 ms. The card is told to connect the line to
 * the channel's media port (`tsConnect`, `fxoConnect`); on the box the port names a DMA
 * channel, on the bench a UDP port on loopback carrying one frame per datagram.
 */
export const FRAME_MS = 20;
/** One frame: 20 ms at 8000 samples a second, one octet per A-law sample. */
export const FRAME_OCTETS = 160;

export interface MediaChannel {
  /** The media port the card connects the line to. */
  readonly port: number;
  /** Sends one frame toward the line (what the caller hears). */
  send(frame: Buffer): void;
  /** Frames from the line (what the caller says), one call per frame. */
  onFrame(listener: (frame: Buffer) => void): void;
  /** Called once when the channel closes (at once if it already has): a tone or a bridge on it stops. */
  onClose(listener: () => void): void;
  /** Stops the channel and frees its port; frames after this are dropped. */
  close(): void;
}

/** Opens media channels on the PCM highway. */
export interface MediaHighway {
  open(): Promise<MediaChannel>;
}
