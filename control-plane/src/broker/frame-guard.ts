import type { Duplex } from 'node:stream';

/**
 * Reads MQTT fixed headers off a byte stream to know each packet's size before the whole
 * packet is in memory. MQTT 3.1.1 2.2.3: after the first byte comes the Remaining Length,
 * 7 bits a byte, low bits first, the top bit saying another byte follows, at most 4 bytes.
 *
 *     byte 1      packet type (4 bits) | flags (4 bits)
 *     byte 2..5   Remaining Length: b & 0x7f, x128 per byte; b & 0x80 = more
 *     then        Remaining Length bytes (variable header + payload)
 */
export class FrameLengthReader {
  private state: 'type' | 'length' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private skip = 0;

  constructor(private readonly maxPacketBytes: number) {}

  /** Feeds the next bytes; answers the first packet over the limit (its size) or a malformed length, else null. */
  feed(chunk: Uint8Array): { tooLarge: number } | { malformed: true } | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const take = Math.min(this.skip, chunk.length - i);
        this.skip -= take;
        i += take;
        continue;
      }
      if (this.state === 'type') {
        i++;
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      const b = chunk[i++]!;
      this.length += (b & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (b & 0x80) {
        if (this.lengthBytes === 4) return { malformed: true };
        continue;
      }
      const total = 1 + this.lengthBytes + this.length;
      if (total > this.maxPacketBytes) return { tooLarge: total };
      this.skip = this.length;
      this.state = 'type';
    }
    return null;
  }
}

/**
 * Puts a FrameLengthReader in front of aedes on one connection. aedes 1.x's parser
 * (mqtt-packet) has no size limit: it buffers a packet until its announced length has
 * arrived, so one client announcing 256 MB could fill central's memory. aedes takes the
 * bytes with `conn.read()` on 'readable', so the guard wraps that one method: it sees every
 * byte before the parser, and destroys the connection at the first header over the limit.
 */
export function guardFrames(conn: Duplex, maxPacketBytes: number, onRefused: (why: string) => void): void {
  const reader = new FrameLengthReader(maxPacketBytes);
  const read = conn.read.bind(conn);
  conn.read = (size?: number) => {
    const chunk: unknown = read(size);
    if (chunk instanceof Uint8Array) {
      const bad = reader.feed(chunk);
      if (bad !== null) {
        const why = 'tooLarge' in bad ? `packet of ${bad.tooLarge} bytes over the ${maxPacketBytes}-byte limit` : 'malformed remaining length (MQTT 3.1.1 2.2.3)';
        onRefused(why);
        conn.destroy();
        return null;
      }
    }
    return chunk;
  };
}
