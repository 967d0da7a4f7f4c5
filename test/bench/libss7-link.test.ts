// Issue 7: the signalling link between the box and an exchange nobody here wrote (Asterisk's
// libss7, test/peers/libss7/) comes into service and stays there. Four processes: socat, the
// card simulator running MTP2 on the line side, the libss7 reference exchange on the
// simulator's peer socket, the box firmware. A capture taken by the box for the whole test
// is read by tshark: every frame decodes.
import { join } from 'node:path';
import t from 'tap';
import { requireTool } from '../../scripts/lib/bench-rig.mjs';
import { PI_WARN, TSHARK, tsharkEnv, tsharkFields, worstSeverity } from '../peers/tshark.js';
import { boxLinkReady, LINK_UP_MS, startLibss7Bench } from './libss7-rig.js';

/** How long the link must stay in service: four of libss7's link tests (every 30 s), two of the box's (every 60 s). */
const HOLD_MS = 120_000;
const CAPTURE_SECONDS = 150;

t.test('the link comes into service with libss7 and stays there for 2 minutes of link tests', async (t) => {
  requireTool(TSHARK, 'reading the box capture the way Wireshark does');
  // The exchange starts once the capture runs, so that the capture holds the link's start.
  const bench = await startLibss7Bench(t, { exchange: false });
  const { rig } = bench;
  const file = join(bench.dir, 'link.pcap');
  const capture = rig.spawnCli(['capture', file, '--seconds', String(CAPTURE_SECONDS)]);
  await capture.waitOutput('that it is capturing', /capturing|抓取/i, 15_000);
  const startedAt = Date.now();
  const ex = await bench.startExchange();

  const up = await ex.next('up', undefined, LINK_UP_MS);
  t.ok(up, 'libss7 reports the linkset up (its SLTM answered, ours answered, TRA from the box)');
  const ready = await boxLinkReady(rig);
  t.match(ready.isup, { linkUp: true, linkTest: { state: 'passed', lastResult: 'passed', restarts: 0 } }, 'the box: link up, its link test passed');
  t.match(await ex.next('mtp3', { dir: 'in', message: 'SLTM' }), { slc: 0 }, 'libss7 got the SLTM of the box, SLC 0');
  t.ok(await ex.next('mtp3', { dir: 'out', message: 'SLTA' }), 'and answered it');
  t.ok(await ex.next('mtp3', { dir: 'in', message: 'SLTA' }), 'the box answered the SLTM of libss7');
  t.ok(await ex.next('mtp3', { dir: 'in', message: 'TRA' }), 'the box sent TRA (Q.704 9)');

  // The hold: watch the box's status all along, and count libss7's periodic link tests.
  const eventsFrom = ex.events.length;
  const watch = rig.watchStatus();
  const holdFrom = Date.now();
  await new Promise((resolve) => setTimeout(resolve, HOLD_MS)); // the duration is what is tested
  const snapshots = watch.snapshots.filter((s) => s.at >= holdFrom);
  await watch.stop();
  const heldAt = Date.now();

  const events = ex.events.slice(eventsFrom);
  const linkChanges = events.filter((e) => ['down', 'mtp2-down', 'up', 'mtp2-up'].includes(e.event));
  t.same(linkChanges, [], 'libss7: no link down or restart during the hold');
  const theirTests = events.filter((e) => e.event === 'mtp3' && e.dir === 'out' && e.message === 'SLTM').length;
  const theirAnswers = events.filter((e) => e.event === 'mtp3' && e.dir === 'in' && e.message === 'SLTA').length;
  t.ok(theirTests >= 3, `libss7 tested the link ${theirTests} times (every 30 s)`);
  t.ok(theirAnswers >= theirTests - 1 && theirAnswers <= theirTests, `the box answered each (${theirAnswers} SLTA for ${theirTests} SLTM, the last maybe on its way)`);
  const ourTests = events.filter((e) => e.event === 'mtp3' && e.dir === 'in' && e.message === 'SLTM').length;
  t.ok(ourTests >= 1, `the box tested the link ${ourTests} times (every 60 s), each answered by libss7`);

  t.ok(snapshots.length > 100, `${snapshots.length} status snapshots over the hold`);
  const notUp = snapshots.filter((s) => s.status.isup?.linkUp !== true || s.status.isup.linkTest.state !== 'passed' || s.status.links?.[0]?.state !== 'in-service');
  t.same(notUp.map((s) => ({ at: s.at - holdFrom, isup: s.status.isup, link: s.status.links?.[0] })), [], 'the box: link in service and its test passed in every snapshot');
  const last = snapshots.at(-1)!.status.isup;
  t.equal(last.linkTest.restarts, 0, 'the box restarted the link never');
  t.equal(last.linkTest.lastResult, 'passed');
  t.ok(last.linkTest.lastTestAt > holdFrom, 'the box ran a link test of its own during the hold, and it passed');
  t.same(await rig.json(['alarms', '--all']), [], 'no alarm on the box, active or cleared');

  const done = await capture.result(0);
  t.ok(Date.now() - startedAt < CAPTURE_SECONDS * 1000 + 30_000, 'the capture ended');
  t.ok(heldAt - startedAt < CAPTURE_SECONDS * 1000, 'the capture covered the start and the whole hold');
  t.match(done.stderr, /messages written to/);

  const fields = ['frame.number', 'frame.protocols', 'mtp3.opc', 'mtp3mg.test.h1', 'mtp3mg.h0', 'mtp3mg.h1', 'isup.message_type', '_ws.malformed', '_ws.expert.severity'];
  const rows = await tsharkFields(file, fields, ['mtp3.standard:itu'], tsharkEnv(bench.dir));
  t.ok(rows.length > 0, `${rows.length} frames in the capture`);
  const bad = rows.filter((r) => r['_ws.malformed'] !== '' || worstSeverity(r) >= PI_WARN);
  t.same(bad, [], 'tshark finds no malformed frame, no expert warning or error');
  const count = (opc: string, match: (r: Record<string, string>) => boolean) => rows.filter((r) => r['mtp3.opc'] === opc && match(r)).length;
  // Q.707 2.1: SLTM H1 1, SLTA H1 2; Q.704 15.10: TRA is H0 7, H1 1
  const sltm = (r: Record<string, string>) => Number(r['mtp3mg.test.h1']) === 1;
  const slta = (r: Record<string, string>) => Number(r['mtp3mg.test.h1']) === 2;
  t.ok(count('1000', sltm) >= 2, 'the capture holds the SLTMs of the box');
  t.ok(count('2000', slta) >= 2, '... answered by SLTAs of libss7');
  t.ok(count('2000', sltm) >= 4, 'the SLTMs of libss7');
  t.ok(count('1000', slta) >= 4, '... answered by SLTAs of the box');
  t.ok(count('1000', (r) => Number(r['mtp3mg.h0']) === 7 && Number(r['mtp3mg.h1']) === 1) >= 1, 'the TRA of the box');
  t.ok(count('1000', (r) => Number(r['isup.message_type']) === 0x17) >= 1, 'and its start-up GRS');
});
