// Issue 3 "done when": each E1 defect raises the right alarm after its integration time and
// clears after the settle time; a 2 s LOS blip raises nothing. Real processes: socat, the
// card simulator and the firmware; checked only through `countyline ... --json`.
import t from 'tap';
import { startRig, type Rig } from '../../scripts/lib/bench-rig.mjs';

const SETTLE_MS = 4000;

const CASES = [
  { defect: 'los', alarm: 'red', type: 'span-red', severity: 'critical', cause: 'LOS', integrationMs: 2500 },
  { defect: 'lof', alarm: 'red', type: 'span-red', severity: 'critical', cause: 'LOF', integrationMs: 2500 },
  { defect: 'lmfa', alarm: 'red', type: 'span-red', severity: 'critical', cause: 'LMFA', integrationMs: 2500 },
  { defect: 'ais', alarm: 'blue', type: 'span-blue', severity: 'major', cause: 'AIS', integrationMs: 2500 },
  { defect: 'rai', alarm: 'yellow', type: 'span-yellow', severity: 'major', cause: 'RAI', integrationMs: 500 },
] as const;

/** Active span colour alarms (a defect second is also an SES, so G.826 threshold alarms come too). */
async function activeAlarms(rig: Rig, all = false): Promise<any[]> {
  const r = await rig.cli(['alarms', '--json', ...(all ? ['--all'] : [])]);
  if (r.code !== 0) throw new Error(`countyline alarms: ${r.stderr}`);
  return JSON.parse(r.stdout).filter((a: any) => a.source === 'span/0' && /^span-(red|blue|yellow)$/.test(a.type));
}

t.test('each E1 defect: the right alarm after its integration time, cleared after the settle time', async (t) => {
  const rig = await startRig({ config: { trunks: { settleMs: SETTLE_MS } } });
  t.teardown(() => rig.stop());
  await rig.waitStatus('span 0 reported', (s) => s.spans[0]?.alarm === 'none' && s.fxo.length === 5);

  for (const c of CASES) {
    await t.test(`${c.cause} -> ${c.alarm}`, async (t) => {
      const injectedAt = Date.now();
      await rig.simPost('/spans/0/defects', { [c.defect]: true });
      const raised = await rig.waitStatus(`${c.alarm} alarm`, (s) => s.spans[0].alarm === c.alarm, 10_000);
      const after = Date.now() - injectedAt;
      t.ok(after >= c.integrationMs, `declared after ${after} ms, not before the ${c.integrationMs} ms integration`);
      t.ok(after < c.integrationMs + 2500, `declared within ${c.integrationMs + 2500} ms (${after} ms)`);
      t.same(raised.spans[0].alarmCauses, [c.cause]);

      const alarms = await activeAlarms(rig);
      t.match(alarms, [{ type: c.type, severity: c.severity, state: 'active', cause: c.cause, count: 1 }], 'one alarm record, with its cause');

      if (c.alarm === 'red') {
        const card = await rig.simGet('/state');
        t.equal(card.spans[0].sendingRai, true, 'while red the box sends RAI toward the far end');
      }

      const clearedAt = Date.now();
      await rig.simPost('/spans/0/defects', { [c.defect]: false });
      await rig.waitStatus('recovering', (s) => s.spans[0].alarm === 'recovering', 5000);
      const still = await activeAlarms(rig);
      t.ok(still.some((a) => a.type === c.type), 'the alarm stays active while the span recovers');
      await rig.waitStatus('clear', (s) => s.spans[0].alarm === 'none', SETTLE_MS + 5000);
      const settled = Date.now() - clearedAt;
      t.ok(settled >= SETTLE_MS, `cleared after ${settled} ms, not before the ${SETTLE_MS} ms settle time`);
      const after2 = await activeAlarms(rig);
      t.same(after2, [], 'no span alarm active');
      if (c.alarm === 'red') {
        const card = await rig.simGet('/state');
        t.equal(card.spans[0].sendingRai, false, 'RAI stops once the span is clear');
      }
    });
  }

  const cleared = (await activeAlarms(rig, true)).filter((a: any) => a.state === 'cleared');
  t.equal(cleared.length, CASES.length, 'every alarm kept in the history as cleared');
  t.ok(cleared.every((a: any) => a.clearedAt > a.raisedAt), 'with its clear time');
});

t.test('a 2 s LOS blip raises nothing', async (t) => {
  const rig = await startRig({ config: { trunks: { settleMs: SETTLE_MS } } });
  t.teardown(() => rig.stop());
  await rig.waitStatus('span 0 reported', (s) => s.spans[0]?.alarm === 'none');

  // Exactly 2 s of LOS; status is read in the middle (the CLI takes a moment to start).
  const start = Date.now();
  await rig.simPost('/spans/0/defects', { los: true });
  const during = rig.status();
  await new Promise((r) => setTimeout(r, 2000 - (Date.now() - start)));
  await rig.simPost('/spans/0/defects', { los: false });
  const middle = await during;
  t.ok(middle.spans[0].causes.includes('LOS'), 'the firmware saw the LOS');
  t.equal(middle.spans[0].alarm, 'none');
  const seen = new Set<string>();
  for (let end = Date.now() + 4000; Date.now() < end; ) {
    seen.add((await rig.status()).spans[0].alarm);
    await new Promise((r) => setTimeout(r, 100));
  }
  t.same([...seen], ['none'], 'the span never left the clear state');
  t.same(await activeAlarms(rig, true), [], 'no span alarm, not even a cleared one');
});
