import { Registry } from 'prom-client';
import t from 'tap';
import { buildBare, buildIam, buildRel } from './isup-builders.js';
import { CAUSE } from './isup-cause.js';
import { encodeIsupMsu } from './isup-msu.js';
import { BOX_PC, EXCHANGE_PC } from '../../../test-support/exchange-tap.js';
import { isupRig as rig } from '../../../test-support/in-process-rig.js';

// What reaches the stack from the link, good and bad, the link going and coming, and the
// continuity check (CCR) both ways.

const FROM_EXCHANGE = { variant: 'itu', ni: 'national', opc: EXCHANGE_PC, dpc: BOX_PC } as const;

t.test('an MSU that overtakes the linkState putting the link in service is dropped', async (t) => {
  // The first linkState in-service frame is lost on the serial line; the card repeats it
  // 250 ms later, after the MSU carrying the exchange's first SLTM has arrived. The exchange
  // tests again (Q.707 2.2) and resets its group only once a test passed.
  const r = rig(t);
  let lost = 0;
  r.loseFromCard((m) => m.type === 'linkState' && m.state === 'in-service' && lost === 0 && ++lost === 1);
  r.sim.start();
  await r.run(1500);
  r.card.start();
  t.ok(await r.until(() => r.stack.maintenance.ready), 'the box gets ready: its own GRS is answered');
  t.equal(lost, 1);
  t.equal(r.stack.mtp3.stats.dropped.beforeLinkUp.test, 1, "the exchange's SLTM came before the link was in service, and was dropped");
  t.ok(await r.until(() => r.exchange.summary().readyCircuits === 30, 20_000), "the exchange's repeated test is answered, its GRS too");
  t.match(r.exchange.summary().linkTest, { state: 'passed', timedOut: 1, failures: 0 }, 'one test timed out, the repeat passed');
  t.equal(r.tap.of('box', 'GRA').length, 1);
  t.equal(r.tap.of('exchange', 'GRS').length, 1, 'no GRS was lost: it waited for the link test');
});

t.test('a malformed MSU is counted and dropped; the stack carries on', async (t) => {
  const r = rig(t);
  await r.up();
  const metrics = new Registry();
  r.stack.registerMetrics(metrics);
  const iam = encodeIsupMsu(FROM_EXCHANGE, buildIam(2, '12345', '13900000000'));
  t.ok(r.tap.inject(iam.subarray(0, iam.length - 4)), 'an IAM cut short');
  t.ok(r.tap.inject(Uint8Array.of(0x85, 0xd0)), 'a label cut short');
  const longBlo = encodeIsupMsu(FROM_EXCHANGE, buildBare('BLO', 2));
  t.ok(r.tap.inject(Uint8Array.from([...longBlo, 0x00])), 'a BLO with an octet too many');
  await r.run(50);
  t.same(r.incoming, []);
  t.equal(r.stack.transport.stats.malformed, 2, 'the IAM cut short and the long BLO: malformed ISUP');
  t.match(await metrics.metrics(), /^countyline_isup_malformed 2$/m);
  t.same(r.stack.mtp3.stats.dropped.malformed, { isup: 1 }, 'the label cut short: malformed at MTP3, under its service indicator');
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed' }, 'calls still work');
});

t.test('messages for a CIC we do not have, or from another point code, are ignored', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  r.tap.injectMessage(buildIam(200, '12345', '13900000000'));
  r.tap.injectMessage(buildBare('BLO', 300));
  r.tap.injectMessage(buildBare('RSC', 4000));
  r.tap.injectMessage(buildRel(31, CAUSE.normalClearing));
  r.tap.inject(encodeIsupMsu({ ...FROM_EXCHANGE, opc: EXCHANGE_PC + 1 }, buildIam(2, '12345', '')));
  await r.run(100);
  t.same(r.tap.trace('box', mark), [], 'no answer to any of them');
  t.same(r.incoming, []);
  t.ok(r.stack.circuits().every((c) => c.call === 'idle' && c.block === 'none'));
  t.same(r.stack.mtp3.stats.dropped.misrouted, { isup: 1 });
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed' });
});

t.test('the link fails: no calls meanwhile; back in service, the box sends no GRS of its own and calls resume', async (t) => {
  // A link that fails and returns is no restart (Q.764 2.9.3): the box keeps what it knows.
  // The simulator's exchange resets its group when the link is back; the box answers it.
  const r = rig(t);
  await r.up();
  const placed = r.stack.calls.placeCall('95598', '', 600_000);
  t.ok(await r.until(() => r.circuit(1).callPhase === 'answered'));
  r.sim.setSpanDefects(0, { los: true });
  t.ok(await r.until(() => !r.stack.transport.isUp), 'the link goes out of service');
  t.notOk(r.stack.maintenance.ready);
  t.match(await r.stack.calls.placeCall('95598'), { result: 'failed', reason: 'signalling link out of service' });
  const mark = r.tap.mark();
  r.sim.setSpanDefects(0, { los: false });
  t.ok(await r.until(() => r.stack.maintenance.ready && r.exchange.summary().readyCircuits === 30), 'ready again');
  await r.run(1000);
  t.same(r.tap.trace('box', mark), ['GRA 1'], 'the exchange reset the group; the box only answered');
  // The exchange's reset clears the call that was up when the link failed.
  t.match(await r.settle(placed, 1000), { result: 'completed', call: { cic: 1 } });
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed' });
});

