import { SAMPLE_RATE } from '../audio/level.js';

/** Ten minutes of 8 kHz A-law, one octet a sample: 4,800,000 octets. Longer prompts are not a bench test's business. */
export const MAX_RECORDING_OCTETS = 10 * 60 * SAMPLE_RATE;

/** What `GET .../audio/recording` shows of one line. */
export interface RecordingView {
  /** A recording was started (it runs until the next start replaces it). */
  recording: boolean;
  /** When it was started, on the simulator's clock (ms since the epoch); null before any. */
  startedAt: number | null;
  /** A-law octets kept. */
  octets: number;
  /** Frames that came after the cap and were not kept. */
  truncatedFrames: number;
  /** The octets kept, base64, in arrival order. */
  alaw: string;
}

export const NO_RECORDING: Readonly<RecordingView> = Object.freeze({ recording: false, startedAt: null, octets: 0, truncatedFrames: 0, alaw: '' });

/**
 * What the far end heard from the box on one line since `startedAt`, octet for octet. A-law
 * frames cross the highway unchanged, so a test can find a prompt file's exact octets in it.
 * The first `maxOctets` are kept; a frame that does not fit whole is counted, not kept, so
 * the recording never ends in a piece of a frame.
 */
export class LineRecording {
  private readonly frames: Buffer[] = [];
  private octets = 0;
  private truncatedFrames = 0;

  constructor(
    readonly startedAt: number,
    private readonly maxOctets = MAX_RECORDING_OCTETS,
  ) {}

  /** A frame the far end heard; copied, since the highway's buffer is not ours to keep. */
  add(frame: Uint8Array): void {
    if (this.octets + frame.length > this.maxOctets) {
      this.truncatedFrames++;
      return;
    }
    this.frames.push(Buffer.from(frame));
    this.octets += frame.length;
  }

  /** The octets kept, in arrival order. */
  alaw(): Buffer {
    return Buffer.concat(this.frames, this.octets);
  }

  view(): RecordingView {
    return { recording: true, startedAt: this.startedAt, octets: this.octets, truncatedFrames: this.truncatedFrames, alaw: this.alaw().toString('base64') };
  }
}
