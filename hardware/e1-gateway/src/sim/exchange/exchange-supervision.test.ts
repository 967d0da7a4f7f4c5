import t from 'tap';
import { BoxDouble } from './box-double.js';
import { CAUSE, iam } from './exchange-messages.js';

// What the exchange answers beyond calls and blocking: the circuit group query, an unknown
// message type, CFN and UCIC from the box.

t.test('CQM gets CQR with each circuit as the exchange sees it', async (t) => {
  const box = new BoxDouble({ config: { cics: [{ firstCic: 1, span: 0, timeslots: '1-4' }] } });
  box.ready();
  box.send(iam(1, '95598', '13800138000'));
  box.exchange.blockCircuit(2, true);
  box.send({ type: 'BLO', cic: 2 });
  box.send({ type: 'CGB', cic: 3, supervisionType: 'hardware-failure', rangeAndStatus: { range: 1, status: [true, false] } });
  box.clear();
  box.send({ type: 'CQM', cic: 1, rangeAndStatus: { range: 4 } });
  const [cqr] = box.of('CQR');
  t.same(cqr?.rangeAndStatus, { range: 4 });
  t.same(cqr?.circuitStateIndicators, [
    { state: 'incoming-busy', maintenance: 'none', hardware: 'none' },
    { state: 'idle', maintenance: 'both', hardware: 'none' },
    { state: 'idle', maintenance: 'none', hardware: 'remote' },
    { state: 'idle', maintenance: 'none', hardware: 'none' },
    { state: 'unequipped' },
  ]);
  box.send({ type: 'CQM', cic: 1, rangeAndStatus: { range: 32 } });
  t.equal(box.of('CQR').length, 1, 'a range above 31 is dropped');
  t.match(box.exchange.summary().counters, { badRange: 1, maintenanceReceived: { CQM: 2 }, maintenanceSent: { CQR: 1 } });
});

t.test('an unknown message type gets CFN, cause 97, naming the type; a CFN from the box is counted', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.send({ type: 'unrecognised', cic: 4, code: 0xe0, data: Uint8Array.of(1, 2, 3) });
  const [cfn] = box.of('CFN');
  t.same([cfn?.cic, cfn?.causeIndicators.causeValue, [...(cfn?.causeIndicators.diagnostics ?? [])]], [4, CAUSE.messageTypeNonExistent, [0xe0]]);
  box.send({ type: 'CFN', cic: 4, causeIndicators: { codingStandard: 'itu-t', location: 0, causeValue: 97, diagnostics: Uint8Array.of(0x2c) } });
  t.same(box.trace(), ['CFN 4'], 'a CFN is never answered');
  t.match(box.exchange.summary().counters, { unrecognised: 1, confusionReceived: 1 });
});

t.test('UCIC: no calls of the exchange on that circuit until it is reset again', async (t) => {
  const box = new BoxDouble({ config: { cics: [{ firstCic: 1, span: 0, timeslots: '1-2' }], control: 'all', callsPerMinute: 60 } });
  box.autoAnswer = true;
  box.ready();
  box.send({ type: 'UCIC', cic: 1 });
  box.advance(5 * 60_000);
  const cics = new Set(box.of('IAM').map((m) => m.cic));
  t.same([...cics], [2], 'only CIC 2 carried calls');
  t.equal(box.exchange.snapshot().circuits[0]?.ready, false);
  box.exchange.resetCircuit(1);
  box.send({ type: 'RLC', cic: 1 });
  t.equal(box.exchange.snapshot().circuits[0]?.ready, true, 'ready again after its RSC is answered');
});

t.test('RSC and GRS lift the box hardware blocks too', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.send({ type: 'CGB', cic: 1, supervisionType: 'hardware-failure', rangeAndStatus: { range: 2, status: [true, true, true] } });
  t.same([1, 2, 3].map((cic) => box.exchange.group.state(cic)?.hardware), ['remote', 'remote', 'remote']);
  box.send({ type: 'RSC', cic: 1 });
  box.send({ type: 'GRS', cic: 2, rangeAndStatus: { range: 1 } });
  t.same([1, 2, 3].map((cic) => box.exchange.group.state(cic)?.hardware), ['none', 'none', 'none']);
});

t.test('group messages with a supervision type for national use or spare are not acted on', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.send({ type: 'CGB', cic: 1, supervisionType: 'national', rangeAndStatus: { range: 1, status: [true, true] } });
  t.same(box.trace(), []);
  t.equal(box.exchange.summary().counts.hardwareBlocked + box.exchange.summary().counts.maintenanceBlocked, 0);
  t.equal(box.exchange.summary().counters.unexpected, 1);
});
