import t from 'tap';
import { CardRequestError } from '../protocol/index.js';
import { InMemoryBench, type InMemoryBenchOptions } from './in-memory-bench.js';
import { seededRandom } from './serial-noise.js';

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

t.test('power-on: cardStarted, then a heartbeat every second', async (t) => {
  const bench = await started();
  await bench.run(3000);
  t.same(
    bench.of('cardStarted').map((m) => m.reason),
    ['power-on'],
  );
  t.same(
    bench.of('heartbeat').map((h) => [h.at, h.uptime, h.rxErrors]),
    [
      [0, 0, 0],
      [1000, 1000, 0],
      [2000, 2000, 0],
      [3000, 3000, 0],
    ],
  );
});

t.test('hello is answered with the inventory', async (t) => {
  const bench = await started({ sim: { card: { serial: 'SIM-0042', spans: 2 } } });
  t.same(await bench.request({ type: 'hello', hostName: 'box-1' }), {
    type: 'inventory',
    model: 'CL-E1F-108',
    serial: 'SIM-0042',
    firmware: 'sim-1.0',
    spans: 2,
    fxoPorts: 5,
    links: 2,
  });
});

t.test('snapshot: ack, then every span, port and configured link', async (t) => {
  const bench = await started({ sim: { card: { spans: 2 } } });
  await bench.request({ type: 'linkConfig', link: 1, span: 1, timeslot: 16, mode: 'mtp2' });
  bench.clear();
  t.same(await bench.request({ type: 'snapshot' }), { type: 'ack' });
  t.same(bench.received, [], 'the ack comes first');
  await bench.run(20);
  t.same(
    bench.of('spanStatus').map((s) => s.span),
    [0, 1],
  );
  t.same(
    bench.of('fxoStatus').map((s) => [s.port, s.voltage]),
    [0, 1, 2, 3, 4].map((p) => [p, -48]),
  );
  t.same(
    bench.of('linkState').map((l) => [l.link, l.state]),
    [[1, 'out-of-service']],
  );
});

t.test('requests with bad numbers are refused with the right nak', async (t) => {
  const bench = await started();
  const nakOf = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    return err instanceof CardRequestError ? err.nakCode : err;
  };
  t.equal(await nakOf(bench.request({ type: 'spanConfig', span: 1, crc4: true, clock: 'line' })), 'no-such-span');
  t.equal(await nakOf(bench.request({ type: 'spanSendRai', span: 9, on: true })), 'no-such-span');
  t.equal(await nakOf(bench.request({ type: 'tsTone', span: 0, timeslot: 0, frequency: 2000 })), 'bad-value');
  t.equal(await nakOf(bench.request({ type: 'tsLoopback', span: 0, timeslot: 32, on: true })), 'bad-value');
  t.equal(await nakOf(bench.request({ type: 'tsConnect', span: 3, timeslot: 1, mediaPort: 1 })), 'no-such-span');
  t.equal(await nakOf(bench.request({ type: 'fxoHook', port: 5, offHook: true })), 'no-such-port');
  t.equal(await nakOf(bench.request({ type: 'fxoConnect', port: 5, mediaPort: 40000 })), 'no-such-port');
  t.equal(await nakOf(bench.request({ type: 'fxoDtmfSend', port: 0, digits: '123' })), 'not-ready');
  t.equal(await nakOf(bench.request({ type: 'linkControl', link: 0, action: 'start' })), 'not-ready');
  t.equal(await nakOf(bench.request({ type: 'linkConfig', link: 2, span: 0, timeslot: 16, mode: 'mtp2' })), 'no-such-link');
  t.equal(await nakOf(bench.request({ type: 'linkConfig', link: 0, span: 0, timeslot: 0, mode: 'mtp2' })), 'bad-value');
});

t.test('span configuration changes are reported as spanStatus', async (t) => {
  const bench = await started();
  bench.clear();
  await bench.request({ type: 'spanConfig', span: 0, crc4: false, clock: 'internal' });
  await bench.request({ type: 'spanConfig', span: 0, crc4: false, clock: 'internal' });
  await bench.request({ type: 'spanSendRai', span: 0, on: true });
  t.same(
    bench.of('spanStatus').map((s) => [s.crc4, s.clock, s.sendingRai]),
    [
      [false, 'internal', false],
      [false, 'internal', true],
    ],
    'a request that changes nothing sends nothing',
  );
});

