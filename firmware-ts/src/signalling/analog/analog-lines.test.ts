import { pino } from 'pino';
import t, { type Test } from 'tap';
import { inProcessRig } from '../../../test-support/in-process-rig.js';
import { AnalogLines, type LineEvent } from './analog-lines.js';

// The loop-start lines against the card simulator's FXO ports: the real card driver, the
// simulated exchange side of each line (ring cadence, FSK caller ID, open-loop disconnect,
// dial tone, busy tone) and the trunk monitor's line supervision, on one fake clock.

async function rig(t: Test) {
  const r = inProcessRig(t, { trunks: {} });
  const lines = new AnalogLines({ card: r.card, trunks: r.trunks, clock: r.clock, logger: pino({ level: 'silent' }) });
  t.teardown(() => lines.stop());
  const events: { port: number; event: LineEvent; at: number }[] = [];
  lines.on('line', (port, event) => events.push({ port, event, at: r.clock.now() }));
  await r.up();
  await r.run(1500); // the lines' first status reports: battery on every port
  const seen = (port: number) => events.filter((e) => e.port === port).map((e) => e.event.type);
  return { r, lines, events, seen, fxo: (port: number) => r.sim.state().fxo[port]! };
}

t.test('a ring with caller ID is offered with the number; answered, it connects; the far end hangs up', async (t) => {
  const { r, lines, events, seen, fxo } = await rig(t);
  const ringAt = r.clock.now();
  r.sim.ringLine(2, { callerId: '13900000000', name: 'ZHANG' });
  t.ok(await r.until(() => seen(2).includes('incoming'), 4000), 'offered');
  const incoming = events.find((e) => e.event.type === 'incoming')!;
  t.match(incoming.event, { callerId: { number: '13900000000', method: 'fsk' } }, 'with the FSK caller ID');
  t.ok(incoming.at - ringAt < 2000, `offered ${incoming.at - ringAt} ms after the ring began, before the second ring`);
  lines.answer(2);
  t.ok(await r.until(() => seen(2).includes('answered')));
  t.match(fxo(2), { call: 'connected', offHook: true }, 'the line is off-hook, the call connected');
  r.sim.hangUpLine(2);
  t.ok(await r.until(() => seen(2).includes('far-end-hangup'), 2000));
  t.match(events.find((e) => e.event.type === 'far-end-hangup')?.event, { signal: 'battery-loss' }, 'seen as the open-loop disconnect');
  t.ok(await r.until(() => fxo(2).offHook === false && lines.view().find((v) => v.port === 2)?.state === 'idle'), 'on-hook, and the line idle');
  t.same(seen(2), ['incoming', 'answered', 'far-end-hangup', 'idle']);
});

t.test('the caller hangs up while it rings: caller-gone, nothing left off-hook', async (t) => {
  const { r, seen, fxo } = await rig(t);
  r.sim.ringLine(1, { callerId: '12345' });
  t.ok(await r.until(() => seen(1).includes('incoming'), 4000));
  await r.run(6000); // a second ring
  r.sim.hangUpLine(1);
  t.ok(await r.until(() => seen(1).includes('caller-gone'), 10_000));
  t.same(seen(1), ['incoming', 'caller-gone', 'idle']);
  t.match(fxo(1), { call: 'idle', offHook: false });
});

t.test('seizing a line: off-hook, dial tone, the digits dialled', async (t) => {
  const { r, lines, events, seen, fxo } = await rig(t);
  lines.seize(3, '95598');
  t.ok(await r.until(() => seen(3).includes('seized'), 2000));
  t.match(events.find((e) => e.event.type === 'seized')?.event, { digits: '95598' });
  t.match(fxo(3), { offHook: true, tone: 'ringback', dialled: '95598' }, 'dialling ended the dial tone; the exchange rings the number');
  lines.hangUp(3);
  t.ok(await r.until(() => fxo(3).offHook === false && seen(3).includes('idle')));
});

t.test('the line pulled out mid-call: first a hang-up (the battery went), then the port unplugged until it is back', async (t) => {
  const { r, lines, events, seen, fxo } = await rig(t);
  r.sim.ringLine(4, {});
  t.ok(await r.until(() => seen(4).includes('incoming'), 5000), 'offered without caller ID after the wait');
  lines.answer(4);
  t.ok(await r.until(() => seen(4).includes('answered')));
  r.sim.setLinePlugged(4, false);
  // 64 ms without battery is a hang-up; the same line still dead at 1 s is an unplugged port.
  t.ok(await r.until(() => seen(4).includes('far-end-hangup'), 1000));
  t.match(events.find((e) => e.event.type === 'far-end-hangup')?.event, { signal: 'battery-loss' });
  t.ok(await r.until(() => fxo(4).offHook === false), 'the box went on-hook');
  t.ok(await r.until(() => lines.view().find((v) => v.port === 4)?.state === 'unplugged', 3000), 'then the port is unplugged');
  lines.seize(4, '1');
  await r.run(50);
  t.same(seen(4).at(-1), 'seize-failed', 'no seizure of a line that is not there');
  t.match(events.at(-1)?.event, { reason: 'unplugged' });
  r.sim.setLinePlugged(4, true);
  t.ok(await r.until(() => lines.view().find((v) => v.port === 4)?.state === 'idle', 3000), 'idle once the line is back');
  t.same(seen(4), ['incoming', 'answered', 'far-end-hangup', 'idle', 'seize-failed', 'idle']);
});

t.test('the card restarts mid-call: the call is lost, the line idle and on-hook', async (t) => {
  const { r, lines, seen, fxo } = await rig(t);
  r.sim.ringLine(2, { callerId: '13900000000' });
  t.ok(await r.until(() => seen(2).includes('incoming'), 4000));
  lines.answer(2);
  t.ok(await r.until(() => seen(2).includes('answered')));
  r.sim.injectReset();
  t.ok(await r.until(() => seen(2).includes('line-lost'), 5000));
  t.match(lines.view().find((v) => v.port === 2), { state: 'idle', offHook: false });
  t.equal(fxo(2).offHook, false);
});
