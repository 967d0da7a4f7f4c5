import { createSocket, type Socket } from 'node:dgram';

/**
 * Binds a UDP socket, resolving once it listens and rejecting with the bind error (the
 * caller decides what EADDRINUSE means); a socket that failed to bind is closed.
 */
export function bindUdp(address: string, port: number): Promise<Socket> {
  const socket = createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    const failed = (err: Error) => {
      socket.close();
      reject(err);
    };
    socket.once('error', failed);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', failed);
      resolve(socket);
    });
  });
}

/** A UDP endpoint as an address and port. */
export interface UdpAddress {
  address: string;
  port: number;
}