t.test('LOS: spanStatus reports it, the link goes out of service and comes back after', async (t) => {
  const bench = await started();
  await linkInService(bench);
  t.same(
    bench.of('linkState').map((l) => l.state),
    ['alignment', 'proving', 'in-service'],
  );
  bench.clear();
  bench.sim.setSpanDefects(0, { los: true });
  await bench.run(2000);
  t.same(bench.of('spanStatus').at(-1)?.defects, { los: true, lof: false, lmfa: false, ais: false, rai: false, ts16mfl: false });
  t.same(
    bench.of('linkState').map((l) => l.state),
    ['out-of-service'],
  );
  const clearedAt = bench.clock.now();
  bench.sim.setSpanDefects(0, { los: false });
  await bench.run(1000);
  t.equal(bench.of('spanStatus').at(-1)?.defects.los, false);
  t.same(
    bench
      .of('linkState')
      .slice(1)
      .map((l) => [l.at - clearedAt, l.state]),
    [
      [0, 'alignment'],
      [100, 'proving'],
      [600, 'in-service'],
    ],
    'realigns by itself',
  );
});

t.test('spanCounters every second follow the rates; CRC-4 reads 0 during LOS', async (t) => {
  const bench = await started();
  bench.sim.setSpanErrors(0, { crc4PerSecond: 40, lineCodeViolationsPerSecond: 2, slipsPerMinute: 6 });
  await bench.run(5000);
  const before = bench.of('spanCounters');
  t.same(
    before.map((c) => c.second),
    [0, 1, 2, 3, 4],
  );
  t.ok(before.every((c) => c.crc4Errors === 40 && c.lineCodeViolations === 2));
  bench.sim.setSpanDefects(0, { los: true });
  bench.clear();
  await bench.run(3000);
  t.ok(
    bench.of('spanCounters').every((c) => c.crc4Errors === 0),
    'framer cannot count CRC-4 without frame',
  );
  bench.sim.setSpanDefects(0, { los: false });
  bench.clear();
  await bench.run(52_000);
  const all = bench.sim.state().spans[0]!.counters;
  t.equal(all.secondsSent, 60);
  t.equal(all.totals.slips, 6, 'six slips in the first minute');
  t.equal(bench.of('spanCounters').at(-1)?.crc4Errors, 40);
});

t.test('off-hook brings dial tone after 200 ms; an unplugged line gives none', async (t) => {
  const bench = await started();
  bench.clear();
  await bench.request({ type: 'fxoHook', port: 1, offHook: true });
  await bench.run(300);
  t.same(
    bench.of('fxoTone').map((m) => [m.port, m.tone]),
    [[1, 'dial']],
  );
  t.same(bench.of('fxoStatus').at(-1), { type: 'fxoStatus', port: 1, voltage: -8, loopCurrent: 25, offHook: true, ringing: false, polarity: 'normal', at: bench.of('fxoStatus').at(-1)!.at });
  const digits: string[] = [];
  bench.sim.on('fxo-digits', (_port, d) => digits.push(d));
  await bench.request({ type: 'fxoDtmfSend', port: 1, digits: '12345' });
  t.same(digits, ['12345']);
  t.equal(bench.of('fxoTone').at(-1)?.tone, 'ringback', 'dialling ends dial tone; the exchange rings the number');

  bench.sim.setLinePlugged(2, false);
  bench.clear();
  await bench.request({ type: 'fxoHook', port: 2, offHook: true });
  await bench.run(1000);
  t.same(bench.of('fxoTone'), []);
  t.equal(bench.of('fxoStatus').at(-1)?.voltage, 0);
});

t.test('far-end hangup: open-loop drop, then busy tone while off-hook', async (t) => {
  const bench = await started();
  bench.sim.ringLine(0, {});
  await bench.run(500);
  await bench.request({ type: 'fxoHook', port: 0, offHook: true });
  bench.clear();
  bench.sim.hangUpLine(0);
  await bench.run(1000);
  t.same(
    bench.of('fxoStatus').map((s) => [s.at - bench.of('fxoStatus')[0]!.at, s.voltage, s.loopCurrent]),
    [
      [0, 0, 0],
      [600, -8, 25],
    ],
  );
  t.same(
    bench.of('fxoTone').map((m) => m.tone),
    ['busy'],
  );
});

