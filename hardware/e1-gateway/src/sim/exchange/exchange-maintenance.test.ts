import t from 'tap';
import { BoxDouble } from './box-double.js';
import { CAUSE, iam, rel } from './exchange-messages.js';
import { REPEAT_MS } from './exchange-maintenance.js';

const boxIam = (cic: number) => iam(cic, '95598', '13800138000');
const bits = (s: string) => [...s].map((c) => c === '1');

t.test('BLO: BLA, the circuit is remote-blocked and gets no call of the exchange until UBL', async (t) => {
  const box = new BoxDouble({ config: { callsPerMinute: 60, holdSeconds: 2 } });
  box.autoAnswer = true;
  box.ready();
  box.send({ type: 'BLO', cic: 2 });
  t.same(box.trace(), ['BLA 2']);
  t.equal(box.exchange.group.state(2)?.maintenance, 'remote');
  box.advance(5 * 60_000);
  const iams = box.of('IAM');
  t.ok(iams.length > 100, 'the exchange kept calling');
  t.notOk(
    iams.some((m) => m.cic === 2),
    'never on CIC 2',
  );
  box.exchange.setTraffic({ callsPerMinute: 0 });
  box.advance(60_000);
  box.clear();
  box.send({ type: 'UBL', cic: 2 });
  t.same(box.trace(), ['UBA 2']);
  t.equal(box.exchange.group.state(2)?.maintenance, 'none');
  box.exchange.setTraffic({ callsPerMinute: 60 });
  while (box.of('IAM').length === 0) box.advance(100);
  t.equal(box.of('IAM')[0]?.cic, 2, 'CIC 2, released longest ago, is the first choice again');
  t.match(box.exchange.summary().counters, { maintenanceReceived: { BLO: 1, UBL: 1 }, maintenanceSent: { BLA: 1, UBA: 1 } });
});

t.test('BLO after our IAM and before a backward message: BLA, release, repeat elsewhere', async (t) => {
  const box = new BoxDouble({ config: { callsPerMinute: 60 } });
  box.ready();
  while (box.of('IAM').length === 0) box.advance(100);
  box.exchange.setTraffic({ callsPerMinute: 0 });
  const cic = box.of('IAM')[0]!.cic;
  box.clear();
  box.send({ type: 'BLO', cic });
  const [bla, release, repeat] = box.seen.map((s) => s.message);
  t.same([bla?.type, bla?.cic, release?.type, release?.cic, repeat?.type], ['BLA', cic, 'REL', cic, 'IAM']);
  t.not(repeat?.cic, cic, 'the repeat goes on another circuit');
  box.send({ type: 'RLC', cic });
  t.equal(box.exchange.group.state(cic)?.call, 'idle');
  t.equal(box.exchange.group.state(cic)?.maintenance, 'remote');
  t.match(box.exchange.summary().counters, { repeatAttempts: 1, callsFailed: {} });
  t.same(box.exchange.summary().counters.callsFailed, {}, 'the call is not lost: its repeat carries on');
});

t.test('CGB and CGU (maintenance): the same status bits come back; only the flagged circuits change', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.send({ type: 'CGB', cic: 1, supervisionType: 'maintenance', rangeAndStatus: { range: 4, status: bits('10110') } });
  const [cgba] = box.of('CGBA');
  t.same([cgba?.cic, cgba?.supervisionType, cgba?.rangeAndStatus.status], [1, 'maintenance', bits('10110')]);
  t.same(
    [1, 2, 3, 4, 5].map((cic) => box.exchange.group.state(cic)?.maintenance),
    ['remote', 'none', 'remote', 'remote', 'none'],
  );
  box.send({ type: 'CGU', cic: 1, supervisionType: 'maintenance', rangeAndStatus: { range: 4, status: bits('10100') } });
  t.same(box.of('CGUA')[0]?.rangeAndStatus.status, bits('10100'));
  t.same(
    [1, 3, 4].map((cic) => box.exchange.group.state(cic)?.maintenance),
    ['none', 'none', 'remote'],
  );
});

t.test('hardware CGB ends the calls on the circuits without REL', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.send(boxIam(5));
  box.advance(400);
  box.clear();
  box.send({ type: 'CGB', cic: 5, supervisionType: 'hardware-failure', rangeAndStatus: { range: 1, status: bits('11') } });
  t.same(box.trace(), ['CGBA 5']);
  t.same([box.exchange.group.state(5)?.call, box.exchange.group.state(5)?.hardware], ['idle', 'remote']);
  box.advance(3_600_000);
  t.same(box.trace(), ['CGBA 5'], 'no REL for the call, ever');
  t.match(box.exchange.summary().counters.incomingFailed, { blocked: 1 });
});

t.test('RSC: the call on the circuit is cleared without REL, RLC; a block of ours is said again', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.send(boxIam(8));
  box.advance(400);
  box.send({ type: 'BLO', cic: 8 });
  box.exchange.blockCircuit(9, true);
  box.send({ type: 'BLA', cic: 9 });
  box.clear();
  box.send({ type: 'RSC', cic: 8 });
  t.same(box.trace(), ['RLC 8']);
  t.same([box.exchange.group.state(8)?.call, box.exchange.group.state(8)?.maintenance], ['idle', 'none'], 'idle, the box block lifted');
  box.send({ type: 'RSC', cic: 9 });
  t.same(box.trace(), ['RLC 8', 'RLC 9', 'BLO 9'], 'CIC 9 is blocked here: BLO follows the RLC');
  box.advance(3_600_000);
  t.notOk(
    box.trace().includes('REL 8'),
    'the reset call never gets a REL',
  );
});

