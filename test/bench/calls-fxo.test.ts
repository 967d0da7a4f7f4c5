// Issue 8 "done when", the analog half: agents' phones (SIPp) register with digest; a ring
// with caller ID on an FXO port becomes an INVITE carrying the number; the agent answers and
// the line goes off-hook; a 1 kHz tone from the far end reaches the agent, comes back (SIPp
// echoes the RTP) and is measured at the far end; the far end hangs up and the agent gets BYE;
// the CDR has the numbers and times. Then a phone that rings out: the call goes to the other
// agent. Real processes: socat, the card simulator, the firmware, SIPp.
import t, { type Test } from 'tap';
import { startRig, waitFor, type Rig } from '../../scripts/lib/bench-rig.mjs';
import { freeMediaPort, freeUdpPort, registerAgent, runSipp, type SippRun } from '../peers/sipp-agent.js';

const sipPort = await freeUdpPort();
const AGENTS = [
  { user: 'ann', password: 'ann-secret-1', name: '安娜', port: await freeUdpPort() },
  { user: 'bo', password: 'bo-secret-22', name: 'Bo', port: await freeUdpPort() },
];
const rig: Rig = await startRig({
  config: {
    agents: AGENTS.map(({ user, password, name }) => ({ user, password, name })),
    // SIPp answers only an MD5 challenge, and only the first one.
    sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1', keepAliveMs: 600_000, digestAlgorithms: ['MD5'] },
    calls: { ringTimeoutMs: 4000 },
    // No voice message after the callback is taken (test/bench/callback-message.test.ts has them): the box releases at once.
    queue: { voiceMessage: false },
  },
});
t.teardown(() => rig.stop());
const box = { host: '127.0.0.1', port: sipPort };
await rig.waitStatus('FXO lines present', (s) => s.fxo.length === 5 && s.fxo.every((p: any) => p.line === 'present'), 15_000);

/** A SIPp phone for `agent` on its registered port, stopped at the end of the test. */
function phone(t: Test, agent: (typeof AGENTS)[number], scenario: 'agent-answer' | 'agent-answer-hangup' | 'agent-ring-out', extra: { mediaPort?: number; talkMs?: number } = {}): SippRun {
  const run = runSipp({ scenario, box, port: agent.port, user: agent.user, dir: rig.dir, ...extra });
  t.teardown(() => run.stop());
  return run;
}

async function lastCdr(calling: string) {
  return waitFor(
    `the CDR of the call from ${calling}`,
    async (seen) => seen((await rig.json(['calls'])).recent).find((c: any) => c.calling === calling),
    15_000,
  );
}

const fxoPort = async (port: number) => (await rig.simGet('/state')).fxo[port];

t.test('no agent registered: the line is answered, the caller hears the special information tone, then release; the number is kept for a callback', async (t) => {
  await rig.simPost('/fxo/0/ring', { callerId: '13600000000' });
  await waitFor('the box to take FXO port 0 off-hook for the announcement', async (seen) => seen(await fxoPort(0)).offHook, 20_000);
  await rig.simPost('/fxo/0/audio/measure-reset');
  // E.180's tone: 950, 1400 and 1800 Hz in turn; a second of it measures as one of them.
  const heard = new Set<number>();
  await waitFor('the special information tone at the far end', async (seen) => {
    const { received } = seen(await rig.simGet('/fxo/0/audio'));
    for (const hz of [950, 1400, 1800]) if (received.hz !== null && Math.abs(received.hz - hz) < 15) heard.add(hz);
    return heard.size >= 2;
  }, 10_000, { intervalMs: 150 });
  t.ok(heard.size >= 2, `the far end heard ${[...heard].join(' and ')} Hz`);
  await waitFor('the box back on-hook after the announcement', async (seen) => !seen(await fxoPort(0)).offHook, 15_000);
  const cdr = await lastCdr('13600000000');
  // Nobody could take the call, but the caller's number is kept: the call ends as a callback request.
  t.match(cdr, { line: { kind: 'fxo', port: 0 }, agent: null, result: 'callback', callback: String, hungUpBy: 'box', cause: 17, offeredAt: null, answeredAt: null });
  t.match(await rig.json(['callbacks']), [{ id: cdr.callback, number: '13600000000', reason: 'no-agent', callId: cdr.id, state: 'pending' }]);
  t.same((await rig.json(['calls'])).active, [], 'nothing left in progress');
});

t.test('both agents register with digest; countyline agents shows them', async (t) => {
  for (const a of AGENTS) await registerAgent({ box, port: a.port, user: a.user, password: a.password, dir: rig.dir }, (fn) => t.teardown(fn));
  const rows = await rig.json(['agents']);
  t.match(rows, [
    { user: 'ann', name: '安娜', registered: true, reachable: true, busy: false },
    { user: 'bo', name: 'Bo', registered: true, reachable: true, busy: false },
  ]);
});

