import type { TypedEmitter } from '@countyline/e1-gateway';
import type { CallLine } from './cdr.js';

/**
 * How a line leg ended without the call model asking: the caller hung up (`caller`), or the
 * line failed under the call (`line`: a reset circuit, an unplugged line, a card restart).
 */
export interface LineEnd {
  by: 'caller' | 'line';
  /** The Q.850 cause the line gave, where it gives one. */
  cause: number | null;
  /** For `line`, what failed, in words a technician can act on. */
  reason: string | null;
  /** The same as a code with arguments, for the reader's language (`CDR_REASON_TEXT`, or ISUP's). */
  reasonCode?: string;
  reasonArgs?: (string | number)[];
  /** The line could not be answered (off-hook refused, no loop current): the caller was never connected. */
  answerFailed?: boolean;
}

export interface LineLegEvents {
  ended: (end: LineEnd) => void;
  /** The caller's number came after the call was offered (FSK caller ID between rings). */
  'caller-id': (number: string) => void;
  /** The caller pressed a key, heard by the line's own DTMF receiver (the FXO card's). */
  digit: (digit: string) => void;
}

/**
 * One inbound call on one line, as the call model sees it, whatever the signalling: ISUP on an
 * E1 circuit or loop start on an analog FXO port. The call model drives it; the signalling
 * module behind it speaks to the exchange.
 */
export interface LineLeg extends TypedEmitter<LineLegEvents> {
  readonly line: CallLine;
  readonly calling: string;
  readonly called: string;
  readonly arrivedAt: number;
  /**
   * Whether the caller hears the line's audio before it is answered (ISUP: in-band after the
   * ACM). Where not (an analog line rings until it is taken off-hook), an announcement needs
   * the line answered first.
   */
  readonly earlyMedia: boolean;
  /** The call is being offered to a person: the caller hears ringing (ISUP: ACM; analog: it rings already). */
  alert(): void;
  /** A person or an announcement takes the call (ISUP: ANM; analog: off-hook). */
  answer(): void;
  /** Ends the call from the box with a Q.850 cause (ISUP: REL; analog: on-hook). No `ended` follows. */
  release(cause: number): void;
  /** Connects the line's audio to a media port of the card's PCM highway (0: disconnects). */
  connectMedia(port: number): Promise<void>;
}
