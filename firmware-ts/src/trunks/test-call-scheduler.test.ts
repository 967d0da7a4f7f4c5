import t, { type Test } from 'tap';
import { flush } from '../../test-support/fake-time.js';
import { inProcessRig, START } from '../../test-support/in-process-rig.js';
import { buildStatus } from '../status.js';
import type { FxoSupervisorSettings } from './fxo-supervisor.js';
import { parseCircuit, type CircuitRecord, type TestCallSettings, type TestOutcome } from './test-call-scheduler.js';

// Test calls through the real card driver and the card simulator, in memory, on a FakeClock.
// The rig starts at 2025-03-10 09:00 China time (UTC+8).

const HOUR = 3_600_000;

function rig(t: Test, settings: Partial<TestCallSettings> = {}, start = START, fxo: Partial<FxoSupervisorSettings> = {}) {
  const r = inProcessRig(t, { start, testCalls: settings, trunks: { fxo } });
  const scheduler = r.testCalls;
  const results: TestOutcome[] = [];
  const blocked: CircuitRecord[] = [];
  const unblocked: CircuitRecord[] = [];
  scheduler.on('test-result', (outcome) => results.push(outcome));
  scheduler.on('circuit-blocked', (record) => blocked.push(structuredClone(record)));
  scheduler.on('circuit-unblocked', (record) => unblocked.push(structuredClone(record)));
  return Object.assign(r, {
    scheduler,
    results,
    blocked,
    unblocked,
    test: (circuits: string[]) => r.settle(scheduler.run(circuits), 600_000),
  });
}

const e1 = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `e1/0/${from + i}`);

t.test('circuits: every FXO port, then E1 timeslots 1-31 but not the signalling timeslot', async (t) => {
  const r = rig(t);
  await r.up();
  t.same(r.scheduler.circuits(), ['fxo/0', 'fxo/1', 'fxo/2', 'fxo/3', 'fxo/4', ...e1(1, 15), ...e1(17, 31)]);
  t.same(parseCircuit('e1/0/5'), { kind: 'e1', span: 0, timeslot: 5 });
  t.same(parseCircuit('fxo/3'), { kind: 'fxo', port: 3 });
  t.equal(parseCircuit('e1/0'), null);
});

t.test('an FXO test call passes on a plugged line and hangs up after', async (t) => {
  const r = rig(t);
  await r.up();
  const [outcome] = await r.test(['fxo/1']);
  t.match(outcome, { circuit: 'fxo/1', result: 'pass', reason: null });
  t.ok(outcome!.durationMs >= 200 && outcome!.durationMs < 300, `dial tone after the exchange's 200 ms (${outcome!.durationMs} ms)`);
  t.match(r.sim.state().fxo[1], { offHook: false, call: 'idle' }, 'the line is released');
  t.match(r.scheduler.list().find((c) => c.circuit === 'fxo/1'), { consecutiveFailures: 0, blocked: false, lastTest: { result: 'pass' } });
});

t.test('an unplugged FXO line fails without going off-hook', async (t) => {
  const r = rig(t);
  await r.up();
  r.sim.setLinePlugged(3, false);
  await r.run(100);
  const seized: unknown[] = [];
  r.card.on('fxo-status', (m) => {
    if (m.port === 3 && m.offHook) seized.push(m);
  });
  const [outcome] = await r.test(['fxo/3']);
  t.match(outcome, { circuit: 'fxo/3', result: 'fail', reason: /no line/ });
  t.same(seized, [], 'the port never went off-hook');
  t.equal(r.sim.state().fxo[3]?.call, 'idle');
});

