// Issue 7: circuit maintenance between the box and Asterisk's libss7 (test/peers/libss7/):
// group reset both ways, blocking and unblocking both ways, group blocking from libss7 for
// maintenance and for hardware failure. Each end's circuit table is read after each step.
import t from 'tap';
import { waitFor } from '../../scripts/lib/bench-rig.mjs';
import { allIdle, bothUp, exchangeCircuits, startLibss7Bench } from './libss7-rig.js';

const bench = await startLibss7Bench(t);
const { rig } = bench;
const ex = bench.ex;

t.before(() => bothUp(bench));

async function boxRows(): Promise<any[]> {
  return rig.json(['circuits']);
}

/** Waits until the box's circuits `cics` all satisfy `ok`, and the others none (a block must not spread). */
async function boxShows(what: string, cics: number[], ok: (row: any) => boolean) {
  return waitFor(
    `the box: ${what} on CIC ${cics.join(', ')} and nowhere else`,
    async (seen) => {
      const rows = await boxRows();
      const wrong = seen(rows.filter((r) => ok(r) !== cics.includes(r.cic)));
      return wrong.length === 0;
    },
    10_000,
  );
}

t.test("the box's start-up GRS reaches libss7 as one GRS for CIC 1-30, answered with GRA", async (t) => {
  const grs = await ex.next('GRS', undefined, 30_000);
  t.match(grs, { cic: 1, count: 30 }, 'libss7 gets GRS, CIC 1 range 29');
  t.ok(await ex.next('sent', { message: 'GRA', cic: 1 }), 'libss7 answers GRA');
  await rig.waitStatus('the box: circuits reset with the exchange', (s) => s.isup.ready === true, 30_000);
  await allIdle(bench);
});

t.test('GRS from libss7: the box answers GRA, whose status carries the maintenance blocks of the box', async (t) => {
  ex.send({ cmd: 'grs', cic: 1, count: 30 });
  t.same((await ex.next('GRA', { cic: 1 })).status, Array(30).fill(0), 'libss7 gets GRA for CIC 1-30, nothing blocked');

  t.match(await rig.json(['block', '7']), { exchange: 'sent', circuit: { cic: 7, maintenance: 'local' } }, 'the box blocks CIC 7');
  await ex.next('BLO', { cic: 7 });
  ex.send({ cmd: 'grs', cic: 1, count: 30 });
  const status = (await ex.next('GRA', { cic: 1 })).status;
  t.same(status.flatMap((s, i) => (s ? [i + 1] : [])), [7], 'the GRA of the box marks CIC 7, blocked by the box (Q.764 2.9.3.1)');
  await boxShows('blocked by itself', [7], (r) => r.maintenance === 'local');
  t.match(await rig.json(['unblock', '7']), { exchange: 'sent' });
  t.ok(await ex.next('UBL', { cic: 7 }), 'libss7 gets UBL');
  await allIdle(bench);
});

t.test('BLO/BLA and UBL/UBA from the box', async (t) => {
  t.match(await rig.json(['block', '5']), { exchange: 'sent', circuit: { cic: 5, maintenance: 'local', block: 'local' } });
  t.ok(await ex.next('BLO', { cic: 5 }), 'libss7 gets BLO');
  t.ok(await ex.next('sent', { message: 'BLA', cic: 5 }), 'and answers BLA');
  t.equal((await exchangeCircuits(ex)).find((c) => c.cic === 5)?.remote, 'maintenance', 'libss7 holds CIC 5 blocked by the box');
  t.match(await rig.json(['unblock', '5']), { exchange: 'sent', circuit: { cic: 5, maintenance: 'none' } });
  t.ok(await ex.next('UBL', { cic: 5 }), 'libss7 gets UBL');
  t.ok(await ex.next('sent', { message: 'UBA', cic: 5 }), 'and answers UBA');
  await allIdle(bench);
});

t.test('BLO/BLA and UBL/UBA from libss7', async (t) => {
  ex.send({ cmd: 'blo', cic: 8 });
  t.ok(await ex.next('BLA', { cic: 8 }), 'libss7 gets BLA from the box');
  await boxShows('blocked by the exchange', [8], (r) => r.maintenance === 'remote' && r.block === 'remote');
  ex.send({ cmd: 'ubl', cic: 8 });
  t.ok(await ex.next('UBA', { cic: 8 }), 'libss7 gets UBA');
  await allIdle(bench);
});

for (const type of ['maintenance', 'hardware'] as const) {
  t.test(`CGB/CGBA and CGU/CGUA from libss7, ${type} oriented`, async (t) => {
    const status: (0 | 1)[] = [1, 0, 1, 1];
    ex.send({ cmd: 'cgb', cic: 10, count: 4, type, status });
    t.match(await ex.next('CGBA', { cic: 10 }), { count: 4, type, status }, 'libss7 gets CGBA acknowledging the same circuits');
    await boxShows(`${type} blocked by the exchange`, [10, 12, 13], (r) => r[type] === 'remote');
    t.same(
      (await boxRows()).filter((r) => r.block !== 'none').map((r) => r.cic),
      [10, 12, 13],
      'no other circuit blocked at the box',
    );
    ex.send({ cmd: 'cgu', cic: 10, count: 4, type, status });
    t.match(await ex.next('CGUA', { cic: 10 }), { count: 4, type, status }, 'libss7 gets CGUA');
    await allIdle(bench);
  });
}

t.test('the blocks of each end keep calls off the circuits', async (t) => {
  // libss7 blocks every CIC the box controls but 29; the box's calls must all go there.
  const odd = Array.from({ length: 14 }, (_, i) => 2 * i + 1); // 1..27
  ex.send({ cmd: 'cgb', cic: 1, count: 27, type: 'maintenance', status: Array.from({ length: 27 }, (_, i) => ((i + 1) % 2 === 1 ? 1 : 0)) });
  await ex.next('CGBA', { cic: 1 });
  await boxShows('blocked by the exchange', odd, (r) => r.maintenance === 'remote');
  const call = rig.spawnCli(['call', '12345', '--hold', '0.5', '--json']);
  const iam = await ex.next('IAM', undefined, 15_000);
  t.equal(iam.cic, 29, 'the call goes to CIC 29, the one circuit of the box left unblocked');
  ex.send({ cmd: 'acm', cic: 29 });
  ex.send({ cmd: 'answer', cic: 29 });
  t.match(JSON.parse((await call.result(0)).stdout).outcomes, [{ cic: 29, result: 'completed' }]);
  ex.send({ cmd: 'cgu', cic: 1, count: 27, type: 'maintenance', status: Array.from({ length: 27 }, (_, i) => ((i + 1) % 2 === 1 ? 1 : 0)) });
  await ex.next('CGUA', { cic: 1 });
  await allIdle(bench);
});
