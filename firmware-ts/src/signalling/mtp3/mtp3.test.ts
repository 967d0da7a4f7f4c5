import { Registry } from 'prom-client';
import t from 'tap';
import { BOX_PC, EXCHANGE_PC, type CrossedMtp3 } from '../../../test-support/exchange-tap.js';
import { isupRig as rig, type InProcessRig } from '../../../test-support/in-process-rig.js';
import { decodeLinkTest, encodeLinkTest } from './link-test-codec.js';
import { decodeMsu, encodeMsu } from './mtp3-label.js';
import { decodeSnm, encodeSnm } from './network-management-codec.js';

// MTP3 on the box against the simulator's exchange, through the real card driver and card
// simulator on a FakeClock. The simulator's exchange answers the box's SLTMs and tests the
// link itself too; the tests of a link test that fails have the tap lose the box's SLTMs on
// the way (`answerLinkTests: false`).

const QUICK = { linkTest: { timeoutMs: 4000, periodMs: 30_000 } };

/** The box's SLTMs (or any one message) with when they left and their pattern. */
function fromBox(r: InProcessRig, name: string, mark = 0) {
  return r.tap.mtp3.slice(mark).filter((c) => c.from === 'box' && c.name === name);
}

/** What the box sent of its own accord: its answers to the exchange's link tests left out. */
function ownTrace(r: InProcessRig, mark = 0): string[] {
  return r.tap.mtp3Trace('box', mark).filter((line) => !line.startsWith('SLTA'));
}

function pattern(c: CrossedMtp3): Uint8Array {
  return decodeLinkTest(decodeMsu(c.data, 'itu').payload).pattern;
}

/** From now on each SLTM of the box gets an SLTA from the exchange, as `answer` makes it. */
function answerEach(r: InProcessRig, answer: (sltm: CrossedMtp3) => { pattern: Uint8Array; slc: number }): void {
  let answered = 0;
  r.watch(() => {
    for (const sltm of fromBox(r, 'SLTM').slice(answered)) {
      answered++;
      const { pattern, slc } = answer(sltm);
      r.tap.injectMtp3(1, encodeLinkTest({ type: 'SLTA', pattern }), slc);
    }
  });
}

/** Powers the card on and starts the driver, without waiting for anything. */
async function start(r: InProcessRig): Promise<void> {
  await r.powerOn();
  r.card.start();
}

t.test('the link test passes: ISUP waits for the SLTA; then TRA, then the start-up GRS', async (t) => {
  const r = rig(t);
  await r.up();
  const [sltm] = fromBox(r, 'SLTM');
  const [slta] = r.tap.mtp3.filter((c) => c.from === 'exchange' && c.name === 'SLTA');
  t.ok(sltm && slta, 'an SLTM went out and was answered');
  const grs = r.tap.of('box', 'GRS')[0]!;
  t.ok(grs.at >= slta!.at, `our GRS (at ${grs.at - sltm!.at} ms) went only after the SLTA (at ${slta!.at - sltm!.at} ms)`);
  t.same(ownTrace(r), ['SLTM 0', 'TRA 0'], 'the SLTM on SLC 0, and TRA once the link is available (Q.704 9)');
  t.match(r.tap.exchange.summary().linkTest, { state: 'passed', failures: 0 }, "the exchange's own link test passed: the box answered its SLTM");
  const tra = r.tap.mtp3.find((c) => c.name === 'TRA')!;
  t.ok(tra.at <= grs.at && r.tap.mtp3.indexOf(tra) >= 0, 'TRA no later than the GRS');
  t.match(r.stack.mtp3.linkTest.view(), { state: 'passed', lastResult: 'passed', restarts: 0 });
  t.equal(r.stack.mtp3.stats.dropped.beforeLinkUp.isup ?? 0, 0);
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed' }, 'calls work');
});

t.test("ISUP waits for the exchange's TRA (Q.704 9): an exchange drops ISUP until it has sent it", async (t) => {
  const r = rig(t, { isup: { traWaitMs: 20_000 } });
  r.tap.withholdTra = true;
  await start(r);
  t.ok(await r.until(() => r.stack.mtp3.linkTest.state === 'passed', 5000), 'the link test passes');
  await r.run(5000);
  t.same(ownTrace(r), ['SLTM 0', 'TRA 0'], 'our TRA goes once the test passed');
  t.same(r.tap.trace('box'), [], 'no ISUP from the box while the exchange has not allowed traffic');
  t.notOk(r.stack.transport.isUp, 'ISUP does not see the link available');
  const traAt = r.clock.now();
  r.tap.injectMtp3(0, encodeSnm({ type: 'TRA' }, 'itu'));
  t.ok(await r.until(() => r.tap.of('box', 'GRS').length > 0, 1000), 'the GRS follows the TRA');
  t.ok(r.tap.of('box', 'GRS')[0]!.at - traAt < 100, 'at once');
  t.equal(r.stack.mtp3.stats.traWaitExpired, 0);
});

