import t, { type Test } from 'tap';
import { inProcessRig, START } from '../../test-support/in-process-rig.js';
import type { FxoSupervisionEvent } from './fxo-supervisor.js';
import type { SpanAlarmTransition } from './span-alarm.js';

// Trunk health from what the real card driver hears from the card simulator, in memory, on
// a FakeClock. Default settings: red and blue after 2.5 s, yellow after 0.5 s, 10 s settle.
// The rig starts at 2025-03-10 09:00 China time: the start of a 15-minute interval.

async function rig(t: Test) {
  const r = inProcessRig(t, { trunks: {} });
  const alarms: SpanAlarmTransition[] = [];
  const lines: { port: number; event: FxoSupervisionEvent }[] = [];
  r.trunks.on('span-alarm', (_span, transition) => alarms.push(transition));
  r.trunks.on('fxo-line', (port, event) => lines.push({ port, event }));
  await r.up();
  return Object.assign(r, {
    alarms,
    lines,
    sendingRai: () => r.sim.state().spans[0]!.sendingRai,
    span: () => r.trunks.spanHealth()[0]!,
  });
}

const brief = (a: SpanAlarmTransition, since: number) => [a.from, a.to, a.causes, a.at - since];

t.test('LOS held 2.5 s: red with cause LOS, and RAI sent to the far end until the span is clear', async (t) => {
  const r = await rig(t);
  const t0 = r.clock.now();
  r.sim.setSpanDefects(0, { los: true });
  await r.run(2490);
  t.same(r.alarms, [], 'not red before 2.5 s');
  await r.run(110);
  t.same(
    r.alarms.map((a) => brief(a, t0)),
    [['none', 'red', ['LOS'], 2500]],
  );
  t.match(r.span(), { alarm: 'red', alarmCauses: ['LOS'] });
  t.equal(r.sendingRai(), true, 'the card sends RAI while the span is red');

  const t1 = r.clock.now();
  r.sim.setSpanDefects(0, { los: false });
  await r.run(5000);
  t.equal(r.span().alarm, 'recovering');
  // DAHDI (wct4xxp t4_check_alarms) keeps sending yellow while the span recovers and clears
  // it only once the alarm settle time has passed: the far end must not see the span as
  // good until this end declares it good.
  t.equal(r.sendingRai(), true, 'RAI is still sent while the span is recovering');
  await r.run(5100);
  t.same(
    r.alarms.map((a) => brief(a, t1)),
    [
      ['none', 'red', ['LOS'], 2500 - (t1 - t0)],
      ['red', 'recovering', ['LOS'], 0],
      ['recovering', 'none', ['LOS'], 10_000],
    ],
    'recovering at once, clear after the 10 s settle time',
  );
  t.equal(r.span().alarm, 'none');
  t.equal(r.sendingRai(), false, 'RAI stops once the span is clear');
});

t.test('a card reset while a span is red: RAI is sent again once the card is back', async (t) => {
  const r = await rig(t);
  r.sim.setSpanDefects(0, { los: true });
  await r.run(3000);
  t.equal(r.sendingRai(), true);
  r.sim.injectReset();
  await r.run(100);
  t.equal(r.sendingRai(), false, 'the reset card forgot it');
  await r.run(2000);
  t.equal(r.card.current, 'up');
  t.equal(r.span().alarm, 'red', 'the span stays red through the reset');
  t.equal(r.sendingRai(), true, 'RAI sent again');
});

t.test('a 2 s LOS blip raises nothing', async (t) => {
  const r = await rig(t);
  let rai = false;
  r.watch(() => (rai ||= r.sendingRai()));
  r.sim.setSpanDefects(0, { los: true });
  await r.run(2000);
  r.sim.setSpanDefects(0, { los: false });
  await r.run(15_000);
  t.same(r.alarms, [], 'no span-alarm');
  t.equal(r.span().alarm, 'none');
  t.notOk(rai, 'no RAI sent');
});

