import type { Socket } from 'node:dgram';
import type { Logger } from 'pino';
import { FRAME_OCTETS, type MediaChannel, type MediaHighway } from './media-channel.js';
import { bindUdp, type UdpAddress } from './udp-bind.js';

/**
 * The bench's PCM highway: each media channel is a UDP socket on loopback, and the card
 * simulator, once told to connect a line to the channel's port, sends it one 160-octet
 * A-law frame every 20 ms from its own socket and plays back what it receives. On the box
 * the same MediaChannel interface sits on the card's DMA channels.
 */
export class UdpHighway implements MediaHighway {
  private readonly address: string;
  private readonly logger: Logger;

  constructor(options: { logger: Logger; address?: string }) {
    this.logger = options.logger;
    this.address = options.address ?? '127.0.0.1';
  }

  async open(): Promise<UdpChannel> {
    const socket = await bindUdp(this.address, 0);
    return new UdpChannel(socket, this.logger);
  }
}

/** What one channel threw away, and what it carried. */
export interface UdpChannelCounters {
  /** Frames from the card passed to the listeners. */
  framesIn: number;
  /** Frames sent toward the card. */
  framesOut: number;
  /** Datagrams from the card that were not one 160-octet frame. */
  wrongSize: number;
  /** Datagrams from another source than the card the channel latched to. */
  foreign: number;
  /** Frames given to send() before the card's address was known (nowhere to send them). */
  sentBeforeLatch: number;
}

export class UdpChannel implements MediaChannel {
  readonly port: number;
  private cardAddress: UdpAddress | undefined;
  private readonly frameListeners: ((frame: Buffer) => void)[] = [];
  private readonly closeListeners: (() => void)[] = [];
  private closed = false;
  private readonly count: UdpChannelCounters = { framesIn: 0, framesOut: 0, wrongSize: 0, foreign: 0, sentBeforeLatch: 0 };
  private readonly warned = new Set<string>();
  private readonly logger: Logger;

  constructor(
    private readonly socket: Socket,
    logger: Logger,
  ) {
    this.port = socket.address().port;
    this.logger = logger.child({ mediaPort: this.port });
    socket.on('message', (datagram, from) => this.receive(datagram, from));
    socket.on('error', (err) => this.logger.error({ err }, 'media channel socket error'));
  }

  /** The card's end of the channel, once its first frame has arrived. */
  get card(): UdpAddress | undefined {
    return this.cardAddress;
  }

  counters(): UdpChannelCounters {
    return { ...this.count };
  }

  send(frame: Buffer): void {
    if (this.closed) return;
    if (!this.cardAddress) {
      // The card sends as soon as it connects the line; until then there is no one to hear.
      this.count.sentBeforeLatch++;
      this.warnOnce('before-latch', 'frames toward the line before the card sent any: dropped');
      return;
    }
    this.count.framesOut++;
    this.socket.send(frame, this.cardAddress.port, this.cardAddress.address, (err) => {
      if (err) this.logger.error({ err }, 'sending a frame toward the card failed');
    });
  }

  onFrame(listener: (frame: Buffer) => void): void {
    this.frameListeners.push(listener);
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  private receive(datagram: Buffer, from: UdpAddress): void {
    if (this.closed) return;
    if (this.cardAddress && (from.address !== this.cardAddress.address || from.port !== this.cardAddress.port)) {
      this.count.foreign++;
      this.warnOnce('foreign', 'datagram from another source than the card: dropped', { from: `${from.address}:${from.port}` });
      return;
    }
    if (datagram.length !== FRAME_OCTETS) {
      this.count.wrongSize++;
      this.warnOnce('wrong-size', `datagram of ${datagram.length} octets from the card; a frame is ${FRAME_OCTETS}: dropped`);
      return;
    }
    if (!this.cardAddress) {
      this.cardAddress = { address: from.address, port: from.port };
      this.logger.debug({ card: `${from.address}:${from.port}` }, 'media channel latched to the card');
    }
    this.count.framesIn++;
    for (const listener of this.frameListeners) listener(datagram);
  }

  /** One warning per kind per channel: a fault repeats every 20 ms, the counters keep the tally. */
  private warnOnce(kind: string, message: string, extra: object = {}): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.logger.warn({ ...extra, kind }, message);
  }
}