t.test('continuity test (CCR): the exchange loops the circuit, the 2000 Hz tone comes back', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  const verdict = await r.settle(r.stack.run(0, 5));
  t.same(verdict, { ok: true });
  t.same(r.tap.trace('box', mark), ['CCR 5', 'REL 5'], 'CCR, then REL ends the test');
  t.same(r.tap.trace('exchange', mark), ['RLC 5']);
  t.match(r.circuit(5), { call: 'idle', callPhase: null });
  t.equal(r.farCircuit(5).loopback, false, 'the exchange took its loop off');
  t.same(r.sim.timeslots[0]!.snapshot().tones, [], 'the tone is off');
});

t.test('a continuity test is a call record: the circuit view shows it while it runs', async (t) => {
  const r = rig(t);
  await r.up();
  const test = r.stack.run(0, 5);
  t.ok(await r.until(() => r.tap.of('box', 'CCR').length === 1), 'CCR sent');
  t.match(r.circuit(5), { call: 'reserved', callPhase: 'continuity', direction: 'out' }, 'under test');
  t.same(await r.settle(test), { ok: true });
  t.match(r.circuit(5), { call: 'idle', callPhase: null, direction: null });
  t.same(r.ended, [], 'not a call of anyone’s: no call-ended for it');
});

t.test('continuity test: a broken loop fails it; the circuit is released all the same', async (t) => {
  const r = rig(t);
  await r.up();
  r.sim.setLoopbackFault(0, 5, true);
  const mark = r.tap.mark();
  const verdict = await r.settle(r.stack.run(0, 5));
  t.same(verdict, { ok: false, reason: 'no 2000 Hz tone back from the exchange within 0.5 s (CCR)', reasonCode: 'no-tone-from-exchange', reasonArgs: [2000, 0.5] });
  t.same(r.tap.trace('box', mark), ['CCR 5', 'REL 5']);
  t.same(r.tap.trace('exchange', mark), ['RLC 5']);
  t.match(r.circuit(5), { call: 'idle' });
  t.same(r.sim.timeslots[0]!.snapshot().tones, []);
});

t.test('continuity test with no RLC: REL repeated on T1 until T5, then an alert and a reset', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  const test = r.stack.run(0, 5);
  t.ok(await r.until(() => r.tap.of('box', 'CCR', mark).length === 1), 'CCR sent');
  r.tap.deaf = true; // the exchange loops the circuit but hears nothing after: no RLC
  t.ok(await r.until(() => r.tap.of('box', 'REL', mark).length === 1), 'the test ends with REL');
  const relAt = r.tap.of('box', 'REL', mark)[0]!.at;
  t.same(await r.settle(test), { ok: true }, 'the verdict stands');
  await r.run(100);
  t.same(
    r.tap.of('box', 'REL', mark).map((m) => m.at - relAt),
    [0, 1000, 2000, 3000, 4000],
    'REL again every T1 (1 s here) until T5 (5 s here)',
  );
  t.same(
    r.tap.of('box', 'RSC', mark).map((m) => m.at - relAt),
    [5000],
    'Q.764 2.10.6: on T5 the circuit is reset',
  );
  t.match(r.alerts, [{ cic: 5, at: relAt + 5000, what: /release complete.*T5/ }], 'and maintenance is alerted');
  t.match(r.circuit(5), { call: 'idle', maintenance: 'local' }, 'out of service until the exchange answers the reset');
});

t.test('stop() while a continuity test waits for its RLC: no REL repeated, the test ends, no timer left', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  const test = r.stack.run(0, 5);
  t.ok(await r.until(() => r.tap.of('box', 'CCR', mark).length === 1), 'CCR sent');
  r.tap.deaf = true; // no RLC will come
  t.ok(await r.until(() => r.tap.of('box', 'REL', mark).length === 2), 'REL repeated on T1');
  r.stack.stop();
  const stoppedAt = r.tap.mark();
  t.same(await r.settle(test, 100), { ok: true }, 'the test under way ends at once with its verdict');
  await r.run(10_000);
  t.same(r.tap.trace('box', stoppedAt), [], 'nothing sent after stop(): no REL repeated, no reset');
  await r.stop();
  t.equal(r.clock.pending(), 0, 'with the card stopped too, no timer is left');
});

