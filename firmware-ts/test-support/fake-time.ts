import type { FakeClock } from '@countyline/e1-gateway';

/** Lets every byte and answer in flight cross (they go in microtasks and immediates). */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Moves a FakeClock on in small steps, letting bytes, answers and promise callbacks run
 * between steps, as time passes on a real line.
 */
export class FakeTime {
  /** Called after every step, to watch something while time runs. */
  onStep: () => void = () => {};

  constructor(
    readonly clock: FakeClock,
    private readonly stepMs = 5,
  ) {}

  /** Moves time on by `ms`, `step` ms at a time. */
  async run(ms: number, step = this.stepMs): Promise<void> {
    await flush();
    for (let done = 0; done < ms; done += step) {
      this.clock.advance(Math.min(step, ms - done));
      await flush();
      this.onStep();
    }
  }

  /** Runs until `done()` holds or `limitMs` passes; returns whether it held. */
  async until(done: () => boolean, limitMs = 10_000, step = this.stepMs): Promise<boolean> {
    await flush();
    for (let waited = 0; !done() && waited < limitMs; waited += step) await this.run(step, step);
    return done();
  }

  /** Runs the clock until the promise settles and gives its value; throws if it does not within `limitMs`. */
  async settle<T>(promise: Promise<T>, limitMs = 120_000): Promise<T> {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    if (!(await this.until(() => settled, limitMs))) throw new Error(`not settled within ${limitMs} ms of fake time`);
    return promise;
  }
}
