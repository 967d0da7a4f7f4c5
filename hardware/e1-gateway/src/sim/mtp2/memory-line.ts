import type { Clock } from '../../clock.js';
import type { Mtp2Transport } from './peer-socket.js';
import { decodeSignalUnit, type SignalUnit } from './signal-unit.js';

export type LineEnd = 'a' | 'b';

/** What a fault hook is shown: the unit as sent (decoded), where it goes, and its number on the line. */
export interface LineUnit {
  from: LineEnd;
  su: SignalUnit;
  bytes: Uint8Array;
  index: number;
}

/**
 * A signalling data link in memory between two MTP2 ends, on a clock: each unit arrives
 * `delayMs` after it is sent, unless a fault hook loses or changes it. For tests.
 */
export class MemoryLine {
  /** Units that went onto the line, in order (lost ones included). */
  readonly sent: (LineUnit & { at: number })[] = [];
  /** Return true to lose the unit. */
  lose: (unit: LineUnit) => boolean = () => false;
  /** Return other octets to deliver instead (a bit error, say). */
  corrupt: (unit: LineUnit) => Uint8Array | undefined = () => undefined;
  /** While cut, nothing gets through either way. */
  cut = false;
  private readonly ends: Partial<Record<LineEnd, (bytes: Uint8Array) => void>> = {};

  constructor(
    private readonly clock: Clock,
    public delayMs = 1,
  ) {}

  /** The `send` function for end `from`. */
  sender(from: LineEnd): (bytes: Uint8Array) => void {
    return (bytes) => this.carry(from, bytes);
  }

  /** Where units for end `to` are delivered. */
  connect(to: LineEnd, receive: (bytes: Uint8Array) => void): void {
    this.ends[to] = receive;
  }

  /** End `end` as a transport, for a simulator's `mtp2Peer`. */
  transport(end: LineEnd): Mtp2Transport {
    let datagramsIn = 0;
    const send = this.sender(end);
    return {
      send: (su) => send(su),
      onReceive: (handler) => this.connect(end, (bytes) => (datagramsIn++, handler?.(bytes))),
      close: () => this.connect(end, () => {}),
      snapshot: () => ({ local: `memory:${end}`, remote: `memory:${end === 'a' ? 'b' : 'a'}`, datagramsIn, datagramsOut: this.sent.filter((u) => u.from === end).length, sendErrors: {} }),
    };
  }

  /** The units end `from` sent, decoded, optionally of one kind. */
  from(from: LineEnd, kind?: SignalUnit['kind']): SignalUnit[] {
    return this.sent.filter((u) => u.from === from && (kind === undefined || u.su.kind === kind)).map((u) => u.su);
  }

  private carry(from: LineEnd, bytes: Uint8Array): void {
    const unit: LineUnit = { from, su: decodeSignalUnit(bytes, { checkFcs: true }), bytes, index: this.sent.length };
    this.sent.push({ ...unit, at: this.clock.now() });
    if (this.cut || this.lose(unit)) return;
    const delivered = this.corrupt(unit) ?? bytes;
    const to: LineEnd = from === 'a' ? 'b' : 'a';
    this.clock.setTimeout(() => {
      if (!this.cut) this.ends[to]?.(delivered);
    }, this.delayMs);
  }
}
