// Issue 7: dual seizure between the box (PC 1000) and Asterisk's libss7 (PC 2000), one on a
// circuit the box controls and one on a circuit libss7 controls: the higher point code
// controls the even CICs (Q.764 2.9.1.3). Both ends must settle each the same way, and the
// call that gives way is repeated on another circuit.
//
// Making the IAMs cross: `countyline call --count 2 --per-minute 15` places its second call
// exactly 4 s after the first, whose IAM libss7 reports. Shortly before the second, libss7
// stops reading (`hold`); once the simulator has passed the box's second IAM on toward it,
// libss7 sends its own IAM on the same CIC, and only then reads the box's.
import t from 'tap';
import { waitFor } from '../../scripts/lib/bench-rig.mjs';
import { allIdle, bothUp, startLibss7Bench, type Libss7Bench } from './libss7-rig.js';

const GAP_MS = 4000;
const HOLD_MS = 1000;
const MAX_RENEWALS = 6;
/**
 * T7 (excessive delay of acknowledgement) at 2 s, the top of its Q.703 range: the box's IAM
 * waits unacknowledged while libss7 does not read, which must not fail the link.
 */
const MTP2_TIMERS = 't4n=1000,t4e=500,t7=2000';

/** The MSUs the simulator's MTP2 has sent toward libss7 so far. */
async function msusToLibss7(bench: Libss7Bench): Promise<number> {
  return (await bench.rig.simGet('/state')).links[0].mtp2.counters.msusOut;
}

/** Blocks (at libss7, maintenance CGB) every CIC of 1-30 but `free`, so the box's calls can only go there. */
async function leaveFree(bench: Libss7Bench, free: number[]) {
  const status = Array.from({ length: 30 }, (_, i) => (free.includes(i + 1) ? 0 : 1)) as (0 | 1)[];
  bench.ex.send({ cmd: 'cgb', cic: 1, count: 30, type: 'maintenance', status });
  await bench.ex.next('CGBA', { cic: 1 });
  await waitFor('the box to hold the blocks of libss7', async (seen) => {
    const rows: any[] = seen(await bench.rig.json(['circuits']));
    return rows.every((r) => (r.maintenance === 'remote') !== free.includes(r.cic));
  }, 10_000);
  return status;
}

/**
 * Places two calls from the box; answers the first at libss7; makes libss7's call on the
 * CIC of the box's second cross it. Returns the box's call run and the CIC.
 */
