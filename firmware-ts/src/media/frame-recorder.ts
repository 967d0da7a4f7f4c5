import { FRAME_MS, FRAME_OCTETS } from './media-channel.js';

/** A-law octets a second: 8000 samples of one octet. */
const OCTETS_PER_MS = FRAME_OCTETS / FRAME_MS;

/**
 * Keeps the frames a line sends (raw A-law) into one buffer allocated at the start, up to
 * `maxMs` of audio; frames past it are dropped and the recording ends. The length is counted
 * in audio, not in wall time, so a process that stalled and got a burst of frames still keeps
 * what the caller said.
 */
export class FrameRecorder {
  /** Resolves with what was recorded when the recording ends (full, or `stop()`). */
  readonly done: Promise<Buffer>;
  private readonly buffer: Buffer;
  private length = 0;
  private stopped = false;
  private finish!: (audio: Buffer) => void;

  constructor(maxMs: number) {
    if (!(Number.isInteger(maxMs) && maxMs > 0)) throw new RangeError(`a recording's length must be a whole number of ms above 0, not ${maxMs}`);
    this.buffer = Buffer.allocUnsafe(maxMs * OCTETS_PER_MS);
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  get ms(): number {
    return this.length / OCTETS_PER_MS;
  }

  push(frame: Buffer): void {
    if (this.stopped) return;
    this.length += frame.copy(this.buffer, this.length);
    if (this.length === this.buffer.length) this.stop();
  }

  /** Ends the recording; `dropLastMs` leaves out its end (the key that ended it). */
  stop(dropLastMs = 0): void {
    if (this.stopped) return;
    this.stopped = true;
    this.length = Math.max(0, this.length - Math.round(dropLastMs * OCTETS_PER_MS));
    // A view on the one buffer: the recording is copied nowhere until it is written.
    this.finish(this.buffer.subarray(0, this.length));
  }
}
