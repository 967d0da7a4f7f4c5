/**
 * Why bytes could not be read as an MTP3 message signal unit or an ISUP message.
 *
 * - `truncated`: the input ended inside a field (offset = where it ended);
 * - `unknown-message`: a message type code this codec does not know;
 * - `not-isup`: the service indicator is not 5 (ISUP);
 * - `bad-pointer`: a pointer that is 0 for a mandatory parameter, or points back into the
 *   pointers themselves;
 * - `bad-length`: a parameter whose length does not fit its format;
 * - `bad-value`: a code that is spare or not allowed where it stands (a spare digit code,
 *   ST before the last digit, a spare indicator value);
 * - `duplicate-parameter`: an optional parameter this codec types, present twice;
 * - `trailing`: octets after the last parameter.
 */
export type IsupCodecErrorCode =
  | 'truncated'
  | 'unknown-message'
  | 'not-isup'
  | 'bad-pointer'
  | 'bad-length'
  | 'bad-value'
  | 'duplicate-parameter'
  | 'trailing';

/**
 * The only error the MTP3 label and ISUP decoders throw on bad input. `offset` counts from
 * the start of the bytes handed to the decoder (for a whole MSU: from the SIO octet), so a
 * capture can be checked by hand against Q.704 and Q.763.
 */
export class IsupCodecError extends RangeError {
  override readonly name = 'IsupCodecError';
  constructor(
    readonly code: IsupCodecErrorCode,
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}

/** Throws `truncated` unless `n` octets are there from `at` on. */
export function need(bytes: Uint8Array, at: number, n: number, what: string): void {
  if (at + n > bytes.length) {
    throw new IsupCodecError('truncated', `${what} needs ${n} octet(s), ${Math.max(0, bytes.length - at)} left`, bytes.length);
  }
}
