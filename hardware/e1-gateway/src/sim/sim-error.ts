/**
 * Why the simulator refused a control action. `not-found`: no such span, port or
 * timeslot; `conflict`: the action does not fit the current state (ringing an unplugged
 * line); `bad-value`: a value out of range.
 */
export type SimErrorCode = 'not-found' | 'conflict' | 'bad-value';

export class SimError extends Error {
  override readonly name = 'SimError';
  constructor(
    readonly code: SimErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** The HTTP status the control API answers with. */
  get status(): number {
    return this.code === 'not-found' ? 404 : this.code === 'conflict' ? 409 : 400;
  }
}