t.test('no TRA from the exchange: ISUP starts when the wait (T20) runs out, counted', async (t) => {
  const r = rig(t, { isup: { traWaitMs: 20_000 } });
  r.tap.withholdTra = true;
  await start(r);
  t.ok(await r.until(() => r.stack.mtp3.linkTest.state === 'passed', 5000));
  const passedAt = r.clock.now();
  t.ok(await r.until(() => r.tap.of('box', 'GRS').length > 0, 25_000), 'the GRS goes in the end');
  const waited = r.tap.of('box', 'GRS')[0]!.at - passedAt;
  t.ok(waited >= 19_900 && waited < 20_500, `after the 20 s wait (${waited} ms)`);
  t.equal(r.stack.mtp3.stats.traWaitExpired, 1);
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed' }, 'calls work');
});

t.test("a restarted box on a card whose link is in service: its first SLTM is not lost in the card's set-up", async (t) => {
  const r = rig(t, { isup: QUICK });
  await r.up();
  const mark = r.tap.mtp3Mark();
  const restartedAt = r.clock.now();
  await r.restartStack();
  t.equal(r.stack.mtp3.stats.notSent.test ?? 0, 0, 'no link test message refused by a card still being set up');
  t.same(ownTrace(r, mark), ['SLTM 0', 'TRA 0'], 'one SLTM, answered');
  const readyAfter = r.clock.now() - restartedAt;
  t.ok(readyAfter < 4000, `ready ${readyAfter} ms after the restart, before T1 could run out`);
});

t.test('periodic link tests every T2 keep the link available', async (t) => {
  const r = rig(t, { isup: QUICK });
  await r.up();
  await r.run(95_000, 100);
  t.equal(fromBox(r, 'SLTM').length, 4, 'at link-up, then every 30 s');
  t.ok(r.stack.transport.isUp);
  t.same(r.tap.of('box', 'GRS').length, 1, 'no reset: the link never went away');
});

t.test('no SLTA: ISUP is held; two tests fail and the link is restarted, then tested again', async (t) => {
  const r = rig(t, { answerLinkTests: false, isup: QUICK });
  await start(r);
  t.ok(await r.until(() => fromBox(r, 'SLTM').length === 1), 'an SLTM as the link comes into service');
  const sentAt = fromBox(r, 'SLTM')[0]!.at;
  await r.run(3000);
  t.notOk(r.stack.transport.isUp, 'ISUP does not see the link in service');
  t.same(r.tap.trace('box'), [], 'no ISUP from the box: no GRS, no GRA to the exchange GRS');
  t.match(await r.stack.calls.placeCall('95598'), { result: 'failed', reason: 'signalling link out of service' });
  t.equal(r.stack.mtp3.linkTest.state, 'pending');

  t.ok(await r.until(() => r.stack.mtp3.linkTest.state === 'failed', 6000), 'failed after the repeat');
  t.same(fromBox(r, 'SLTM').map((c) => c.at - sentAt), [0, 4000], 'the test repeated once when T1 ran out');
  t.match(r.stack.mtp3.linkTest.view(), { lastFailure: 'no-answer', restarts: 1 });
  t.ok(await r.until(() => fromBox(r, 'SLTM').length === 3, 3000), 'the link restarted: in service again and tested');
  t.same(
    r.sent.filter((m) => m.type === 'linkControl').map((m) => (m as { action: string }).action),
    ['start', 'stop', 'start'],
    'the card was told to stop and start the link (after the start at set-up)',
  );
  t.equal(r.stack.mtp3.stats.dropped.heldDropped.isup, 1, 'the exchange GRS held during the test went with the link');

  r.tap.answerLinkTests = true; // the exchange answers from now on: the repeat of the third test passes
  t.ok(await r.until(() => r.stack.maintenance.ready && r.exchange.summary().readyCircuits === 30, 25_000), 'the link is available and the circuits reset');
  t.match(r.stack.mtp3.linkTest.view(), { state: 'passed', restarts: 1 });
  const metrics = new Registry();
  r.stack.registerMetrics(metrics);
  const text = await metrics.metrics();
  t.match(text, /^countyline_mtp3_link_restarts_total 1$/m);
  t.match(text, /^countyline_mtp3_link_test\{state="passed"\} 1$/m);
});

