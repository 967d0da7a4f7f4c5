import type { Clock, TimerHandle } from '@countyline/e1-gateway';

/**
 * Runs a pure state machine's `tick` at its next deadline. The machines say when they could
 * next change (`nextDeadline()`); this keeps one timer armed for that moment.
 */
export class DeadlineTimer {
  private handle: TimerHandle | null = null;
  private armedFor: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (now: number) => void,
  ) {}

  /** Arms the timer for `deadline` (ms since the epoch), or disarms it for null. */
  set(deadline: number | null): void {
    if (deadline === this.armedFor) return;
    this.cancel();
    if (deadline === null) return;
    this.armedFor = deadline;
    this.handle = this.clock.setTimeout(() => {
      this.handle = null;
      this.armedFor = null;
      this.onDue(Math.max(deadline, this.clock.now()));
    }, Math.max(0, deadline - this.clock.now()));
  }

  cancel(): void {
    if (this.handle) this.clock.clearTimeout(this.handle);
    this.handle = null;
    this.armedFor = null;
  }
}
