import t from 'tap';
import { BoxDouble } from './box-double.js';
import { T1_MS, T5_MS, T6_MS, T7_MS } from './exchange-call-state.js';
import { acm, anm, CAUSE, iam, rel } from './exchange-messages.js';
import type { IsupMessageOf } from './isup/index.js';

/** A box call to the hotline's far end: IAM with called and calling party numbers. */
const boxIam = (cic: number): IsupMessageOf<'IAM'> => iam(cic, '95598', '12345');
const relCause = (m: IsupMessageOf<'REL'>) => m.causeIndicators.causeValue;

t.test('link up: the exchange sends GRS for its group and answers the box GRS with GRA', async (t) => {
  const box = new BoxDouble();
  box.linkUp();
  t.same(box.of('GRS').map((m) => [m.cic, m.rangeAndStatus.range]), [[1, 29]], 'one GRS for CIC 1..30, range N-1');
  t.equal(box.exchange.summary().readyCircuits, 0, 'no circuit is ready before the GRA');
  box.send({ type: 'GRS', cic: 1, rangeAndStatus: { range: 29 } });
  const [gra] = box.of('GRA');
  t.same([gra?.cic, gra?.rangeAndStatus.range, gra?.rangeAndStatus.status.every((s) => !s)], [1, 29, true], 'GRA, nothing blocked');
  box.advance(15_000);
  t.equal(box.of('GRS').length, 2, 'unacknowledged GRS repeated after 15 s (T22)');
  t.equal(box.exchange.summary().counters.maintenanceRepeats, 1);
  box.send({ type: 'GRA', cic: 1, rangeAndStatus: { range: 29, status: new Array<boolean>(30).fill(false) } });
  t.equal(box.exchange.summary().readyCircuits, 30);
  box.advance(60_000);
  t.equal(box.of('GRS').length, 2, 'no more repeats once acknowledged');
  t.same(box.exchange.summary().pending, []);
});

t.test('a box call: ACM after 50 ms, ANM after answerDelayMs, REL after the hold time, RLC ends it', async (t) => {
  const box = new BoxDouble({ config: { holdSeconds: 10 } });
  box.ready();
  box.send(boxIam(7));
  box.advance(49);
  t.same(box.trace(), [], 'nothing before 50 ms');
  box.advance(1);
  t.same(box.trace(), ['ACM 7']);
  box.advance(249);
  t.same(box.trace(), ['ACM 7'], 'answer at 300 ms, not before');
  box.advance(1);
  t.same(box.trace(), ['ACM 7', 'ANM 7']);
  t.equal(box.exchange.group.state(7)?.call, 'incoming');
  while (box.of('REL').length === 0) box.advance(100);
  const [release] = box.of('REL');
  t.equal(release && relCause(release), CAUSE.normalClearing, 'the exchange hangs up by itself');
  t.ok(release!.at > 300, 'after the answer');
  box.advance(3 * T1_MS);
  t.equal(box.of('REL').length, 4, 'REL repeated every 15 s (T1) while no RLC comes');
  box.send({ type: 'RLC', cic: 7 });
  t.equal(box.exchange.group.state(7)?.call, 'idle');
  t.match(box.exchange.summary().counters, { iamsReceived: 1, incomingAnswered: 1, incomingCompleted: 1, releaseRepeats: 3 });
});

t.test('no RLC for 5 minutes (T5): the exchange resets the circuit with RSC', async (t) => {
  const box = new BoxDouble({ config: { holdSeconds: 1 } });
  box.ready();
  box.send(boxIam(5));
  while (box.of('REL').length === 0) box.advance(100);
  const relAt = box.of('REL')[0]!.at;
  box.advance(T5_MS);
  const [rsc] = box.of('RSC');
  t.equal(rsc?.at, relAt + T5_MS);
  t.equal(box.exchange.group.state(5)?.call, 'idle', 'the call is gone');
  t.equal(box.exchange.snapshot().circuits[4]?.ready, false, 'no call of ours on it until the RLC');
  box.clear();
  box.advance(T1_MS);
  t.same(box.trace(), ['RSC 5'], 'RSC repeats (T16), REL does not');
  box.send({ type: 'RLC', cic: 5 });
  t.equal(box.exchange.snapshot().circuits[4]?.ready, true);
  t.match(box.exchange.summary().counters, { incomingCompleted: 1 }, 'it was a completed call; only its release went wrong');
});

