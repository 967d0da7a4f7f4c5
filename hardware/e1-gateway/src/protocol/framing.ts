import { CardCodecError } from './codec-error.js';
import { crc16x25 } from './crc16.js';

/**
 * Byte-stuffed framing, as HDLC in asynchronous mode (RFC 1662 section 4):
 *
 *   0x7E | body ... | FCS lo | FCS hi | 0x7E
 *
 * Inside a frame, 0x7E and 0x7D are sent as 0x7D followed by the byte XOR 0x20. The FCS is
 * CRC-16/X-25 over the unstuffed body, least significant octet first. A flag both closes one
 * frame and may open the next; a receiver that meets garbage throws away everything up to
 * the next flag, so it is back in step after at most one lost frame.
 */
export const FLAG = 0x7e;
export const ESCAPE = 0x7d;
const ESCAPE_XOR = 0x20;
/** The longest unstuffed body (header + payload) either side accepts. */
export const MAX_BODY = 2048;

/** Wraps an unstuffed body in flags with its FCS and byte stuffing. */
export function encodeFrame(body: Uint8Array): Buffer {
  if (body.length > MAX_BODY) throw new RangeError(`frame body of ${body.length} bytes exceeds ${MAX_BODY}`);
  const fcs = crc16x25(body);
  const raw = new Uint8Array(body.length + 2);
  raw.set(body);
  raw[body.length] = fcs & 0xff;
  raw[body.length + 1] = fcs >>> 8;
  const out: number[] = [FLAG];
  for (const byte of raw) {
    if (byte === FLAG || byte === ESCAPE) out.push(ESCAPE, byte ^ ESCAPE_XOR);
    else out.push(byte);
  }
  out.push(FLAG);
  return Buffer.from(out);
}

/** Counts of what the deframer threw away, by reason. */
export interface DeframerStats {
  frames: number;
  crc: number;
  short: number;
  escape: number;
  oversize: number;
  /** Bytes dropped between a bad frame and the next flag, or before the first flag. */
  discardedBytes: number;
}

/**
 * Streaming receiver: feed it whatever the serial port delivers, in any chunking; it calls
 * `onFrame` with each body whose FCS checks, and `onError` with a CardCodecError for each
 * frame it drops. It never throws on input.
 */
export class Deframer {
  readonly stats: DeframerStats = { frames: 0, crc: 0, short: 0, escape: 0, oversize: 0, discardedBytes: 0 };
  private buf = new Uint8Array(MAX_BODY + 2);
  private len = 0;
  private escaped = false;
  private inFrame = false;
  private dropping = false;
  private streamOffset = 0;

  constructor(
    private readonly onFrame: (body: Uint8Array) => void,
    private readonly onError: (err: CardCodecError) => void = () => {},
  ) {}

  push(chunk: Uint8Array): void {
    for (const byte of chunk) {
      this.streamOffset++;
      if (byte === FLAG) {
        this.closeFrame();
        continue;
      }
      if (!this.inFrame || this.dropping) {
        this.stats.discardedBytes++;
        continue;
      }
      let value = byte;
      if (this.escaped) {
        this.escaped = false;
        value = byte ^ ESCAPE_XOR;
        if (value !== FLAG && value !== ESCAPE) {
          this.drop('escape', `0x7D followed by 0x${byte.toString(16).padStart(2, '0')} is not a valid escape`);
          continue;
        }
      } else if (byte === ESCAPE) {
        this.escaped = true;
        continue;
      }
      if (this.len === this.buf.length) {
        this.drop('oversize', `frame longer than ${MAX_BODY} bytes`);
        continue;
      }
      this.buf[this.len++] = value;
    }
  }

  private drop(code: 'escape' | 'oversize', message: string): void {
    this.stats[code]++;
    this.stats.discardedBytes += this.len + 1;
    this.dropping = true;
    this.onError(new CardCodecError(code, message, this.streamOffset - 1));
  }

  private closeFrame(): void {
    const len = this.len;
    const wasDropping = this.dropping;
    const danglingEscape = this.escaped;
    this.inFrame = true;
    this.dropping = false;
    this.escaped = false;
    this.len = 0;
    if (wasDropping || len === 0) return; // back-to-back flags are idle fill, not frames
    if (danglingEscape) {
      this.stats.escape++;
      this.stats.discardedBytes += len;
      this.onError(new CardCodecError('escape', 'frame ends inside an escape', this.streamOffset - 1));
      return;
    }
    if (len < 3) {
      this.stats.short++;
      this.stats.discardedBytes += len;
      this.onError(new CardCodecError('short', `frame of ${len} bytes is shorter than its FCS`, this.streamOffset - 1));
      return;
    }
    const body = this.buf.slice(0, len - 2);
    const got = this.buf[len - 2]! | (this.buf[len - 1]! << 8);
    const want = crc16x25(body);
    if (got !== want) {
      this.stats.crc++;
      this.stats.discardedBytes += len;
      this.onError(
        new CardCodecError('crc', `FCS 0x${got.toString(16).padStart(4, '0')} should be 0x${want.toString(16).padStart(4, '0')}`, this.streamOffset - 1),
      );
      return;
    }
    this.stats.frames++;
    this.onFrame(body);
  }
}