for (const { threshold, line, result } of [
  { threshold: 5, line: 'unplugged', result: 'fail' },
  { threshold: 3, line: 'present', result: 'pass' },
] as const) {
  t.test(`a line at 4 V with trunks.fxo.batteryThresholdV ${threshold}: ${line}, its test call a ${result}`, async (t) => {
    const r = rig(t, {}, START, { batteryThresholdV: threshold });
    await r.up();
    r.lineVoltage(3, -4);
    await r.settle(r.card.command({ type: 'snapshot' }));
    await r.run(1100); // longer than the 1 s a line must be without battery to count as unplugged
    t.match(buildStatus(r.card, r.trunks, 0).fxo[3], { line, voltage: -4 }, `${line} in the status`);
    t.equal(r.card.state.fxo.get(3)?.line, line, "and in the card's own view");
    let seized = false;
    r.watch(() => (seized ||= r.sim.state().fxo[3]!.offHook));
    const [outcome] = await r.test(['fxo/3']);
    if (result === 'fail') {
      t.match(outcome, { circuit: 'fxo/3', result: 'fail', reason: 'no line on the port (no battery voltage)' });
      t.notOk(seized, 'the port never went off-hook');
    } else {
      t.match(outcome, { circuit: 'fxo/3', result: 'pass', reason: null });
      t.ok(seized, 'the port went off-hook for its dial tone');
    }
  });
}

t.test('a broken loopback fails; two failures in a row block the circuit, a pass unblocks it', async (t) => {
  const r = rig(t);
  await r.up();
  r.sim.setLoopbackFault(0, 5, true);
  const [first] = await r.test(['e1/0/5']);
  t.match(first, { result: 'fail', reason: 'no 2000 Hz tone back within 2 s' });
  t.equal(r.scheduler.isBlocked('e1/0/5'), false, 'one failure does not block');
  t.same(r.blocked, []);

  await r.test(['e1/0/5']);
  t.equal(r.scheduler.isBlocked('e1/0/5'), true, 'blocked after the second failure in a row');
  t.match(r.blocked, [{ circuit: 'e1/0/5', blocked: true, consecutiveFailures: 2 }]);
  await r.test(['e1/0/5']);
  t.equal(r.blocked.length, 1, 'circuit-blocked only once');
  t.match(r.sim.state().spans[0]?.timeslots, { loopbacks: [], tones: [] }, 'the test leaves no loopback or tone behind');
  const [neighbour] = await r.test(['e1/0/6']);
  t.equal(neighbour?.result, 'pass', 'the next timeslot is fine');

  r.sim.setLoopbackFault(0, 5, false);
  const [fixed] = await r.test(['e1/0/5']);
  t.equal(fixed?.result, 'pass');
  t.equal(r.scheduler.isBlocked('e1/0/5'), false);
  t.match(r.unblocked, [{ circuit: 'e1/0/5', blocked: false, consecutiveFailures: 0 }]);
});

t.test('a line in use (off-hook or ringing) is skipped and not counted', async (t) => {
  const r = rig(t);
  await r.up();
  // An unplugged line fails once ...
  r.sim.setLinePlugged(0, false);
  await r.run(100);
  t.match(await r.test(['fxo/0']), [{ result: 'fail' }]);
  // ... is then in use (a call holds it off-hook): skipped, the count neither grows nor resets ...
  await r.settle(r.card.command({ type: 'fxoHook', port: 0, offHook: true }));
  await r.run(50);
  t.match(await r.test(['fxo/0']), [{ result: 'skipped', reason: 'line in use' }]);
  t.match(r.scheduler.list().find((c) => c.circuit === 'fxo/0'), { consecutiveFailures: 1, blocked: false });
  await r.settle(r.card.command({ type: 'fxoHook', port: 0, offHook: false }));
  await r.run(50);
  // ... and the next failure is the second in a row.
  await r.test(['fxo/0']);
  t.equal(r.scheduler.isBlocked('fxo/0'), true);

  r.sim.ringLine(4, {});
  await r.run(50);
  t.match(await r.test(['fxo/4']), [{ result: 'skipped', reason: 'line in use' }]);
  t.match(r.sim.state().fxo[4], { call: 'ringing' }, 'the incoming call was not answered by the test');
  t.match(r.scheduler.list().find((c) => c.circuit === 'fxo/4'), { consecutiveFailures: 0, lastTest: { result: 'skipped' } });
});

