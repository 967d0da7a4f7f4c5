/**
 * Events held back until the decision that caused them is complete. A producer runs each
 * outside call through `run()` and `push()`es its emits; they go out, in order, when the
 * outermost call returns. A listener may call back in: its own events queue behind the
 * ones being delivered, so no listener ever sees a half-made decision or events out of order.
 */
export class EventOutbox {
  private readonly queue: (() => void)[] = [];
  private depth = 0;
  private flushing = false;

  push(emit: () => void): void {
    this.queue.push(emit);
  }

  run<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      if (this.depth === 0 && !this.flushing) this.flush();
    }
  }

  private flush(): void {
    this.flushing = true;
    try {
      for (let emit = this.queue.shift(); emit; emit = this.queue.shift()) emit();
    } finally {
      this.flushing = false;
    }
  }
}
