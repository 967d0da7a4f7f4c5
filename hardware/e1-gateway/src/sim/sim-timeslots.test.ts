import t from 'tap';
import { InMemoryBench, type InMemoryBenchOptions } from './in-memory-bench.js';

async function started(opts: InMemoryBenchOptions = {}) {
  const bench = new InMemoryBench(opts);
  bench.sim.start();
  await bench.run(10);
  return bench;
}

t.test('tone through a loopback is detected after 60 ms; tone off clears it', async (t) => {
  const bench = await started();
  await bench.request({ type: 'tsLoopback', span: 0, timeslot: 5, on: true });
  bench.clear();
  await bench.request({ type: 'tsTone', span: 0, timeslot: 5, frequency: 2000 });
  const sentAt = bench.clock.now();
  await bench.run(200);
  const detect = bench.of('tsToneDetect');
  t.same(
    detect.map((d) => [d.timeslot, d.frequency, d.present]),
    [[5, 2000, true]],
  );
  t.ok(detect[0]!.at - sentAt >= 60 && detect[0]!.at - sentAt <= 70, 'about 60 ms after the tone started');
  await bench.request({ type: 'tsTone', span: 0, timeslot: 5, frequency: 0 });
  await bench.run(10);
  t.same(
    bench.of('tsToneDetect').map((d) => [d.frequency, d.present]),
    [
      [2000, true],
      [2000, false],
    ],
  );
});

t.test('no tone back without a loop, through a broken loop, or on a span in LOS', async (t) => {
  const bench = await started();
  await bench.request({ type: 'tsTone', span: 0, timeslot: 7, frequency: 2000 });
  await bench.run(200);
  t.same(bench.of('tsToneDetect'), [], 'nothing loops timeslot 7');

  bench.sim.setLoopbackFault(0, 8, true);
  await bench.request({ type: 'tsLoopback', span: 0, timeslot: 8, on: true });
  await bench.request({ type: 'tsTone', span: 0, timeslot: 8, frequency: 2000 });
  await bench.run(500);
  t.same(bench.of('tsToneDetect'), [], 'broken loopback');
  t.same(bench.sim.state().spans[0]?.timeslots.brokenLoopbacks, [8]);

  bench.sim.setSpanDefects(0, { los: true });
  await bench.request({ type: 'tsLoopback', span: 0, timeslot: 9, on: true });
  await bench.request({ type: 'tsTone', span: 0, timeslot: 9, frequency: 1000 });
  await bench.run(500);
  t.same(bench.of('tsToneDetect'), [], 'LOS');
  bench.sim.setSpanDefects(0, { los: false });
  await bench.run(100);
  t.same(
    bench.of('tsToneDetect').map((d) => [d.timeslot, d.present]),
    [[9, true]],
    'detected once the span is back',
  );
});

t.test('the far-end hook loops timeslots back (continuity check)', async (t) => {
  const looped = new Set<number>();
  const bench = await started({ sim: { timeslotFarEnd: { farEndLoopback: (_span, ts) => looped.has(ts) } } });
  await bench.request({ type: 'tsTone', span: 0, timeslot: 3, frequency: 2000 });
  await bench.run(100);
  t.same(bench.of('tsToneDetect'), []);
  looped.add(3);
  bench.sim.recheckTimeslots();
  await bench.run(100);
  t.same(
    bench.of('tsToneDetect').map((d) => d.present),
    [true],
  );
});
