import { ALAW_SILENCE } from '../audio/g711.js';
import { FRAME_SAMPLES } from '../audio/level.js';
import { measureAlaw } from '../audio/measure.js';
import { ToneGenerator, type ToneSpec } from '../audio/tone.js';
import type { Clock } from '../clock.js';

/** What the far end sends into a line; the control API's body, with the file already read. */
export type AudioSource = { tone: ToneSpec } | { file: string; alaw: Buffer; loop: boolean } | { silence: true };

/** The source as the control API shows it. */
export type PlayingView = { tone: ToneSpec } | { file: string; loop: boolean; finished: boolean } | { silence: true };

export interface ReceivedView {
  /** Dominant frequency of the last second from the box; null while nothing came, or silence. */
  hz: number | null;
  /** RMS level in dBm0 of the last second from the box; null while nothing came. */
  dbm0: number | null;
}

/** How long the far end's ear listens back: the measurement covers frames of the last second. */
export const MEASURE_WINDOW_MS = 1000;
const WINDOW_FRAMES = MEASURE_WINDOW_MS / 20;

const SILENT_FRAME = Buffer.alloc(FRAME_SAMPLES, ALAW_SILENCE);

/**
 * The far end of one line's audio: what it plays into the line (a tone, a file, silence)
 * and what it hears from the box, measured over the last second. Counters run from the
 * simulator's start. It knows nothing of sockets: the highway asks it for frames and hands
 * it what arrives.
 */
export class LineAudio {
  framesSent = 0;
  framesReceived = 0;
  framesDropped = 0;
  private source: AudioSource = { silence: true };
  private tone: ToneGenerator | undefined;
  private filePosition = 0;
  private window: { at: number; frame: Uint8Array }[] = [];

  constructor(private readonly clock: Clock) {}

  play(source: AudioSource): void {
    this.source = source;
    this.tone = 'tone' in source ? new ToneGenerator(source.tone) : undefined;
    this.filePosition = 0;
  }

  /** The next 20 ms toward the box: the source while the line carries audio, else A-law silence. */
  nextFrame(carrying: boolean): Buffer {
    this.framesSent++;
    if (!carrying) return SILENT_FRAME;
    if (this.tone) return this.tone.nextFrame();
    if ('file' in this.source) return this.fileFrame(this.source);
    return SILENT_FRAME;
  }

  /** A frame from the box; the far end hears it only while the line carries audio. */
  received(frame: Uint8Array, carrying: boolean): void {
    this.framesReceived++;
    if (!carrying) return;
    this.window.push({ at: this.clock.now(), frame });
    if (this.window.length > WINDOW_FRAMES) this.window.shift();
  }

  /** A datagram that is not a frame from the box (another source, another size). */
  dropped(): void {
    this.framesDropped++;
  }

  /** Forgets what was heard so far: the next measurement starts from now. */
  resetMeasurement(): void {
    this.window = [];
  }

  measured(): ReceivedView {
    const since = this.clock.now() - MEASURE_WINDOW_MS;
    const m = measureAlaw(this.window.filter((w) => w.at > since).map((w) => w.frame));
    return { hz: m?.hz ?? null, dbm0: m?.dbm0 ?? null };
  }

  playing(): PlayingView {
    const s = this.source;
    if ('tone' in s) return { tone: { hz: s.tone.hz, dbm0: s.tone.dbm0 } };
    if ('file' in s) return { file: s.file, loop: s.loop, finished: !s.loop && this.filePosition >= s.alaw.length };
    return { silence: true };
  }

  private fileFrame(s: { alaw: Buffer; loop: boolean }): Buffer {
    const out = Buffer.alloc(FRAME_SAMPLES, ALAW_SILENCE);
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      if (this.filePosition >= s.alaw.length) {
        if (!s.loop) break;
        this.filePosition = 0;
      }
      out[i] = s.alaw[this.filePosition++]!;
    }
    return out;
  }
}
