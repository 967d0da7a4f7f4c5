import t from 'tap';
import { InMemoryBench } from './in-memory-bench.js';
import type { LineKey } from './media-lines.js';

async function started() {
  const bench = new InMemoryBench({ sim: { card: { spans: 2 } } });
  bench.sim.start();
  await bench.run(10);
  const events: string[] = [];
  bench.sim.media.on('connect', (line, port) => events.push(`connect ${line} ${port}`));
  bench.sim.media.on('disconnect', (line) => events.push(`disconnect ${line}`));
  return { bench, events, media: bench.sim.media };
}

t.test('tsConnect and fxoConnect connect lines; media port 0 disconnects; connecting again re-points', async (t) => {
  const { bench, events, media } = await started();
  t.same(await bench.request({ type: 'fxoConnect', port: 2, mediaPort: 40002 }), { type: 'ack' });
  t.same(await bench.request({ type: 'tsConnect', span: 1, timeslot: 5, mediaPort: 40105 }), { type: 'ack' });
  t.same(media.connections(), [
    { line: 'fxo/2', mediaPort: 40002 },
    { line: 'e1/1/5', mediaPort: 40105 },
  ]);
  t.same(bench.sim.state().spans[1]!.timeslots.connections, [{ timeslot: 5, mediaPort: 40105 }], 'the span shows the connection');
  await bench.request({ type: 'fxoConnect', port: 2, mediaPort: 40020 });
  await bench.request({ type: 'fxoConnect', port: 2, mediaPort: 40020 });
  await bench.request({ type: 'tsConnect', span: 1, timeslot: 5, mediaPort: 0 });
  await bench.request({ type: 'fxoConnect', port: 3, mediaPort: 0 });
  t.same(events, ['connect fxo/2 40002', 'connect e1/1/5 40105', 'connect fxo/2 40020', 'disconnect e1/1/5'], 'a repeat changes nothing; 0 on an unconnected line neither');
  t.same(bench.sim.state().spans[1]!.timeslots.connections, [], 'tsConnect 0 removes the connection from the span too');
  t.equal(bench.sim.lineAudio({ port: 2 }).mediaPort, 40020);
  t.equal(bench.sim.lineAudio({ span: 1, timeslot: 5 }).connected, false);
});

t.test('a card reset and the card stopping disconnect every line', async (t) => {
  const { bench, events, media } = await started();
  await bench.request({ type: 'fxoConnect', port: 0, mediaPort: 40000 });
  await bench.request({ type: 'tsConnect', span: 0, timeslot: 1, mediaPort: 40001 });
  bench.sim.injectReset();
  t.same(media.connections(), []);
  t.same(events.slice(2), ['disconnect fxo/0', 'disconnect e1/0/1']);
  await bench.run(2000);
  await bench.request({ type: 'fxoConnect', port: 0, mediaPort: 40000 });
  bench.sim.stop();
  t.same(events.slice(4), ['connect fxo/0 40000', 'disconnect fxo/0']);
});

t.test('an FXO line carries audio only with its loop closed; a timeslot only while its span is in frame', async (t) => {
  const { bench, media } = await started();
  const fxo: LineKey = 'fxo/1';
  const ts: LineKey = 'e1/0/7';
  t.equal(media.carrying(fxo), false, 'not connected');
  await bench.request({ type: 'fxoConnect', port: 1, mediaPort: 40001 });
  t.equal(media.carrying(fxo), false, 'connected, on-hook');
  await bench.request({ type: 'fxoHook', port: 1, offHook: true });
  t.equal(media.carrying(fxo), true, 'off-hook');
  bench.sim.setLinePlugged(1, false);
  t.equal(media.carrying(fxo), false, 'unplugged');
  bench.sim.setLinePlugged(1, true);
  bench.sim.hangUpLine(1);
  t.equal(media.carrying(fxo), false, 'open loop while the far end hangs up');
  await bench.run(1000);
  t.equal(media.carrying(fxo), true, 'battery back (busy tone): the loop is closed again');
  await bench.request({ type: 'fxoHook', port: 1, offHook: false });
  t.equal(media.carrying(fxo), false, 'on-hook again');

  await bench.request({ type: 'tsConnect', span: 0, timeslot: 7, mediaPort: 40007 });
  t.equal(media.carrying(ts), true, 'span in frame');
  for (const defect of ['los', 'lof', 'ais'] as const) {
    bench.sim.setSpanDefects(0, { [defect]: true });
    t.equal(media.carrying(ts), false, defect);
    bench.sim.setSpanDefects(0, { [defect]: false });
  }
  bench.sim.setSpanDefects(0, { rai: true, lmfa: true });
  t.equal(media.carrying(ts), true, 'RAI and LMFA leave the frame alignment, so the audio');
});
