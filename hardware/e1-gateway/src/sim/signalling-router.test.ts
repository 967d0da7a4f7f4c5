import t from 'tap';
import type { Clock, FakeClock } from '../clock.js';
import type { LinkState } from '../protocol/index.js';
import { InMemoryBench, type InMemoryBenchOptions } from './in-memory-bench.js';
import { MemoryLine } from './mtp2/memory-line.js';
import { Mtp2Link } from './mtp2/mtp2-link.js';
import type { PeerSend, SignallingPeer } from './signalling-peer.js';

async function started(opts: InMemoryBenchOptions = {}) {
  const bench = new InMemoryBench(opts);
  bench.sim.start();
  await bench.run(10);
  return bench;
}

/** Configures link `link` on span 0 ts 16 and starts it; runs until it is in service. */
async function linkInService(bench: InMemoryBench, link = 0) {
  await bench.request({ type: 'linkConfig', link, span: 0, timeslot: 16, mode: 'mtp2' });
  await bench.request({ type: 'linkControl', link, action: 'start' });
  await bench.run(700);
}

t.test('MSUs: to the peer on an in-service link, from the peer to the host, dropped otherwise', async (t) => {
  const got: [number, number[]][] = [];
  const states: [number, LinkState][] = [];
  let send: PeerSend = () => false;
  const peer: SignallingPeer = {
    attach: (s) => (send = s),
    onMsu: (link, data) => got.push([link, [...data]]),
    onLinkState: (link, state) => states.push([link, state]),
  };
  const bench = await started({ sim: { peer } });
  bench.host.notify({ type: 'msu', link: 0, data: Uint8Array.of(1) });
  await bench.run(10);
  t.same(got, [], 'link not in service yet');
  t.equal(send(0, Uint8Array.of(9)), false);
  await linkInService(bench);
  t.same(states.at(-1), [0, 'in-service']);
  bench.host.notify({ type: 'msu', link: 0, data: Uint8Array.of(0x85, 2, 3) });
  await bench.run(10);
  t.same(got, [[0, [0x85, 2, 3]]]);
  t.equal(send(0, Uint8Array.of(0x85, 7)), true);
  await bench.run(10);
  t.same(
    bench.of('msu').map((m) => [m.link, [...m.data]]),
    [[0, [0x85, 7]]],
  );
  bench.host.notify({ type: 'hdlcFrame', link: 0, data: Uint8Array.of(1) });
  await bench.run(10);
  t.same(bench.sim.state().links[0]?.counters, { fromHost: 3, toPeer: 1, toHost: 1, dropped: 3 }, 'before service, peer send before service, wrong mode');
});

t.test('without a peer, MSUs are counted and dropped', async (t) => {
  const bench = await started();
  await linkInService(bench, 1);
  bench.host.notify({ type: 'msu', link: 1, data: Uint8Array.of(1, 2) });
  await bench.run(10);
  t.same(bench.sim.state().links[1]?.counters, { fromHost: 1, toPeer: 0, toHost: 0, dropped: 1 });
});

t.test('a link cannot be moved while started, nor share a timeslot', async (t) => {
  const bench = await started();
  await linkInService(bench, 0);
  await t.rejects(bench.request({ type: 'linkConfig', link: 0, span: 0, timeslot: 1, mode: 'mtp2' }), { name: 'CardRequestError', nakCode: 'busy' });
  await t.rejects(bench.request({ type: 'linkConfig', link: 1, span: 0, timeslot: 16, mode: 'mtp2' }), { name: 'CardRequestError', nakCode: 'busy' });
  t.same(await bench.request({ type: 'linkConfig', link: 0, span: 0, timeslot: 16, mode: 'mtp2' }), { type: 'ack' }, 'the same config again is fine');
});

t.test('HDLC links carry hdlcFrame both ways; a failing peer does not stop the card', async (t) => {
  const got: number[][] = [];
  let send: PeerSend = () => false;
  const peer: SignallingPeer = {
    attach: (s) => (send = s),
    onMsu: () => {
      throw new Error('peer bug');
    },
    onHdlcFrame: (_link, data) => got.push([...data]),
  };
  const bench = await started({ sim: { peer } });
  await bench.request({ type: 'linkConfig', link: 1, span: 0, timeslot: 1, mode: 'hdlc' });
  await bench.request({ type: 'linkControl', link: 1, action: 'start' });
  await bench.run(700);
  bench.host.notify({ type: 'hdlcFrame', link: 1, data: Uint8Array.of(0x02, 0x01) });
  await bench.run(10);
  t.same(got, [[0x02, 0x01]]);
  t.equal(send(1, Uint8Array.of(0x03)), true);
  await bench.run(10);
  t.same(
    bench.of('hdlcFrame').map((f) => [f.link, [...f.data]]),
    [[1, [0x03]]],
  );
  await linkInService(bench, 0);
  bench.host.notify({ type: 'msu', link: 0, data: Uint8Array.of(1) });
  await bench.run(10);
  t.equal((await bench.request({ type: 'hello', hostName: 'h' })).type, 'inventory', 'still answering');
});

t.test('link 0 with MTP2 on its line side: MSUs go through MTP2, not to the peer; an MSU no signal unit can carry is dropped', async (t) => {
  // The line and the far end run on the bench's clock, which exists once the bench does.
  const shared: { clock?: FakeClock } = {};
  const clock: Clock = {
    now: () => shared.clock!.now(),
    setTimeout: (fn, ms) => shared.clock!.setTimeout(fn, ms),
    clearTimeout: (handle) => shared.clock!.clearTimeout(handle),
  };
  const line = new MemoryLine(clock);
  const peerGot: number[][] = [];
  let send: PeerSend = () => false;
  const peer: SignallingPeer = { attach: (s) => (send = s), onMsu: (_link, data) => peerGot.push([...data]) };
  const bench = new InMemoryBench({ sim: { peer, mtp2Peer: { transport: line.transport('a'), timers: { t4n: 200 } } } });
  shared.clock = bench.clock;
  const far = new Mtp2Link({ clock, send: line.sender('b'), timers: { t4n: 200 } });
  line.connect('b', (bytes) => far.receive(bytes));
  const toFar: number[][] = [];
  far.on('msu', (data) => toFar.push([...data]));
  bench.sim.start();
  await bench.run(10);
  await bench.request({ type: 'linkConfig', link: 0, span: 0, timeslot: 16, mode: 'mtp2' });
  await bench.request({ type: 'linkControl', link: 0, action: 'start' });
  far.start(false);
  await bench.run(300);
  t.equal(bench.sim.links[0]!.state, 'in-service');
  bench.host.notify({ type: 'msu', link: 0, data: Uint8Array.of(0x85, 1, 2) });
  bench.host.notify({ type: 'msu', link: 0, data: Uint8Array.of(0x85, 1) });
  await bench.run(10);
  t.same(toFar, [[0x85, 1, 2]], 'the 3-octet MSU crossed; the 2-octet one could not be an MSU');
  t.same(peerGot, [], 'the peer hears nothing of link 0');
  t.equal(send(0, Uint8Array.of(0x85, 9, 9)), false, "the peer cannot send on link 0");
  far.sendMsu(Uint8Array.of(0x85, 4, 5));
  await bench.run(10);
  t.same(
    bench.of('msu').map((m) => [...m.data]),
    [[0x85, 4, 5]],
  );
  t.same(bench.sim.state().links[0]?.counters, { fromHost: 2, toPeer: 1, toHost: 1, dropped: 2 });
  t.match(bench.sim.state().links[0]?.mtp2, { state: 'in-service', counters: { msusOut: 1, msusIn: 1 } });
});
