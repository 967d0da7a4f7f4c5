import t from 'tap';
import { buildIam, buildRel } from './isup-builders.js';
import { CAUSE } from './isup-cause.js';
import { isupRig as rig, TIMERS } from '../../../test-support/in-process-rig.js';

// The ISUP stack against the simulator's far-end exchange, through the real card driver and
// card simulator, in memory, on a FakeClock. The exchange runs the bench defaults: point
// code 2000 (the box is 1000, so the box controls the odd CICs), CIC 1-30 on span 0.

t.test('link-up: both ends reset the circuit group with GRS, then the box is ready for calls', async (t) => {
  const r = rig(t);
  const early = r.stack.calls.placeCall('12345');
  t.match(await early, { result: 'failed', reason: 'signalling link out of service' }, 'no call before the link is in service');
  await r.up();
  t.same(r.tap.trace('box'), ['GRS 1', 'GRA 1'], 'one GRS for CIC 1-30, and a GRA for the exchange GRS');
  t.equal(r.tap.of('box', 'GRS')[0]?.rangeAndStatus.range, 29, 'the range octet carries 30 - 1');
  t.same(r.tap.trace('exchange'), ['GRS 1', 'GRA 1']);
  t.same(
    r.tap.of('box', 'GRA')[0]?.rangeAndStatus.status,
    Array.from({ length: 30 }, () => false),
    'no circuit blocked by the box',
  );
  t.ok(r.stack.maintenance.ready);
  t.equal(r.exchange.summary().readyCircuits, 30, 'the exchange may call on every circuit');
  const views = r.stack.circuits();
  t.equal(views.length, 30);
  t.ok(views.every((c) => c.call === 'idle' && c.block === 'none' && c.callPhase === null));
  t.same(
    views.filter((c) => c.controlledBy === 'us').map((c) => c.cic),
    [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29],
    'the lower point code controls the odd CICs',
  );
  t.same(r.alerts, [], 'no maintenance alert');
});

t.test('calls wait for the GRA: while the GRS is unanswered they fail, and T22 repeats the GRS', async (t) => {
  const r = rig(t);
  r.tap.deaf = true;
  r.sim.start();
  await r.run(1500);
  r.card.start();
  t.ok(await r.until(() => r.stack.transport.isUp));
  await r.run(50);
  const outcome = await r.stack.calls.placeCall('12345');
  t.match(outcome, { result: 'failed', reason: /waiting for GRA/, cause: CAUSE.temporaryFailure });
  await r.run(TIMERS.repeatMs * 2 + 100);
  t.equal(r.tap.of('box', 'GRS').length, 3, 'GRS sent again every T22');
  r.tap.deaf = false;
  t.ok(await r.until(() => r.stack.maintenance.ready, TIMERS.repeatMs + 500), 'the next GRS is answered and the box is ready');
  t.same(r.alerts, [], 'no alert before T23');
});

t.test('an outbound call: IAM, ACM, ANM, our REL after the hold time, RLC', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  const outcome = await r.settle(r.stack.calls.placeCall('95598', '13800138000', 2000));
  t.same(r.tap.trace('box', mark), ['IAM 1', 'REL 1'], 'the call took CIC 1, the box controls it and it was released longest ago');
  t.same(r.tap.trace('exchange', mark), ['ACM 1', 'ANM 1', 'RLC 1']);
  const [iam] = r.tap.of('box', 'IAM');
  t.equal(iam?.calledPartyNumber.digits, '95598');
  t.equal(iam?.callingPartyNumber?.digits, '13800138000');
  t.equal(r.tap.of('box', 'REL')[0]?.causeIndicators.causeValue, CAUSE.normalClearing);
  t.match(outcome, { result: 'completed', reason: null, cause: CAUSE.normalClearing, repeats: 0, call: { cic: 1, direction: 'out', attempt: 1, called: '95598' } });
  const answeredAfter = outcome.call.answeredAt! - outcome.call.startedAt;
  t.ok(answeredAfter >= 300 && answeredAfter < 400, `answered after the exchange's 300 ms (${answeredAfter} ms)`);
  t.ok(outcome.endedAt - outcome.call.answeredAt! >= 2000, 'held for 2 s after the answer');
  t.same(r.ended, [outcome], 'call-ended once, with the outcome placeCall resolved with');
  t.match(r.circuit(1), { call: 'idle', callPhase: null, lastRelease: { cause: CAUSE.normalClearing } });
  t.match(r.exchange.summary().counters, { incomingAnswered: 1, incomingCompleted: 1 });
});