t.test('an SLTA with another pattern fails at once; two of them restart the link', async (t) => {
  const r = rig(t, { answerLinkTests: false, isup: QUICK });
  answerEach(r, (sltm) => ({ pattern: pattern(sltm).reverse(), slc: sltm.sls }));
  await start(r);
  t.ok(await r.until(() => r.stack.mtp3.linkTest.state === 'failed', 3000), 'failed well before T1');
  const sltms = fromBox(r, 'SLTM');
  t.equal(sltms.length, 2, 'the test and its repeat');
  t.ok(sltms[1]!.at - sltms[0]!.at < 1000, 'the repeat went at once, not after T1');
  t.match(r.stack.mtp3.linkTest.view(), { lastFailure: 'wrong-pattern', restarts: 1 });
  t.notOk(r.stack.transport.isUp);
  t.same(r.tap.trace('box'), [], 'no ISUP went out');
});

t.test('the exchange GRS that overtakes our test is held and answered once it passes: no wait for T22', async (t) => {
  const r = rig(t, { answerLinkTests: false });
  await start(r);
  t.ok(await r.until(() => fromBox(r, 'SLTM').length === 1));
  await r.run(2000);
  t.equal(r.tap.of('exchange', 'GRS').length, 1, 'the exchange reset its circuits at link-up');
  t.same(r.tap.trace('box'), [], 'and heard nothing back yet');
  const sltm = fromBox(r, 'SLTM')[0]!;
  const sltaAt = r.clock.now();
  r.tap.injectMtp3(1, encodeLinkTest({ type: 'SLTA', pattern: pattern(sltm) }), sltm.sls);
  t.ok(await r.until(() => r.exchange.summary().readyCircuits === 30 && r.stack.maintenance.ready, 1000), 'both ends reset within a second');
  t.same(r.tap.trace('box'), ['GRS 1', 'GRA 1'], 'our GRS, and the GRA for the held GRS');
  t.ok(r.tap.of('box', 'GRA')[0]!.at >= sltaAt);
  t.equal(r.tap.of('exchange', 'GRS').length, 1, 'the exchange never had to repeat its GRS');
});

t.test('an SLTM from the exchange is answered within a second: same pattern, same SLC, same SI', async (t) => {
  const r = rig(t, { answerLinkTests: false, isup: QUICK });
  await start(r);
  t.ok(await r.until(() => fromBox(r, 'SLTM').length === 1));
  const probe = Uint8Array.from(Buffer.from('HELLO'));
  const mark = r.tap.mtp3Mark();
  const at = r.clock.now();
  r.tap.injectMtp3(1, encodeLinkTest({ type: 'SLTM', pattern: probe }), 7);
  r.tap.injectMtp3(2, encodeLinkTest({ type: 'SLTM', pattern: probe }), 7);
  t.ok(await r.until(() => fromBox(r, 'SLTA', mark).length === 2, 1000), 'answered, although our own test has not passed');
  const answers = fromBox(r, 'SLTA', mark);
  t.same(
    answers.map((c) => ({ si: c.si, sls: c.sls, pattern: Buffer.from(pattern(c)).toString(), opc: decodeMsu(c.data, 'itu').opc, dpc: decodeMsu(c.data, 'itu').dpc })),
    [1, 2].map((si) => ({ si, sls: 7, pattern: 'HELLO', opc: BOX_PC, dpc: EXCHANGE_PC })),
  );
  t.ok(answers.every((c) => c.at - at < 1000), `within ${Math.max(...answers.map((c) => c.at - at))} ms`);
});

t.test('network management and other user parts are not malformed ISUP', async (t) => {
  const r = rig(t);
  await r.up();
  const metrics = new Registry();
  r.stack.registerMetrics(metrics);
  const mark = r.tap.mtp3Mark();
  r.tap.injectMtp3(0, encodeSnm({ type: 'TRA' }, 'itu'));
  r.tap.injectMtp3(0, encodeSnm({ type: 'TFP', destination: 3000 }, 'itu'));
  r.tap.injectMtp3(0, Uint8Array.from([0x99])); // a heading code Q.704 does not have
  r.tap.injectMtp3(3, Uint8Array.of(0x09, 0x00, 0x03, 0x05, 0x07, 0x02, 0x42, 0x01, 0x02, 0x42, 0x01, 0x05, 0x01, 0x08, 0xd0, 0x07, 0x00)); // SCCP UDT: the box has no SCCP
  await r.run(200);
  t.equal(r.stack.transport.stats.malformed, 0, 'no malformed ISUP');
  t.same(r.stack.mtp3.stats.managementIn, { SLTM: 1, SLTA: 1, TRA: 2, TFP: 1 }, "the exchange's SLTM, TRA and SLTA to ours, and the two injected");
  t.same(r.stack.mtp3.stats.dropped.malformed, { snm: 1 }, 'the unknown heading, under SI 0');
  t.same(r.stack.mtp3.stats.dropped.unequipped, { sccp: 1 });
  t.same(r.tap.mtp3Trace('box', mark), ['UPU 0'], 'only the SCCP message gets an answer');
  const upu = r.tap.mtp3.slice(mark).find((c) => c.name === 'UPU')!;
  t.same(decodeSnm(decodeMsu(upu.data, 'itu').payload, 0, 'itu'), { type: 'UPU', destination: BOX_PC, userPart: 3, cause: 'unequipped' }, 'SCCP unequipped here (Q.704 2.4)');
  const text = await metrics.metrics();
  t.match(text, /^countyline_mtp3_msus_total\{direction="in",si="sccp"\} 1$/m);
  t.match(text, /^countyline_mtp3_dropped_total\{si="sccp",reason="unequipped"\} 1$/m);
  t.match(text, /^countyline_mtp3_management_total\{direction="in",message="TRA"\} 2$/m);
  t.match(text, /^countyline_mtp3_management_total\{direction="out",message="UPU"\} 1$/m);
  t.match(text, /^countyline_isup_malformed 0$/m);
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed' }, 'calls carry on');
});

