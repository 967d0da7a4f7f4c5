/**
 * Runs tasks one at a time per key, different keys side by side: a box's messages are
 * handled in the order they arrived (a clear must not overtake its raise), while a slow
 * store write for one box holds up no other box.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const tail = this.tails.get(key) ?? Promise.resolve();
    const result = tail.then(task, task);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, settled);
    // The last task of a key removes the key, so idle boxes cost nothing.
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with work queued or running. */
  busyKeys(): number {
    return this.tails.size;
  }

  /** Resolves once every task queued so far has ended. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