t.test('GRS from the box clears calls without REL; GRA flags the circuits the exchange blocked', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.send(boxIam(1));
  box.send(boxIam(2));
  box.advance(400);
  box.exchange.blockCircuit(3, true);
  box.send({ type: 'BLA', cic: 3 });
  box.clear();
  box.send({ type: 'GRS', cic: 1, rangeAndStatus: { range: 29 } });
  const [gra] = box.of('GRA');
  t.same(gra?.rangeAndStatus.status, bits('001000000000000000000000000000'));
  t.equal(box.exchange.summary().counts.incoming, 0);
  box.advance(3_600_000);
  t.same(box.trace(), ['GRA 1'], 'no REL for the reset calls');
});

t.test('GRA status bits from the box mark its blocked circuits remote-blocked', async (t) => {
  const box = new BoxDouble();
  box.linkUp();
  box.send({ type: 'GRA', cic: 1, rangeAndStatus: { range: 29, status: bits('010000000000000000000000000001') } });
  t.same(
    [1, 2, 30].map((cic) => box.exchange.group.state(cic)?.maintenance),
    ['none', 'remote', 'remote'],
  );
  t.equal(box.exchange.summary().counts.offerable, 28);
  box.send({ type: 'GRA', cic: 1, rangeAndStatus: { range: 29, status: bits('0'.repeat(30)) } });
  t.equal(box.exchange.summary().counters.unexpected, 1, 'a second GRA answers nothing');
});

t.test('the exchange blocks, unblocks and resets, repeating until acknowledged', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.exchange.blockCircuit(4, true);
  box.advance(2 * REPEAT_MS);
  t.same(box.trace(), ['BLO 4', 'BLO 4', 'BLO 4'], 'BLO repeated every 15 s (T12)');
  box.send({ type: 'BLA', cic: 4 });
  box.advance(REPEAT_MS);
  t.equal(box.of('BLO').length, 3, 'BLA stops the repeats');
  t.equal(box.exchange.group.state(4)?.maintenance, 'local');
  box.clear();
  box.exchange.blockCircuit(4, false);
  box.send({ type: 'UBA', cic: 4 });
  t.same(box.trace(), ['UBL 4']);
  t.equal(box.exchange.group.state(4)?.maintenance, 'none');

  box.clear();
  const rows = box.exchange.groupBlock(10, 4, true);
  t.same(
    rows.map((r) => [r.cic, r.maintenance]),
    [10, 11, 12, 13].map((cic) => [cic, 'local']),
  );
  const [cgb] = box.of('CGB');
  t.same([cgb?.cic, cgb?.supervisionType, cgb?.rangeAndStatus.range, cgb?.rangeAndStatus.status], [10, 'maintenance', 3, bits('1111')]);
  box.advance(REPEAT_MS);
  box.send({ type: 'CGBA', cic: 10, supervisionType: 'maintenance', rangeAndStatus: { range: 3, status: bits('1111') } });
  box.exchange.groupBlock(10, 4, false);
  box.send({ type: 'CGUA', cic: 10, supervisionType: 'maintenance', rangeAndStatus: { range: 3, status: bits('1111') } });
  t.same(box.trace(), ['CGB 10', 'CGB 10', 'CGU 10']);

  box.clear();
  box.exchange.resetCircuit(7);
  box.advance(REPEAT_MS);
  t.same(box.trace(), ['RSC 7', 'RSC 7'], 'RSC repeated (T16)');
  box.send({ type: 'RLC', cic: 7 });
  box.clear();
  box.exchange.resetAll();
  t.same(box.trace(), ['GRS 1']);
  t.equal(box.exchange.summary().readyCircuits, 0, 'no calls until the GRA');
  t.match(box.exchange.summary().counters, {
    maintenanceSent: { BLO: 3, UBL: 1, CGB: 2, CGU: 1, RSC: 2, GRS: 2 },
    maintenanceReceived: { BLA: 1, UBA: 1, CGBA: 1, CGUA: 1, GRA: 1 },
    maintenanceRepeats: 4,
  });
});

t.test('control refusals: unknown CIC, bad count, link down', async (t) => {
  const box = new BoxDouble();
  t.throws(() => box.exchange.blockCircuit(4, true), { name: 'SimError', code: 'conflict', message: /link 0 is not in service/ });
  box.ready();
  t.throws(() => box.exchange.blockCircuit(31, true), { code: 'not-found', message: /CIC 31 is not in the exchange's circuit group \(CICs 1..30\)/ });
  t.throws(() => box.exchange.groupBlock(29, 4, true), { code: 'not-found', message: /CIC 31/ });
  t.throws(() => box.exchange.groupBlock(1, 1, true), { code: 'bad-value', message: /2 to 32 circuits/ });
  t.throws(() => box.exchange.setGlareRatio(2), { code: 'bad-value' });
  t.same(box.trace(), [], 'nothing sent for refused requests');
});

t.test('group messages with a range outside 1..31 are counted and dropped', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.send({ type: 'GRS', cic: 1, rangeAndStatus: { range: 0 } });
  box.send({ type: 'CGB', cic: 1, supervisionType: 'maintenance', rangeAndStatus: { range: 32, status: new Array<boolean>(33).fill(true) } });
  t.same(box.trace(), []);
  t.equal(box.exchange.summary().counters.badRange, 2);
  t.equal(box.exchange.summary().counts.maintenanceBlocked, 0);
});

t.test('REL with cause: a box REL after a reset is still answered', async (t) => {
  const box = new BoxDouble();
  box.ready();
  box.send(rel(12, CAUSE.normalClearing));
  t.same(box.trace(), ['RLC 12']);
});
