import { FakeClock } from '../clock.js';
import { CardLink, type CardLinkOptions, type CardMessage, type FrameHeader, type MessageOf, type MessageType } from '../protocol/index.js';
import { CardSimulator, type CardSimulatorOptions } from './card-simulator.js';

export interface InMemoryBenchOptions {
  sim?: Omit<CardSimulatorOptions, 'write' | 'clock'>;
  host?: Omit<CardLinkOptions, 'write' | 'clock' | 'role'>;
  /** Clock start (ms since the epoch); default 0. */
  start?: number;
}

export interface ReceivedMessage {
  at: number;
  message: CardMessage;
  header: FrameHeader;
}

/**
 * The simulator and a host-side CardLink wired back to back in memory, on a FakeClock.
 * Bytes cross in microtasks, so `run(ms)` steps the clock a few milliseconds at a time
 * and lets answers cross between steps, as on a real line. For tests of the simulator
 * and of host code that talks to a card.
 */
export class InMemoryBench {
  readonly clock: FakeClock;
  readonly sim: CardSimulator;
  readonly host: CardLink;
  /** Every event and heartbeat the host received, in order. */
  readonly received: ReceivedMessage[] = [];

  constructor(opts: InMemoryBenchOptions = {}) {
    this.clock = new FakeClock(opts.start ?? 0);
    this.host = new CardLink({ ...opts.host, role: 'host', clock: this.clock, write: (bytes) => queueMicrotask(() => this.sim.receive(bytes)) });
    this.sim = new CardSimulator({ ...opts.sim, clock: this.clock, write: (bytes) => queueMicrotask(() => this.host.receive(bytes)) });
    this.host.on('message', (message, header) => this.received.push({ at: this.clock.now(), message, header }));
  }

  /** Lets every byte and answer in flight cross. */
  async flush(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Moves time forward by `ms` in steps of `step` ms, letting bytes cross in between. */
  async run(ms: number, step = 5): Promise<void> {
    await this.flush();
    for (let done = 0; done < ms; done += step) {
      this.clock.advance(Math.min(step, ms - done));
      await this.flush();
    }
  }

  /** Sends a request from the host and runs the clock until it is answered or gives up. */
  async request(message: CardMessage, limitMs = 10_000): Promise<CardMessage> {
    let settled = false;
    const answer = this.host.request(message);
    answer.then(
      () => (settled = true),
      () => (settled = true),
    );
    await this.flush();
    for (let waited = 0; !settled && waited < limitMs; waited += 5) await this.run(5);
    return answer;
  }

  /** The messages of one type the host received, with the time they arrived. */
  of<T extends MessageType>(type: T): (MessageOf<T> & { at: number })[] {
    return this.received.filter((r) => r.message.type === type).map((r) => ({ ...(r.message as MessageOf<T>), at: r.at }));
  }

  /** Forgets what was received so far. */
  clear(): void {
    this.received.length = 0;
  }
}
