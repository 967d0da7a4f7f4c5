import { pino, type Logger } from 'pino';
import { FRAME_MS, FRAME_SAMPLES } from '../audio/level.js';
import { systemClock, type Clock } from '../clock.js';
import { HIGHWAY_HOST, openUdpSocket, type DatagramSource, type HighwaySocket, type OpenHighwaySocket } from './highway-socket.js';
import type { LineKey, MediaLines } from './media-lines.js';
import { Timers, type Timer } from './sim-timers.js';

export interface SimHighwayOptions {
  lines: MediaLines;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: UDP on 127.0.0.1. Tests may pass an in-memory one. */
  open?: OpenHighwaySocket;
  /** Default: silent. */
  logger?: Logger;
}

interface Entry {
  socket: HighwaySocket | undefined;
  /** Set when the line was disconnected while its socket was still opening. */
  gone: boolean;
}

/**
 * The card's PCM highway on the bench: a UDP socket on 127.0.0.1 for each connected line.
 * Every 20 ms it sends each line's next frame (160 octets of A-law, what the far end plays
 * into the line) to 127.0.0.1:<media port>; what arrives from 127.0.0.1:<media port> is what
 * the box sends toward the line, handed to the far end's ear. Datagrams from anywhere else,
 * or of another size, are dropped and counted.
 *
 * The frames of all lines go out together on one schedule counted from the moment the first
 * line connected (frame n at start + 20n ms), so the rate does not drift with timer delays:
 * a late timer is caught up at once. Connecting a line to another port re-points its socket;
 * disconnecting it (media port 0, a card reset, the card stopping) closes it.
 *
 * The card simulator knows nothing of this: the process entry (cli.ts) attaches one to the
 * simulator's MediaLines, and in-memory tests leave it out.
 */
export class SimHighway {
  private readonly lines: MediaLines;
  private readonly open: OpenHighwaySocket;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly entries = new Map<LineKey, Entry>();
  private readonly pendingCloses = new Set<Promise<void>>();
  private ticker: Timer | undefined;
  private closed = false;
  private readonly onConnect = (line: LineKey) => this.connected(line);
  private readonly onDisconnect = (line: LineKey) => this.disconnected(line);

  constructor(opts: SimHighwayOptions) {
    this.lines = opts.lines;
    this.open = opts.open ?? openUdpSocket;
    this.timers = new Timers(opts.clock ?? systemClock);
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'highway' });
    this.lines.on('connect', this.onConnect);
    this.lines.on('disconnect', this.onDisconnect);
    for (const { line } of this.lines.connections()) this.connected(line);
  }

  /** Lines with a socket open (or opening). */
  get lineCount(): number {
    return this.entries.size;
  }

  /** Closes every socket and stops; resolves once the sockets are closed. */
  async close(): Promise<void> {
    this.closed = true;
    this.lines.off('connect', this.onConnect);
    this.lines.off('disconnect', this.onDisconnect);
    for (const line of [...this.entries.keys()]) this.disconnected(line);
    await Promise.all(this.pendingCloses);
  }

  private connected(line: LineKey): void {
    if (this.closed) return;
    const mediaPort = this.lines.mediaPort(line);
    if (this.entries.has(line)) {
      this.log.info({ line, mediaPort }, 'line re-pointed');
      return; // the socket stays; frames go to the new port from the next one on
    }
    const entry: Entry = { socket: undefined, gone: false };
    this.entries.set(line, entry);
    this.startTicker();
    this.open((data, from) => this.receive(line, data, from)).then(
      (socket) => {
        if (entry.gone) {
          this.track(socket.close());
          return;
        }
        entry.socket = socket;
        this.lines.setLocalPort(line, socket.port);
        this.log.info({ line, mediaPort: this.lines.mediaPort(line), localPort: socket.port }, 'line connected to the highway');
      },
      (err: Error) => {
        this.log.error({ line, err: err.message }, 'cannot open a highway socket; the line carries no audio');
        if (this.entries.get(line) === entry) this.entries.delete(line);
      },
    );
  }

  private disconnected(line: LineKey): void {
    const entry = this.entries.get(line);
    if (!entry) return;
    this.entries.delete(line);
    entry.gone = true;
    this.lines.setLocalPort(line, undefined);
    if (entry.socket) this.track(entry.socket.close());
    this.log.info({ line }, 'line disconnected from the highway');
    if (this.entries.size === 0) {
      this.ticker?.cancel();
      this.ticker = undefined;
    }
  }

  private track(closing: Promise<void>): void {
    this.pendingCloses.add(closing);
    void closing.finally(() => this.pendingCloses.delete(closing));
  }

  private startTicker(): void {
    this.ticker ??= this.timers.every(FRAME_MS, () => this.tick());
  }

  /** One 20 ms frame toward the box on every connected line. */
  private tick(): void {
    for (const [line, entry] of this.entries) {
      const mediaPort = this.lines.mediaPort(line);
      if (!entry.socket || mediaPort === undefined) continue;
      entry.socket.send(this.lines.audio(line).nextFrame(this.lines.carrying(line)), mediaPort);
    }
  }

  private receive(line: LineKey, data: Buffer, from: DatagramSource): void {
    const audio = this.lines.audio(line);
    const mediaPort = this.lines.mediaPort(line);
    if (from.address !== HIGHWAY_HOST || from.port !== mediaPort || data.length !== FRAME_SAMPLES) {
      audio.dropped();
      this.log.debug({ line, from, mediaPort, bytes: data.length }, 'datagram dropped: not a frame from the media port');
      return;
    }
    audio.received(data, this.lines.carrying(line));
  }
}
