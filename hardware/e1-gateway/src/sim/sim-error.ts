import { httpStatus, type HttpErrorCode } from '../errors.js';

/**
 * Why the simulator refused a control action, as one of the control API's codes in
 * `ERROR_CODES` (src/errors.ts). The simulator itself throws `not-found` (no such span, port
 * or timeslot), `conflict` (the action does not fit the current state: ringing an unplugged
 * line) and `bad-value` (a value out of range); the control API adds the request's own
 * faults (`bad-body`, `bad-path`, ...).
 */
export type SimErrorCode = HttpErrorCode;

export class SimError extends Error {
  override readonly name = 'SimError';
  constructor(
    readonly code: SimErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** The HTTP status the control API answers with, from the error-code table. */
  get status(): number {
    return httpStatus(this.code);
  }
}
