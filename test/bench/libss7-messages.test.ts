// Issue 7: ISUP messages beyond the basic call, sent by Asterisk's libss7
// (test/peers/libss7/) to the box: CPG during a call the box placed, SUS/RES on an answered
// call, UCIC, CQM (answered with CQR), a message type nobody knows (answered with CFN), and
// IAMs asking for a continuity check (no ACM before a successful COT, T8, the recheck).
import t, { type Test } from 'tap';
import { waitFor } from '../../scripts/lib/bench-rig.mjs';
import { boxCounters, circuitAtBox } from './isup-helpers.js';
import { allIdle, bothUp, startLibss7Bench } from './libss7-rig.js';

/** The shortest T8 Q.764 allows, so that the case of the missing COT takes 10 s. */
const T8_MS = 10_000;
const bench = await startLibss7Bench(t, { isup: { timers: { t8Ms: T8_MS } } });
const { rig } = bench;
const ex = bench.ex;

t.before(async () => {
  await bothUp(bench);
  await allIdle(bench);
});


/** Nothing libss7 sent was refused by the box: no CFN, no reset, nothing malformed. */
async function nothingRefused(t: Test, from: number) {
  const refused = ex.events.slice(from).filter((e) => e.event === 'CFN' || e.event === 'RSC' || e.event === 'GRS' || e.event === 'hangup');
  t.same(refused, [], 'the box refused nothing (no CFN, no reset) and libss7 cleared nothing itself');
  t.equal((await boxCounters(rig)).malformed, 0, 'the box found nothing malformed');
}

t.test('CPG alerting from libss7 on a call the box placed, then answer and release', async (t) => {
  const from = ex.events.length;
  const call = rig.spawnCli(['call', '12345', '--hold', '2', '--json']);
  const iam = await ex.next('IAM', undefined, 15_000);
  ex.send({ cmd: 'acm', cic: iam.cic });
  ex.send({ cmd: 'cpg', cic: iam.cic, event: 'alerting' });
  ex.send({ cmd: 'cpg', cic: iam.cic, event: 'in-band' });
  ex.send({ cmd: 'answer', cic: iam.cic });
  t.equal((await ex.next('REL', { cic: iam.cic }, 20_000)).cause, 16, 'the box releases at the end of its hold time, cause 16');
  t.match(JSON.parse((await call.result(0)).stdout).outcomes, [{ cic: iam.cic, result: 'completed', answered: true }], 'the call completed, answered');
  await nothingRefused(t, from);
  await allIdle(bench);
});

t.test('SUS and RES from libss7 on an answered call: the call stays up and clears normally', async (t) => {
  const from = ex.events.length;
  const call = rig.spawnCli(['call', '12345', '--hold', '60', '--json']);
  const iam = await ex.next('IAM', undefined, 15_000);
  ex.send({ cmd: 'acm', cic: iam.cic });
  ex.send({ cmd: 'answer', cic: iam.cic });
  await waitFor('the box to see the call answered', async (seen) => seen(await circuitAtBox(rig, iam.cic)).callPhase === 'answered', 10_000);
  ex.send({ cmd: 'sus', cic: iam.cic, initiator: 'network' });
  ex.send({ cmd: 'res', cic: iam.cic, initiator: 'network' });
  ex.send({ cmd: 'circuits' });
  await ex.next('circuits');
  t.match(await circuitAtBox(rig, iam.cic), { call: 'outgoing', callPhase: 'answered' }, 'the box keeps the call after SUS and RES');
  ex.send({ cmd: 'release', cic: iam.cic, cause: 16 });
  t.ok(await ex.next('RLC', { cic: iam.cic }), 'the REL of libss7 is answered with RLC');
  t.match(JSON.parse((await call.result(0)).stdout).outcomes, [{ cic: iam.cic, result: 'completed', answered: true, cause: 16 }]);
  await nothingRefused(t, from);
  await allIdle(bench);
});

t.test('CQM from libss7 is answered with CQR holding the state of each circuit at the box', async (t) => {
  t.match(await rig.json(['block', '2']), { exchange: 'sent' });
  await ex.next('BLO', { cic: 2 });
  ex.send({ cmd: 'cqm', cic: 1, count: 3 });
  // Q.763 3.14: 0x0c idle; 0x0d idle and locally (at the box) maintenance blocked
  t.match(await ex.next('CQR', { cic: 1 }, 10_000), { count: 3, states: [0x0c, 0x0d, 0x0c] }, 'CQR for CIC 1-3: idle, blocked by the box, idle');
  await rig.json(['unblock', '2']);
  await ex.next('UBL', { cic: 2 });
  await allIdle(bench);
});

