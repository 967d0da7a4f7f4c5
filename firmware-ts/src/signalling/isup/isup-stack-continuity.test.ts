import t from 'tap';
import { buildIam, buildRel } from './isup-builders.js';
import { CAUSE } from './isup-cause.js';
import type { IsupMessageOf } from './isup-messages.js';
import { T27_MS, T36_MS } from './isup-timers.js';
import { isupRig as rig, TIMERS, type InProcessRig } from '../../../test-support/in-process-rig.js';

// An IAM asking for a continuity check (Q.764 2.1.8): the box loops the circuit back, sends no
// ACM before a COT that says the check passed, and releases on T8 when none comes.

type Check = IsupMessageOf<'IAM'>['natureOfConnection']['continuityCheck'];
const checkedIam = (cic: number, digits: string, check: Check = 'required', endOfPulsing = true): IsupMessageOf<'IAM'> => {
  const iam = buildIam(cic, digits, '13900000000');
  return { ...iam, natureOfConnection: { ...iam.natureOfConnection, continuityCheck: check }, calledPartyNumber: { ...iam.calledPartyNumber, endOfPulsing } };
};
const cot = (cic: number, passed: boolean): IsupMessageOf<'COT'> => ({ type: 'COT', cic, continuity: passed ? 'successful' : 'failed' });

/** Whether the simulated card has the circuit's timeslot looped back. */
function looped(r: InProcessRig, cic: number): boolean {
  const circuit = r.stack.map.byCic(cic)!;
  return r.sim.timeslots[circuit.span]!.snapshot().loopbacks.includes(circuit.timeslot);
}

t.test('the circuit is looped and no ACM goes before a successful COT; then the call goes on', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(checkedIam(4, '12345')));
  t.ok(await r.until(() => looped(r, 4)), 'the card loops the timeslot back');
  await r.run(TIMERS.t8Ms - 300);
  t.same(r.tap.trace('box', mark), [], 'no ACM while the check runs');
  t.match(r.circuit(4), { call: 'incoming', callPhase: 'continuity-wait' });
  t.same(r.incoming, [], 'not offered yet');
  t.ok(r.tap.injectMessage(cot(4, true)));
  t.ok(await r.until(() => r.tap.of('box', 'ACM', mark).length === 1), 'ACM after the COT');
  t.ok(await r.until(() => !looped(r, 4)), 'the loop is removed');
  t.match(r.incoming, [{ cic: 4, called: '12345', calling: '13900000000' }]);
  t.ok(await r.until(() => r.circuit(4).callPhase === 'answered'));
  await r.run(TIMERS.t8Ms);
  t.same(r.tap.of('box', 'REL', mark), [], 'T8 stopped by the COT');
});

t.test('no COT: the call is released at T8 with cause 41 and the loop removed', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  const at = r.clock.now();
  t.ok(r.tap.injectMessage(checkedIam(6, '12345')));
  t.ok(await r.until(() => r.tap.of('box', 'REL', mark).length === 1, TIMERS.t8Ms + 500));
  const rel = r.tap.of('box', 'REL', mark)[0]!;
  t.ok(rel.at - at >= TIMERS.t8Ms, `REL at T8 (${rel.at - at} ms)`);
  t.equal(rel.causeIndicators.causeValue, CAUSE.temporaryFailure);
  t.same(r.tap.of('box', 'ACM', mark), [], 'never an ACM');
  t.notOk(looped(r, 6), 'the loop went with the REL');
  t.ok(await r.until(() => r.ended.length === 1), 'the RLC ends the call');
  t.match(r.ended[0], { result: 'failed', reasonCode: 'no-continuity', call: { cic: 6, direction: 'in' } });
  t.equal(r.stack.calls.counters.continuityFailed, 1);
  t.ok(await r.until(() => r.circuit(6).call === 'idle'));
});

t.test('a failed check: no REL, no ACM; the circuit is held for the recheck, which ends with REL', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(checkedIam(8, '12345')));
  t.ok(await r.until(() => looped(r, 8)));
  t.ok(r.tap.injectMessage(cot(8, false)));
  t.ok(await r.until(() => r.ended.length === 1));
  t.match(r.ended[0], { result: 'failed', reasonCode: 'continuity-failed', call: { cic: 8 } });
  t.notOk(looped(r, 8), 'the loop is removed');
  await r.run(TIMERS.t8Ms + 500);
  t.same(r.tap.trace('box', mark), [], 'nothing sent: the exchange repeats its call elsewhere and rechecks this circuit');
  t.match(r.circuit(8), { call: 'incoming', callPhase: null, continuity: 'recheck-wait' }, 'held out of use until the recheck');
  // The recheck (Q.764 2.1.8): CCR loops the circuit again, a REL ends it.
  t.ok(r.tap.injectMessage({ type: 'CCR', cic: 8 }));
  t.ok(await r.until(() => looped(r, 8)), 'looped for the recheck');
  t.match(r.circuit(8), { call: 'incoming', continuity: 'exchange-loop' });
  t.ok(r.tap.injectMessage(buildRel(8, CAUSE.normalClearing)));
  t.ok(await r.until(() => r.circuit(8).call === 'idle' && !looped(r, 8)), 'the circuit is free and unlooped');
  t.match(r.circuit(8), { continuity: null });
  t.same(r.tap.trace('box', mark), ['RLC 8']);
});