t.test('an incoming call: ring cadence, caller ID, answer', async (t) => {
  const bench = await started();
  bench.clear();
  bench.sim.ringLine(0, { callerId: '12345', name: 'County office' });
  await bench.run(7000);
  t.same(
    bench.of('fxoRing').map((r) => [r.at, r.on]),
    [
      [10, true],
      [1010, false],
      [5010, true],
      [6010, false],
    ],
  );
  t.same(
    bench.of('fxoCallerId').map((c) => [c.at, c.number, c.name, c.method]),
    [[1510, '12345', 'County office', 'fsk']],
  );
  t.equal(bench.sim.state().fxo[0]?.ringing, true);
  await bench.request({ type: 'fxoHook', port: 0, offHook: true });
  t.equal(bench.sim.state().fxo[0]?.ringing, false);
  t.equal(bench.of('fxoStatus').at(-1)?.ringing, false);
});

t.test("the caller's keys: pressed during others they follow them; a hang-up or card reset loses the rest", async (t) => {
  const bench = await started();
  bench.sim.ringLine(0, {});
  await bench.request({ type: 'fxoHook', port: 0, offHook: true });
  bench.clear();
  const at = bench.clock.now();
  t.match(bench.sim.pressKeys({ port: 0 }, '12'), { startsAt: at, endsAt: at + 200 });
  await bench.run(120);
  t.match(bench.sim.pressKeys({ port: 0 }, '3'), { startsAt: at + 200, endsAt: at + 300 }, 'after the 2');
  await bench.run(400);
  t.same(
    bench.of('fxoDtmf').map((e) => [e.at - at, e.digit]),
    [
      [50, '1'],
      [150, '2'],
      [250, '3'],
    ],
  );

  bench.clear();
  bench.sim.pressKeys({ port: 0 }, '4567');
  await bench.run(160);
  bench.sim.hangUpLine(0);
  await bench.run(500);
  t.same(
    bench.of('fxoDtmf').map((e) => e.digit),
    ['4', '5'],
    'the keys after the hang-up reach no receiver',
  );

  await bench.request({ type: 'fxoHook', port: 0, offHook: false });
  await bench.request({ type: 'fxoHook', port: 0, offHook: true });
  bench.clear();
  bench.sim.pressKeys({ port: 0 }, '89');
  await bench.run(60);
  bench.sim.injectReset();
  await bench.run(2000);
  t.same(
    bench.of('fxoDtmf').map((e) => e.digit),
    ['8'],
    'a card reset puts the line on-hook: the 9 is lost',
  );
  t.throws(() => bench.sim.pressKeys({ port: 0 }, '1'), { name: 'SimError', code: 'conflict' });
});

t.test('fxoStatus refresh every 10 s', async (t) => {
  const bench = await started({ sim: { card: { fxoPorts: 2 } } });
  await bench.run(20_000);
  t.same(
    bench.of('fxoStatus').map((s) => [s.at, s.port]),
    [
      [10_000, 0],
      [10_000, 1],
      [20_000, 0],
      [20_000, 1],
    ],
  );
});

t.test('reset: ack, silent for resetMs, then cardStarted with host config gone', async (t) => {
  const bench = await started();
  await bench.request({ type: 'spanConfig', span: 0, crc4: false, clock: 'internal' });
  await linkInService(bench);
  await bench.request({ type: 'fxoHook', port: 0, offHook: true });
  bench.sim.setSpanDefects(0, { rai: true });
  bench.sim.setLinePlugged(3, false);
  bench.clear();

  t.same(await bench.request({ type: 'reset' }), { type: 'ack' });
  const resetAt = bench.clock.now();
  await bench.run(10);
  t.equal(bench.sim.state().card.resetting, true);
  await t.rejects(bench.request({ type: 'hello', hostName: 'h' }), { code: 'timeout' }, 'ignores input while resetting');
  await bench.run(1500);
  const started2 = bench.of('cardStarted');
  t.same(
    started2.map((m) => m.reason),
    ['reset'],
  );
  t.ok(Math.abs(started2[0]!.at - resetAt - 1500) <= 10, 'after 1500 ms');
  const beats = bench.of('heartbeat');
  t.ok(
    beats.every((h) => h.at >= started2[0]!.at),
    'no heartbeats while resetting',
  );
  t.ok(beats.length > 0, 'heartbeats resume');
  t.equal(beats[0]?.uptime, 0, 'uptime counts from the new boot');
  t.same(bench.of('spanCounters')[0]?.second, 0, 'counters start again');

  bench.clear();
  await bench.request({ type: 'snapshot' });
  await bench.run(20);
  const span = bench.of('spanStatus')[0]!;
  t.same([span.crc4, span.clock, span.sendingRai], [true, 'line', false], 'span config back to defaults');
  t.equal(span.defects.rai, true, 'line conditions stay');
  t.same(bench.of('linkState'), [], 'links unconfigured');
  t.same(
    bench.of('fxoStatus').map((s) => [s.offHook, s.voltage]),
    [
      [false, -48],
      [false, -48],
      [false, -48],
      [false, 0],
      [false, -48],
    ],
  );
  await t.rejects(bench.request({ type: 'linkControl', link: 0, action: 'start' }), { name: 'CardRequestError', nakCode: 'not-ready' });
});

