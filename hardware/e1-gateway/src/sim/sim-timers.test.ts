import t from 'tap';
import { FakeClock } from '../clock.js';
import { Timers } from './sim-timers.js';

t.test('after fires once and can be cancelled', async (t) => {
  const clock = new FakeClock();
  const timers = new Timers(clock);
  const fired: number[] = [];
  const a = timers.after(100, () => fired.push(clock.now()));
  const b = timers.after(50, () => fired.push(-1));
  b.cancel();
  t.equal(a.active, true);
  clock.advance(1000);
  t.same(fired, [100]);
  t.equal(a.active, false);
  t.equal(timers.size, 0);
});

t.test('every keeps its period without drift and stops on cancel', async (t) => {
  const clock = new FakeClock();
  const timers = new Timers(clock);
  const fired: number[] = [];
  const p = timers.every(1000, () => fired.push(clock.now()), { immediate: true });
  clock.advance(3500);
  t.same(fired, [0, 1000, 2000, 3000]);
  p.cancel();
  clock.advance(5000);
  t.equal(fired.length, 4);
  t.equal(clock.pending(), 0);
});

t.test('cancelAll forgets every timer', async (t) => {
  const clock = new FakeClock();
  const timers = new Timers(clock);
  let runs = 0;
  timers.every(10, () => runs++);
  timers.after(10, () => runs++);
  timers.cancelAll();
  clock.advance(100);
  t.equal(runs, 0);
  t.equal(clock.pending(), 0);
});