t.test('CBD gets CBA, LIN gets LID, LUN gets LUA; changeover and route management are only logged', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mtp3Mark();
  for (const m of [{ type: 'CBD', code: 42 }, { type: 'LIN' }, { type: 'LUN' }, { type: 'COO', fsn: 5 }, { type: 'TFA', destination: 3000 }, { type: 'LLT' }] as const) {
    r.tap.injectMtp3(0, encodeSnm(m, 'itu'));
  }
  await r.run(200);
  t.same(r.tap.mtp3Trace('box', mark), ['CBA 0', 'LID 0', 'LUA 0']);
  const cba = r.tap.mtp3.slice(mark).find((c) => c.name === 'CBA')!;
  t.same(decodeSnm(decodeMsu(cba.data, 'itu').payload, 0, 'itu'), { type: 'CBA', code: 42 }, 'the same changeback code');
  t.ok(r.stack.transport.isUp, 'the link stays in use: the inhibit request was refused');
});

t.test('messages from another point code or network are dropped as misrouted, link tests too', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mtp3Mark();
  const sltm = encodeLinkTest({ type: 'SLTM', pattern: Uint8Array.of(1) });
  r.tap.inject(encodeMsu({ variant: 'itu', ni: 'national', si: 1, opc: EXCHANGE_PC + 1, dpc: BOX_PC, sls: 0, payload: sltm }));
  r.tap.inject(encodeMsu({ variant: 'itu', ni: 'international', si: 1, opc: EXCHANGE_PC, dpc: BOX_PC, sls: 0, payload: sltm }));
  await r.run(200);
  t.same(r.tap.mtp3Trace('box', mark), [], 'no SLTA for either');
  t.same(r.stack.mtp3.stats.dropped.misrouted, { test: 2 });
});

t.test('China labels: the link test runs with 24-bit point codes and ISUP follows', async (t) => {
  const r = rig(t, { isup: { variant: 'china' }, exchange: { variant: 'china' } });
  await r.up();
  const [sltm] = fromBox(r, 'SLTM');
  const label = decodeMsu(sltm!.data, 'china');
  t.match(label, { si: 1, opc: BOX_PC, dpc: EXCHANGE_PC, sls: 0, payloadOffset: 8 }, 'a 7-octet label');
  t.same(ownTrace(r), ['SLTM 0', 'TRA 0']);
  t.match(r.tap.exchange.summary().linkTest, { state: 'passed' }, 'the box answers a 24-bit SLTM');
  t.same(r.tap.trace('box'), ['GRS 1', 'GRA 1']);
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed' });
});

t.test('isup.slc: the link tests carry it, and an SLTA naming another SLC fails', async (t) => {
  const r = rig(t, { isup: { slc: 5 }, exchange: { linkTest: { slc: 5 } } });
  await r.up();
  t.same(ownTrace(r), ['SLTM 5', 'TRA 5'], 'SLTM and TRA on SLC 5');
  t.same(r.tap.mtp3Trace('box').filter((line) => line.startsWith('SLTA')), ['SLTA 5'], "the exchange's test answered on SLC 5");
  const other = rig(t, { answerLinkTests: false, isup: { slc: 5, ...QUICK } });
  answerEach(other, (sltm) => ({ pattern: pattern(sltm), slc: 0 }));
  await start(other);
  t.ok(await other.until(() => other.stack.mtp3.linkTest.state === 'failed', 3000));
  t.match(other.stack.mtp3.linkTest.view(), { lastFailure: 'wrong-slc' });
});
