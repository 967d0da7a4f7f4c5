import type { Clock } from '../clock.js';
import { TypedEmitter } from '../typed-emitter.js';
import { LineAudio, type PlayingView, type ReceivedView } from './line-audio.js';

/** A line of the card, named as the firmware's alarms name it: `fxo/3`, `e1/0/5`. */
export type LineKey = `fxo/${number}` | `e1/${number}/${number}`;

export function fxoLine(port: number): LineKey {
  return `fxo/${port}`;
}

export function timeslotLine(span: number, timeslot: number): LineKey {
  return `e1/${span}/${timeslot}`;
}

export interface MediaLinesEvents {
  /** The host connected a line to a media port, or moved it to another one. */
  connect: (line: LineKey, mediaPort: number) => void;
  /** The line is no longer connected (media port 0, card reset, card stopped). */
  disconnect: (line: LineKey) => void;
}

export interface MediaLinesOptions {
  clock: Clock;
  /** The line carries audio now: an FXO loop closed, a span in frame. */
  carrying: (line: LineKey) => boolean;
}

/** What `GET .../audio` shows of one line. */
export interface LineAudioState {
  line: LineKey;
  connected: boolean;
  mediaPort: number | null;
  /** The card's UDP port for this line on the bench highway (what the box hears from); null while none is open. */
  localPort: number | null;
  carrying: boolean;
  playing: PlayingView;
  framesSent: number;
  framesReceived: number;
  framesDropped: number;
  received: ReceivedView;
}

/**
 * The card's side of the PCM highway, without any transport: which line is connected to
 * which media port (`tsConnect`, `fxoConnect`), whether it carries audio now, and the far
 * end's audio of each line. A highway (SimHighway: UDP on loopback) subscribes to the
 * connect and disconnect events and moves the frames; in-memory tests need none.
 */
export class MediaLines extends TypedEmitter<MediaLinesEvents> {
  private readonly ports = new Map<LineKey, number>();
  private readonly audios = new Map<LineKey, LineAudio>();
  private readonly bound = new Map<LineKey, number>();

  constructor(private readonly opts: MediaLinesOptions) {
    super();
  }

  /** Connects a line to a media port; port 0 disconnects it. */
  connect(line: LineKey, mediaPort: number): void {
    if (mediaPort === 0) {
      if (this.ports.delete(line)) this.emit('disconnect', line);
      return;
    }
    if (this.ports.get(line) === mediaPort) return;
    this.ports.set(line, mediaPort);
    this.emit('connect', line, mediaPort);
  }

  /** Card reset or stop: every line is disconnected. */
  disconnectAll(): void {
    for (const line of [...this.ports.keys()]) this.connect(line, 0);
  }

  mediaPort(line: LineKey): number | undefined {
    return this.ports.get(line);
  }

  connections(): { line: LineKey; mediaPort: number }[] {
    return [...this.ports].map(([line, mediaPort]) => ({ line, mediaPort }));
  }

  carrying(line: LineKey): boolean {
    return this.ports.has(line) && this.opts.carrying(line);
  }

  /** The far end's audio of a line (made on first use; it outlives connections). */
  audio(line: LineKey): LineAudio {
    let audio = this.audios.get(line);
    if (!audio) {
      audio = new LineAudio(this.opts.clock);
      this.audios.set(line, audio);
    }
    return audio;
  }

  /** The highway opened (a port) or closed (undefined) the line's socket. */
  setLocalPort(line: LineKey, port: number | undefined): void {
    if (port === undefined) this.bound.delete(line);
    else this.bound.set(line, port);
  }

  state(line: LineKey): LineAudioState {
    const audio = this.audio(line);
    const mediaPort = this.ports.get(line);
    return {
      line,
      connected: mediaPort !== undefined,
      mediaPort: mediaPort ?? null,
      localPort: this.bound.get(line) ?? null,
      carrying: this.carrying(line),
      playing: audio.playing(),
      framesSent: audio.framesSent,
      framesReceived: audio.framesReceived,
      framesDropped: audio.framesDropped,
      received: audio.measured(),
    };
  }
}