t.test('AIS held 2.5 s: blue', async (t) => {
  const r = await rig(t);
  const t0 = r.clock.now();
  r.sim.setSpanDefects(0, { ais: true });
  await r.run(3000);
  t.same(
    r.alarms.map((a) => brief(a, t0)),
    [['none', 'blue', ['AIS'], 2500]],
  );
  t.match(r.span(), { alarm: 'blue', alarmCauses: ['AIS'] });
});

t.test('RAI from the far end held 0.5 s: yellow', async (t) => {
  const r = await rig(t);
  const t0 = r.clock.now();
  r.sim.setSpanDefects(0, { rai: true });
  await r.run(1000);
  t.same(
    r.alarms.map((a) => brief(a, t0)),
    [['none', 'yellow', ['RAI'], 500]],
  );
  t.match(r.span(), { alarm: 'yellow', alarmCauses: ['RAI'] });
  t.equal(r.sendingRai(), false, 'a yellow span does not send RAI back');
});

t.test('CRC-4 errors of 400/s for 8 s: 8 severely errored seconds, still available', async (t) => {
  const r = await rig(t);
  r.sim.setSpanErrors(0, { crc4PerSecond: 400 }, 8);
  await r.run(8000);
  t.equal(r.span().pendingSeconds, 8, 'held back until their availability is known');
  await r.run(4000);
  t.match(r.span(), { available: true, pendingSeconds: 0, current15min: { start: START, es: 8, ses: 8, uas: 0, bbe: 0 } });
  t.equal(r.sim.state().spans[0]?.counters.totals.crc4Errors, 3200, 'exactly 8 seconds of 400');
  t.same(r.alarms, [], 'errors alone raise no span alarm');
});

t.test('CRC-4 errors of 400/s for 15 s: 15 unavailable seconds, none errored', async (t) => {
  const r = await rig(t);
  r.sim.setSpanErrors(0, { crc4PerSecond: 400 }, 15);
  await r.run(15_000);
  t.equal(r.span().available, false, 'unavailable after 10 severely errored seconds');
  await r.run(12_000);
  t.match(r.span(), { available: true, pendingSeconds: 0, current15min: { es: 0, ses: 0, uas: 15, bbe: 0 } });
});

t.test('FXO: an unplugged line is reported after 1 s, a plugged one again at once', async (t) => {
  const r = await rig(t);
  t.same(
    r.trunks.fxoHealth().map((p) => [p.port, p.line, p.voltage, p.hook]),
    [0, 1, 2, 3, 4].map((p) => [p, 'present', -48, 'on']),
    'every port has exchange battery',
  );
  r.lines.length = 0;
  const t0 = r.clock.now();
  r.sim.setLinePlugged(3, false);
  await r.run(990);
  t.same(r.lines, [], 'not yet after 990 ms');
  await r.run(100);
  t.same(
    r.lines.map((l) => [l.port, l.event.type, l.event.at - t0]),
    [[3, 'line-unplugged', 1000]],
  );
  t.match(r.trunks.fxoHealth()[3], { line: 'unplugged', voltage: 0 });
  t.match(r.trunks.fxoHealth()[2], { line: 'present', voltage: -48 }, 'the other ports are untouched');

  const t1 = r.clock.now();
  r.sim.setLinePlugged(3, true);
  await r.run(200);
  t.same(
    r.lines.map((l) => [l.port, l.event.type, l.event.at - t1]).slice(1),
    [[3, 'line-present', 64]],
  );
  t.match(r.trunks.fxoHealth()[3], { line: 'present', voltage: -48 });
});

t.test('after stop() the monitor hears nothing more: no alarm, no timer, no RAI', async (t) => {
  // Firmware.stop() stops the trunks before it closes the card; a report arriving in between
  // must not start an integration timer that holds the process up.
  const r = await rig(t);
  const linesBefore = r.lines.length;
  r.trunks.stop();
  r.sim.setSpanDefects(0, { los: true });
  r.sim.setLinePlugged(1, false);
  await r.run(5000);
  t.same(r.alarms, [], 'no span alarm after stop');
  t.same(r.lines.slice(linesBefore), [], 'no line event after stop');
  t.equal(r.sendingRai(), false, 'no RAI asked of the card');
  t.equal(r.span().alarm, 'none');
});
