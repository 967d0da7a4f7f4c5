import t from 'tap';
import { FakeClock } from '../../clock.js';
import type { LinkState } from '../../protocol/index.js';
import { SimSignallingLink } from '../sim-signalling-link.js';
import { Timers } from '../sim-timers.js';
import { MemoryLine } from './memory-line.js';
import { Mtp2Link } from './mtp2-link.js';

/** A card link whose line side runs MTP2 (end a of a memory line) against a far-end MTP2 (end b). */
function setup() {
  const clock = new FakeClock();
  const line = new MemoryLine(clock);
  const usable = { value: true };
  const states: [number, LinkState][] = [];
  const toHost: number[][] = [];
  const link = new SimSignallingLink({
    index: 0,
    timers: new Timers(clock),
    provingMs: 500,
    spanUsable: () => usable.value,
    onState: (_link, state) => states.push([clock.now(), state]),
    mtp2: { transport: line.transport('a'), clock, timers: { t4n: 300, t2: 2000 }, restartMs: 1000 },
    onMsu: (_link, data) => toHost.push([...data]),
  });
  const far = new Mtp2Link({ clock, send: line.sender('b'), timers: { t4n: 300 } });
  line.connect('b', (bytes) => far.receive(bytes));
  const toFar: number[][] = [];
  far.on('msu', (data) => toFar.push([...data]));
  return { clock, line, usable, states, toHost, link, far, toFar };
}

const msu = (n: number) => Uint8Array.of(0x85, n, n);

t.test('the card sends nothing until the link is configured, SIOS until it is started, then aligns at MTP2 pace', async (t) => {
  const { clock, line, link, far, states } = setup();
  far.start(false);
  clock.advance(500);
  t.same(line.from('a'), [], 'no configuration, no timeslot: silence');
  link.configure({ span: 0, timeslot: 16, mode: 'mtp2' });
  clock.advance(200);
  t.ok(line.from('a').length > 0 && line.from('a').every((su) => su.kind === 'lssu' && su.status === 'SIOS'), 'configured, not started: SIOS');
  t.equal(link.state, 'out-of-service');
  const started = clock.now();
  link.start(false);
  clock.advance(400);
  t.equal(link.state, 'in-service');
  t.same(
    states.map(([, s]) => s),
    ['alignment', 'proving', 'in-service'],
    'the host sees alignment, proving, in service',
  );
  const [alignedAt, provingAt, inServiceAt] = states.map(([at]) => at);
  t.equal(alignedAt, started);
  t.ok(provingAt! - started <= 3, 'SIO and SIN cross in a few ms');
  t.ok(inServiceAt! - provingAt! >= 300 && inServiceAt! - provingAt! <= 305, `proved for T4 = 300 ms (${inServiceAt! - provingAt!})`);
  t.match(link.snapshot().mtp2, { state: 'in-service', alignment: 'idle', counters: { alignmentAttempts: 1 }, transport: { local: 'memory:a' } });
});

t.test('MSUs cross between the host side and the far end', async (t) => {
  const { clock, link, far, toHost, toFar } = setup();
  link.configure({ span: 0, timeslot: 16, mode: 'mtp2' });
  far.start(false);
  link.start(false);
  clock.advance(400);
  t.ok(link.line.sendMsu?.(msu(1)));
  t.ok(far.sendMsu(msu(2)));
  clock.advance(10);
  t.same(toFar, [[...msu(1)]]);
  t.same(toHost, [[...msu(2)]]);
  t.match(link.snapshot().mtp2?.counters, { msusIn: 1, msusOut: 1 });
});

t.test('the far end goes out of service: the link fails, aligns again after T17, and is in service when the far end is back', async (t) => {
  const { clock, link, far, states } = setup();
  link.configure({ span: 0, timeslot: 16, mode: 'mtp2' });
  far.start(false);
  link.start(false);
  clock.advance(400);
  far.stop();
  clock.advance(5);
  t.equal(link.state, 'out-of-service');
  t.match(link.snapshot().mtp2, { lastFailure: { cause: 'received-SIOS' } });
  clock.advance(1000);
  t.equal(link.state, 'alignment', 'started again by itself after T17');
  clock.advance(2000);
  t.equal(link.state, 'out-of-service', 'T2: nobody answers');
  t.match(link.snapshot().mtp2, { lastFailure: { cause: 'T2' } });
  far.start(false);
  clock.advance(2000);
  t.equal(link.state, 'in-service');
  t.ok(link.snapshot().mtp2!.counters.alignmentAttempts >= 3);
  t.same(states.at(-1)?.[1], 'in-service');
});

t.test('a span defect silences the line; the far end fails on T7; both realign when the span is clear', async (t) => {
  const { clock, line, usable, link, far } = setup();
  link.configure({ span: 0, timeslot: 16, mode: 'mtp2' });
  far.start(false);
  link.start(false);
  clock.advance(400);
  usable.value = false;
  link.spanChanged();
  t.equal(link.state, 'out-of-service');
  t.equal(link.snapshot().mtp2?.state, 'power-off');
  const sent = line.from('a').length;
  far.sendMsu(msu(3));
  clock.advance(1500);
  t.equal(line.from('a').length, sent, 'nothing sent while the span is down');
  t.match(far.snapshot(), { state: 'out-of-service', lastFailure: { cause: 'T7' } });
  usable.value = true;
  link.spanChanged();
  far.start(false);
  clock.advance(400);
  t.equal(link.state, 'in-service');
});

t.test('host stop: SIOS to the far end, and no realignment', async (t) => {
  const { clock, link, far } = setup();
  link.configure({ span: 0, timeslot: 16, mode: 'mtp2' });
  far.start(false);
  link.start(false);
  clock.advance(400);
  link.stop();
  clock.advance(5000);
  t.equal(link.state, 'out-of-service');
  t.match(far.snapshot(), { state: 'out-of-service', lastFailure: { cause: 'received-SIOS' } });
  t.equal(link.snapshot().mtp2?.lastFailure, null, 'a stop is no failure');
});

t.test('card reset: the configuration goes and the line falls silent', async (t) => {
  const { clock, line, link, far } = setup();
  link.configure({ span: 0, timeslot: 16, mode: 'mtp2' });
  far.start(false);
  link.start(false);
  clock.advance(400);
  link.resetCard();
  const sent = line.from('a').length;
  clock.advance(3000);
  t.equal(line.from('a').length, sent);
  t.match(link.snapshot(), { config: null, started: false, state: 'out-of-service', mtp2: { state: 'power-off' } });
});
