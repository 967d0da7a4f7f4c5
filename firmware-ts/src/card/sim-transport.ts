import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import { CardSimulator, type CardSimulatorOptions } from '@countyline/e1-gateway/sim';
import { TransportOpenError, type CardTransport, type CardTransportEvents, type OpenTransport } from './card-transport.js';

export interface SimSerialOptions extends Omit<CardSimulatorOptions, 'write' | 'clock'> {
  /** The clock the simulated card runs on; tests pass a FakeClock. */
  clock: Clock;
}

/**
 * A simulated card on the end of an in-memory serial line: the simulated counterpart of
 * `openSerialTransport`. Bytes cross the line in a microtask each way, so nothing arrives
 * in the same turn it was written, as on a real UART.
 */
export interface SimSerial {
  /** The card at the far end of the line; the test powers it on with `sim.start()`. */
  readonly sim: CardSimulator;
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

class SimLineEnd extends TypedEmitter<CardTransportEvents> implements CardTransport {
  open = true;

  constructor(private readonly toCard: (bytes: Buffer) => void) {
    super();
  }

  write(bytes: Buffer): void {
    if (!this.open) return;
    const copy = Buffer.from(bytes);
    queueMicrotask(() => this.toCard(copy));
  }

  close(): Promise<void> {
    this.open = false;
    return Promise.resolve();
  }

  fromCard(bytes: Buffer): void {
    if (this.open) this.emit('data', bytes);
  }

  lost(error: Error): void {
    if (!this.open) return;
    this.open = false;
    this.emit('close', error);
  }
}

/** Builds a CardSimulator and the in-memory serial line the firmware opens to reach it. */
export function createSimSerial(options: SimSerialOptions): SimSerial {
  let current: SimLineEnd | null = null;
  const sim = new CardSimulator({
    ...options,
    write: (bytes) => {
      const end = current;
      if (!end) return; // nobody has the port open: the bytes go nowhere
      const copy = Buffer.from(bytes);
      queueMicrotask(() => end.fromCard(copy));
    },
  });
  const serial: SimSerial = {
    sim,
    openFailure: null,
    get transport() {
      return current?.open ? current : null;
    },
    open: async (path) => {
      if (serial.openFailure !== null) throw new TransportOpenError(path, serial.openFailure);
      // node-serialport locks the device; a second open while one is held fails the same way.
      if (current?.open) throw new TransportOpenError(path, 'Resource temporarily unavailable Cannot lock port');
      const end: SimLineEnd = new SimLineEnd((bytes) => {
        // Bytes still in flight when the port closes or the cable is pulled are lost.
        if (end.open) sim.receive(bytes);
      });
      current = end;
      return end;
    },
    pull(error = new Error('the device was disconnected')) {
      current?.lost(error);
    },
  };
  return serial;
}