t.test('hold times are exponential with mean holdSeconds', async (t) => {
  const box = new BoxDouble({ config: { holdSeconds: 20 } });
  box.autoAnswer = true;
  box.ready();
  const holds: number[] = [];
  for (let i = 0; i < 200; i++) {
    box.clear();
    box.send(boxIam(1));
    box.advance(3_600_000);
    const anmAt = box.of('ANM')[0]!.at;
    holds.push(box.of('REL')[0]!.at - anmAt);
  }
  const mean = holds.reduce((a, b) => a + b, 0) / holds.length / 1000;
  t.ok(mean > 16 && mean < 24, `mean hold ${mean.toFixed(1)} s is about 20 s`);
  t.equal(box.exchange.summary().counters.incomingCompleted, 200);
});

t.test('the box releases first: RLC, and the circuit is free again', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.send(boxIam(3));
  box.advance(400);
  box.send(rel(3, CAUSE.normalClearing));
  t.same(box.trace(), ['ACM 3', 'ANM 3', 'RLC 3']);
  t.equal(box.exchange.group.state(3)?.call, 'idle');
  box.advance(3_600_000);
  t.equal(box.of('REL').length, 0, 'no hold timer left behind');

  box.clear();
  box.send(boxIam(4));
  box.advance(10);
  box.send(rel(4, CAUSE.normalClearing));
  box.advance(1000);
  t.same(box.trace(), ['RLC 4'], 'released before the ACM: nothing more is sent');
  box.send(rel(4, CAUSE.normalClearing));
  t.same(box.trace(), ['RLC 4', 'RLC 4'], 'a REL for an idle circuit still gets RLC');
  t.match(box.exchange.summary().counters, { incomingCompleted: 1, incomingFailed: { abandoned: 1 } });
});

t.test('answerDelayMs of 50 ms or less answers with CON', async (t) => {
  const box = new BoxDouble({ config: { answerDelayMs: 0 } });
  box.ready();
  box.send(boxIam(9));
  box.advance(50);
  t.same(box.trace(), ['CON 9']);
});

t.test('calls of the exchange: IAM on a controlled circuit, answered, released after the hold time', async (t) => {
  const box = new BoxDouble({ config: { callsPerMinute: 2, holdSeconds: 5 } });
  box.ready();
  while (box.of('IAM').length === 0) box.advance(1000);
  const [first] = box.of('IAM');
  t.ok(first, 'a call came');
  t.equal(first!.cic % 2, 0, 'on an even CIC: the exchange (higher point code) controls those and takes them first');
  t.equal(first!.calledPartyNumber.digits, '12345');
  t.match(first!.callingPartyNumber?.digits, /^139\d{8}$/);
  const cic = first!.cic;
  box.clear();
  box.exchange.setTraffic({ callsPerMinute: 0 });
  box.send(acm(cic));
  box.send(anm(cic));
  t.equal(box.exchange.group.state(cic)?.call, 'outgoing');
  box.advance(3_600_000);
  t.same(box.trace().filter((m) => m.endsWith(` ${cic}`)).slice(0, 1), [`REL ${cic}`], 'the exchange hangs up after the hold time');
  box.send({ type: 'RLC', cic });
  t.equal(box.exchange.group.state(cic)?.call, 'idle');
  t.equal(box.of('IAM').length, 0, 'rate 0: no new calls');
  t.match(box.exchange.summary().counters, { callsAnswered: 1, callsCompleted: 1 });
});

t.test('a call the box rejects, and one it never answers (T7)', async (t) => {
  const box = new BoxDouble({ config: { callsPerMinute: 1 } });
  box.ready();
  box.advance(10 * 60_000);
  const calls = box.of('IAM');
  t.ok(calls.length >= 2, 'calls came');
  box.exchange.setTraffic({ callsPerMinute: 0 });
  // The first call got no answer at all: T7 released it with cause 18.
  const noAnswer = box.of('REL').find((r) => r.cic === calls[0]!.cic);
  t.equal(noAnswer && relCause(noAnswer), CAUSE.noUserResponding);
  t.equal(noAnswer!.at - calls[0]!.at, T7_MS, 'after 30 s');
  box.clear();
  // A new call; the box is busy.
  box.exchange.setTraffic({ callsPerMinute: 60 });
  box.advance(10_000);
  box.exchange.setTraffic({ callsPerMinute: 0 });
  const last = box.of('IAM').at(-1)!;
  box.send(rel(last.cic, CAUSE.userBusy));
  t.same(box.trace().at(-1), `RLC ${last.cic}`);
  t.match(box.exchange.summary().counters.callsFailed, { rejected: 1, 'no-answer': Number });
  t.same(box.exchange.summary().counters.rejectCauses, { 17: 1 });
});

