import { FakeClock, TypedEmitter, type EventMap } from '@countyline/e1-gateway';
import t from 'tap';
import type { CardDriver, CardDriverEvents } from '../card/card-driver.js';
import type { CircuitRecord, TestCallEvents, TestCallScheduler } from '../trunks/test-call-scheduler.js';
import type { AnalogLines, AnalogLinesEvents } from '../signalling/analog/analog-lines.js';
import type { TrunkMonitor, TrunkMonitorEvents } from '../trunks/trunk-monitor.js';
import { applyAlarmRules } from './alarm-rules.js';
import type { AlarmStore } from './alarm-store.js';
import type { CodedCause, Severity } from './alarm-types.js';
import type { PriDownReason, PriStack, PriStackEvents } from '../signalling/pri/pri-stack.js';

// What the rules hand the store: the English cause as before, and its code and arguments.

/** An event source the test fires by hand. */
class Source<E extends EventMap<E>> extends TypedEmitter<E> {
  fire<K extends keyof E & string>(event: K, ...args: Parameters<E[K]>): void {
    this.emit(event, ...args);
  }
}

type Raise = [source: string, type: string, severity: Severity, cause: string, coded: CodedCause | undefined];

/** A PRI stack as the rules see it: the D-channel's state and why it went down. */
class PriDouble extends Source<PriStackEvents> {
  readonly link = 0;
  isUp = false;
  downReason: PriDownReason = 'never-up';
  set(up: boolean, reason: PriDownReason = this.downReason): void {
    this.isUp = up;
    this.downReason = reason;
    this.fire('d-channel', up);
  }
}

function rig(saved: CircuitRecord[] = [], pri: PriDouble | null = null) {
  const raised: Raise[] = [];
  const cleared: [source: string, type: string][] = [];
  const store = { raise: (...args: Raise) => raised.push(args), clear: (source: string, type: string) => cleared.push([source, type]), clearRestored: () => [] } as unknown as AlarmStore;
  const card = Object.assign(new Source<CardDriverEvents>(), { current: 'up' });
  const trunks = new Source<TrunkMonitorEvents>();
  const testCalls = Object.assign(new Source<TestCallEvents>(), { toJSON: () => saved });
  const clock = new FakeClock(1_000_000);
  const analog = new Source<AnalogLinesEvents>();
  applyAlarmRules({
    analog: analog as unknown as AnalogLines,
    store,
    card: card as unknown as CardDriver,
    trunks: trunks as unknown as TrunkMonitor,
    testCalls: testCalls as unknown as TestCallScheduler,
    clock,
    intervalMs: 900_000,
    utcOffsetMs: 8 * 3_600_000,
    restoreSettleMs: 30_000,
    pri: pri as unknown as PriStack | null,
  });
  return { raised, cleared, card, trunks, testCalls, analog, clock };
}

const error = { code: 'card-silent' as const, message: 'card not answering on /dev/ttyS1', path: '/dev/ttyS1', at: 0 };
const failedRecord = (lastTest: CircuitRecord['lastTest']): CircuitRecord => ({ circuit: 'fxo/1', lastTest, consecutiveFailures: 2, blocked: true, blockedSince: 0 });

t.test('each alarm the rules raise carries its cause as a code', async (t) => {
  const r = rig();
  r.card.fire('card-error', error);
  r.trunks.fire('span-alarm', 0, { from: 'none', to: 'red', causes: ['LOS', 'LOF'], at: 0 });
  r.trunks.fire('span-tca', 0, { period: '15min', counter: 'slips', value: 5, threshold: 4, start: 1_000_000 });
  r.trunks.fire('fxo-line', 3, { type: 'line-unplugged', at: 0 });
  r.testCalls.fire('circuit-blocked', failedRecord({ circuit: 'fxo/1', result: 'fail', reason: 'no dial tone within 3 s', reasonCode: 'no-dial-tone', reasonArgs: [3], at: 0, durationMs: 3000 }));
  t.same(r.raised, [
    ['card', 'card-link', 'critical', 'card-silent', { causeCode: 'card-error', causeArgs: ['card-silent'] }],
    ['span/0', 'span-red', 'critical', 'LOS+LOF', { causeCode: 'span-defects', causeArgs: ['LOS', 'LOF'] }],
    ['span/0', 'tca-slips-15min', 'minor', 'SLIPS 5 >= 4', { causeCode: 'threshold-crossed', causeArgs: ['slips', 5, 4] }],
    ['fxo/3', 'fxo-unplugged', 'major', 'no battery voltage', { causeCode: 'no-battery', causeArgs: [] }],
    ['circuit/fxo/1', 'test-call-failed', 'major', 'no dial tone within 3 s', { causeCode: 'no-dial-tone', causeArgs: [3] }],
  ]);
});

