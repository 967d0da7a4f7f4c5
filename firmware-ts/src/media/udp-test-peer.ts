import type { Socket } from 'node:dgram';
import { bindUdp, type UdpAddress } from './udp-bind.js';

/**
 * A real UDP socket on loopback for the media tests, playing the card or a phone: it keeps
 * every datagram it receives and lets a test wait, with a deadline, until enough have come.
 * Test support only; nothing in the firmware uses it.
 */
export class UdpTestPeer {
  readonly received: { datagram: Buffer; from: UdpAddress }[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('message', (datagram, from) => {
      this.received.push({ datagram, from: { address: from.address, port: from.port } });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(address = '127.0.0.1'): Promise<UdpTestPeer> {
    return new UdpTestPeer(await bindUdp(address, 0));
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(datagram: Buffer, port: number, address = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(datagram, port, address, (err) => (err ? reject(err) : resolve())));
  }

  /** Resolves once `count` datagrams in all have arrived; rejects after `ms` saying how many did. */
  async waitFor(count: number, ms = 5000): Promise<Buffer[]> {
    const deadline = Date.now() + ms;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} datagrams on port ${this.port}, ${this.received.length} came within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received.slice(0, count).map((r) => r.datagram);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}

/** Resolves when `condition` holds, polling every few ms; rejects after `ms` with `what`. */
export async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
