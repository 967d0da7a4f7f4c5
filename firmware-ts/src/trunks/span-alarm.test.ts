import type { SpanDefect } from '@countyline/e1-gateway';
import t from 'tap';
import { SpanAlarm, type SpanAlarmSettings } from './span-alarm.js';

const settings: SpanAlarmSettings = { redIntegrationMs: 2500, blueIntegrationMs: 2500, yellowIntegrationMs: 500, settleMs: 10_000 };
const clean: Record<SpanDefect, boolean> = { los: false, lof: false, lmfa: false, ais: false, rai: false, ts16mfl: false };
const with_ = (d: Partial<Record<SpanDefect, boolean>>) => ({ ...clean, ...d });

/** Drives the machine the way the trunk monitor does: ticks exactly at each deadline. */
function runTo(alarm: SpanAlarm, until: number, log: string[]) {
  for (;;) {
    const next = alarm.nextDeadline();
    if (next === null || next > until) return;
    const tr = alarm.tick(next);
    if (tr) log.push(`${tr.at} ${tr.from}->${tr.to} ${tr.causes.join('+')}`);
  }
}

function scenario(steps: [at: number, defects: Partial<Record<SpanDefect, boolean>>][], until: number): string[] {
  const alarm = new SpanAlarm(settings, 0);
  const log: string[] = [];
  for (const [at, defects] of steps) {
    runTo(alarm, at, log);
    const tr = alarm.update(with_(defects), at);
    if (tr) log.push(`${tr.at} ${tr.from}->${tr.to} ${tr.causes.join('+')}`);
  }
  runTo(alarm, until, log);
  return log;
}

t.test('LOS declares red after exactly 2.5 s, recovers, clears after the settle time', async (t) => {
  t.same(scenario([[1000, { los: true }], [6000, {}]], 30_000), ['3500 none->red LOS', '6000 red->recovering LOS', '16000 recovering->none LOS']);
});

t.test('a defect shorter than its integration raises nothing', async (t) => {
  t.same(scenario([[0, { los: true }], [2000, {}]], 30_000), [], 'a 2 s LOS blip');
  t.same(scenario([[0, { los: true }], [2499, {}]], 30_000), [], '2.499 s');
  t.same(scenario([[0, { rai: true }], [499, {}]], 30_000), [], 'RAI 0.499 s');
  t.same(scenario([[0, { los: true }], [2000, {}], [2100, { los: true }], [4000, {}]], 30_000), [], 'two blips do not add up');
});

t.test('LOF and LMFA are red, AIS blue after 2.5 s, RAI yellow after 0.5 s', async (t) => {
  t.same(scenario([[0, { lof: true }]], 5000), ['2500 none->red LOF']);
  t.same(scenario([[0, { lmfa: true }]], 5000), ['2500 none->red LMFA']);
  t.same(scenario([[0, { ais: true }]], 5000), ['2500 none->blue AIS']);
  t.same(scenario([[0, { rai: true }]], 5000), ['500 none->yellow RAI']);
  t.same(scenario([[0, { ts16mfl: true }]], 5000), [], 'TS16 multiframe loss alone is no span alarm');
});

t.test('the most severe alarm wins, and a milder one takes over when it goes', async (t) => {
  t.same(scenario([[0, { rai: true }], [1000, { rai: true, los: true }]], 5000), ['500 none->yellow RAI', '3500 yellow->red LOS']);
  // RAI integrates first; when LOS goes and RAI stays, yellow is what is left.
  t.same(scenario([[0, { los: true, rai: true }], [5000, { rai: true }]], 8000), ['500 none->yellow RAI', '2500 yellow->red LOS', '5000 red->yellow RAI']);
  t.same(scenario([[0, { ais: true }], [3000, { ais: true, los: true }], [6000, { ais: true }]], 7000), [
    '2500 none->blue AIS',
    '5500 blue->red LOS',
    '6000 red->blue AIS',
  ]);
});

t.test('a change of cause within red is reported', async (t) => {
  t.same(scenario([[0, { los: true }], [4000, { lof: true }]], 5000), ['2500 none->red LOS', '4000 red->red LOF']);
  t.same(scenario([[0, { los: true }], [4000, { los: true, lof: true }]], 5000), ['2500 none->red LOS', '4000 red->red LOS+LOF']);
});

t.test('recovering: a defect that integrates again re-raises; a blip restarts the settle time', async (t) => {
  t.same(scenario([[0, { los: true }], [3000, {}], [5000, { los: true }]], 9000), [
    '2500 none->red LOS',
    '3000 red->recovering LOS',
    '7500 recovering->red LOS',
  ]);
  t.same(scenario([[0, { los: true }], [3000, {}], [5000, { los: true }], [6000, {}]], 30_000), [
    '2500 none->red LOS',
    '3000 red->recovering LOS',
    '16000 recovering->none LOS',
  ]);
});

t.test('nextDeadline is null when nothing can change by itself', async (t) => {
  const alarm = new SpanAlarm(settings, 0);
  t.equal(alarm.nextDeadline(), null);
  alarm.update(with_({ los: true }), 100);
  t.equal(alarm.nextDeadline(), 2600);
  alarm.tick(2600);
  t.equal(alarm.current.state, 'red');
  t.equal(alarm.current.since, 2600);
  t.equal(alarm.nextDeadline(), null, 'red with LOS still present waits for input');
});