t.test('the CCR stops T27; a failed recheck holds the circuit for the next one, under a new T27', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(checkedIam(9, '12345')));
  t.ok(await r.until(() => looped(r, 9)));
  t.ok(r.tap.injectMessage(cot(9, false)));
  await r.run(T27_MS - 2000, 50);
  t.ok(r.tap.injectMessage({ type: 'CCR', cic: 9 }), 'the recheck comes just before T27');
  t.ok(await r.until(() => looped(r, 9)));
  await r.run(3000);
  t.same(r.tap.trace('box', mark), [], 'no reset at the first T27: the CCR stopped it');
  t.ok(r.tap.injectMessage(cot(9, false)), 'the recheck fails');
  const failedAt = r.clock.now();
  t.ok(await r.until(() => !looped(r, 9)), 'the loop goes');
  t.match(r.circuit(9), { call: 'incoming', continuity: 'recheck-wait' }, 'held again');
  t.ok(await r.until(() => r.tap.of('box', 'RSC', mark).length === 1, T27_MS + 1000, 50));
  const rsc = r.tap.of('box', 'RSC', mark)[0]!;
  t.ok(rsc.at - failedAt >= T27_MS - 50, `RSC at T27 after the failed recheck (${rsc.at - failedAt} ms)`);
  t.ok(await r.until(() => r.circuit(9).call === 'idle'));
});

t.test("the exchange's CCR on an idle circuit: looped until its COT; with neither COT nor REL, reset at T36", async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage({ type: 'CCR', cic: 11 }));
  t.ok(await r.until(() => looped(r, 11)));
  t.match(r.circuit(11), { call: 'incoming', continuity: 'exchange-loop' }, 'seized for the test');
  t.ok(r.tap.injectMessage(cot(11, true)));
  t.ok(await r.until(() => !looped(r, 11) && r.circuit(11).call === 'idle'), 'a passed test frees the circuit');
  t.same(r.tap.trace('box', mark), []);

  t.ok(r.tap.injectMessage({ type: 'CCR', cic: 11 }));
  t.ok(await r.until(() => looped(r, 11)));
  const at = r.clock.now();
  t.ok(await r.until(() => r.tap.of('box', 'RSC', mark).length === 1, T36_MS + 1000, 20));
  const rsc = r.tap.of('box', 'RSC', mark)[0]!;
  t.ok(rsc.at - at >= T36_MS - 20, `RSC at T36 (${rsc.at - at} ms)`);
  t.notOk(looped(r, 11), 'the loop went');
  t.ok(await r.until(() => r.circuit(11).call === 'idle' && r.circuit(11).continuity === null));
});

t.test("our own reset of a circuit looped for the exchange's CCR ends the loop", async (t) => {
  const r = rig(t);
  await r.up();
  t.ok(r.tap.injectMessage({ type: 'CCR', cic: 13 }));
  t.ok(await r.until(() => looped(r, 13)));
  r.stack.maintenance.resetCircuit(13);
  t.ok(await r.until(() => !looped(r, 13) && r.circuit(13).call === 'idle'), 'unlooped and idle once the reset is answered');
  t.match(r.circuit(13), { continuity: null });
  // The next test on the circuit is taken as usual.
  t.ok(r.tap.injectMessage({ type: 'CCR', cic: 13 }));
  t.ok(await r.until(() => looped(r, 13)));
});

t.test("a GRS from the exchange during the wait for COT ends the call and the loop", async (t) => {
  const r = rig(t);
  await r.up();
  t.ok(r.tap.injectMessage(checkedIam(15, '12345')));
  t.ok(await r.until(() => looped(r, 15)));
  t.ok(r.tap.injectMessage({ type: 'GRS', cic: 14, rangeAndStatus: { range: 3 } }));
  t.ok(await r.until(() => !looped(r, 15) && r.ended.length === 1));
  t.match(r.ended[0], { call: { cic: 15, direction: 'in' } });
  t.match(r.circuit(15), { call: 'idle', callPhase: null });
  await r.run(TIMERS.t8Ms + 500);
  t.same(r.tap.of('box', 'REL'), [], 'no T8 left behind');
});

