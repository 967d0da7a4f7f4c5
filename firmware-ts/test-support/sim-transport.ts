import type { Clock } from '@countyline/e1-gateway';
import { CardSimulator, type CardSimulatorOptions } from '@countyline/e1-gateway/sim';
import type { CardTransport, OpenTransport } from '../src/card/card-transport.js';
import { createMemoryLine, disconnectedError } from './memory-serial-line.js';

export interface SimSerialOptions extends Omit<CardSimulatorOptions, 'write' | 'clock'> {
  /** The clock the simulated card runs on; tests pass a FakeClock. */
  clock: Clock;
  /** The device path the card is at; default /dev/ttyS1. */
  path?: string;
}

/** A simulated card on the device end of an in-memory serial line. */
export interface SimSerial {
  /** The card at the far end of the line; the test powers it on with `sim.start()`. */
  readonly sim: CardSimulator;
  readonly path: string;
  /** Hand this to the CardDriver as `openTransport`. */
  readonly open: OpenTransport;
  /**
   * While not null, opening fails with a TransportOpenError carrying this reason, as when the
   * serial device is missing. Set it back to null and the next open succeeds.
   */
  openFailure: string | null;
  /** The transport now open, or null. */
  readonly transport: CardTransport | null;
  /**
   * Pulls the cable: the open transport emits `close` (with `error`) and carries nothing more.
   * The card keeps running; the port can be opened again.
   */
  pull(error?: Error): void;
}

/** Builds a CardSimulator and the in-memory serial line the firmware opens to reach it. */
export function createSimSerial(options: SimSerialOptions): SimSerial {
  const { path, ...simOptions } = options;
  // The line is made first and handed the card's input once the card exists.
  let sim: CardSimulator | null = null;
  const line = createMemoryLine((bytes) => sim?.receive(bytes), path);
  sim = new CardSimulator({ ...simOptions, write: (bytes) => line.device.write(bytes) });
  const card = sim;
  return {
    sim: card,
    path: line.path,
    open: line.open,
    get openFailure() {
      return line.openFailure;
    },
    set openFailure(reason: string | null) {
      line.openFailure = reason;
    },
    get transport() {
      return line.transport;
    },
    pull(error = disconnectedError()) {
      line.device.vanish(error);
    },
  };
}