t.test('UCIC from libss7: the box marks the circuit unequipped, stops offering it and raises an alarm (Q.764 2.12)', async (t) => {
  const before = (await rig.status()).isup.circuits;
  ex.send({ cmd: 'ucic', cic: 7 });
  const row = await waitFor('the box to mark CIC 7 unequipped at the exchange', async (seen) => {
    const r = seen(await circuitAtBox(rig, 7));
    return r.unequipped === true && r;
  }, 10_000);
  t.match(row, { cic: 7, call: 'idle', unequipped: true });
  const counts = (await rig.status()).isup.circuits;
  t.equal(counts.offerable, before.offerable - 1, 'one circuit fewer offerable');
  const alarms: any[] = await rig.json(['alarms']);
  t.match(alarms.filter((a) => a.type === 'cic-unequipped'), [{ severity: 'major' }], 'one cic-unequipped alarm');
  // libss7's reset of the circuit: the exchange has it after all; the alarm clears.
  ex.send({ cmd: 'rsc', cic: 7 });
  await waitFor('the box to take CIC 7 back', async (seen) => seen(await circuitAtBox(rig, 7)).unequipped === false, 10_000);
  t.same(((await rig.json(['alarms'])) as any[]).filter((a) => a.type === 'cic-unequipped'), [], 'the alarm cleared');
});

t.test('a message type libss7 does not know the box either: CFN, cause 97 (Q.764 2.9.5.1)', async (t) => {
  ex.send({ cmd: 'raw', cic: 9, hex: '50 00' });
  t.match(await ex.next('CFN', { cic: 9 }, 10_000), { cause: 97 }, 'libss7 gets CFN for CIC 9, cause 97 message type non-existent or not implemented');
  t.match(await circuitAtBox(rig, 9), { call: 'idle', block: 'none' }, 'and the circuit stays idle and in service');
});

/** What the box sent libss7 on `cic` from event `from` on (libss7's events for the box's messages). */
const boxSent = (from: number, cic: number) => ex.events.slice(from).filter((e) => 'cic' in e && e.cic === cic && ['ACM', 'ANM', 'CON', 'REL'].includes(e.event)).map((e) => e.event);

t.test('an IAM asking for a continuity check: no ACM before a successful COT, then the call as usual (Q.764 2.1.8)', async (t) => {
  const from = ex.events.length;
  ex.send({ cmd: 'call', cic: 11, called: '12345', calling: '13900000000', continuityCheck: true });
  t.match(
    await waitFor('the box to wait for COT on CIC 11', async (seen) => {
      // One look per try: a second CLI run on a busy machine could come after T8 already.
      const row = seen(await circuitAtBox(rig, 11));
      return row.callPhase === 'continuity-wait' && row;
    }, 10_000),
    { call: 'incoming' },
  );
  await new Promise((r) => setTimeout(r, 1000));
  t.same(boxSent(from, 11), [], 'no ACM while the check runs');
  ex.send({ cmd: 'cot', cic: 11, passed: true });
  t.ok(await ex.next('ACM', { cic: 11 }, 10_000), 'ACM after the COT');
  t.ok(await ex.next('ANM', { cic: 11 }, 10_000), 'and the box answers');
  ex.send({ cmd: 'release', cic: 11 });
  t.ok(await ex.next('RLC', { cic: 11 }));
  await nothingRefused(t, from);
  await allIdle(bench);
});

t.test('no COT: the box releases at T8 with cause 41 and never sends ACM', async (t) => {
  const from = ex.events.length;
  const failedBefore = (await boxCounters(rig)).continuityFailed;
  const at = Date.now();
  ex.send({ cmd: 'call', cic: 13, called: '12345', continuityCheck: true });
  const rel = await ex.next('REL', { cic: 13 }, T8_MS + 10_000);
  t.ok(Date.now() - at >= T8_MS - 500, `REL after T8 (${Date.now() - at} ms)`);
  t.equal(rel.cause, 41, 'cause 41, temporary failure');
  t.same(boxSent(from, 13), ['REL'], 'no ACM before it');
  t.equal((await boxCounters(rig)).continuityFailed, failedBefore + 1, 'counted in countyline_isup_continuity_failed');
  await allIdle(bench);
});

t.test('a failed check: the box sends nothing and holds the circuit until the recheck ends with REL', async (t) => {
  const from = ex.events.length;
  ex.send({ cmd: 'call', cic: 15, called: '12345', continuityCheck: true });
  await waitFor('the box to wait for COT on CIC 15', async (seen) => seen(await circuitAtBox(rig, 15)).callPhase === 'continuity-wait', 10_000);
  ex.send({ cmd: 'cot', cic: 15, passed: false });
  await waitFor('the box to give the call up and hold CIC 15 for the recheck', async (seen) => {
    const row = seen(await circuitAtBox(rig, 15));
    return row.callPhase === null && row.call === 'incoming' && row.continuity === 'recheck-wait';
  }, 10_000);
  await new Promise((r) => setTimeout(r, 1000));
  t.same(boxSent(from, 15), [], 'no ACM and no REL: the exchange rechecks the circuit');
  ex.send({ cmd: 'raw', cic: 15, hex: '11' }); // CCR: the recheck; the box loops the circuit again
  await waitFor('the box to loop CIC 15 for the recheck', async (seen) => seen(await circuitAtBox(rig, 15)).continuity === 'exchange-loop', 10_000);
  ex.send({ cmd: 'release', cic: 15 }); // the recheck passed: the exchange ends it with REL
  t.ok(await ex.next('RLC', { cic: 15 }), 'the box answers the REL with RLC');
  await nothingRefused(t, from);
  await allIdle(bench);
});
