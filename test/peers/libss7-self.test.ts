// The libss7 reference exchange against itself: two instances joined by unix datagram sockets
// in a temp dir (A binds a.sock and sends to b.sock, B the reverse), each running libss7's
// MTP2, MTP3 and ISUP. This proves the program (and what it adds to libss7: the relay, the
// answers an exchange gives by itself, the messages libss7 cannot send) before it faces the
// box. A has the box's point code (1000), B the exchange's (2000), as on the bench.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startRefExchange } from './libss7/ref-exchange.js';

const LINK_UP_MS = 30_000; // alignment with emergency proving is 0.5 s; the machine may be busy

const dir = await mkdtemp(join(tmpdir(), 'ref-exchange-self-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const a = await startRefExchange(t, { name: 'A', bind: join(dir, 'a.sock'), peer: join(dir, 'b.sock'), opc: 1000, dpc: 2000 });
const b = await startRefExchange(t, { name: 'B', bind: join(dir, 'b.sock'), peer: join(dir, 'a.sock'), answerAfterMs: 200 });

t.test('both links come up: MTP2 alignment, the MTP3 link test, traffic restart allowed', async (t) => {
  for (const x of [a, b]) {
    await x.next('mtp2-up', undefined, LINK_UP_MS);
    t.ok(await x.next('mtp3', { dir: 'out', message: 'SLTM' }), `${x.name} sends SLTM (Q.707)`);
    t.ok(await x.next('mtp3', { dir: 'in', message: 'SLTA' }), `${x.name} gets the SLTA back`);
    t.ok(await x.next('mtp3', { dir: 'out', message: 'TRA' }), `${x.name} sends TRA (Q.704 9)`);
    t.ok(await x.next('mtp3', { dir: 'in', message: 'TRA' }), `${x.name} gets TRA`);
    t.ok(await x.next('up', undefined, LINK_UP_MS), `${x.name}: libss7 reports the linkset up`);
  }
});

t.test('a call from A, answered by B on its own and released by A', async (t) => {
  a.send({ cmd: 'call', cic: 3, called: '12345', calling: '13900000000' });
  const iam = await b.next('IAM', { cic: 3 });
  t.match(iam, { called: '12345', endOfPulsing: true, calling: '13900000000', calledNai: 3, category: 10 }, 'B gets the numbers');
  t.ok(await a.next('ACM', { cic: 3 }), 'A gets ACM');
  t.ok(await a.next('ANM', { cic: 3 }), 'A gets ANM (B answers 200 ms after the IAM)');
  a.send({ cmd: 'release', cic: 3, cause: 16 });
  t.equal((await b.next('REL', { cic: 3 })).cause, 16, 'B gets REL, cause 16');
  t.ok(await a.next('RLC', { cic: 3 }), 'A gets RLC');
  b.send({ cmd: 'circuits' });
  const row = (await b.next('circuits')).circuits.find((c) => c.cic === 3);
  t.same(row, { cic: 3, call: 'idle', local: 'none', remote: 'none' }, 'CIC 3 idle again at B');
});

t.test('a call from B: alerting and in-band information by CPG, answered and released by A', async (t) => {
  b.send({ cmd: 'call', cic: 4, called: '95598' });
  t.ok(await a.next('IAM', { cic: 4, called: '95598' }), 'A gets the IAM');
  a.send({ cmd: 'acm', cic: 4 });
  a.send({ cmd: 'cpg', cic: 4, event: 'alerting' });
  a.send({ cmd: 'cpg', cic: 4, event: 'in-band' });
  a.send({ cmd: 'answer', cic: 4 });
  t.ok(await b.next('ACM', { cic: 4 }), 'B gets ACM');
  t.ok(await b.next('CPG', { cic: 4, cpgEvent: 'alerting' }), 'B gets CPG alerting');
  t.ok(await b.next('CPG', { cic: 4, cpgEvent: 'in-band' }), 'B gets CPG in-band information');
  t.ok(await b.next('ANM', { cic: 4 }), 'B gets ANM');
  b.send({ cmd: 'sus', cic: 4 });
  t.equal((await a.next('SUS', { cic: 4 })).initiator, 'network', 'A gets SUS, network initiated');
  b.send({ cmd: 'res', cic: 4 });
  t.ok(await a.next('RES', { cic: 4 }), 'A gets RES');
  a.send({ cmd: 'release', cic: 4, cause: 17 });
  t.equal((await b.next('REL', { cic: 4 })).cause, 17, 'B gets REL, cause 17');
  t.ok(await a.next('RLC', { cic: 4 }), 'A gets RLC');
});

t.test('GRS answered with GRA, whose status carries the maintenance blocks of the side answering', async (t) => {
  b.send({ cmd: 'grs', cic: 1, count: 30 });
  t.match(await a.next('GRS'), { cic: 1, count: 30 }, 'A gets GRS for CIC 1-30');
  t.same((await b.next('GRA')).status, Array(30).fill(0), 'B gets GRA, nothing blocked');

  a.send({ cmd: 'blo', cic: 7 });
  await a.next('BLA', { cic: 7 });
  b.send({ cmd: 'grs', cic: 1, count: 30 });
  await a.next('GRS');
  const status = (await b.next('GRA')).status;
  t.same(status.flatMap((s, i) => (s ? [i + 1] : [])), [7], 'the GRA marks CIC 7, blocked by A');
  a.send({ cmd: 'ubl', cic: 7 });
  await a.next('UBA', { cic: 7 });
});

t.test('BLO/BLA and UBL/UBA', async (t) => {
  a.send({ cmd: 'blo', cic: 9 });
  t.ok(await b.next('BLO', { cic: 9 }), 'B gets BLO');
  t.ok(await a.next('BLA', { cic: 9 }), 'A gets BLA');
  b.send({ cmd: 'circuits' });
  t.equal((await b.next('circuits')).circuits.find((c) => c.cic === 9)?.remote, 'maintenance', 'B holds CIC 9 blocked by A');
  a.send({ cmd: 'ubl', cic: 9 });
  t.ok(await b.next('UBL', { cic: 9 }), 'B gets UBL');
  t.ok(await a.next('UBA', { cic: 9 }), 'A gets UBA');
});

t.test('CGB/CGBA and CGU/CGUA, hardware failure oriented, with a status', async (t) => {
  const status: (0 | 1)[] = [1, 0, 1, 1];
  b.send({ cmd: 'cgb', cic: 10, count: 4, type: 'hardware', status });
  t.match(await a.next('CGB'), { cic: 10, count: 4, type: 'hardware', status }, 'A gets CGB');
  t.match(await b.next('CGBA'), { cic: 10, count: 4, type: 'hardware', status }, 'B gets CGBA acknowledging the same circuits');
  a.send({ cmd: 'circuits' });
  const remote = (await a.next('circuits')).circuits.filter((c) => c.remote === 'hardware').map((c) => c.cic);
  t.same(remote, [10, 12, 13], 'A holds 10, 12 and 13 hardware blocked by B');
  b.send({ cmd: 'cgu', cic: 10, count: 4, type: 'hardware', status });
  t.match(await a.next('CGU'), { cic: 10, count: 4, type: 'hardware', status }, 'A gets CGU');
  t.match(await b.next('CGUA'), { cic: 10, count: 4, type: 'hardware', status }, 'B gets CGUA');
});

t.test('a message type libss7 does not know: libss7 drops it, the exchange answers CFN cause 97', async (t) => {
  a.send({ cmd: 'raw', cic: 7, hex: '50 00' });
  t.match(await b.next('unrecognised', { cic: 7 }), { type: 0x50 }, 'B reports the unknown type 0x50');
  t.equal((await a.next('CFN', { cic: 7 })).cause, 97, 'A gets CFN, cause 97 (Q.764 2.9.5.1)');
});

t.test('CQM answered with CQR from the circuit table; UCIC; RSC answered with RLC', async (t) => {
  a.send({ cmd: 'blo', cic: 2 });
  await a.next('BLA', { cic: 2 });
  a.send({ cmd: 'cqm', cic: 1, count: 3 });
  t.match(await b.next('CQM'), { cic: 1, count: 3 }, 'B gets CQM');
  // Q.763 3.14: 0x0c idle; 0x0e idle and remotely maintenance blocked (by A, seen from B)
  t.match(await a.next('CQR'), { cic: 1, count: 3, states: [0x0c, 0x0e, 0x0c] }, 'A gets CQR with the states B holds');
  a.send({ cmd: 'ubl', cic: 2 });
  await a.next('UBA', { cic: 2 });

  b.send({ cmd: 'ucic', cic: 25 });
  t.ok(await a.next('UCIC', { cic: 25 }), 'A gets UCIC');
  a.send({ cmd: 'rsc', cic: 5 });
  t.ok(await b.next('RSC', { cic: 5 }), 'B gets RSC');
  t.ok(await a.next('RLC', { cic: 5 }), 'A gets RLC');
});

t.test('dual seizure: each side keeps its call on the CICs it controls (Q.764 2.9.1)', async (t) => {
  // Neither side reads while both IAMs leave, so they cross on the link.
  a.send({ cmd: 'hold', ms: 700 });
  b.send({ cmd: 'hold', ms: 700 });
  await Promise.all([a.next('hold'), b.next('hold')]);
  for (const x of [a, b]) {
    x.send({ cmd: 'call', cic: 20, called: '111' });
    x.send({ cmd: 'call', cic: 21, called: '222' });
  }
  // B (2000) has the higher point code, so it controls the even CICs, A the odd ones
  t.ok(await b.next('glare', { cic: 20, result: 'won' }), 'B keeps its call on CIC 20');
  t.ok(await a.next('glare', { cic: 20, result: 'lost' }), 'A gives way on CIC 20');
  t.ok(await a.next('IAM', { cic: 20 }), '... and takes the IAM of B as an incoming call');
  t.ok(await a.next('glare', { cic: 21, result: 'won' }), 'A keeps its call on CIC 21');
  t.ok(await b.next('glare', { cic: 21, result: 'lost' }), 'B gives way on CIC 21');
  t.ok(await a.next('ANM', { cic: 21 }), 'the call of A on 21 is answered by B');
  a.send({ cmd: 'release', cic: 21 });
  await a.next('RLC', { cic: 21 });
  b.send({ cmd: 'release', cic: 20 });
  await b.next('RLC', { cic: 20 });
});

t.test('bad input gets an error line and the exchange carries on', async (t) => {
  a.sendLine('{"cmd": "call", "cic": ');
  t.match((await a.next('error')).message, /not a JSON command/, 'broken JSON');
  a.sendLine('{"cmd": "dial"}');
  t.match((await a.next('error')).message, /unknown command "dial"/, 'unknown command');
  a.send({ cmd: 'call', cic: 99, called: '1' });
  t.match((await a.next('error')).message, /CIC 99 is not one of this exchange's circuits/, 'a CIC outside --cics');
  a.send({ cmd: 'blo', cic: 6 });
  t.ok(await b.next('BLO', { cic: 6 }), 'and the next command still works');
  a.send({ cmd: 'ubl', cic: 6 });
  await a.next('UBA', { cic: 6 });
});

t.test('SIGTERM ends it with exit 0', async (t) => {
  t.same(await a.stop(), { code: 0, signal: null }, 'A');
  t.same(await b.stop(), { code: 0, signal: null }, 'B');
});
