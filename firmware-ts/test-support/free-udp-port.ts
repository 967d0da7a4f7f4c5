import { createSocket } from 'node:dgram';

/**
 * A UDP port free on 127.0.0.1 just now: bound at 0 (the system picks), read, released.
 * Another process may take it before the caller binds it; callers that must not flake retry
 * on EADDRINUSE.
 */
export function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
