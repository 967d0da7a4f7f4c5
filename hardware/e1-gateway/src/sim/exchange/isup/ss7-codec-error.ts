/**
 * The only error the exchange's SS7 decoders throw on bad input: the MSU is not what
 * Q.704, Q.707 or Q.763 allow. It names the byte offset in the MSU (the SIO is byte 0)
 * where reading stopped, so a capture can be checked by hand.
 */
export class Ss7CodecError extends RangeError {
  override readonly name = 'Ss7CodecError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}
