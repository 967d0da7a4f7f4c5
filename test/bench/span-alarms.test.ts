// Issue 3 "done when": each E1 defect raises the right alarm after its integration time and
// clears after the settle time; a 2 s LOS blip raises nothing. Real processes: socat, the
// card simulator and the firmware; checked only through `countyline ... --json`.
//
// Times are measured with the firmware's own time stamps (the alarm record's raise and clear
// times, the span state's `alarmSince`), never by when a CLI process got round to looking:
// on a busy machine starting one takes seconds, longer than the states being checked last.
// The live status comes from one long-running `countyline status --json --watch`.
import t from 'tap';
import { startRig, type Rig } from '../../scripts/lib/bench-rig.mjs';

const SETTLE_MS = 4000;
/** How late past its integration time a declared alarm may be (serial, event loop, load). */
const LATE_MS = 1500;

const CASES = [
  { defect: 'los', alarm: 'red', type: 'span-red', severity: 'critical', cause: 'LOS', integrationMs: 2500 },
  { defect: 'lof', alarm: 'red', type: 'span-red', severity: 'critical', cause: 'LOF', integrationMs: 2500 },
  { defect: 'lmfa', alarm: 'red', type: 'span-red', severity: 'critical', cause: 'LMFA', integrationMs: 2500 },
  { defect: 'ais', alarm: 'blue', type: 'span-blue', severity: 'major', cause: 'AIS', integrationMs: 2500 },
  { defect: 'rai', alarm: 'yellow', type: 'span-yellow', severity: 'major', cause: 'RAI', integrationMs: 500 },
] as const;

/** Span colour alarms (a defect second is also an SES, so G.826 threshold alarms come too). */
async function spanAlarms(rig: Rig, all = false): Promise<any[]> {
  const alarms = await rig.json(['alarms', ...(all ? ['--all'] : [])]);
  return alarms.filter((a: any) => a.source === 'span/0' && /^span-(red|blue|yellow)$/.test(a.type));
}

/** The states in a run of snapshots, each once per stretch: red, red, recovering -> red, recovering. */
function stretches(snapshots: { status: any }[]): string[] {
  return snapshots.map((s) => s.status.spans[0].alarm).filter((state, i, all) => i === 0 || state !== all[i - 1]);
}

t.test('each E1 defect: the right alarm after its integration time, cleared after the settle time', async (t) => {
  const rig = await startRig({ config: { trunks: { settleMs: SETTLE_MS } } });
  t.teardown(() => rig.stop());
  const watch = rig.watchStatus();
  await watch.until('span 0 reported clear', (s) => s.spans[0]?.alarm === 'none' && s.fxo.length === 5, 10_000);

  for (const c of CASES) {
    await t.test(`${c.cause} -> ${c.alarm}`, async (t) => {
      const injectedAt = Date.now();
      await rig.simPost('/spans/0/defects', { [c.defect]: true });
      const raised = await watch.until(`the span ${c.alarm}`, (s) => s.spans[0].alarm === c.alarm, c.integrationMs + 10_000);
      t.same(raised.status.spans[0].alarmCauses, [c.cause]);

      const [alarm] = await spanAlarms(rig);
      t.match(alarm, { type: c.type, severity: c.severity, state: 'active', cause: c.cause, count: 1 }, 'one alarm record, with its cause');
      const declaredAfter = alarm.raisedAt - injectedAt;
      t.ok(declaredAfter >= c.integrationMs, `raised ${declaredAfter} ms after the defect, not before the ${c.integrationMs} ms integration`);
      t.ok(declaredAfter < c.integrationMs + LATE_MS, `raised within ${c.integrationMs + LATE_MS} ms of the defect (${declaredAfter} ms)`);
      t.equal((await spanAlarms(rig)).length, 1, 'and only one');

      if (c.alarm === 'red') {
        const card = await rig.simGet('/state');
        t.equal(card.spans[0].sendingRai, true, 'while red the box sends RAI toward the far end');
      }

      const removedAt = Date.now();
      const from = watch.snapshots.length;
      await rig.simPost('/spans/0/defects', { [c.defect]: false });
      const clear = await watch.until('the span clear', (s) => s.spans[0].alarm === 'none', SETTLE_MS + 10_000);
      // The first snapshots may still show the alarm: the firmware had not heard of the change.
      t.same(
        stretches(watch.snapshots.slice(from, clear.index + 1)).filter((state) => state !== c.alarm),
        ['recovering', 'none'],
        'the span recovers, then clears',
      );
      const span = (await rig.json(['trunks'])).spans[0];
      t.equal(span.alarm, 'none');
      const clearAfter = span.alarmSince - removedAt;
      t.ok(clearAfter >= SETTLE_MS, `declared clear ${clearAfter} ms after the defect went, not before the ${SETTLE_MS} ms settle time`);
      t.ok(clearAfter < SETTLE_MS + LATE_MS, `and within ${SETTLE_MS + LATE_MS} ms`);

      const record = (await spanAlarms(rig, true)).find((a) => a.id === alarm.id);
      t.match(record, { state: 'cleared', count: 1 }, 'the same record, now cleared');
      t.ok(record.clearedAt >= span.alarmSince, `the alarm stays active while the span recovers: cleared when the span was declared clear (${record.clearedAt - removedAt} ms after the defect went)`);
      t.same(await spanAlarms(rig), [], 'no span alarm active');
      if (c.alarm === 'red') {
        const card = await rig.simGet('/state');
        t.equal(card.spans[0].sendingRai, false, 'RAI stops once the span is clear');
      }
    });
  }

  const cleared = (await spanAlarms(rig, true)).filter((a: any) => a.state === 'cleared');
  t.equal(cleared.length, CASES.length, 'every alarm kept in the history as cleared');
  t.ok(cleared.every((a: any) => a.clearedAt > a.raisedAt), 'with its clear time');
});

t.test('a 2 s LOS blip raises nothing', async (t) => {
  const BLIP_MS = 2000;
  const RED_INTEGRATION_MS = 2500;
  const rig = await startRig({ config: { trunks: { settleMs: SETTLE_MS } } });
  t.teardown(() => rig.stop());
  const watch = rig.watchStatus();
  await watch.until('span 0 reported clear', (s) => s.spans[0]?.alarm === 'none' && s.spans[0].causes.length === 0, 10_000);

  // The blip is a duration on purpose: LOS on, 2 s, LOS off.
  const from = watch.snapshots.length;
  const onAt = Date.now();
  await rig.simPost('/spans/0/defects', { los: true });
  await new Promise((r) => setTimeout(r, BLIP_MS - (Date.now() - onAt)));
  await rig.simPost('/spans/0/defects', { los: false });
  const sentFor = Date.now() - onAt;
  t.ok(sentFor < RED_INTEGRATION_MS, `the blip as sent lasted ${sentFor} ms, shorter than the red integration`);

  // What the firmware saw, read off the live status rather than at a fixed moment.
  const los = await watch.until('the firmware to report the LOS', (s) => s.spans[0].causes.includes('LOS'), 5000, { from });
  t.pass(`the firmware saw the LOS (${los.at - onAt} ms into the blip)`);
  // Once the end of the LOS has reached the firmware, nothing can integrate any more.
  const end = await watch.until('the firmware to report the LOS gone', (s) => !s.spans[0].causes.includes('LOS'), 10_000, { from: los.index });
  t.same(stretches(watch.snapshots.slice(from, end.index + 1)), ['none'], 'the span never left the clear state');
  t.same(await spanAlarms(rig, true), [], 'no span alarm, not even a cleared one');
});