t.test('while a call is up, the circuit view shows it', async (t) => {
  const r = rig(t);
  await r.up();
  const placed = r.stack.calls.placeCall('95598', '', 5000);
  await r.run(20);
  t.match(r.circuit(1), { call: 'reserved', callPhase: 'iam-sent', direction: 'out' }, 'reserved until a backward message');
  await r.run(100);
  t.match(r.circuit(1), { call: 'outgoing', callPhase: 'alerting' }, 'ACM: outgoing busy');
  await r.run(300);
  t.match(r.circuit(1), { call: 'outgoing', callPhase: 'answered' });
  await r.settle(placed);
  t.match(r.circuit(1), { call: 'idle', callPhase: null });
});

t.test('the exchange releases an answered outbound call first: RLC, and the call completed with its cause', async (t) => {
  const r = rig(t, { exchange: { holdSeconds: 0.5 } });
  await r.up();
  const outcome = await r.settle(r.stack.calls.placeCall('95598', '', 600_000));
  t.match(outcome, { result: 'completed', reason: null, cause: CAUSE.normalClearing, call: { cic: 1 } });
  t.same(r.tap.trace('box').slice(-2), ['IAM 1', 'RLC 1'], 'no REL from the box, an RLC for the exchange REL');
  t.same(r.tap.trace('exchange').slice(-3), ['ACM 1', 'ANM 1', 'REL 1']);
});

t.test('an incoming call is offered, answered, and completes when the exchange releases', async (t) => {
  const r = rig(t);
  await r.up();
  r.exchange.setTraffic({ callsPerMinute: 60, holdSeconds: 1 });
  await r.until(() => r.exchange.summary().counters.callsOriginated > 0, 30_000, 1);
  r.exchange.setTraffic({ callsPerMinute: 0 }); // just the one call
  t.ok(await r.until(() => r.incoming.length > 0), 'the exchange calls');
  const call = r.incoming[0]!;
  t.equal(call.cic % 2, 0, 'the exchange took a CIC it controls (even)');
  t.match(call, { called: '12345', calling: /^139\d{8}$/, span: 0 });
  t.equal(call.timeslot, call.cic <= 15 ? call.cic : call.cic + 1, 'the span and timeslot of the CIC');
  t.match(r.circuit(call.cic), { call: 'incoming', direction: 'in' });
  t.ok(await r.until(() => r.ended.length > 0, 60_000), 'the call ends');
  const [outcome] = r.ended;
  t.match(outcome, { result: 'completed', reason: null, cause: CAUSE.normalClearing, call: { id: call.callId, cic: call.cic, direction: 'in', phase: 'answered' } });
  const cic = call.cic;
  t.same(
    r.tap.crossed.filter((c) => c.message.cic === cic).map((c) => `${c.from} ${c.message.type}`),
    ['exchange IAM', 'box ACM', 'box ANM', 'exchange REL', 'box RLC'],
  );
  const iamAt = r.tap.of('exchange', 'IAM')[0]!.at;
  const anmAt = r.tap.of('box', 'ANM')[0]!.at;
  t.ok(anmAt - iamAt >= 200 && anmAt - iamAt < 300, 'answered after answerAfterMs');
  t.match(r.circuit(cic), { call: 'idle', callPhase: null });
  t.match(r.exchange.summary().counters, { callsOriginated: 1, callsAnswered: 1, callsCompleted: 1 });
});

t.test('an outbound call the exchange never answers: T7 releases with cause 102, REL repeats on T1 until RLC', async (t) => {
  const r = rig(t);
  await r.up();
  r.tap.deaf = true; // the IAM and the RELs are lost on the way
  const since = r.clock.now();
  const placed = r.stack.calls.placeCall('95598', '', 1000);
  await r.run(TIMERS.t7Ms + 50);
  const rels = r.tap.of('box', 'REL');
  t.equal(rels.length, 1, 'REL when T7 runs out');
  t.equal(rels[0]?.causeIndicators.causeValue, CAUSE.recoveryOnTimerExpiry, 'cause 102');
  t.ok(rels[0]!.at - since >= TIMERS.t7Ms, 'not before T7');
  t.match(r.circuit(1), { callPhase: 'releasing' });
  await r.run(TIMERS.repeatMs * 2);
  t.equal(r.tap.of('box', 'REL').length, 3, 'REL again every T1');
  t.same(r.ended, [], 'still waiting for the RLC');
  r.tap.deaf = false;
  const outcome = await r.settle(placed);
  t.match(outcome, { result: 'failed', reason: 'no address complete from the exchange (T7)', cause: CAUSE.recoveryOnTimerExpiry, call: { cic: 1 } });
  t.equal(r.tap.of('exchange', 'RLC').length, 1, 'the exchange answered the repeated REL with RLC');
  t.match(r.circuit(1), { call: 'idle', lastRelease: { cause: CAUSE.recoveryOnTimerExpiry } });
  t.same(r.alerts, []);
});

