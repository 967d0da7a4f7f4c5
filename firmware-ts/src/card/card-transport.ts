import { TypedEmitter } from '@countyline/e1-gateway';
import { SerialPort } from 'serialport';

/**
 * The byte pipe to the card. On the box it is a UART; on the bench the host end of a
 * pseudo-terminal pair; in unit tests an in-memory wire to the simulator.
 */
export interface CardTransport extends TypedEmitter<CardTransportEvents> {
  write(bytes: Buffer): void;
  close(): Promise<void>;
}

export interface CardTransportEvents {
  data: (chunk: Buffer) => void;
  /** The pipe went away (cable pulled, pty closed); `error` says why when known. */
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
  private closing = false;

  constructor(private readonly port: SerialPort) {
    super();
    port.on('data', (chunk: Buffer) => this.emit('data', chunk));
    port.on('close', (err?: Error) => {
      if (!this.closing) this.emit('close', err ?? undefined);
    });
    // A write or read error is followed by 'close' when it is fatal; nothing else to do here.
    port.on('error', () => {});
  }

  write(bytes: Buffer): void {
    if (this.port.isOpen) this.port.write(bytes);
  }

  close(): Promise<void> {
    this.closing = true;
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}

/** Opens a real serial port with node-serialport (8N1, no flow control). */
export const openSerialTransport: OpenTransport = (path, baudRate) =>
  new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.open((err) => {
      if (err) reject(new TransportOpenError(path, err.message.replace(/^Error: /, '')));
      else resolve(new SerialTransport(port));
    });
  });
