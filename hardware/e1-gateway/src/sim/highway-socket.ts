import { createSocket } from 'node:dgram';

/** Only loopback: the bench highway is never exposed beyond the machine. */
export const HIGHWAY_HOST = '127.0.0.1';

/** Where a datagram came from. */
export interface DatagramSource {
  address: string;
  port: number;
}

/** One line's socket on the highway, bound to HIGHWAY_HOST, any free port. */
export interface HighwaySocket {
  /** The port it is bound to. */
  readonly port: number;
  /** Sends one datagram to HIGHWAY_HOST:`port`. */
  send(data: Uint8Array, port: number): void;
  /** Closes it; resolves once closed. Closing twice is harmless. */
  close(): Promise<void>;
}

/** Opens a socket; every datagram it receives goes to `onMessage`. */
export type OpenHighwaySocket = (onMessage: (data: Buffer, from: DatagramSource) => void) => Promise<HighwaySocket>;

/** A UDP socket on 127.0.0.1, port 0 (the system picks a free one). */
export const openUdpSocket: OpenHighwaySocket = (onMessage) =>
  new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.on('message', (data, info) => onMessage(data, { address: info.address, port: info.port }));
    socket.bind(0, HIGHWAY_HOST, () => {
      socket.off('error', reject);
      // Sends to a port nobody listens on fail quietly on Linux; nothing else is expected here.
      socket.on('error', () => {});
      let closed: Promise<void> | undefined;
      resolve({
        port: socket.address().port,
        send(data, port) {
          if (!closed) socket.send(data, port, HIGHWAY_HOST, () => {});
        },
        close() {
          closed ??= new Promise((done) => socket.close(() => done()));
          return closed;
        },
      });
    });
  });
