import { ALAW_SILENCE } from '../audio/g711.js';
import { FRAME_SAMPLES } from '../audio/level.js';
import { measureAlaw } from '../audio/measure.js';
import { ToneGenerator, type ToneSpec } from '../audio/tone.js';
import type { Clock } from '../clock.js';
import { DTMF_KEY_MS, DtmfSequence } from './dtmf-tones.js';
import { LineRecording, NO_RECORDING, type RecordingView } from './line-recording.js';

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
 * The far end of one line's audio: what it plays into the line (a tone, a file, silence, and
 * over it the DTMF tones of keys the caller presses) and what it hears from the box, measured
 * over the last second and, once asked, recorded. Counters run from the simulator's start. It
 * knows nothing of sockets: the highway asks it for frames and hands it what arrives.
 */
export class LineAudio {
  framesSent = 0;
  framesReceived = 0;
  framesDropped = 0;
  private source: AudioSource = { silence: true };
  private tone: ToneGenerator | undefined;
  private filePosition = 0;
  private window: { at: number; frame: Uint8Array }[] = [];
  private recording: LineRecording | undefined;
  /**
   * Keys being pressed, and when the last one is over on the clock. The tones are taken
   * frame by frame, so they stay whole; the end time, not the frames, says when the source
   * comes back, so what a line that carried no audio (or had no highway pulling its frames)
   * never played is dropped rather than played late.
   */
  private keys: { sequence: DtmfSequence; endsAt: number } | undefined;

  constructor(private readonly clock: Clock) {}

  play(source: AudioSource): void {
    this.source = source;
    this.tone = 'tone' in source ? new ToneGenerator(source.tone) : undefined;
    this.filePosition = 0;
  }

  /**
   * Keys the caller presses (checked DTMF keys): their tones go into the line instead of the
   * source, which then carries on where it was. Keys pressed while others play follow them.
   * Returns when the first of these keys starts, on the clock.
   */
  pressKeys(keys: string): number {
    const now = this.clock.now();
    if (this.keys && now < this.keys.endsAt) {
      const startsAt = this.keys.endsAt;
      this.keys.sequence.push(keys);
      this.keys.endsAt += keys.length * DTMF_KEY_MS;
      return startsAt;
    }
    this.keys = { sequence: new DtmfSequence(keys), endsAt: now + keys.length * DTMF_KEY_MS };
    return now;
  }

  /** The next 20 ms toward the box: the source while the line carries audio, else A-law silence. */
  nextFrame(carrying: boolean): Buffer {
    this.framesSent++;
    if (!carrying) return SILENT_FRAME;
    if (this.keys && this.clock.now() >= this.keys.endsAt) this.keys = undefined;
    if (this.keys) return this.keys.sequence.nextFrame();
    if (this.tone) return this.tone.nextFrame();
    if ('file' in this.source) return this.fileFrame(this.source);
    return SILENT_FRAME;
  }

  /** A frame from the box; the far end hears it only while the line carries audio. */
  received(frame: Uint8Array, carrying: boolean): void {
    this.framesReceived++;
    if (!carrying) return;
    this.recording?.add(frame);
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

  /** Starts recording what the box sends into the line afresh; an earlier recording is dropped. */
  startRecording(): RecordingView {
    this.recording = new LineRecording(this.clock.now());
    return this.recording.view();
  }

  recorded(): RecordingView {
    return this.recording?.view() ?? { ...NO_RECORDING };
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
