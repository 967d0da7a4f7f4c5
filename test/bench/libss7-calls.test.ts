// Issue 7: calls both ways between the box and Asterisk's libss7 (test/peers/libss7/), each
// released from either side, and at the end both ends agree every circuit is idle.
import t from 'tap';
import { waitFor } from '../../scripts/lib/bench-rig.mjs';
import { allIdle, bothUp, exchangeCircuits, startLibss7Bench } from './libss7-rig.js';
import { boxCounters, circuitAtBox } from './isup-helpers.js';

const bench = await startLibss7Bench(t);
const { rig } = bench;
const ex = bench.ex;
// libss7 answers nothing by itself here (no --answer-after-ms): each test says ACM and ANM.

t.before(async () => {
  await bothUp(bench);
  await allIdle(bench);
});

async function circuitAtLibss7(cic: number) {
  return (await exchangeCircuits(ex)).find((r) => r.cic === cic);
}

t.test('a call from the box: libss7 gets the IAM, sends ACM and ANM; the box releases (REL, RLC)', async (t) => {
  // A hold long enough to read both circuit tables during the call on a busy machine.
  const call = rig.spawnCli(['call', '12345', '--hold', '10', '--json']);
  const iam = await ex.next('IAM', undefined, 15_000);
  t.match(iam, { called: '12345', endOfPulsing: true }, 'libss7 reads the called number, complete');
  t.equal(iam.cic % 2, 1, `on CIC ${iam.cic}, one the box controls (odd: its point code is the lower)`);
  ex.send({ cmd: 'acm', cic: iam.cic });
  ex.send({ cmd: 'answer', cic: iam.cic });
  t.match(await circuitAtBox(rig, iam.cic), { call: 'outgoing' }, 'the box: the circuit carries its outgoing call');
  t.match(await circuitAtLibss7(iam.cic), { call: 'incoming' }, 'libss7: the same circuit carries an incoming call');
  const rel = await ex.next('REL', { cic: iam.cic }, 30_000);
  t.equal(rel.cause, 16, 'after its hold time the box releases, cause 16 normal clearing');
  t.ok(await ex.next('sent', { message: 'RLC', cic: iam.cic }), 'libss7 answers RLC');
  const { outcomes } = JSON.parse((await call.result(0)).stdout);
  t.match(outcomes, [{ cic: iam.cic, result: 'completed', answered: true, repeats: 0 }], 'countyline call: completed, answered, on that CIC');
  await allIdle(bench);
});

t.test('a call from the box released by libss7 (REL from the exchange, RLC from the box)', async (t) => {
  const call = rig.spawnCli(['call', '12345', '--hold', '60', '--json']);
  const iam = await ex.next('IAM', undefined, 15_000);
  ex.send({ cmd: 'acm', cic: iam.cic });
  ex.send({ cmd: 'answer', cic: iam.cic });
  const answered = await waitFor('the box to see its call answered', async (seen) => {
    const row = seen(await circuitAtBox(rig, iam.cic));
    return row.callPhase === 'answered' && row;
  }, 10_000);
  t.match(answered, { call: 'outgoing', callPhase: 'answered' }, 'the box sees the call answered');
  ex.send({ cmd: 'release', cic: iam.cic, cause: 16 });
  t.ok(await ex.next('RLC', { cic: iam.cic }), 'the box answers the REL of libss7 with RLC');
  const { outcomes } = JSON.parse((await call.result(0)).stdout);
  t.match(outcomes, [{ cic: iam.cic, result: 'completed', answered: true, cause: 16 }], 'countyline call: completed, cleared by the far end with cause 16');
  await allIdle(bench);
});

t.test('a call from libss7: the box answers (ACM, ANM); libss7 releases (REL, RLC)', async (t) => {
  const before = await boxCounters(rig);
  ex.send({ cmd: 'call', cic: 4, called: '12345', calling: '13900000000' });
  t.ok(await ex.next('ACM', { cic: 4 }, 15_000), 'libss7 gets ACM from the box');
  t.ok(await ex.next('ANM', { cic: 4 }, 15_000), 'and ANM: the box answered');
  t.match(await circuitAtBox(rig, 4), { call: 'incoming', callPhase: 'answered' }, 'the box: CIC 4 carries an answered incoming call');
  t.match(await circuitAtLibss7(4), { call: 'outgoing' }, 'libss7: its outgoing call on CIC 4');
  ex.send({ cmd: 'release', cic: 4, cause: 16 });
  t.ok(await ex.next('RLC', { cic: 4 }), 'the box answers the REL with RLC');
  await allIdle(bench);
  const after = await boxCounters(rig);
  t.equal(after.inCompleted - before.inCompleted, 1, 'the box counts one incoming call completed');
  t.equal(after.inFailed - before.inFailed, 0, 'and none failed');
});

t.test('a call from libss7 on a CIC the box controls, answered and released by libss7', async (t) => {
  ex.send({ cmd: 'call', cic: 5, called: '95598' });
  t.ok(await ex.next('ACM', { cic: 5 }, 15_000), 'libss7 gets ACM');
  t.ok(await ex.next('ANM', { cic: 5 }, 15_000), 'and ANM');
  ex.send({ cmd: 'release', cic: 5, cause: 31 });
  t.ok(await ex.next('RLC', { cic: 5 }, 15_000), 'the box answers the REL with RLC');
  const rows = await allIdle(bench);
  t.equal(rows.ours.length, 30, 'both ends: every circuit idle and unblocked');
  t.same(ex.events.filter((e) => e.event === 'hangup' || e.event === 'error'), [], 'libss7 reset no call itself and saw no error');
  t.equal((await boxCounters(rig)).malformed, 0, 'the box found nothing malformed in what libss7 sent');
});