t.test('no RLC at all: T5 alerts maintenance, ends the call and resets the circuit with RSC', async (t) => {
  const r = rig(t);
  await r.up();
  r.tap.deaf = true;
  const since = r.tap.mark();
  const placed = r.stack.calls.placeCall('95598');
  const outcome = await r.settle(placed, 20_000);
  const firstRel = r.tap.of('box', 'REL')[0]!.at;
  t.match(outcome, { result: 'failed', reason: 'no address complete from the exchange (T7)', cause: CAUSE.recoveryOnTimerExpiry });
  t.ok(outcome.endedAt - firstRel >= TIMERS.alertMs, 'ended by T5, counted from the first REL');
  t.match(r.alerts, [{ cic: 1, what: /T5/ }], 'one maintenance alert for CIC 1');
  const trace = r.tap.trace('box', since);
  t.equal(trace.filter((m) => m === 'REL 1').length, 5, 'REL at T7, then every T1 (1 s) until T5 (5 s)');
  t.equal(trace.at(-1), 'RSC 1', 'then RSC');
  await r.run(TIMERS.alertMs + 10);
  t.equal(r.tap.trace('box', since).at(-1), 'RSC 1', 'RSC repeated on T17, no more REL');
  r.tap.deaf = false;
  await r.run(TIMERS.alertMs + 10);
  t.equal(r.tap.of('exchange', 'RLC').at(-1)?.cic, 1, 'the exchange answers the RSC');
  const rscs = r.tap.of('box', 'RSC').length;
  await r.run(TIMERS.alertMs * 2);
  t.equal(r.tap.of('box', 'RSC').length, rscs, 'RSC no longer repeated once RLC came');
  t.match(r.circuit(1), { call: 'idle', block: 'none', callPhase: null });
});

t.test('ringing but no answer: T9 releases with cause 19 and the call failed', async (t) => {
  const r = rig(t, { exchange: { answerDelayMs: 600_000 } });
  await r.up();
  const outcome = await r.settle(r.stack.calls.placeCall('95598', '', 1000), 20_000);
  t.match(outcome, { result: 'failed', reason: 'no answer (T9)', cause: CAUSE.noAnswer, call: { cic: 1, answeredAt: null } });
  const acm = r.tap.of('exchange', 'ACM')[0]!;
  const rel = r.tap.of('box', 'REL')[0]!;
  t.equal(rel.causeIndicators.causeValue, CAUSE.noAnswer);
  t.ok(rel.at - acm.at >= TIMERS.t9Ms && rel.at - acm.at < TIMERS.t9Ms + 50, 'T9 counted from the ACM');
});

t.test('a REL from the exchange crossing our T9 release: the call still failed, no answer', async (t) => {
  const r = rig(t, { exchange: { answerDelayMs: 600_000 } });
  await r.up();
  const placed = r.stack.calls.placeCall('95598', '', 1000);
  t.ok(await r.until(() => r.circuit(1).callPhase === 'alerting'));
  r.tap.deaf = true; // our REL does not reach the exchange before its own REL leaves
  t.ok(await r.until(() => r.circuit(1).callPhase === 'releasing', 20_000));
  r.tap.injectMessage(buildRel(1, CAUSE.normalUnspecified));
  const outcome = await r.settle(placed, 1000);
  t.equal(r.tap.trace('box').at(-1), 'RLC 1', 'the crossing REL answered with RLC');
  t.match(outcome, { result: 'failed', reason: 'no answer (T9)', cause: CAUSE.noAnswer, call: { answeredAt: null } });
});

t.test('an incoming call the exchange releases before answer is abandoned, not completed', async (t) => {
  const r = rig(t, { isup: { answerAfterMs: 10_000 } });
  await r.up();
  r.tap.deaf = true; // the exchange's side of this call is the test's own messages
  r.tap.injectMessage(buildIam(2, '12345', '13900000000'));
  t.ok(await r.until(() => r.circuit(2).callPhase === 'incoming'), 'offered and alerting (ACM sent)');
  await r.run(3000);
  r.tap.injectMessage(buildRel(2, CAUSE.normalClearing)); // the caller hung up
  t.ok(await r.until(() => r.ended.length === 1));
  t.match(r.ended[0], { result: 'abandoned', reason: null, cause: CAUSE.normalClearing, call: { cic: 2, direction: 'in', answeredAt: null } });
  t.equal(r.tap.trace('box').at(-1), 'RLC 2');
  t.match(r.circuit(2), { call: 'idle', callPhase: null });
});
