import { TypedEmitter } from '@countyline/e1-gateway';
import { TransportOpenError, type CardTransport, type CardTransportEvents, type OpenTransport } from '../src/card/card-transport.js';

/**
 * An in-memory serial line: the in-memory counterpart of `openSerialTransport`. It behaves as
 * node-serialport does on a pseudo-terminal (test/contract/card-transport.test.ts holds both
 * to the same behaviour): one device path, opened by one holder at a time, `close` once, a
 * device that vanishes closes the port with a `disconnected` error. Bytes cross in a
 * microtask each way, so nothing arrives in the same turn it was written, as on a real UART.
 */
export interface MemorySerialLine {
  /** The device path; opening any other path fails as a missing device does. */
  readonly path: string;
  /** Hand this to the CardDriver (or the Firmware) as `openTransport`. */
  readonly open: OpenTransport;
  /** The device end of the line: what a card (or a test) plugs in. */
  readonly device: MemoryLineDevice;
  /**
   * While not null, opening fails with a TransportOpenError carrying this reason, as when the
   * device is there but refuses to open. Set it back to null and the next open succeeds.
   */
  openFailure: string | null;
  /** The host end now open, or null. */
  readonly transport: CardTransport | null;
}

export interface MemoryLineDevice {
  /** Sends bytes toward the host; they go nowhere while nobody has the port open. */
  write(bytes: Uint8Array): void;
  /**
   * The cable is pulled (a USB adapter unplugged): the open host end emits `close` with an
   * error flagged `disconnected` and carries nothing more. The device can be opened again.
   */
  vanish(error?: Error): void;
}

/** The reasons node-serialport gives, so the in-memory line fails the way the real one does. */
export const NO_SUCH_DEVICE = 'No such file or directory';
export const PORT_LOCKED = 'Resource temporarily unavailable Cannot lock port';

/** An error flagged the way node-serialport flags a port that went away under it. */
export function disconnectedError(message = 'the device was disconnected'): Error & { disconnected: true } {
  return Object.assign(new Error(message), { disconnected: true as const });
}

class HostEnd extends TypedEmitter<CardTransportEvents> implements CardTransport {
  open = true;

  constructor(private readonly toDevice: (bytes: Buffer) => void) {
    super();
  }

  write(bytes: Buffer): boolean {
    if (!this.open) return false;
    const copy = Buffer.from(bytes);
    queueMicrotask(() => {
      // Bytes still in flight when the port closes are lost.
      if (this.open) this.toDevice(copy);
    });
    return true;
  }

  close(): Promise<void> {
    this.closed();
    return Promise.resolve();
  }

  fromDevice(bytes: Buffer): void {
    if (this.open) this.emit('data', bytes);
  }

  closed(error?: Error): void {
    if (!this.open) return;
    this.open = false;
    this.emit('close', error);
  }
}

/** Builds a line whose device end hands what the host writes to `onData`. */
export function createMemoryLine(onData: (bytes: Buffer) => void, path = '/dev/ttyS1'): MemorySerialLine {
  let current: HostEnd | null = null;
  const line: MemorySerialLine = {
    path,
    openFailure: null,
    get transport() {
      return current?.open ? current : null;
    },
    open: async (wanted) => {
      if (wanted !== path) throw new TransportOpenError(wanted, NO_SUCH_DEVICE);
      if (line.openFailure !== null) throw new TransportOpenError(wanted, line.openFailure);
      // node-serialport locks the device; a second open while one is held fails the same way.
      if (current?.open) throw new TransportOpenError(wanted, PORT_LOCKED);
      current = new HostEnd(onData);
      return current;
    },
    device: {
      write(bytes) {
        const end = current;
        if (!end?.open) return;
        const copy = Buffer.from(bytes);
        queueMicrotask(() => end.fromDevice(copy));
      },
      vanish(error = disconnectedError()) {
        current?.closed(error);
      },
    },
  };
  return line;
}