t.test('card silence: no heartbeats, no answers, until it is lifted', async (t) => {
  const bench = await started();
  bench.sim.setSilent(true);
  bench.clear();
  await t.rejects(bench.request({ type: 'hello', hostName: 'h' }, 3000), { code: 'timeout' });
  t.same(bench.of('heartbeat'), []);
  bench.sim.setSilent(false);
  await bench.run(1000);
  t.ok(bench.of('heartbeat').length >= 1);
  t.equal((await bench.request({ type: 'hello', hostName: 'h' })).type, 'inventory');
});

t.test('protocol version fault: the host sees a version mismatch', async (t) => {
  const bench = await started();
  const seen: number[] = [];
  bench.host.on('version-mismatch', (v) => seen.push(v));
  bench.sim.setProtocolVersion(7);
  await bench.run(1500);
  t.ok(seen.length > 0 && seen.every((v) => v === 7));
  t.equal(bench.host.stats.dropped.version, seen.length);
  t.equal(bench.sim.state().card.protocolVersion, 7);
  bench.sim.setProtocolVersion(1);
  bench.clear();
  await bench.run(1000);
  t.ok(bench.of('heartbeat').length >= 1, 'back to normal');
});

t.test('serial noise 1%: frames are dropped and repeated, the host still ends up with the right state', async (t) => {
  const bench = await started({ sim: { noiseRatio: 0.01, random: seededRandom(42), card: { spans: 2 } } });
  bench.sim.setSpanErrors(0, { crc4PerSecond: 3 });
  // Keep the state moving: defects toggling, FXO lines changing.
  for (let i = 0; i < 30; i++) {
    bench.sim.setSpanDefects(i % 2, { rai: i % 3 === 0, ais: i % 5 === 0 });
    bench.sim.setLinePolarity(i % 5);
    await bench.request({ type: 'fxoHook', port: (i + 2) % 5, offHook: i % 2 === 0 }).catch(() => undefined);
    await bench.run(1000);
  }
  await bench.run(3000);
  const host = bench.host.stats;
  t.ok(host.dropped.crc + host.dropped.escape + host.dropped.short > 0, `host dropped ${JSON.stringify(host.dropped)}`);
  t.ok(host.duplicatesDropped + bench.sim.state().serial.link.retransmits > 0, 'events were repeated');
  const beats = bench.of('heartbeat');
  t.ok(beats.at(-1)!.rxErrors > 0, 'the card counts the frames it dropped');
  t.ok(bench.sim.state().serial.corruptedBytes > 0);

  // The host's view: the newest status per span/port, ordered by the card's seq
  // (a repeated event may arrive after a newer one).
  const state = bench.sim.state();
  const latest = (type: 'spanStatus' | 'fxoStatus', key: (m: Record<string, unknown>) => number) => {
    const best = new Map<number, { seq: number; message: Record<string, unknown> }>();
    for (const r of bench.received) {
      if (r.message.type !== type) continue;
      const k = key(r.message as unknown as Record<string, unknown>);
      const prev = best.get(k);
      if (!prev || seqNewer(r.header.seq, prev.seq)) best.set(k, { seq: r.header.seq, message: r.message as unknown as Record<string, unknown> });
    }
    return best;
  };
  const spans = latest('spanStatus', (m) => m.span as number);
  for (const s of state.spans) t.same(spans.get(s.span)?.message.defects, s.defects, `span ${s.span} defects`);
  const ports = latest('fxoStatus', (m) => m.port as number);
  for (const p of state.fxo) {
    const seen = ports.get(p.port)?.message;
    t.same([seen?.polarity, seen?.offHook], [p.polarity, p.offHook], `port ${p.port}`);
  }
  t.equal(host.eventsLost, 0);
});

function seqNewer(a: number, b: number): boolean {
  // Serial-number arithmetic over 16 bits (RFC 1982).
  const d = (a - b) & 0xffff;
  return d !== 0 && d < 0x8000;
}