t.test('a ring with caller ID on FXO port 2 reaches an agent, with audio both ways, and ends with one CDR', async (t) => {
  const mediaPort = await freeMediaPort();
  const ann = phone(t, AGENTS[0]!, 'agent-answer', { mediaPort });
  const ringAt = Date.now();
  await rig.simPost('/fxo/2/ring', { callerId: '13900000002' });

  // The box answers the line at once (the welcome and the queue play on it); the agent's
  // answer is what connects the call.
  await waitFor('ann to answer the call from FXO port 2', async (seen) => {
    const { active } = seen(await rig.json(['calls']));
    return active.some((c: any) => c.calling === '13900000002' && c.state === 'connected' && c.agent === 'ann');
  }, 20_000);
  t.ok((await fxoPort(2)).offHook, 'the box holds FXO port 2 off-hook');
  const invite = /INVITE sip:[\s\S]*?\r?\n\r?\n/.exec(await ann.messages())?.[0] ?? '';
  t.match(invite, /^INVITE sip:ann@/, 'the INVITE went to ann');
  t.match(invite, /From: .*<sip:13900000002@/, "the INVITE's From carries the caller's number");

  const live = await rig.json(['calls']);
  t.match(live.active, [{ line: { kind: 'fxo', port: 2 }, calling: '13900000002', state: 'connected', agent: 'ann', agentName: '安娜' }], 'countyline calls shows the call in progress');

  // The far end plays 1 kHz into the line: box -> RTP -> SIPp echo -> RTP -> box -> line.
  await rig.simPost('/fxo/2/audio', { tone: { hz: 1000, dbm0: -10 } });
  await rig.simPost('/fxo/2/audio/measure-reset');
  const heard = await waitFor('the 1 kHz tone back at the far end', async (seen) => {
    const audio = seen(await rig.simGet('/fxo/2/audio'));
    return audio.received.hz !== null && Math.abs(audio.received.hz - 1000) < 10 && audio.received.dbm0 > -13 && audio;
  }, 15_000);
  t.ok(Math.abs(heard.received.hz - 1000) < 10, `the far end hears ${heard.received.hz} Hz back`);
  t.ok(Math.abs(heard.received.dbm0 - -10) < 1, `at ${heard.received.dbm0} dBm0: A-law end to end, no level change`);

  await rig.simPost('/fxo/2/hangup');
  const { code, output } = await ann.result;
  t.equal(code, 0, `ann's phone got BYE and the call ended cleanly\n${output}`);
  const cdr = await lastCdr('13900000002');
  t.match(cdr, { line: { kind: 'fxo', port: 2 }, calling: '13900000002', called: '', agent: 'ann', result: 'answered', hungUpBy: 'caller', reason: null });
  t.ok(cdr.arrivedAt >= ringAt - 1000 && cdr.arrivedAt <= cdr.offeredAt && cdr.offeredAt <= cdr.answeredAt && cdr.answeredAt < cdr.endedAt, 'arrival, offer, answer and end in order');
  t.ok(cdr.endedAt - cdr.answeredAt >= 500, 'the talk time covers the audio check');
  await waitFor('the line back on-hook and idle', async (seen) => {
    const port = seen(await fxoPort(2));
    return !port.offHook && port;
  }, 10_000);
  t.same((await rig.json(['calls'])).active, [], 'no call left in progress');
  t.match(await rig.json(['agents']), [{ user: 'ann', busy: false }, { user: 'bo', busy: false }], 'both agents free again');
});

t.test('a phone that rings out: the call goes to the other agent, who talks and hangs up', async (t) => {
  // ann had the last call, so bo has been idle longest and is offered first.
  const bo = phone(t, AGENTS[1]!, 'agent-ring-out');
  const ann = phone(t, AGENTS[0]!, 'agent-answer-hangup', { mediaPort: await freeMediaPort(), talkMs: 2000 });
  await rig.simPost('/fxo/1/ring', { callerId: '13700000001' });
  const boEnded = await bo.result;
  t.equal(boEnded.code, 0, `bo's phone rang, got CANCEL at the ring timeout and ended 487\n${boEnded.output}`);
  const annEnded = await ann.result;
  t.equal(annEnded.code, 0, `ann answered, talked and sent BYE\n${annEnded.output}`);
  const cdr = await lastCdr('13700000001');
  t.match(cdr, { line: { kind: 'fxo', port: 1 }, agent: 'ann', result: 'answered', hungUpBy: 'agent', cause: 16 });
  t.ok(cdr.answeredAt - cdr.offeredAt >= 4000, `answered ${cdr.answeredAt - cdr.offeredAt} ms after the offer: after bo's 4 s ring timeout`);
  await waitFor('the box back on-hook on port 1', async (seen) => !seen(await fxoPort(1)).offHook, 10_000);
});

t.test('a SIGKILL loses no finished call and duplicates none: the CDRs are all there after a restart', async (t) => {
  const before = (await rig.json(['calls', '--recent', '100'])).recent;
  t.equal(before.length, 3, 'three calls so far: no agent, answered by ann, answered by ann after bo rang out');
  await rig.stopFirmware('SIGKILL');
  await rig.startFirmware();
  const after = (await rig.json(['calls', '--recent', '100'])).recent;
  t.same(after, before, 'the same CDRs, once each, read back from the journal');
});
