// Issue 3 "done when": unplugging FXO port 3 raises its alarm and plugging it back clears it;
// a circuit whose loopback fails twice is blocked and an alarm raised; a pass restores it.
// Also the technician's view: `countyline test-call all` prints a line per circuit and a summary.
import t from 'tap';
import { startRig, type Rig } from '../../scripts/lib/bench-rig.mjs';

async function json(rig: Rig, args: string[]) {
  const r = await rig.cli([...args, '--json']);
  if (r.code !== 0 && r.code !== 1) throw new Error(`countyline ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

t.test('FXO port 3 unplugged: alarm within 2 s; plugged back: cleared, line present with its voltage', async (t) => {
  const rig = await startRig();
  t.teardown(() => rig.stop());
  await rig.waitStatus('lines present', (s) => s.fxo.length === 5 && s.fxo.every((p: any) => p.line === 'present'));

  const unpluggedAt = Date.now();
  await rig.simPost('/fxo/3/line', { plugged: false });
  await rig.waitStatus('port 3 unplugged', (s) => s.fxo[3].line === 'unplugged', 5000);
  t.ok(Date.now() - unpluggedAt >= 1000, 'declared only after a second without battery');
  const alarms = await json(rig, ['alarms']);
  t.match(alarms, [{ source: 'fxo/3', type: 'fxo-unplugged', severity: 'major', state: 'active' }]);
  const zh = await rig.cli(['alarms', '--lang', 'zh']);
  t.match(zh.stdout, /FXO.*3.*外线未接/);

  const pluggedAt = Date.now();
  await rig.simPost('/fxo/3/line', { plugged: true });
  const back = await rig.waitStatus('port 3 present', (s) => s.fxo[3].line === 'present', 5000);
  t.ok(Date.now() - pluggedAt < 2000 + 1500, 'line present again within 2 s (plus the CLI start-up)');
  t.equal(back.fxo[3].voltage, -48);
  t.same(await json(rig, ['alarms']), [], 'alarm cleared');
  const trunks = await json(rig, ['trunks']);
  t.match(trunks.fxo[3], { port: 3, line: 'present', voltage: -48, hook: 'on', polarity: 'normal' });
});

t.test('a circuit whose loopback fails twice is blocked with an alarm; a pass brings it back', async (t) => {
  const rig = await startRig();
  t.teardown(() => rig.stop());
  await rig.waitStatus('card up', (s) => s.card.link === 'up' && s.links[0]?.state === 'in-service');
  await rig.simPost('/spans/0/timeslots/5/loopback-fault', { broken: true });

  const first = await rig.cli(['test-call', 'e1/0/5']);
  t.equal(first.code, 1, 'a failed test call exits 1');
  t.match(first.stdout, /e1\/0\/5 +FAIL .*no 2000 Hz tone back/);
  let circuit = (await json(rig, ['trunks'])).circuits.find((c: any) => c.circuit === 'e1/0/5');
  t.match(circuit, { consecutiveFailures: 1, blocked: false }, 'one failure does not block');
  t.same(await json(rig, ['alarms']), []);

  await rig.cli(['test-call', 'e1/0/5']);
  circuit = (await json(rig, ['trunks'])).circuits.find((c: any) => c.circuit === 'e1/0/5');
  t.match(circuit, { consecutiveFailures: 2, blocked: true });
  t.match(await json(rig, ['alarms']), [{ source: 'circuit/e1/0/5', type: 'test-call-failed', severity: 'major', state: 'active' }]);
  const neighbour = (await json(rig, ['trunks'])).circuits.find((c: any) => c.circuit === 'e1/0/6');
  t.match(neighbour, { blocked: false, lastTest: null }, 'other circuits untouched');

  await rig.simPost('/spans/0/timeslots/5/loopback-fault', { broken: false });
  const pass = await rig.cli(['test-call', 'e1/0/5']);
  t.equal(pass.code, 0);
  circuit = (await json(rig, ['trunks'])).circuits.find((c: any) => c.circuit === 'e1/0/5');
  t.match(circuit, { consecutiveFailures: 0, blocked: false, lastTest: { result: 'pass' } });
  t.same(await json(rig, ['alarms']), [], 'alarm cleared by the pass');
});

t.test('test-call all: a progress line per circuit, a summary, an unplugged line fails without blocking', async (t) => {
  const rig = await startRig();
  t.teardown(() => rig.stop());
  await rig.waitStatus('card up', (s) => s.card.link === 'up' && s.fxo.length === 5 && s.links[0]?.state === 'in-service');
  await rig.simPost('/fxo/1/line', { plugged: false });
  await rig.waitStatus('port 1 unplugged', (s) => s.fxo[1].line === 'unplugged', 5000);

  const run = await rig.cli(['test-call', 'all']);
  t.equal(run.code, 1, 'exit 1: a circuit failed');
  const lines = run.stdout.trim().split('\n');
  t.equal(lines[0], 'testing 35 circuit(s), one at a time');
  const progress = lines.filter((l) => /^\[ ?\d+\/35\]/.test(l));
  t.equal(progress.length, 35, 'one line per circuit: 5 FXO lines and 30 E1 circuits (ts16 carries SS7)');
  t.match(progress[0], /^\[ 1\/35\] fxo\/0 +pass/);
  t.match(progress[1], /fxo\/1 +FAIL .*no line on the port/);
  t.notOk(progress.some((l) => l.includes('e1/0/16')), 'the signalling timeslot is not a circuit');
  t.equal(lines.at(-1), '34 passed, 1 failed, 0 skipped');

  const zh = await rig.cli(['test-call', 'fxo/0', '--lang', 'zh']);
  t.match(zh.stdout, /fxo\/0 +通过/);
  t.match(zh.stdout, /通过 1 条, 失败 0 条, 跳过 0 条/);

  const bad = await rig.cli(['test-call', 'e1/0/99']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /no circuit e1\/0\/99 on this box/);
  const garbage = await rig.cli(['test-call', 'pots-7']);
  t.match(garbage.stderr, /pots-7 is not a circuit name: use fxo\/N or e1\/S\/T, or all/);
});
