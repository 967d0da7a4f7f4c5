import t, { type Test } from 'tap';
import { FakeClock } from '@countyline/e1-gateway';
import { CentralAlarmRules } from './central-alarm-rules.js';
import type { AlarmNotice } from './alarm-notifier.js';
import { enrolBox } from '../../test-support/enrol-box.js';
import { birth } from '../../test-support/box-messages.js';
import { captureLog } from '../../test-support/capture-log.js';
import { freshStore } from '../../test-support/stores.js';

const HOUR = 3_600_000;

/** Box `box-a` enrolled in a fresh SQLite store, and the rules on it (stopped when `t` ends). */
async function setup(t: Test) {
  const { store } = await freshStore(t, 'sqlite');
  await enrolBox(store, 'box-a');
  const clock = new FakeClock(10 * HOUR);
  const notices: AlarmNotice[] = [];
  const rules = new CentralAlarmRules({ store, logger: captureLog().logger, clock, notifier: { notify: (n) => void notices.push(n), close: async () => {} } });
  await rules.start();
  t.teardown(() => rules.stop());
  const active = async () => (await store.listAlarms({ state: 'active', boxId: 'box-a' })).map((a) => `${a.type}:${a.severity}`);
  return { store, clock, notices, rules, active };
}

t.test('box-offline is raised after the grace, cleared when the box is back, and both go to the notifier', async (t) => {
  const { clock, notices, rules, active } = await setup(t);
  rules.onStatus('box-a', false, clock.now());
  clock.advance(29_999);
  await rules.idle();
  t.same(await active(), [], 'not within the 30 s grace');
  clock.advance(1);
  await rules.idle();
  t.same(await active(), ['box-offline:critical']);
  rules.onStatus('box-a', true, clock.now());
  await rules.idle();
  t.same(await active(), []);
  t.same(
    notices.map((n) => [n.change, n.boxId, n.type, n.severity]),
    [
      ['raised', 'box-a', 'box-offline', 'critical'],
      ['cleared', 'box-a', 'box-offline', 'critical'],
    ],
  );
});

t.test('a box back within the grace raises nothing', async (t) => {
  const { store, clock, notices, rules } = await setup(t);
  rules.onStatus('box-a', false, clock.now());
  clock.advance(10_000);
  rules.onStatus('box-a', true, clock.now());
  clock.advance(120_000);
  await rules.idle();
  t.same(await store.listAlarms({ boxId: 'box-a' }), [], 'no alarm, not even a cleared one');
  t.same(notices, []);
});

t.test('telemetry-gap: an online box silent for five minutes; its next message clears it', async (t) => {
  const { store, clock, notices, rules, active } = await setup(t);
  await store.recordBirth('box-a', birth(1, 1), clock.now());
  rules.onMessage('box-a', clock.now());
  clock.advance(4 * 60_000 + 59_000);
  await rules.check();
  t.same(await active(), []);
  clock.advance(1000);
  await rules.check();
  t.same(await active(), ['telemetry-gap:major']);
  await rules.check();
  t.equal((await store.listAlarms({ state: 'active', boxId: 'box-a' }))[0]?.count, 1, 'a gap that goes on is one alarm, not one per round');
  rules.onMessage('box-a', clock.now());
  await rules.idle();
  t.same(await active(), []);
  t.same(notices, [], 'major alarms do not go to the webhook');
});

t.test('an offline box has no telemetry gap (box-offline says it)', async (t) => {
  const { store, clock, rules, active } = await setup(t);
  await store.recordBirth('box-a', birth(1, 1), clock.now());
  await store.recordStatus('box-a', false, 1, clock.now());
  clock.advance(10 * 60_000);
  await rules.check();
  t.same(await active(), []);
});

t.test('answer rates over the last hour: under 80 % within 15 s and under 95 % answered raise; back above clears', async (t) => {
  const { store, clock, rules, active } = await setup(t);
  const now = clock.now();
  let seq = 0;
  const kpi = (startAgo: number, offered: number, answered: number, answeredIn15s: number) =>
    store.addKpi('box-a', { bdSeq: 1, seq: ++seq }, { intervalStart: now - startAgo, intervalMs: 900_000, offered, answered, answeredIn15s, abandoned: offered - answered, noAgent: 0, failed: 0 });
  await kpi(2 * HOUR, 100, 0, 0);
  await kpi(45 * 60_000, 10, 10, 8);
  await kpi(30 * 60_000, 10, 9, 7);
  await rules.check();
  // Last hour (the interval two hours ago is outside): 20 offered, 19 answered (95 %), 15 of them within 15 s (78.9 %).
  t.same(await active(), ['answer-rate-15s:major'], '78.9 % of the answered within 15 s is under 80 %; 95 % answered is not under 95 %');
  await kpi(15 * 60_000, 20, 18, 18);
  await rules.check();
  // 40 offered, 37 answered (92.5 %), 33 of them within 15 s (89.2 %).
  t.same(await active(), ['answer-rate:major'], 'the 15-second rate is back above, the answer rate fell under');
});

