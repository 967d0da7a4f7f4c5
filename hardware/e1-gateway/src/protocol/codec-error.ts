/**
 * Why a frame could not be read. `crc`, `short`, `escape` and `oversize` come from the
 * framing layer; the others from the message codec.
 */
export type CardCodecErrorCode =
  | 'short'
  | 'crc'
  | 'escape'
  | 'oversize'
  | 'version'
  | 'unknown-type'
  | 'truncated'
  | 'trailing'
  | 'bad-value';

/**
 * The only error the card codec throws on bad input. It names the byte offset where reading
 * stopped, so a capture can be checked by hand against PROTOCOL.md.
 */
export class CardCodecError extends RangeError {
  override readonly name = 'CardCodecError';
  constructor(
    readonly code: CardCodecErrorCode,
    message: string,
    readonly offset: number,
    /** For `version`: the version octet the peer sent. */
    readonly peerVersion?: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}
