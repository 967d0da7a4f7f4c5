import t from 'tap';
import { FakeClock } from '../clock.js';
import type { LinkState } from '../protocol/index.js';
import { SimSignallingLink } from './sim-signalling-link.js';
import { Timers } from './sim-timers.js';

function setup() {
  const clock = new FakeClock();
  const usable = { value: true };
  const states: [number, LinkState][] = [];
  const link = new SimSignallingLink({
    index: 1,
    timers: new Timers(clock),
    provingMs: 500,
    spanUsable: () => usable.value,
    onState: (_l, s) => states.push([clock.now(), s]),
  });
  link.configure({ span: 0, timeslot: 16, mode: 'mtp2' });
  return { clock, usable, states, link };
}

t.test('start: alignment, proving after 100 ms, in service after the proving period', async (t) => {
  const { clock, states, link } = setup();
  link.start(false);
  clock.advance(1000);
  t.same(states, [
    [0, 'alignment'],
    [100, 'proving'],
    [600, 'in-service'],
  ]);
});

t.test('emergency proving is 16 times shorter', async (t) => {
  const { clock, states, link } = setup();
  link.start(true);
  clock.advance(1000);
  t.same(states.at(-1), [132, 'in-service']);
});

t.test('a span defect takes the link out; it realigns when the defect clears', async (t) => {
  const { clock, usable, states, link } = setup();
  link.start(false);
  clock.advance(1000);
  usable.value = false;
  link.spanChanged();
  t.equal(link.state, 'out-of-service');
  clock.advance(5000);
  t.equal(link.state, 'out-of-service', 'stays out while the defect lasts');
  usable.value = true;
  link.spanChanged();
  clock.advance(1000);
  t.same(
    states.map(([, s]) => s),
    ['alignment', 'proving', 'in-service', 'out-of-service', 'alignment', 'proving', 'in-service'],
  );
});

t.test('a link started on a bad span waits, and a stopped link does not realign', async (t) => {
  const { clock, usable, link } = setup();
  usable.value = false;
  link.start(false);
  clock.advance(1000);
  t.equal(link.state, 'out-of-service');
  usable.value = true;
  link.spanChanged();
  clock.advance(1000);
  t.equal(link.state, 'in-service');
  link.stop();
  usable.value = false;
  link.spanChanged();
  usable.value = true;
  link.spanChanged();
  clock.advance(1000);
  t.equal(link.state, 'out-of-service');
});

t.test('stop during proving cancels the proving timer', async (t) => {
  const { clock, states, link } = setup();
  link.start(false);
  clock.advance(200);
  link.stop();
  clock.advance(1000);
  t.same(
    states.map(([, s]) => s),
    ['alignment', 'proving', 'out-of-service'],
  );
  t.equal(clock.pending(), 0);
});

t.test('card reset unconfigures the link', async (t) => {
  const { clock, link } = setup();
  link.start(false);
  clock.advance(1000);
  link.resetCard();
  t.same(link.snapshot(), { link: 1, config: null, started: false, state: 'out-of-service', counters: { fromHost: 0, toPeer: 0, toHost: 0, dropped: 0 }, mtp2: null, hdlcPeer: null });
});
