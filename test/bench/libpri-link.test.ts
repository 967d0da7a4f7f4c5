// Issue 11: the PRI D-channel between the box and an exchange nobody here wrote (Asterisk's
// libpri, test/peers/libpri/) comes up and stays up. Four processes: socat, the card simulator
// handing its HDLC link's line side to the libpri network side (`--hdlc-peer`), ref-pri, the
// box firmware. The box's Q.921 establishes the data link (SABME/UA) and both sides keep it
// with their idle polls (T203, 10 s) for 2 minutes; a capture the box took over the whole test
// is read by tshark as LAPD with no malformed frame.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { requireTool, startRig } from '../../scripts/lib/bench-rig.mjs';
import { startRefPri } from '../peers/libpri/ref-pri.js';
import { PI_WARN, TSHARK, tsharkEnv, tsharkFields, worstSeverity } from '../peers/tshark.js';

/** How long the data link must stay up: a dozen idle polls from each side (T203 10 s). */
const HOLD_MS = 120_000;
const CAPTURE_SECONDS = 150;
/** The card's link aligns (0.6 s in the simulator), then the box's first SABME; on a busy machine. */
const UP_MS = 30_000;

/** An RR command with P=1 (a poll), as a frame's hex without FCS: `02 01 01 xx` from the network, `00 01 01 xx` from the user. */
const isPoll = (hex: string, from: 'network' | 'user') => hex.length === 8 && hex.startsWith(from === 'network' ? '020101' : '000101') && (parseInt(hex.slice(6), 16) & 1) === 1;

t.test('the D-channel comes up with libpri and stays up for 2 minutes of idle polls', async (t) => {
  requireTool('socat', 'the pseudo-terminal pair between firmware and card simulator');
  requireTool(TSHARK, 'reading the box capture the way Wireshark does');
  const dir = await mkdtemp(join(tmpdir(), 'cl-pri-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const rig = await startRig({
    dir,
    card: { links: [{ span: 0, timeslot: 16, mode: 'hdlc' }] },
    config: { pri: { link: 0 } },
    simArgs: ['--hdlc-peer', dir],
  });
  t.teardown(() => rig.stop());
  await rig.waitStatus('the box has its card', (s) => s.card.state === 'up', 15_000);
  const file = join(dir, 'd-channel.pcap');
  const capture = rig.spawnCli(['capture', file, '--seconds', String(CAPTURE_SECONDS)]);
  await capture.waitOutput('that it is capturing', /capturing|抓取/i, 15_000);
  const startedAt = Date.now();
  // The exchange after the capture: the capture holds the data link's start.
  const pri = await startRefPri(t, { name: 'libpri', bind: join(dir, 'peer.sock'), peer: join(dir, 'card.sock'), debug: true });

  t.ok(await pri.next('dchan_up', undefined, UP_MS), 'libpri reports the D-channel up');
  const up = await rig.waitStatus('the box: D-channel up', (s) => s.pri?.dChannelUp === true, UP_MS);
  t.match(up.pri, { linkInService: true, dChannelUp: true, q921: 'multiple-frame-established' }, 'the box: data link established (Q.921 state 7)');
  const frames = () => pri.events.filter((e): e is Extract<typeof e, { event: 'frame' }> => e.event === 'frame');
  // Either side may set the link up: the box's SABME (C/R 0 from the user) answered by libpri's
  // UA (C/R 0 from the network), or libpri's (C/R 1) answered by the box's (C/R 1).
  const seen = (dir: 'in' | 'out', hex: string) => frames().some((f) => f.dir === dir && f.hex.toLowerCase() === hex);
  t.ok((seen('in', '00017f') && seen('out', '000173')) || (seen('out', '02017f') && seen('in', '020173')), `a SABME (P=1) answered by UA (F=1): ${frames().slice(0, 6).map((f) => `${f.dir} ${f.hex}`).join(', ')}`);
  const failuresAtUp = up.pri.failures;

  const from = pri.events.length;
  const watch = rig.watchStatus();
  const holdFrom = Date.now();
  await new Promise((resolve) => setTimeout(resolve, HOLD_MS)); // the duration is what is tested
  const snapshots = watch.snapshots.filter((s) => s.at >= holdFrom);
  await watch.stop();

  const events = pri.events.slice(from);
  t.same(events.filter((e) => e.event === 'dchan_down' || e.event === 'dchan_up'), [], 'libpri: no D-channel down or up again during the hold');
  const held = events.filter((e): e is Extract<typeof e, { event: 'frame' }> => e.event === 'frame');
  const theirPolls = held.filter((f) => f.dir === 'out' && isPoll(f.hex, 'network')).length;
  const ourPolls = held.filter((f) => f.dir === 'in' && isPoll(f.hex, 'user')).length;
  t.ok(theirPolls + ourPolls >= 8, `the idle link was polled ${theirPolls} times by libpri and ${ourPolls} times by the box (T203, 10 s)`);
  t.ok(snapshots.length > 100, `${snapshots.length} status snapshots over the hold`);
  const notUp = snapshots.filter((s) => s.status.pri?.dChannelUp !== true);
  t.same(notUp.map((s) => ({ at: s.at - holdFrom, pri: s.status.pri })), [], 'the box: D-channel up in every snapshot');
  t.equal(snapshots.at(-1)!.status.pri.failures, failuresAtUp, 'the box: no data link failure once up (its SABMEs before libpri ran went unanswered)');
  const en = await rig.cli(['status']);
  t.match(en.stdout, /PRI: D-channel up \(Q\.921 state 7\)/, 'countyline status says so');
  const zh = await rig.cli(['status', '--lang', 'zh'], [0, 1]);
  t.match(zh.stdout, /PRI: D 信道正常 \(Q\.921 状态 7\)/, 'in Chinese too');
  const metrics = (await rig.cli(['metrics'])).stdout;
  t.match(metrics, /countyline_q921_frames_total\{span="0",direction="in"\} [1-9]/, 'countyline metrics counts the frames');

  const done = await capture.result(0);
  t.ok(Date.now() - startedAt < CAPTURE_SECONDS * 1000 + 30_000, 'the capture ended');
  t.match(done.stderr, /messages written to/);
  const rows = await tsharkFields(file, ['frame.number', 'frame.protocols', 'lapd.sapi', 'lapd.tei', 'lapd.cr', 'lapd.control.s_ftype', '_ws.malformed', '_ws.expert.severity'], [], tsharkEnv(dir));
  t.ok(rows.length >= 10, `${rows.length} frames in the capture`);
  t.same(rows.filter((r) => !/lapd/.test(r['frame.protocols']!)), [], 'tshark reads every frame as LAPD');
  t.same(rows.filter((r) => r['_ws.malformed'] !== '' || worstSeverity(r) >= PI_WARN), [], 'no malformed frame, no expert warning or error');
  t.same(rows.filter((r) => r['lapd.sapi'] !== '0' || r['lapd.tei'] !== '0'), [], 'all on SAPI 0, TEI 0 (point-to-point PRI)');
});
