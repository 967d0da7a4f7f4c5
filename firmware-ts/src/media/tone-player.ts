import type { Clock } from '@countyline/e1-gateway';
import { FramePlayer } from './frame-player.js';
import type { MediaChannel } from './media-channel.js';
import { toneFrame, type Tone } from './tones.js';

export type { FramePlayerEvents as TonePlayerEvents } from './frame-player.js';

/** Plays a tone into a media channel until stopped (see FramePlayer for the pacing). */
export class TonePlayer extends FramePlayer {
  constructor(channel: MediaChannel, tone: Tone, clock: Clock) {
    super(channel, (index) => toneFrame(tone, index), clock);
  }
}
