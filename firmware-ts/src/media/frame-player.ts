import { TypedEmitter, type Clock, type TimerHandle } from '@countyline/e1-gateway';
import { FRAME_MS, type MediaChannel } from './media-channel.js';

export interface FramePlayerEvents {
  /** The player stopped: by stop(), because the channel closed, or at the end of its audio. */
  stopped: (reason: 'stop' | 'channel-closed' | 'end') => void;
}

/** Frame number `index` (from 0) of what is played; null: the audio is over. */
export type FrameSource = (index: number) => Buffer | null;

/**
 * A frame late past this many, the player skips ahead instead of sending the backlog in one
 * burst: the card would play a burst late anyway, and a long one overflows its buffer.
 */
const MAX_CATCH_UP_FRAMES = 3;

/**
 * Plays audio into a media channel, one frame every 20 ms. Frame k is due at start + 20 k ms,
 * each timer aimed at the next frame's due time, so timers that fire late do not add up to
 * drift. The audio is a tone (endless) or a prompt (it ends).
 */
export class FramePlayer extends TypedEmitter<FramePlayerEvents> {
  private startedAt = 0;
  private sent = 0;
  private timer: TimerHandle | undefined;
  private state: 'idle' | 'playing' | 'stopped' = 'idle';
  /** Frames not sent because the player fell too far behind. */
  skipped = 0;

  constructor(
    private readonly channel: MediaChannel,
    private readonly source: FrameSource,
    private readonly clock: Clock,
  ) {
    super();
    channel.onClose(() => this.finish('channel-closed'));
  }

  get playing(): boolean {
    return this.state === 'playing';
  }

  /** Frames sent so far (skipped ones included: they are the time the audio took). */
  get framesSent(): number {
    return this.sent;
  }

  /** Starts with the first frame now. A player plays once: start after stop does nothing. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'playing';
    this.startedAt = this.clock.now();
    this.tick();
  }

  stop(): void {
    this.finish('stop');
  }

  private tick(): void {
    this.timer = undefined;
    if (this.state !== 'playing') return;
    const due = Math.floor((this.clock.now() - this.startedAt) / FRAME_MS) + 1;
    if (due - this.sent > MAX_CATCH_UP_FRAMES) {
      this.skipped += due - 1 - this.sent;
      this.sent = due - 1;
    }
    while (this.sent < due && this.state === 'playing') {
      const frame = this.source(this.sent);
      if (frame === null) return this.finish('end');
      this.channel.send(frame);
      this.sent++;
    }
    if (this.state !== 'playing') return;
    this.timer = this.clock.setTimeout(() => this.tick(), this.startedAt + this.sent * FRAME_MS - this.clock.now());
  }

  private finish(reason: 'stop' | 'channel-closed' | 'end'): void {
    if (this.state === 'stopped') return;
    const wasPlaying = this.state === 'playing';
    this.state = 'stopped';
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (wasPlaying) this.emit('stopped', reason);
  }
}