t.test('Poisson traffic: none before the GRA, then about the configured rate', async (t) => {
  const box = new BoxDouble({ config: { callsPerMinute: 30, holdSeconds: 5, seed: 7 } });
  box.linkUp();
  box.advance(60_000);
  t.equal(box.of('IAM').length, 0, 'no calls while the GRS is unacknowledged');
  const grs = box.of('GRS').at(-1)!;
  box.send({ type: 'GRA', cic: grs.cic, rangeAndStatus: { range: 29, status: new Array<boolean>(30).fill(false) } });
  box.autoAnswer = true;
  box.clear();
  box.advance(20 * 60_000);
  const iams = box.of('IAM').length;
  t.ok(iams > 540 && iams < 660, `${iams} calls in 20 minutes at 30 a minute`);
  const c = box.exchange.summary().counters;
  t.equal(c.callsOriginated, iams);
  t.ok(c.callsCompleted >= iams - 5, 'they were answered and completed');
  box.exchange.setTraffic({ callsPerMinute: 0 });
  box.clear();
  box.advance(10 * 60_000);
  t.equal(box.of('IAM').length, 0, 'rate 0 stops new calls');
  t.equal(box.exchange.summary().counts.idle, 30, 'calls in progress finished');
});

t.test('link failure clears calls; link up resets again before any call', async (t) => {
  const box = new BoxDouble({ config: { callsPerMinute: 60 } });
  box.autoAnswer = true;
  box.ready();
  box.advance(30_000);
  t.ok(box.exchange.summary().counts.outgoing > 0);
  box.linkDown();
  t.equal(box.exchange.summary().counts.idle, 30);
  t.ok(box.exchange.summary().counters.callsFailed['link-down']! > 0);
  box.clear();
  box.advance(60_000);
  t.same(box.trace(), [], 'silent while the link is down');
  box.autoAnswer = false;
  box.linkUp();
  box.advance(60_000);
  t.same(box.trace(), ['GRS 1', 'GRS 1', 'GRS 1', 'GRS 1', 'GRS 1'], 'GRS first and repeated; no IAM before the GRA');
});

t.test('SUS holds an answered call; without RES within T6 the exchange releases it (cause 102)', async (t) => {
  const box = new BoxDouble({ config: { holdSeconds: 3600 } });
  box.ready();
  box.send(boxIam(6));
  box.advance(400);
  box.send({ type: 'SUS', cic: 6, suspendResumeIndicators: 'network' });
  box.advance(T6_MS - 1);
  box.send({ type: 'RES', cic: 6, suspendResumeIndicators: 'network' });
  box.advance(T6_MS);
  t.same(box.trace(), ['ACM 6', 'ANM 6'], 'RES in time: the call goes on');
  box.send({ type: 'SUS', cic: 6, suspendResumeIndicators: 'network' });
  box.advance(T6_MS);
  t.same(box.trace(), ['ACM 6', 'ANM 6', 'REL 6']);
  t.equal(relCause(box.of('REL')[0]!), CAUSE.recoveryOnTimerExpiry);
  box.send({ type: 'RLC', cic: 6 });
  t.match(box.exchange.summary().counters, { incomingAnswered: 1, incomingCompleted: 1, unexpected: 0 });
  box.send({ type: 'SUS', cic: 6, suspendResumeIndicators: 'network' });
  t.equal(box.exchange.summary().counters.unexpected, 1, 'a SUS with no answered call is counted, not answered');
  t.same(box.trace(), ['ACM 6', 'ANM 6', 'REL 6']);
});

t.test('CPG after ACM on a call of ours is taken; SAM adds digits to a box call in setup', async (t) => {
  const box = new BoxDouble({ config: { callsPerMinute: 60, answerDelayMs: 1000 } });
  box.ready();
  while (box.of('IAM').length === 0) box.advance(100);
  box.exchange.setTraffic({ callsPerMinute: 0 });
  const cic = box.of('IAM')[0]!.cic;
  box.send({ type: 'CPG', cic, eventInformation: { event: 1, presentationRestricted: false } });
  t.equal(box.exchange.summary().counters.unexpected, 1, 'CPG before ACM fits no state');
  box.send(acm(cic));
  box.send({ type: 'CPG', cic, eventInformation: { event: 3, presentationRestricted: false }, optionalBackwardCallIndicators: { inBandInformation: true, callDiversionMayOccur: false, simpleSegmentation: false, mlppUser: false } });
  t.equal(box.exchange.summary().counters.unexpected, 1, 'after ACM it is taken');
  t.equal(box.exchange.snapshot().circuits.find((c) => c.cic === cic)?.exchangeCall?.state, 'out-alerting');

  const overlap = iam(9, '955', '12345');
  overlap.calledPartyNumber = { ...overlap.calledPartyNumber, endOfPulsing: false };
  box.send(overlap);
  box.send({ type: 'SAM', cic: 9, subsequentNumber: { digits: '98', endOfPulsing: true } });
  t.equal(box.exchange.snapshot().circuits.find((c) => c.cic === 9)?.exchangeCall?.called, '95598');
});
