import type { Clock } from '@countyline/e1-gateway';
import { ALAW_SILENCE } from './alaw.js';
import { FramePlayer } from './frame-player.js';
import { FRAME_OCTETS, type MediaChannel } from './media-channel.js';

/**
 * Plays recorded audio (raw 8 kHz A-law, as the prompt files are) into a media channel once,
 * frame by frame; the last frame is filled up with silence. `stopped` with `end` when it is
 * all sent.
 */
export class PromptPlayer extends FramePlayer {
  constructor(channel: MediaChannel, alaw: Buffer, clock: Clock) {
    super(channel, (index) => promptFrame(alaw, index), clock);
  }

  /** How long `alaw` plays, in ms. */
  static durationMs(alaw: Buffer): number {
    return Math.ceil(alaw.length / FRAME_OCTETS) * 20;
  }
}

function promptFrame(alaw: Buffer, index: number): Buffer | null {
  const start = index * FRAME_OCTETS;
  if (start >= alaw.length) return null;
  if (start + FRAME_OCTETS <= alaw.length) return alaw.subarray(start, start + FRAME_OCTETS);
  const frame = Buffer.alloc(FRAME_OCTETS, ALAW_SILENCE);
  alaw.copy(frame, 0, start);
  return frame;
}