t.test('the 15-second rate is of the calls answered, not of those offered', async (t) => {
  const { store, clock, rules, active } = await setup(t);
  // 20 offered, 10 answered, all 10 within 15 s: the answer rate is 50 %, the 15-second rate 100 %.
  await store.addKpi('box-a', { bdSeq: 1, seq: 1 }, { intervalStart: clock.now() - 60_000, intervalMs: 900_000, offered: 20, answered: 10, answeredIn15s: 10, abandoned: 10, noAgent: 0, failed: 0 });
  await rules.check();
  t.same(await active(), ['answer-rate:major'], 'only the answer rate is under its line');
  const alarm = (await store.listAlarms({ state: 'active', boxId: 'box-a' })).find((a) => a.type === 'answer-rate');
  t.match(alarm?.cause, /^50 % of 20 calls answered in the last hour/);
});

t.test('too few calls say nothing', async (t) => {
  const { store, clock, rules, active } = await setup(t);
  await store.addKpi('box-a', { bdSeq: 1, seq: 1 }, { intervalStart: clock.now() - 60_000, intervalMs: 900_000, offered: 9, answered: 0, answeredIn15s: 0, abandoned: 9, noAgent: 0, failed: 0 });
  await rules.check();
  t.same(await active(), [], '9 calls offered, none answered: under the 10 needed to judge');
});

t.test('the rules run by themselves every minute', async (t) => {
  const { store, clock, rules, active } = await setup(t);
  await store.recordBirth('box-a', birth(1, 1), clock.now());
  rules.onMessage('box-a', clock.now());
  // Each round runs on promises after its timer fires, then sets the next: let it, minute by minute.
  for (let minute = 1; minute <= 6; minute++) {
    clock.advance(60_000);
    for (let i = 0; i < 100 && clock.pending() === 0; i++) await new Promise((r) => setImmediate(r));
  }
  await rules.idle();
  t.same(await active(), ['telemetry-gap:major']);
});

t.test('at start, a box known to have connected before gets box-offline after the grace unless it comes back', async (t) => {
  const { store } = await freshStore(t, 'sqlite');
  await enrolBox(store, 'box-a');
  await enrolBox(store, 'box-b');
  await enrolBox(store, 'box-c');
  // box-a and box-b were online when central went down (no will reached it); box-c was never connected.
  await store.recordStatus('box-a', true, 1, 1_000);
  await store.recordStatus('box-b', true, 1, 1_000);
  const clock = new FakeClock(10 * HOUR);
  const notices: AlarmNotice[] = [];
  const rules = new CentralAlarmRules({ store, logger: captureLog().logger, clock, notifier: { notify: (n) => void notices.push(n), close: async () => {} } });
  await rules.start();
  t.teardown(() => rules.stop());
  clock.advance(10_000);
  rules.onStatus('box-b', true, clock.now());
  clock.advance(20_000);
  await rules.idle();
  t.same(
    (await store.listAlarms({ state: 'active' })).map((a) => `${a.boxId}:${a.type}`),
    ['box-a:box-offline'],
    'box-a did not come back; box-b did; box-c was never expected',
  );
  t.same(notices.map((n) => [n.change, n.boxId, n.type]), [['raised', 'box-a', 'box-offline']]);
});

t.test('at start, a box-offline older than a thousand other active alarms is still known, and cleared when the box is back', async (t) => {
  const { store } = await freshStore(t, 'sqlite');
  await enrolBox(store, 'box-a');
  await enrolBox(store, 'box-b');
  await store.recordStatus('box-a', false, 1, 1_000);
  await store.raiseCentralAlarm({ boxId: 'box-a', source: 'central', type: 'box-offline', severity: 'critical', cause: 'box offline', at: 1_000 });
  // Newer active alarms, more than a page of the alarm list holds.
  for (let i = 0; i < 1_000; i++) await store.raiseCentralAlarm({ boxId: 'box-b', source: `probe/${i}`, type: 'probe', severity: 'minor', cause: 'x', at: 2_000 + i });
  const clock = new FakeClock(10 * HOUR);
  const notices: AlarmNotice[] = [];
  const rules = new CentralAlarmRules({ store, logger: captureLog().logger, clock, notifier: { notify: (n) => void notices.push(n), close: async () => {} } });
  await rules.start();
  t.teardown(() => rules.stop());
  rules.onStatus('box-a', true, clock.now());
  await rules.idle();
  t.same(await store.listAlarms({ state: 'active', boxId: 'box-a' }), [], 'box-offline cleared');
  t.same(notices.map((n) => [n.change, n.boxId, n.type]), [['cleared', 'box-a', 'box-offline']]);
});
