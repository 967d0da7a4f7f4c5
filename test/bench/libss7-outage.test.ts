// Issue 7: the box against Asterisk's libss7 (test/peers/libss7/) when the signalling link
// goes away for 5 s with answered calls up, and when the firmware is killed and started again.
//
// The outage: LOS on span 0 for 5 s. The simulated card powers its MTP2 off at once (it sends
// and hears nothing on ts16), so the box sees the link out of service from the first moment;
// libss7 sees it fail when the card aligns again. The box's red alarm integration is raised to
// 10 s for this test, so that the 5 s take out the signalling link only: no span alarm, no
// hardware blocking of the circuits (which would rightly clear the calls, Q.764 2.8.2.3).
import t from 'tap';
import { waitFor } from '../../scripts/lib/bench-rig.mjs';
import { allIdle, boxLinkReady, bothUp, LINK_UP_MS, startLibss7Bench } from './libss7-rig.js';

const OUTAGE_MS = 5000;
const CALLS = 5;

t.test('a 5 s link outage with 5 answered calls: no GRS from the box, the calls clear normally after', async (t) => {
  const bench = await startLibss7Bench(t, { rig: { config: { trunks: { redIntegrationMs: 10_000 } } } });
  const { rig, ex } = bench;
  await bothUp(bench);
  await allIdle(bench);

  const call = rig.spawnCli(['call', '12345', '--count', String(CALLS), '--per-minute', '600', '--hold', '45', '--json']);
  const cics: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const iam = await ex.next('IAM', undefined, 15_000);
    ex.send({ cmd: 'acm', cic: iam.cic });
    ex.send({ cmd: 'answer', cic: iam.cic });
    cics.push(iam.cic);
  }
  const answered = await waitFor(`the box to see its ${CALLS} calls answered`, async (seen) => {
    const rows: any[] = seen(await rig.json(['circuits']));
    const up = rows.filter((r) => r.callPhase === 'answered' && r.direction === 'out');
    return up.length === CALLS && up.map((r) => r.cic);
  }, 15_000);
  t.same(answered.sort((a: number, b: number) => a - b), [...cics].sort((a, b) => a - b), `${CALLS} answered calls, CIC ${cics.join(', ')}`);

  const eventsFrom = ex.events.length;
  const watch = rig.watchStatus();
  await rig.simPost('/spans/0/defects', { los: true });
  const cutAt = Date.now();
  await watch.until('the box to see the link out of service', (s) => s.isup.linkUp === false, 5000);
  t.pass(`the box took the link out of service ${Date.now() - cutAt} ms after the cut`);
  await new Promise((resolve) => setTimeout(resolve, cutAt + OUTAGE_MS - Date.now())); // the outage's length is what is tested
  await rig.simPost('/spans/0/defects', { los: false });
  const back = await boxLinkReady(rig, LINK_UP_MS);
  t.match(back.isup, { linkUp: true, ready: true }, 'the link is back at the box, its circuits still ready (no reset needed)');
  await ex.next('up', (e) => ex.events.indexOf(e) >= eventsFrom, LINK_UP_MS);
  await watch.stop();

  const during = ex.events.slice(eventsFrom);
  t.ok(during.some((e) => e.event === 'down'), 'libss7 saw the link go down too');
  t.same(during.filter((e) => e.event === 'GRS' || e.event === 'RSC'), [], 'the box sent no GRS and no RSC: nothing was in a transient state');
  t.same(await rig.json(['alarms', '--all']), [], 'no alarm on the box: the span never reached red');
  const rows: any[] = await rig.json(['circuits']);
  t.same(
    rows.filter((r) => r.callPhase === 'answered').map((r) => r.cic).sort((a, b) => a - b),
    [...cics].sort((a, b) => a - b),
    'the box kept its 5 answered calls',
  );

  // At the end of their hold time the box clears them: REL, and libss7 answers RLC.
  const result = JSON.parse((await call.result([0, 1])).stdout);
  for (const cic of cics) {
    t.equal((await ex.next('REL', { cic }, 60_000)).cause, 16, `CIC ${cic}: REL from the box, cause 16`);
    t.ok(await ex.next('sent', { message: 'RLC', cic }), `CIC ${cic}: RLC from libss7`);
  }
  const after = ex.events.slice(eventsFrom);
  t.same(after.filter((e) => e.event === 'hangup' || e.event === 'error' || (e.event === 'sent' && e.message !== 'RLC')), [], 'libss7 reset nothing, sent nothing but the RLCs, saw no error');
  t.same(
    result.outcomes.map((o: any) => ({ cic: o.cic, result: o.result, answered: o.answered })),
    cics.map((cic) => ({ cic, result: 'completed', answered: true })),
    'countyline call: the 5 calls completed, answered',
  );
  await allIdle(bench);
});

t.test('a firmware restart: the box resets every circuit with GRS, and both ends end idle', async (t) => {
  const bench = await startLibss7Bench(t);
  const { rig, ex } = bench;
  await bothUp(bench);
  await allIdle(bench);

  const call = rig.spawnCli(['call', '12345', '--count', '2', '--per-minute', '600', '--hold', '60']);
  const cics: number[] = [];
  for (let i = 0; i < 2; i++) {
    const iam = await ex.next('IAM', undefined, 15_000);
    ex.send({ cmd: 'acm', cic: iam.cic });
    ex.send({ cmd: 'answer', cic: iam.cic });
    cics.push(iam.cic);
  }
  ex.send({ cmd: 'call', cic: 4, called: '12345' });
  await ex.next('ANM', { cic: 4 }, 15_000);
  const busy = (await bench.rig.json(['circuits'])).filter((r: any) => r.call !== 'idle').length;
  t.equal(busy, 3, 'three answered calls at the box, two out and one in');

  const eventsFrom = ex.events.length;
  await rig.stopFirmware('SIGKILL');
  await call.closed;
  await rig.startFirmware();
  const grs = await ex.next('GRS', (e) => ex.events.indexOf(e) >= eventsFrom, LINK_UP_MS);
  t.match(grs, { cic: 1, count: 30 }, 'the restarted box resets CIC 1-30 with one GRS');
  await boxLinkReady(rig);
  const { theirs } = await allIdle(bench);
  t.ok(theirs.every((c) => c.call === 'idle'), 'libss7 cleared its three calls on the GRS');
});
