import { TypedEmitter } from '@countyline/e1-gateway';
import { SerialPort } from 'serialport';

/**
 * The byte pipe to the card. On the box it is a UART; on the bench the host end of a
 * pseudo-terminal pair; in unit tests an in-memory line to the simulator
 * (`firmware-ts/test-support/memory-serial-line.ts`). Both keep the same contract,
 * checked by `test/contract/card-transport.test.ts`:
 *
 * - opening a path with no device, or one another holder has open (the port is locked),
 *   rejects with a TransportOpenError naming the path;
 * - `close` is emitted once: without an error after our own `close()`, with an error flagged
 *   `disconnected` when the device went away;
 * - once closed, `write` refuses: it returns false and the bytes go nowhere.
 */
export interface CardTransport extends TypedEmitter<CardTransportEvents> {
  /** Sends bytes to the card; false when the port is closed and they were dropped. */
  write(bytes: Buffer): boolean;
  /** Closes the port and releases its lock; resolves once it is closed. Closing twice is harmless. */
  close(): Promise<void>;
}

export interface CardTransportEvents {
  data: (chunk: Buffer) => void;
  /**
   * The port closed, once. `error` is set when it was not our `close()`: the device went away
   * (cable pulled, pty closed), with `disconnected: true` as node-serialport flags it.
   */
  close: (error?: Error) => void;
}

export type OpenTransport = (path: string, baudRate: number) => Promise<CardTransport>;

/** Why the serial port could not be opened, kept apart so the CLI can say what to check. */
export class TransportOpenError extends Error {
  override readonly name = 'TransportOpenError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot open ${path}: ${reason}`);
  }
}

class SerialTransport extends TypedEmitter<CardTransportEvents> implements CardTransport {
  private closed = false;

  constructor(private readonly port: SerialPort) {
    super();
    port.on('data', (chunk: Buffer) => this.emit('data', chunk));
    // node-serialport passes null after our own close, an error flagged `disconnected` when
    // the device went away.
    port.on('close', (err: Error | null) => {
      if (this.closed) return;
      this.closed = true;
      this.emit('close', err ?? undefined);
    });
    // A write or read error is followed by 'close' when it is fatal; nothing else to do here.
    port.on('error', () => {});
  }

  write(bytes: Buffer): boolean {
    if (this.closed || !this.port.isOpen) return false;
    this.port.write(bytes);
    return true;
  }

  close(): Promise<void> {
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}

/** Opens a real serial port with node-serialport (8N1, no flow control). */
export const openSerialTransport: OpenTransport = (path, baudRate) =>
  new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.open((err) => {
      if (err) reject(new TransportOpenError(path, openFailureReason(err, path)));
      else resolve(new SerialTransport(port));
    });
  });

/**
 * node-serialport's open errors read "Error: No such file or directory, cannot open /dev/x"
 * or "Error Resource temporarily unavailable Cannot lock port"; TransportOpenError names the
 * path itself, so only the reason is kept.
 */
function openFailureReason(err: Error, path: string): string {
  return err.message
    .replace(/^Error:? /, '')
    .replace(`, cannot open ${path}`, '')
    .trim();
}
