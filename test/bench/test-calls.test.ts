// Issue 3 "done when": unplugging FXO port 3 raises its alarm and plugging it back clears it;
// a circuit whose loopback fails twice is blocked and an alarm raised; a pass restores it.
// Also the technician's view: `countyline test-call all` prints a line per circuit and a summary.
import t from 'tap';
import { startRig, type Rig } from '../../scripts/lib/bench-rig.mjs';

async function circuit(rig: Rig, name: string) {
  return (await rig.json(['trunks'])).circuits.find((c: any) => c.circuit === name);
}

/**
 * Does `change`, then waits up to `deadlineMs` for a status that shows its effect. The status
 * watch is running before the change, so the deadline counts the firmware's time only, not a
 * CLI process starting up on a busy machine.
 */
async function after(rig: Rig, change: () => Promise<unknown>, what: string, predicate: (s: any) => boolean, deadlineMs: number) {
  const watch = rig.watchStatus();
  try {
    await watch.until('the status watch to run', () => true, 30_000);
    const from = watch.snapshots.length;
    await change();
    return (await watch.until(what, predicate, deadlineMs, { from })).status;
  } finally {
    await watch.stop();
  }
}

t.test('FXO port 3 unplugged: alarm within 2 s; plugged back: cleared, line present with its voltage', async (t) => {
  const rig = await startRig();
  t.teardown(() => rig.stop());
  await rig.waitStatus('lines present', (s) => s.fxo.length === 5 && s.fxo.every((p: any) => p.line === 'present'));

  // Timed with the firmware's own stamps (the alarm's raise time, the line state's `since`),
  // not by when a CLI process got to look.
  let unpluggedAt = 0;
  const unplug = () => ((unpluggedAt = Date.now()), rig.simPost('/fxo/3/line', { plugged: false }));
  await after(rig, unplug, 'port 3 unplugged', (s) => s.fxo[3].line === 'unplugged', 5000);
  const [alarm] = await rig.json(['alarms']);
  t.match(alarm, { source: 'fxo/3', type: 'fxo-unplugged', severity: 'major', state: 'active' });
  const raisedAfter = alarm.raisedAt - unpluggedAt;
  t.ok(raisedAfter >= 1000, `declared only after a second without battery (${raisedAfter} ms)`);
  t.ok(raisedAfter < 2000, `alarm within 2 s (${raisedAfter} ms)`);
  t.equal((await rig.json(['alarms'])).length, 1, 'one alarm');
  const zh = await rig.cli(['alarms', '--lang', 'zh']);
  t.match(zh.stdout, /FXO.*3.*外线未接/);

  let pluggedAt = 0;
  const plug = () => ((pluggedAt = Date.now()), rig.simPost('/fxo/3/line', { plugged: true }));
  const back = await after(rig, plug, 'port 3 present', (s) => s.fxo[3].line === 'present', 5000);
  t.equal(back.fxo[3].voltage, -48);
  const trunks = await rig.json(['trunks']);
  t.match(trunks.fxo[3], { port: 3, line: 'present', voltage: -48, hook: 'on', polarity: 'normal' });
  t.ok(trunks.fxo[3].since - pluggedAt < 2000, `line present again within 2 s (${trunks.fxo[3].since - pluggedAt} ms)`);
  t.same(await rig.json(['alarms']), [], 'alarm cleared');
});

t.test('a circuit whose loopback fails twice is blocked with an alarm; a pass brings it back', async (t) => {
  const rig = await startRig();
  t.teardown(() => rig.stop());
  await rig.waitStatus('card up', (s) => s.card.link === 'up' && s.links[0]?.state === 'in-service');
  await rig.simPost('/spans/0/timeslots/5/loopback-fault', { broken: true });

  // Exit 1: a failed test call.
  const first = await rig.cli(['test-call', 'e1/0/5'], 1);
  t.match(first.stdout, /e1\/0\/5 +FAIL .*no 2000 Hz tone back/);
  t.match(await circuit(rig, 'e1/0/5'), { consecutiveFailures: 1, blocked: false }, 'one failure does not block');
  t.same(await rig.json(['alarms']), []);

  await rig.cli(['test-call', 'e1/0/5'], 1);
  t.match(await circuit(rig, 'e1/0/5'), { consecutiveFailures: 2, blocked: true });
  t.match(await rig.json(['alarms']), [{ source: 'circuit/e1/0/5', type: 'test-call-failed', severity: 'major', state: 'active' }]);
  t.match(await circuit(rig, 'e1/0/6'), { blocked: false, lastTest: null }, 'other circuits untouched');

  await rig.simPost('/spans/0/timeslots/5/loopback-fault', { broken: false });
  await rig.cli(['test-call', 'e1/0/5'], 0);
  t.match(await circuit(rig, 'e1/0/5'), { consecutiveFailures: 0, blocked: false, lastTest: { result: 'pass' } });
  t.same(await rig.json(['alarms']), [], 'alarm cleared by the pass');
});

t.test('test-call all: a progress line per circuit, a summary, an unplugged line fails without blocking', async (t) => {
  const rig = await startRig();
  t.teardown(() => rig.stop());
  await rig.waitStatus('card up', (s) => s.card.link === 'up' && s.fxo.length === 5 && s.links[0]?.state === 'in-service');
  await after(rig, () => rig.simPost('/fxo/1/line', { plugged: false }), 'port 1 unplugged', (s) => s.fxo[1].line === 'unplugged', 5000);

  // Exit 1: a circuit failed.
  const run = await rig.cli(['test-call', 'all'], 1);
  const lines = run.stdout.trim().split('\n');
  t.equal(lines[0], 'testing 35 circuit(s), one at a time');
  const progress = lines.filter((l) => /^\[ ?\d+\/35\]/.test(l));
  t.equal(progress.length, 35, 'one line per circuit: 5 FXO lines and 30 E1 circuits (ts16 carries SS7)');
  t.match(progress[0], /^\[ 1\/35\] fxo\/0 +pass/);
  t.match(progress[1], /fxo\/1 +FAIL .*no line on the port/);
  t.notOk(progress.some((l) => l.includes('e1/0/16')), 'the signalling timeslot is not a circuit');
  t.equal(lines.at(-1), '34 passed, 1 failed, 0 skipped');
  t.match(await circuit(rig, 'fxo/1'), { consecutiveFailures: 1, blocked: false }, 'the unplugged line failed once and is not blocked');

  const zh = await rig.cli(['test-call', 'fxo/0', '--lang', 'zh'], 0);
  t.match(zh.stdout, /fxo\/0 +通过/);
  t.match(zh.stdout, /通过 1 条, 失败 0 条, 跳过 0 条/);

  const bad = await rig.cli(['test-call', 'e1/0/99'], 2);
  t.match(bad.stderr, /no circuit e1\/0\/99 on this box/);
  const garbage = await rig.cli(['test-call', 'pots-7'], 2);
  t.match(garbage.stderr, /circuit is "pots-7"; it must be fxo\/N, e1\/S\/T or all/);
});