t.test('circuits of a span in alarm are skipped, never looped', async (t) => {
  const r = rig(t);
  await r.up();
  r.sim.setSpanDefects(0, { los: true });
  await r.run(3000);
  let looped = false;
  r.watch(() => (looped ||= (r.sim.state().spans[0]?.timeslots.loopbacks.length ?? 0) > 0));
  t.match(await r.test(['e1/0/3', 'e1/0/4']), [
    { circuit: 'e1/0/3', result: 'skipped', reason: 'span 0 is in alarm' },
    { circuit: 'e1/0/4', result: 'skipped', reason: 'span 0 is in alarm' },
  ]);
  t.notOk(looped, 'no loopback was set');
  t.match(r.scheduler.list().find((c) => c.circuit === 'e1/0/3'), { consecutiveFailures: 0, blocked: false });
});

t.test('tests run one after another, never two at once', async (t) => {
  const r = rig(t);
  await r.up();
  let most = 0;
  const seen = new Set<number>();
  r.watch(() => {
    const { loopbacks } = r.sim.state().spans[0]!.timeslots;
    most = Math.max(most, loopbacks.length);
    for (const ts of loopbacks) seen.add(ts);
  });
  // A scheduled run and an operator's test call asked for at the same moment.
  const a = r.scheduler.run(['e1/0/1', 'e1/0/2', 'e1/0/3']);
  const b = r.scheduler.run(['e1/0/4', 'fxo/2', 'e1/0/5']);
  const [ra, rb] = await r.settle(Promise.all([a, b]));
  t.same([...ra, ...rb].map((o) => o.result), ['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
  t.same(
    r.results.map((o) => o.circuit),
    ['e1/0/1', 'e1/0/2', 'e1/0/3', 'e1/0/4', 'fxo/2', 'e1/0/5'],
  );
  t.same([...seen].sort((x, y) => x - y), [1, 2, 3, 4, 5], 'every E1 circuit was looped');
  t.equal(most, 1, 'never two timeslots looped at once');
  for (let i = 1; i < r.results.length; i++) {
    const prev = r.results[i - 1]!;
    t.ok(r.results[i]!.at >= prev.at + prev.durationMs, `${r.results[i]!.circuit} starts after ${prev.circuit} ends`);
  }
});

t.test('nextRunAt: nightly at 02:00 China time, every 6 hours from the last run', async (t) => {
  const china = (iso: string) => Date.parse(`${iso}+08:00`);
  const nightly = rig(t, { schedule: { mode: 'nightly', at: '02:00' }, utcOffsetHours: 8 }).scheduler;
  t.equal(nightly.nextRunAt(china('2025-03-10T18:00:00')), china('2025-03-11T02:00:00'), 'in the evening: tonight');
  t.equal(nightly.nextRunAt(china('2025-03-11T01:30:00')), china('2025-03-11T02:00:00'), 'just after midnight: the same night');
  t.equal(nightly.nextRunAt(china('2025-03-11T02:00:00')), china('2025-03-12T02:00:00'), 'at 02:00 itself: the next night');
  t.equal(nightly.nextRunAt(china('2025-03-11T02:30:00')), china('2025-03-12T02:00:00'), 'after 02:00: the next night');
  t.equal(nightly.nextRunAt(china('2025-03-11T07:59:00')), china('2025-03-12T02:00:00'), 'before UTC midnight');

  // The card is not started here: the scheduled run only logs that it is skipped.
  const r = rig(t, { schedule: { mode: 'every', hours: 6 } });
  t.equal(r.scheduler.nextRunAt(), START + 6 * HOUR, 'before any run: six hours from now');
  r.scheduler.start();
  r.clock.advance(6 * HOUR);
  await flush();
  t.equal(r.scheduler.nextRunAt(START + 7 * HOUR), START + 12 * HOUR, 'six hours after the last scheduled run, not after now');
  t.equal(r.scheduler.nextRunAt(), START + 12 * HOUR);
  t.equal(r.results.length, 0, 'no tests while the card is down');

  const off = rig(t, { schedule: { mode: 'off' } }).scheduler;
  t.equal(off.nextRunAt(), null);
});

t.test('the nightly run fires at 02:00 and tests every circuit', async (t) => {
  const r = rig(t, { schedule: { mode: 'nightly', at: '02:00' }, utcOffsetHours: 8 }, Date.parse('2025-03-11T01:58:00+08:00'));
  await r.up();
  r.scheduler.start();
  await r.run(90_000, 25);
  t.same(r.results, [], 'nothing before 02:00');
  await r.run(30_000 + 10_000, 5);
  const twoAm = Date.parse('2025-03-11T02:00:00+08:00');
  t.same(
    r.results.map((o) => o.circuit),
    r.scheduler.circuits(),
    'every circuit, in order',
  );
  t.ok(
    r.results.every((o) => o.result === 'pass'),
    'all pass on a healthy card',
  );
  t.equal(r.results[0]?.at, twoAm, 'started at 02:00');
  t.equal(r.scheduler.nextRunAt(), Date.parse('2025-03-12T02:00:00+08:00'), 'next run the following night');
});

t.test('a blocked circuit stays blocked across a restart (toJSON / restore)', async (t) => {
  const r = rig(t);
  await r.up();
  r.sim.setLoopbackFault(0, 7, true);
  await r.test(['e1/0/7']);
  await r.test(['e1/0/7']);
  t.equal(r.scheduler.isBlocked('e1/0/7'), true);
  const saved = JSON.parse(JSON.stringify(r.scheduler.toJSON())) as CircuitRecord[];

  const after = r.makeScheduler();
  after.restore(saved);
  t.equal(after.isBlocked('e1/0/7'), true, 'still blocked');
  t.match(
    after.list().find((c) => c.circuit === 'e1/0/7'),
    { blocked: true, consecutiveFailures: 2, lastTest: { result: 'fail' } },
  );
  t.equal(after.isBlocked('e1/0/8'), false);
  const unblocked: string[] = [];
  after.on('circuit-unblocked', (record) => unblocked.push(record.circuit));
  r.sim.setLoopbackFault(0, 7, false);
  await r.settle(after.run(['e1/0/7']));
  t.same(unblocked, ['e1/0/7'], 'a pass after the restart puts it back in service');
});

t.test('stop() during a scheduled pass: the test under way is cut short, its line back on-hook, no other is tested, no further pass runs', async (t) => {
  const r = rig(t, { schedule: { mode: 'every', hours: 0.1 } }); // every 6 minutes
  await r.up();
  r.scheduler.start();
  t.ok(await r.until(() => r.results.length >= 2 && r.card.state.fxo.get(2)?.hook === 'off', 7 * 60_000, 5), 'the pass is under way, fxo/2 off-hook for its test');
  const tested = r.results.length;
  const stopped = r.scheduler.stop();
  await r.settle(stopped, 100);
  t.same(
    r.results.slice(tested).map((o) => [o.circuit, o.result, o.reasonCode]),
    [['fxo/2', 'skipped', 'stopped']],
    'the test under way ended at once, recorded as skipped, not as a failure of the line',
  );
  t.equal(r.scheduler.list().find((c) => c.circuit === 'fxo/2')?.consecutiveFailures, 0);
  await r.run(200);
  t.equal(r.card.state.fxo.get(2)?.hook, 'on', 'the line is back on-hook');
  await r.run(30 * 60_000, 500);
  t.equal(r.results.length, tested + 1, 'no other circuit was tested, and no pass ran in the next 30 minutes');
});

t.test('stop() during a scheduled pass, then the card (as on SIGTERM): nothing is left pending on the clock', async (t) => {
  const r = rig(t, { schedule: { mode: 'every', hours: 0.1 } });
  await r.up();
  r.scheduler.start();
  t.ok(await r.until(() => r.results.length >= 2, 7 * 60_000, 25), 'the pass is under way');
  r.scheduler.stop();
  r.trunks.stop();
  await r.card.stop();
  r.sim.stop();
  await r.run(10_000); // the test under way ends on its own
  t.equal(r.clock.pending(), 0, 'no timer left: the process can exit');
});