async function crossIams(bench: Libss7Bench, called: string) {
  const { rig, ex } = bench;
  const call = rig.spawnCli(['call', '12345', '--count', '2', '--per-minute', String(60_000 / GAP_MS), '--hold', '0.5', '--json']);
  const first = await ex.next('IAM', undefined, 20_000);
  const firstAt = Date.now();
  ex.send({ cmd: 'acm', cic: first.cic });
  ex.send({ cmd: 'answer', cic: first.cic });
  await ex.next('REL', { cic: first.cic }, 10_000);
  await ex.next('sent', { message: 'RLC', cic: first.cic });
  // The box's second call takes the same circuit: the only one free of its kind.
  await waitFor('the moment to stop libss7 reading', () => Date.now() >= firstAt + GAP_MS - 500, GAP_MS, { intervalMs: 20 });
  const before = await msusToLibss7(bench);
  // A hold lasts HOLD_MS; while the box's IAM has not gone (a busy machine delays it), the
  // hold is renewed, so that libss7 still is not reading when its own IAM leaves.
  const iamGone = async () => (await msusToLibss7(bench)) > before;
  let sent = false;
  for (let renewals = 0; !sent; renewals++) {
    if (renewals === MAX_RENEWALS) throw new Error(`the box sent no IAM within ${MAX_RENEWALS} holds of ${HOLD_MS} ms; the IAMs would not cross`);
    ex.send({ cmd: 'hold', ms: HOLD_MS });
    await ex.next('hold');
    // Renewed half way, so that at least HOLD_MS / 2 of not reading remains after the IAM.
    const renewAt = Date.now() + HOLD_MS / 2;
    while (!(sent = await iamGone()) && Date.now() < renewAt) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const crossedAt = ex.events.length;
  ex.send({ cmd: 'call', cic: first.cic, called });
  return { call, cic: first.cic, crossedAt };
}

t.test('dual seizure on a circuit the box controls: the box keeps its call, libss7 repeats on another', async (t) => {
  const bench = await startLibss7Bench(t, { mtp2Timers: MTP2_TIMERS });
  await bothUp(bench);
  await allIdle(bench);
  const { rig, ex } = bench;
  // Free: CIC 29 (the box's), 30 (libss7's) for libss7's repeat.
  const status = await leaveFree(bench, [29, 30]);
  const { call, cic, crossedAt } = await crossIams(bench, '95598');
  t.equal(cic, 29, 'the box calls on CIC 29, odd: the box controls it');
  t.match(await ex.next('glare', { cic: 29 }), { result: 'lost' }, 'libss7 sees the dual seizure and gives way (it does not control odd CICs)');
  const theirs = await ex.next('IAM', { cic: 29 }, 10_000);
  t.ok(theirs, '... and takes the IAM of the box as an incoming call');
  ex.send({ cmd: 'acm', cic: 29 });
  ex.send({ cmd: 'answer', cic: 29 });
  // libss7 repeats its call on another circuit, as an exchange does (Q.764 2.9.1.4).
  ex.send({ cmd: 'call', cic: 30, called: '95598' });
  t.ok(await ex.next('ANM', { cic: 30 }, 15_000), 'the repeated call of libss7 on CIC 30 is answered by the box');
  const result = JSON.parse((await call.result(0)).stdout);
  t.match(result.outcomes, [{ cic: 29, result: 'completed' }, { cic: 29, result: 'completed', repeats: 0 }], 'both calls of the box completed on CIC 29, the second without a repeat');
  const isup = (await rig.status()).isup;
  t.equal(isup.circuits.glaresWon, 1, 'the box counts the dual seizure won');
  t.equal(isup.circuits.glaresLost, 0);
  t.same(ex.events.slice(crossedAt).filter((e) => e.event === 'REL' && e.cic === 29 && e.cause !== 16), [], 'the box sent no REL on CIC 29 but the normal end of its call');
  ex.send({ cmd: 'release', cic: 30 });
  await ex.next('RLC', { cic: 30 });
  ex.send({ cmd: 'cgu', cic: 1, count: 30, type: 'maintenance', status });
  await ex.next('CGUA', { cic: 1 });
  await allIdle(bench);
});

t.test('dual seizure on a circuit libss7 controls: the box gives way, answers, and repeats its call on another circuit', async (t) => {
  const bench = await startLibss7Bench(t, { mtp2Timers: MTP2_TIMERS });
  await bothUp(bench);
  await allIdle(bench);
  const { rig, ex } = bench;
  // Only two of libss7's circuits free: the box's call must go there, and repeat on the other.
  const status = await leaveFree(bench, [26, 28]);
  const { call, cic, crossedAt } = await crossIams(bench, '12345');
  t.ok(cic === 26 || cic === 28, `the box calls on CIC ${cic}, even: libss7 controls it`);
  const other = cic === 26 ? 28 : 26;
  t.match(await ex.next('glare', { cic }), { result: 'won' }, 'libss7 sees the dual seizure and keeps its call');
  t.ok(await ex.next('ACM', { cic }, 10_000), 'the box gives way: it answers the IAM of libss7 (ACM)');
  t.ok(await ex.next('ANM', { cic }, 10_000), '... and ANM');
  const repeat = await ex.next('IAM', { cic: other }, 10_000);
  t.ok(repeat, `the box repeats its call on CIC ${other}`);
  ex.send({ cmd: 'acm', cic: other });
  ex.send({ cmd: 'answer', cic: other });
  const result = JSON.parse((await call.result(0)).stdout);
  t.match(result.outcomes, [{ cic, result: 'completed', repeats: 0 }, { cic: other, result: 'completed', repeats: 1 }], 'the second call of the box completed on the other circuit after one repeat');
  t.same(ex.events.slice(crossedAt).filter((e) => e.event === 'REL' && e.cic === cic), [], 'the box dropped its attempt without REL (Q.764 2.9.1.4)');
  const isup = (await rig.status()).isup;
  t.equal(isup.circuits.glaresLost, 1, 'the box counts the dual seizure lost');
  t.equal(isup.circuits.glaresWon, 0);
  ex.send({ cmd: 'release', cic });
  await ex.next('RLC', { cic });
  ex.send({ cmd: 'cgu', cic: 1, count: 30, type: 'maintenance', status });
  await ex.next('CGUA', { cic: 1 });
  await allIdle(bench);
});
