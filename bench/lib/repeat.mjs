// A bench's background loop: one step, a pause, again, until stopped or a step fails.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `step` every `intervalMs` (after each one ends) until stop(). A step that throws ends
 * the loop and leaves the error in `error`, for the bench to report. stop() resolves once the
 * step under way has ended.
 */
export function repeatUntilStopped(step, intervalMs) {
  const loop = { error: null, stopped: false };
  loop.done = (async () => {
    while (!loop.stopped) {
      try {
        await step();
      } catch (err) {
        loop.error = err;
        return;
      }
      await sleep(intervalMs);
    }
  })();
  loop.stop = async () => {
    loop.stopped = true;
    await loop.done;
  };
  return loop;
}
