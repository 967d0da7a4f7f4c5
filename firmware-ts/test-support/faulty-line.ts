import { CardCodecError, decodeBody, Deframer, encodeBody, encodeFrame, TypedEmitter, type CardMessage, type DecodedBody } from '@countyline/e1-gateway';
import type { CardTransport, CardTransportEvents } from '../src/card/card-transport.js';

/** What the line does to the frames from the card; both default to leaving them alone. */
export interface LineFaults {
  /** A frame from the card for which this says true is lost on the way (the card repeats unacknowledged events). */
  lose: (message: CardMessage) => boolean;
  /**
   * A frame from the card arrives as the message this returns (same header, fresh FCS), as
   * when the line carries a reading the simulator cannot make, such as a weak battery.
   */
  alter: (message: CardMessage) => CardMessage;
}

export const NO_FAULTS: Readonly<LineFaults> = Object.freeze({ lose: () => false, alter: (m: CardMessage) => m });

/**
 * The host end of the in-memory serial line with faults of the test's choosing on what the
 * card sends. Each chunk from the in-memory line is whole frames, so a chunk untouched by the
 * faults passes as it came.
 */
export class FaultyLine extends TypedEmitter<CardTransportEvents> implements CardTransport {
  /** `written` sees every byte the host writes, before it goes on the line. */
  constructor(
    private readonly inner: CardTransport,
    private readonly faults: () => LineFaults,
    private readonly written: (bytes: Buffer) => void = () => {},
  ) {
    super();
    inner.on('data', (chunk) => this.fromCard(chunk));
    inner.on('close', (err) => this.emit('close', err));
  }

  write(bytes: Buffer): boolean {
    this.written(bytes);
    return this.inner.write(bytes);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private fromCard(chunk: Buffer): void {
    const faults = this.faults();
    if (faults === NO_FAULTS) {
      this.emit('data', chunk);
      return;
    }
    const { lose, alter } = faults;
    let touched = false;
    const out: Buffer[] = [];
    new Deframer((body) => {
      const decoded = decodeOrNull(body);
      if (!decoded) {
        out.push(encodeFrame(body)); // not ours to judge: the driver counts and drops it
        return;
      }
      const { header, message } = decoded;
      if (lose(message)) {
        touched = true;
        return;
      }
      const altered = alter(message);
      if (altered === message) out.push(encodeFrame(body));
      else {
        touched = true;
        out.push(encodeFrame(encodeBody(altered, header)));
      }
    }).push(chunk);
    if (!touched) this.emit('data', chunk);
    else if (out.length > 0) this.emit('data', Buffer.concat(out));
  }
}

function decodeOrNull(body: Uint8Array): DecodedBody | null {
  try {
    return decodeBody(body);
  } catch (err) {
    if (err instanceof CardCodecError) return null;
    throw err;
  }
}