t.test('continuity test skipped: no circuit there, circuit busy, link down', async (t) => {
  const r = rig(t);
  // A test that cannot run says nothing about the circuit: skipped, never a failure.
  t.same(await r.stack.run(0, 5), { ok: false, skipped: true, reason: 'signalling link out of service', reasonCode: 'signalling-down', reasonArgs: [] });
  await r.up();
  t.same(await r.stack.run(0, 16), { ok: false, skipped: true, reason: 'no CIC is assigned to span 0 timeslot 16', reasonCode: 'no-cic', reasonArgs: [0, 16] });
  void r.stack.calls.placeCall('95598', '', 600_000);
  await r.run(500);
  t.same(await r.stack.run(0, 1), { ok: false, skipped: true, reason: 'CIC 1 is busy', reasonCode: 'cic-busy', reasonArgs: [1] });
  r.exchange.blockCircuit(3, true);
  await r.run(50);
  t.same(await r.stack.run(0, 3), { ok: false, skipped: true, reason: 'CIC 3 is blocked', reasonCode: 'cic-blocked', reasonArgs: [3] }, 'not on a circuit the exchange blocked');
  r.stack.maintenance.block(5);
  await r.run(50);
  t.same(await r.settle(r.stack.run(0, 5)), { ok: true }, 'allowed on a circuit we blocked ourselves');
});

t.test('an exchange IAM crossing our CCR is ignored: the test runs to its end, its REL clears the circuit', async (t) => {
  // The continuity test holds the circuit looped for its tone; no call can use it. Q.764
  // 2.9.1.3 calls an IAM a dual seizure only on a circuit where our own IAM is out, and a CCR
  // is none: the box neither answers the IAM nor counts a glare. The REL that ends the test
  // (Q.764 2.1.8) releases the circuit at the exchange too, whatever it thought it had.
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  const test = r.stack.run(0, 31); // CIC 30
  await r.run(1);
  r.tap.injectMessage(buildIam(30, '12345', '13900000000'));
  const verdict = await r.settle(test);
  await r.run(1000);
  t.same(verdict, { ok: true }, 'the loop stayed and the tone came back');
  t.same(r.tap.trace('box', mark), ['CCR 30', 'REL 30'], 'no ACM, ANM or reset for the IAM: only the test');
  t.same(r.tap.trace('exchange', mark), ['RLC 30']);
  t.same(r.incoming, [], 'no incoming call offered');
  t.match(r.circuit(30), { call: 'idle', callPhase: null, direction: null, block: 'none' }, 'the circuit is free again, with no call on it');
  t.same(r.glares, [], 'not counted as a dual seizure');
});

t.test('a CCR from the exchange: the timeslot is looped back until its REL, then RLC', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  r.tap.injectMessage(buildBare('CCR', 7));
  await r.run(50);
  t.same(r.sim.timeslots[0]!.snapshot().loopbacks, [7], 'span 0 timeslot 7 looped at the card');
  t.match(r.circuit(7), { call: 'incoming' }, 'and kept from our calls');
  r.tap.injectMessage(buildRel(7, CAUSE.normalClearing));
  await r.run(50);
  t.same(r.sim.timeslots[0]!.snapshot().loopbacks, []);
  t.same(r.tap.trace('box', mark), ['RLC 7']);
  t.match(r.circuit(7), { call: 'idle' });
});

t.test('a reset from the exchange also ends its continuity loop', async (t) => {
  const r = rig(t);
  await r.up();
  r.tap.injectMessage(buildBare('CCR', 7));
  r.tap.injectMessage(buildBare('CCR', 9));
  await r.run(50);
  t.same(r.sim.timeslots[0]!.snapshot().loopbacks, [7, 9]);
  r.exchange.resetCircuit(7);
  r.exchange.resetAll();
  await r.run(100);
  t.same(r.sim.timeslots[0]!.snapshot().loopbacks, [], 'no timeslot left looped: a call on it would hear itself');
  t.match(r.circuit(7), { call: 'idle' });
});

t.test('an IAM on a circuit whose reset is not yet answered is discarded: the reset wins', async (t) => {
  // After a restart the box resets every circuit (GRS). An IAM the exchange sent before our
  // GRS reached it crosses the GRS; the exchange then clears that call when the GRS arrives,
  // without REL. Answering it would leave a call at the box the exchange no longer has.
  const r = rig(t);
  await r.up();
  r.tap.deaf = true; // the exchange does not hear our GRS yet
  r.stack.maintenance.resetAll();
  const mark = r.tap.mark();
  r.tap.injectMessage(buildIam(3, '12345', '13900000000'));
  await r.run(500);
  t.same(r.incoming, [], 'no incoming call');
  t.same(r.tap.of('box', 'ACM', mark), [], 'no ACM');
  t.equal(r.circuit(3).call, 'idle');
  t.equal(r.stack.calls.counters.discardedInReset, 1, 'counted');
  r.tap.deaf = false;
  t.ok(await r.until(() => r.stack.maintenance.ready, 5000), 'the GRS repeated on T22 is answered');
  t.equal(r.circuit(3).call, 'idle', 'idle at the box');
  t.equal(r.farCircuit(3).call, 'idle', 'and at the exchange');
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed' }, 'calls work after the reset');
});