t.test('a failed check on a previous circuit: nothing to recheck here, the call is released (cause 41)', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(checkedIam(17, '12345', 'previous-circuit')));
  await r.run(200);
  t.ok(r.tap.injectMessage(cot(17, false)));
  t.ok(await r.until(() => r.tap.of('box', 'REL', mark).length === 1));
  t.equal(r.tap.of('box', 'REL', mark)[0]!.causeIndicators.causeValue, CAUSE.temporaryFailure);
  t.ok(await r.until(() => r.ended.length === 1 && r.circuit(17).call === 'idle'));
  t.match(r.ended[0], { result: 'failed', reasonCode: 'continuity-failed' });
  t.match(r.circuit(17), { continuity: null }, 'not held');
});

t.test('a failed check and no recheck: the circuit is reset at T27', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(checkedIam(10, '12345')));
  t.ok(await r.until(() => looped(r, 10)));
  t.ok(r.tap.injectMessage(cot(10, false)));
  const failedAt = r.clock.now();
  t.ok(await r.until(() => r.tap.of('box', 'RSC', mark).length === 1, T27_MS + 1000, 50));
  const rsc = r.tap.of('box', 'RSC', mark)[0]!;
  t.ok(rsc.at - failedAt >= T27_MS - 50, `RSC at T27 (${rsc.at - failedAt} ms)`);
  t.ok(await r.until(() => r.circuit(10).call === 'idle'), 'idle once the exchange answers the reset');
});

t.test('SAMs during the check: the number is kept, and the call is offered once the check has passed', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(checkedIam(12, '123', 'required', false)));
  t.ok(r.tap.injectMessage({ type: 'SAM', cic: 12, subsequentNumber: { digits: '45', endOfPulsing: true } }));
  await r.run(200);
  t.same(r.tap.trace('box', mark), [], 'the ST does not end the wait for COT');
  t.ok(looped(r, 12), 'still looped');
  t.ok(r.tap.injectMessage(cot(12, true)));
  t.ok(await r.until(() => r.tap.of('box', 'ACM', mark).length === 1));
  t.notOk(looped(r, 12));
  t.match(r.incoming, [{ cic: 12, called: '12345' }]);
});

t.test('an incomplete number after a passed check waits for its digits (T35)', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(checkedIam(14, '95', 'required', false)));
  await r.run(100);
  t.ok(r.tap.injectMessage(cot(14, true)));
  await r.run(100);
  t.match(r.circuit(14), { callPhase: 'collecting' });
  t.ok(r.tap.injectMessage({ type: 'SAM', cic: 14, subsequentNumber: { digits: '598', endOfPulsing: true } }));
  t.ok(await r.until(() => r.tap.of('box', 'ACM', mark).length === 1));
  t.match(r.incoming, [{ cic: 14, called: '95598' }]);
});

t.test('check on a previous circuit: no loop here, and still no ACM before the COT', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(checkedIam(16, '12345', 'previous-circuit')));
  await r.run(300);
  t.notOk(looped(r, 16), 'nothing to loop on this circuit');
  t.same(r.tap.trace('box', mark), []);
  t.ok(r.tap.injectMessage(cot(16, true)));
  t.ok(await r.until(() => r.tap.of('box', 'ACM', mark).length === 1));
});

t.test('the exchange releases during the check: RLC, the loop removed, the call abandoned', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(checkedIam(18, '12345')));
  t.ok(await r.until(() => looped(r, 18)));
  t.ok(r.tap.injectMessage(buildRel(18, CAUSE.normalClearing)));
  t.ok(await r.until(() => r.ended.length === 1 && !looped(r, 18)));
  t.match(r.ended[0], { result: 'abandoned', call: { cic: 18 } });
  t.same(r.tap.trace('box', mark), ['RLC 18']);
});

t.test('a COT for no call waiting for one is counted and ignored', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  const before = r.stack.calls.counters.unexpected;
  t.ok(r.tap.injectMessage(cot(20, true)));
  await r.run(100);
  t.same(r.tap.trace('box', mark), []);
  t.equal(r.stack.calls.counters.unexpected, before + 1);
});

t.test('a CCR crossing our unanswered reset of the circuit is discarded, as an IAM would be', async (t) => {
  const r = rig(t);
  await r.up();
  r.tap.deaf = true; // our RSC does not reach the exchange: the reset stays unanswered
  r.stack.maintenance.resetCircuit(21);
  await r.run(100);
  t.ok(r.stack.maintenance.resetting(21), 'our reset of CIC 21 is unanswered');
  t.ok(r.tap.injectMessage({ type: 'CCR', cic: 21 }));
  await r.run(200);
  t.notOk(looped(r, 21), 'not looped');
  t.match(r.circuit(21), { continuity: null });
  r.tap.deaf = false; // the repeated RSC gets through and is answered
  t.ok(await r.until(() => !r.stack.maintenance.resetting(21), TIMERS.repeatMs * 3));
  t.ok(r.tap.injectMessage({ type: 'CCR', cic: 21 }));
  t.ok(await r.until(() => looped(r, 21)), 'the next CCR is taken');
});