t.test('a failed test call without a reason code keeps its English reason as the cause', async (t) => {
  const r = rig([failedRecord({ circuit: 'fxo/1', result: 'fail', reason: 'CIC 1 is blocked', at: 0, durationMs: 0 }), { ...failedRecord(null), circuit: 'fxo/2' }]);
  t.same(r.raised, [
    ['circuit/fxo/1', 'test-call-failed', 'major', 'CIC 1 is blocked', undefined],
    ['circuit/fxo/2', 'test-call-failed', 'major', 'test call failed', { causeCode: 'test-failed', causeArgs: [] }],
  ], 'blocked before a restart: raised again from the saved records');
});

t.test('a pass of test calls reaching its block limit raises one group alarm; a pass within it clears it', async (t) => {
  const r = rig();
  r.testCalls.fire('block-limit', 2, 'e1/0/7');
  t.same(r.raised, [
    ['test-calls', 'test-call-block-limit', 'major', 'one pass may block 2 circuits; e1/0/7 and the circuits failing after it stay in service', { causeCode: 'block-limit', causeArgs: [2, 'e1/0/7'] }],
  ]);
  r.testCalls.fire('block-limit-clear');
  t.same(r.cleared, [['test-calls', 'test-call-block-limit']]);
});

t.test('a line the off-hook guard put back on-hook raises an alarm; the next answered call on it clears it', async (t) => {
  const r = rig();
  r.analog.fire('line', 2, { type: 'off-hook-too-long', ms: 4 * 3_600_000 });
  t.same(r.raised, [['fxo/2', 'fxo-off-hook-guard', 'major', 'off-hook for 240 min without the far end hanging up', { causeCode: 'off-hook-guard', causeArgs: [240] }]]);
  r.analog.fire('line', 3, { type: 'answered' });
  r.analog.fire('line', 2, { type: 'idle' });
  t.same(r.cleared, [['fxo/3', 'fxo-off-hook-guard']], 'a call on another line clears nothing of line 2 (the store ignores a clear of nothing)');
  r.analog.fire('line', 2, { type: 'answered' });
  t.same(r.cleared.at(-1), ['fxo/2', 'fxo-off-hook-guard']);
});

t.test('the PRI D-channel down for 10 s raises a critical alarm with the reason; up clears it; a drop mended at once raises none', async (t) => {
  const pri = new PriDouble();
  const r = rig([], pri);
  r.clock.advance(9_999);
  pri.set(true);
  r.clock.advance(60_000);
  t.same(r.raised, [], 'up within the grace after the start: nothing');
  pri.set(false, 'network-disc');
  r.clock.advance(5_000);
  pri.set(true);
  r.clock.advance(60_000);
  t.same(r.raised, [], 'a drop mended within 10 s: nothing');
  pri.set(false, 'physical-down');
  r.clock.advance(10_000);
  t.same(r.raised, [['link/0', 'd-channel-down', 'critical', "the D-channel's timeslot carries no frames (LOS, AIS, or the card)", { causeCode: 'd-channel-down', causeArgs: ['physical-down'] }]]);
  pri.set(true);
  t.same(r.cleared.at(-1), ['link/0', 'd-channel-down']);

  const never = new PriDouble();
  const n = rig([], never);
  n.clock.advance(10_000);
  t.match(n.raised, [['link/0', 'd-channel-down', 'critical', 'the data link has not come up since the firmware started', { causeArgs: ['never-up'] }]], 'never up since the start');
});
