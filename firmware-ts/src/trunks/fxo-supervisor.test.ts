import t from 'tap';
import { FxoSupervisor, type FxoSample, type FxoSupervisionEvent } from './fxo-supervisor.js';

const idle: FxoSample = { voltage: -48, loopCurrent: 0, offHook: false, polarity: 'normal' };
const talking: FxoSample = { voltage: -8, loopCurrent: 25, offHook: true, polarity: 'normal' };
const dead = (s: FxoSample): FxoSample => ({ ...s, voltage: 0, loopCurrent: 0 });

function run(steps: [at: number, sample: FxoSample][], until: number): string[] {
  const sup = new FxoSupervisor(undefined, 0);
  const log: string[] = [];
  const record = (events: FxoSupervisionEvent[]) => events.forEach((e) => log.push(`${e.at} ${e.type}${'polarity' in e ? ` ${e.polarity}` : ''}`));
  const runTo = (at: number) => {
    for (let next = sup.nextDeadline(); next !== null && next <= at; next = sup.nextDeadline()) record(sup.tick(next));
  };
  for (const [at, sample] of steps) {
    runTo(at);
    record(sup.update(sample, at));
  }
  runTo(until);
  return log;
}

t.test('a line plugged into any port is present after the debounce', async (t) => {
  t.same(run([[100, idle]], 5000), ['164 line-present']);
  const sup = new FxoSupervisor();
  sup.update(idle, 0);
  sup.tick(64);
  t.match(sup.view, { line: 'present', voltage: -48 });
});

t.test('no battery for 1 s is an unplugged line; less is not', async (t) => {
  t.same(run([[0, idle], [1000, dead(idle)]], 5000), ['64 line-present', '2000 line-unplugged']);
  t.same(run([[0, idle], [1000, dead(idle)], [1999, idle]], 5000), ['64 line-present'], '999 ms without battery is nothing');
  t.same(run([[0, dead(idle)]], 5000), ['1000 line-unplugged'], 'a port with nothing plugged in');
});

t.test('plugging back clears: present again after the debounce', async (t) => {
  t.same(run([[0, dead(idle)], [3000, idle]], 5000), ['1000 line-unplugged', '3064 line-present']);
});

t.test('battery lost for 64 ms during a call is a far-end disconnect (open-loop), not an unplugged line', async (t) => {
  t.same(run([[0, idle], [500, talking], [1000, dead(talking)], [1600, talking]], 5000), ['64 line-present', '1064 far-end-disconnect']);
  t.same(run([[0, idle], [500, talking], [1000, dead(talking)], [1063, talking]], 5000), ['64 line-present'], '63 ms is a glitch');
});

t.test('battery lost while on-hook is no disconnect, and going off-hook on a dead line is none either', async (t) => {
  t.same(run([[0, idle], [1000, dead(idle)], [1500, dead(talking)]], 5000), ['64 line-present', '2000 line-unplugged']);
});

t.test('polarity reversal is reported after 64 ms steady', async (t) => {
  const rev = { ...talking, voltage: 8, polarity: 'reversed' as const };
  t.same(run([[0, talking], [1000, rev]], 5000), ['64 line-present', '1064 polarity-reversal reversed']);
  t.same(run([[0, talking], [1000, rev], [1030, talking]], 5000), ['64 line-present'], 'a 30 ms flip is noise');
});

t.test('loop current shows only off-hook', async (t) => {
  const sup = new FxoSupervisor();
  sup.update({ ...idle, loopCurrent: 3 }, 0);
  t.equal(sup.view.loopCurrent, 0);
  sup.update(talking, 10);
  t.equal(sup.view.loopCurrent, 25);
});
