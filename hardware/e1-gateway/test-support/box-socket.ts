import { createSocket, type Socket } from 'node:dgram';
import type { Test } from 'tap';

/**
 * A UDP socket on 127.0.0.1 playing the box's end of the PCM highway: every datagram it gets
 * is kept with its source port. Closed when the test ends.
 */
export function boxSocket(t: Test): Promise<{ socket: Socket; port: number; frames: { data: Buffer; from: number }[] }> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const frames: { data: Buffer; from: number }[] = [];
    socket.on('message', (data, info) => frames.push({ data, from: info.port }));
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve({ socket, port: socket.address().port, frames }));
    t.teardown(() => new Promise<void>((done) => socket.close(() => done())));
  });
}
