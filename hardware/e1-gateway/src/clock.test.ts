import t from 'tap';
import { clearLongTimeout, MAX_TIMER_MS, setLongTimeout, systemClock } from './clock.js';

// Node fires a timer longer than 2^31-1 ms after 1 ms: a bulletin ending in a month would end
// at once. Long timers are chained in steps; here the step is shortened to show the chaining.

t.test('a timer longer than the step fires at its time, not at the first step', async (t) => {
  const start = Date.now();
  const fired = await new Promise<number>((resolve) => setLongTimeout(() => resolve(Date.now()), 120, 30));
  t.ok(fired - start >= 119, `fired after ${fired - start} ms`);
});

t.test('a chained timer cleared between steps does not fire', async (t) => {
  let fired = false;
  const handle = setLongTimeout(() => (fired = true), 100, 20);
  await new Promise((r) => setTimeout(r, 50));
  clearLongTimeout(handle);
  await new Promise((r) => setTimeout(r, 120));
  t.equal(fired, false);
});

t.test('systemClock: a timer of a month does not fire within the next moments, and can be cleared', async (t) => {
  let fired = false;
  const handle = systemClock.setTimeout(() => (fired = true), MAX_TIMER_MS + 86_400_000);
  await new Promise((r) => setTimeout(r, 50));
  t.equal(fired, false);
  systemClock.clearTimeout(handle);
});
