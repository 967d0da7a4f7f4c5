import t, { type Test } from 'tap';
import { inProcessRig } from '../../test-support/in-process-rig.js';
import type { CircuitRecord, TestCallSettings, TestOutcome } from './test-call-scheduler.js';

// The E1 test calls as ISUP continuity checks (CCR) against the simulator's exchange: a test
// that cannot run says nothing about the circuit and is skipped, never counted as a failure;
// and one pass never takes more than `maxBlockedPerPass` circuits out of service.

/** CIC n on timeslot n (n <= 15) or n + 1; timeslot 31 has no CIC. */
const CICS = [{ firstCic: 1, span: 0, timeslots: '1-15,17-30' }];

function rig(t: Test, settings: Partial<TestCallSettings> = {}) {
  const r = inProcessRig(t, { stepMs: 10, testCalls: { failuresToBlock: 2, ...settings }, isup: { cics: CICS }, exchange: { cics: CICS } });
  const blocked: string[] = [];
  const limits: { limit: number; circuit: string }[] = [];
  r.testCalls.on('circuit-blocked', (record: CircuitRecord) => blocked.push(record.circuit));
  r.testCalls.on('block-limit', (limit, circuit) => limits.push({ limit, circuit }));
  const pass = (circuits: string[]): Promise<TestOutcome[]> => r.settle(r.testCalls.run(circuits), 600_000);
  return Object.assign(r, { blocked, limits, pass });
}

const coded = (o: TestOutcome) => [o.circuit, o.result, o.reasonCode];

t.test('CCR tests that cannot run are skipped, never failed: two passes block nothing', async (t) => {
  const r = rig(t);
  await r.up();
  void r.stack.calls.placeCall('95598', '', 3_600_000); // CIC 1 busy with a call
  t.ok(await r.until(() => r.circuit(1).callPhase === 'answered'));
  r.exchange.blockCircuit(3, true); // CIC 3 blocked by the exchange
  await r.run(100);
  for (const night of [1, 2]) {
    const outcomes = await r.pass(['e1/0/1', 'e1/0/3', 'e1/0/31']);
    t.same(
      outcomes.map(coded),
      [
        ['e1/0/1', 'skipped', 'cic-busy'],
        ['e1/0/3', 'skipped', 'cic-blocked'],
        ['e1/0/31', 'skipped', 'no-cic'],
      ],
      `night ${night}: each skipped with its reason`,
    );
  }
  t.same(r.blocked, [], 'no circuit blocked');
  t.ok(r.testCalls.list().every((c) => c.consecutiveFailures === 0), 'no failure counted');
});

t.test('the signalling link down: every CCR test is skipped and no circuit is blocked', async (t) => {
  const r = rig(t);
  await r.up();
  await r.settle(r.card.command({ type: 'linkControl', link: 0, action: 'stop' }));
  t.ok(await r.until(() => !r.stack.transport.isUp));
  for (let night = 0; night < 2; night++) {
    const outcomes = await r.pass(['e1/0/1', 'e1/0/2', 'e1/0/3']);
    t.ok(
      outcomes.every((o) => o.result === 'skipped' && o.reasonCode === 'signalling-down'),
      'skipped: signalling link out of service',
    );
  }
  t.same(r.blocked, [], 'the group is not blocked');
  t.same(r.tap.of('box', 'BLO'), []);
});

t.test('one pass blocks at most maxBlockedPerPass circuits; past that, one group alarm and no more blocks', async (t) => {
  const r = rig(t, { failuresToBlock: 1, maxBlockedPerPass: 2 });
  await r.up();
  for (const ts of [5, 6, 7, 8]) r.sim.setLoopbackFault(0, ts, true);
  const outcomes = await r.pass(['e1/0/4', 'e1/0/5', 'e1/0/6', 'e1/0/7', 'e1/0/8']);
  t.same(outcomes.map((o) => o.result), ['pass', 'fail', 'fail', 'fail', 'fail'], 'four circuits fail');
  t.same(r.blocked, ['e1/0/5', 'e1/0/6'], 'the first two are blocked');
  t.same(r.limits, [{ limit: 2, circuit: 'e1/0/7' }], 'the third failure reaches the limit: one group event, once');
  t.notOk(r.testCalls.isBlocked('e1/0/7') || r.testCalls.isBlocked('e1/0/8'), 'the others stay in service');

  // The next pass starts its own count; the fault cleared, the circuits come back.
  for (const ts of [5, 6, 7, 8]) r.sim.setLoopbackFault(0, ts, false);
  const next = await r.pass(['e1/0/5', 'e1/0/6', 'e1/0/7', 'e1/0/8']);
  t.ok(next.every((o) => o.result === 'pass'));
  t.same(r.testCalls.list().filter((c) => c.blocked), []);
});
