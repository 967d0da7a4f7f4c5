import t from 'tap';
import { seededRandom } from '../serial-noise.js';
import { BoxDouble } from './box-double.js';
import { T8_MS } from './exchange-call-state.js';
import { acm, CAUSE, iam, rel } from './exchange-messages.js';
import { encodeIsupMsu } from './isup/index.js';

const boxIam = (cic: number) => iam(cic, '95598', '13800138000');

t.test('undecodable MSUs are counted and dropped; the exchange carries on', async (t) => {
  const box = new BoxDouble();
  box.ready();
  const random = seededRandom(42);
  const junk: Uint8Array[] = [new Uint8Array(0), Uint8Array.of(0x85), Uint8Array.of(0x85, 1, 2, 3, 4, 1, 0, 0xee)];
  for (let i = 0; i < 500; i++) junk.push(Uint8Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * 256)));
  for (const bytes of junk) t.doesNotThrow(() => box.sendBytes(bytes));
  const c = box.exchange.summary().counters;
  t.equal(c.malformedMsus + c.wrongRoute, junk.length, `each counted once: ${c.malformedMsus} malformed, ${c.wrongRoute} not for us`);
  t.ok(c.malformedMsus >= 40, 'among them, MSUs too short for a label or with a broken ISUP message');
  t.same(box.trace(), [], 'none answered');

  // A good IAM cut short, and the same bytes behind another service indicator (SCCP).
  const good = encodeIsupMsu({ variant: 'itu', ni: 'national', dpc: 2000, opc: 1000 }, boxIam(3));
  box.sendBytes(good.subarray(0, good.length - 3));
  box.sendBytes(Uint8Array.from([0x83, ...good.subarray(1)]));
  t.match(box.exchange.summary().counters, { malformedMsus: c.malformedMsus + 1, otherServices: 1, iamsReceived: 0 });
  box.send(rel(20, CAUSE.normalClearing));
  t.same(box.trace().at(-1), 'RLC 20', 'still answering');
});

t.test('only MSUs from the box to us are accepted; others are counted', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.send(boxIam(3), { dpc: 2001 });
  box.send(boxIam(3), { opc: 1001 });
  box.send(boxIam(3), { ni: 'international' });
  box.advance(1000);
  t.same(box.trace(), []);
  t.equal(box.exchange.summary().counters.wrongRoute, 3);
  t.equal(box.exchange.summary().counters.iamsReceived, 0);
});

t.test('an unknown CIC is counted and logged, never answered', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.send(boxIam(31));
  box.send({ type: 'BLO', cic: 0 });
  box.send(rel(100, CAUSE.normalClearing));
  box.advance(1000);
  t.same(box.trace(), []);
  t.equal(box.exchange.summary().counters.unknownCic, 3);
});

t.test('messages that fit no state are counted, not answered', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.send(acm(5));
  box.send({ type: 'RLC', cic: 5 });
  box.send({ type: 'BLA', cic: 5 });
  box.send({ type: 'COT', cic: 5, continuityIndicators: 'successful' });
  t.same(box.trace(), []);
  t.equal(box.exchange.summary().counters.unexpected, 4);
});

t.test('CCR: the far end loops the circuit back until REL, then RLC', async (t) => {
  const box = new BoxDouble();
  box.ready();
  const events: [number, number, boolean][] = [];
  box.exchange.on('loopback', (span, ts, on) => events.push([span, ts, on]));
  t.equal(box.exchange.farEndLoopback(0, 17), false);
  box.send({ type: 'CCR', cic: 16 }); // CIC 16 is span 0 ts17 (ts16 carries the link)
  t.equal(box.exchange.farEndLoopback(0, 17), true, 'looped');
  t.equal(box.exchange.farEndLoopback(0, 16), false, 'only that timeslot');
  t.equal(box.exchange.group.state(16)?.call, 'incoming', 'not offered for calls meanwhile');
  box.advance(60_000);
  t.equal(box.exchange.farEndLoopback(0, 17), true, 'the loop stays until REL');
  t.same(box.trace(), [], 'CCR itself is not answered');
  box.send(rel(16, CAUSE.normalClearing));
  t.same(box.trace(), ['RLC 16']);
  t.equal(box.exchange.farEndLoopback(0, 17), false);
  t.equal(box.exchange.group.state(16)?.call, 'idle');
  t.same(events, [
    [0, 17, true],
    [0, 17, false],
  ]);
  t.same(box.exchange.summary().counters.maintenanceReceived, { GRA: 1, CCR: 1 });
});

t.test('an IAM asking for a continuity check: looped until COT, then answered', async (t) => {
  const box = new BoxDouble();
  box.ready();
  const withCheck = boxIam(2);
  withCheck.natureOfConnection = { ...withCheck.natureOfConnection, continuityCheck: 'required' };
  box.send(withCheck);
  t.equal(box.exchange.farEndLoopback(0, 2), true);
  box.advance(1000);
  t.same(box.trace(), [], 'no ACM before the COT');
  box.send({ type: 'COT', cic: 2, continuityIndicators: 'successful' });
  t.equal(box.exchange.farEndLoopback(0, 2), false);
  box.advance(300);
  t.same(box.trace(), ['ACM 2', 'ANM 2']);

  box.clear();
  box.send({ ...withCheck, cic: 4 });
  box.advance(T8_MS);
  t.same(box.trace(), ['REL 4'], 'no COT within T8: released');
  t.equal(box.exchange.farEndLoopback(0, 4), false);
  box.send({ type: 'RLC', cic: 4 });
  box.send({ ...withCheck, cic: 6 });
  box.send({ type: 'COT', cic: 6, continuityIndicators: 'failed' });
  t.equal(box.exchange.group.state(6)?.call, 'idle', 'a failed check ends the call without REL');
  t.match(box.exchange.summary().counters.incomingFailed, { continuity: 2 });
});

t.test('an IAM on a circuit the exchange blocked is released and the block said again', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.exchange.blockCircuit(5, true);
  box.send({ type: 'BLA', cic: 5 });
  box.clear();
  box.send(boxIam(5));
  t.same(box.trace(), ['REL 5', 'BLO 5']);
  t.equal(box.of('REL')[0]?.causeIndicators.causeValue, CAUSE.requestedCircuitUnavailable);
  const test = { ...boxIam(7), callingPartysCategory: 0x0d };
  box.exchange.blockCircuit(7, true);
  box.clear();
  box.send(test);
  box.advance(300);
  t.same(box.trace(), ['ACM 7', 'ANM 7'], 'a test call is accepted on a blocked circuit');
});

t.test('the China variant: 24-bit point codes, same behaviour', async (t) => {
  const box = new BoxDouble({ config: { variant: 'china', pointCode: '1-2-3', peerPointCode: '1-2-4' } });
  box.linkUp();
  t.same(box.trace(), ['GRS 1']);
  // 1-2-3 < 1-2-4: the exchange has the lower point code here and controls the odd CICs.
  t.equal(box.exchange.snapshot().circuits[0]?.controlledBy, 'us');
  t.equal(box.exchange.snapshot().circuits[1]?.controlledBy, 'peer');
});
