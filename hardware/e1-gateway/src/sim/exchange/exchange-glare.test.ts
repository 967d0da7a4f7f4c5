import t from 'tap';
import { BoxDouble } from './box-double.js';
import { acm, anm, iam } from './exchange-messages.js';

const boxIam = (cic: number) => iam(cic, '95598', '13800138000');

t.test('forced glare on an even CIC: the exchange controls it, sends its IAM and ignores the box IAM', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.exchange.setGlareRatio(1);
  box.send(boxIam(2));
  t.same(box.trace(), ['IAM 2'], 'its own IAM on the same CIC, at once');
  box.advance(5_000);
  t.same(box.trace(), ['IAM 2'], 'no ACM, ANM or REL for the box call');
  t.match(box.exchange.summary().counters, { glaresWon: 1, glaresLost: 0, forcedGlares: 1, callsOriginated: 1, iamsReceived: 1, repeatAttempts: 0 });
  t.equal(box.exchange.group.state(2)?.call, 'reserved', 'still waiting for a backward message');
  // The box, not controlling CIC 2, yields and answers the exchange's call.
  box.send(acm(2));
  box.send(anm(2));
  t.equal(box.exchange.group.state(2)?.call, 'outgoing');
  t.equal(box.exchange.summary().counters.callsAnswered, 1);
});

t.test('forced glare on an odd CIC: the exchange sends its IAM, then yields without REL and repeats elsewhere', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.exchange.setGlareRatio(1);
  box.send(boxIam(3));
  const [own, repeat] = box.of('IAM');
  t.equal(own?.cic, 3, 'first its own IAM on CIC 3');
  t.not(repeat?.cic, 3, 'then the repeat attempt on another circuit');
  t.equal(repeat?.cic, 2, 'the circuit controlled-first selection gives: the oldest released even CIC');
  t.equal(repeat?.calledPartyNumber.digits, own?.calledPartyNumber.digits, 'the same call');
  t.equal(repeat?.callingPartyNumber?.digits, own?.callingPartyNumber?.digits);
  box.advance(300);
  t.same(box.trace(), ['IAM 3', 'IAM 2', 'ACM 3', 'ANM 3'], 'the box call on CIC 3 is accepted as usual, no REL');
  t.equal(box.exchange.group.state(3)?.call, 'incoming');
  t.match(box.exchange.summary().counters, { glaresWon: 0, glaresLost: 1, forcedGlares: 1, repeatAttempts: 1, callsOriginated: 1 });
});

t.test('glare ratio 0 or a blocked CIC: no forced glare', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.send(boxIam(4));
  box.exchange.setGlareRatio(1);
  box.send({ type: 'BLO', cic: 6 });
  box.clear();
  box.send(boxIam(6));
  t.same(box.trace(), [], 'the exchange does not call on a circuit the box blocked');
  t.equal(box.exchange.summary().counters.forcedGlares, 0);
});

t.test('a real glare on a circuit the box controls; the repeat glares again and the call fails', async (t) => {
  // control "none": the exchange controls no CIC, so every glare is lost.
  const box = new BoxDouble({ config: { control: 'none', callsPerMinute: 60 } });
  box.ready();
  while (box.of('IAM').length === 0) box.advance(100);
  box.exchange.setTraffic({ callsPerMinute: 0 });
  const first = box.of('IAM')[0]!.cic;
  box.clear();
  box.send(boxIam(first));
  const repeat = box.of('IAM')[0]?.cic;
  t.ok(repeat !== undefined && repeat !== first, 'dropped without REL and repeated on another circuit');
  t.equal(box.of('REL').length, 0);
  box.send(boxIam(repeat!));
  box.advance(1000);
  t.equal(box.of('IAM').length, 1, 'only one repeat attempt');
  t.match(box.exchange.summary().counters, { glaresLost: 2, repeatAttempts: 1, callsFailed: { 'dual-seizure': 1 }, incomingAnswered: 2 });
});

t.test('no circuit left for the repeat: the call fails as no-circuit', async (t) => {
  const box = new BoxDouble({ config: { cics: [{ firstCic: 1, span: 0, timeslots: '1-2' }] } });
  box.ready();
  box.send(boxIam(2)); // CIC 2 busy with a box call
  box.exchange.setGlareRatio(1);
  box.send(boxIam(1)); // forced glare on CIC 1, which the box controls (odd)
  t.same(box.trace().filter((m) => m.startsWith('IAM')), ['IAM 1'], 'nowhere to repeat');
  t.match(box.exchange.summary().counters, { glaresLost: 1, callsFailed: { 'no-circuit': 1 } });
});
