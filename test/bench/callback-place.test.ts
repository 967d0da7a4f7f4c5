// Issue 10 "done when", callbacks: after hours a call on an FXO line hears the office is
// closed and leaves a callback request with the caller's number; once the office is open
// (the box restarted on a config without a closed schedule, its data kept) the box rings the
// agent's phone first, showing the number, and when the agent answers it seizes an FXO line,
// dials the number, and bridges the line to the agent: a tone from the far end comes back
// from the agent's phone (SIPp echoes the RTP). The agent hangs up; both legs are in the
// CDRs and the request is done. Real processes: socat, the card simulator, the firmware, SIPp.
import { readFile, writeFile } from 'node:fs/promises';
import t, { type Test } from 'tap';
import { startRig, waitFor, type Rig } from '../../scripts/lib/bench-rig.mjs';
import { freeMediaPort, freeUdpPort, registerAgent, runSipp, type SippRun } from '../peers/sipp-agent.js';

const NUMBER = '13900000123';
const sipPort = await freeUdpPort();
const ANN = { user: 'ann', password: 'ann-secret-1', name: '安娜', port: await freeUdpPort() };
const rig: Rig = await startRig({
  config: {
    agents: [{ user: ANN.user, password: ANN.password, name: ANN.name }],
    // SIPp answers only an MD5 challenge, and only the first one.
    sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1', keepAliveMs: 600_000, digestAlgorithms: ['MD5'] },
    calls: { ringTimeoutMs: 8000 },
    // No weekday listed: the office is closed all week.
    // No voice message after "we will call you back" (test/bench/callback-message.test.ts has them): the box releases at once.
    queue: { welcome: false, callbacks: 'auto', callbackRetryMs: 10_000, hours: { closedDates: [], openDates: {} }, voiceMessage: false },
  },
});
t.teardown(() => rig.stop());
const box = { host: '127.0.0.1', port: sipPort };
await rig.waitStatus('FXO lines present', (s) => s.fxo.length === 5 && s.fxo.every((p: any) => p.line === 'present'), 15_000);

const fxo = async () => (await rig.simGet('/state')).fxo as any[];

function phone(t: Test, o: { mediaPort: number; talkMs: number }): SippRun {
  const run = runSipp({ scenario: 'agent-answer-hangup', box, port: ANN.port, user: ANN.user, dir: rig.dir, timeoutS: 90, ...o });
  t.teardown(() => run.stop());
  return run;
}

let callbackId = '';

t.test('after hours: the caller hears the office is closed and leaves a callback request; no call goes out', async (t) => {
  await registerAgent({ box, port: ANN.port, user: ANN.user, password: ANN.password, dir: rig.dir }, (fn) => t.teardown(fn));
  await rig.simPost('/fxo/0/ring', { callerId: NUMBER });
  const cdr = await waitFor('the CDR of the after-hours call', async (seen) => seen((await rig.json(['calls'])).recent).find((c: any) => c.calling === NUMBER), 30_000);
  t.match(cdr, { line: { kind: 'fxo', port: 0 }, agent: null, result: 'callback', callback: String, hungUpBy: 'box' });
  callbackId = cdr.callback;
  t.match(await rig.json(['callbacks']), [{ id: callbackId, number: NUMBER, reason: 'after-hours', state: 'pending', attempts: [] }]);
  await waitFor('FXO port 0 back on-hook', async (seen) => !seen((await fxo())[0]).offHook, 10_000);
  // The dialer looks every 5 s (and at each agent change): watch the lines through two looks while closed.
  const seized: any[] = [];
  for (const until = Date.now() + 11_000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) seized.push(...(await fxo()).filter((p) => p.offHook || p.dialled));
  t.same(seized, [], 'the closed office calls nobody back');
  t.same((await rig.json(['calls'])).recent.filter((c: any) => c.direction === 'out'), [], 'and no call out is recorded');
});

t.test('the office open: the agent is rung first, then the number is dialled on an FXO line and bridged to the agent', async (t) => {
  t.ok(callbackId, 'a request from the first test');
  // The office opens: the same box, its data kept, on a config without the closed schedule.
  await rig.stopFirmware();
  const config = JSON.parse(await readFile(rig.configPath, 'utf8'));
  delete config.queue.hours;
  await writeFile(rig.configPath, JSON.stringify(config, null, 2));
  await rig.startFirmware();
  t.match(await rig.json(['callbacks']), [{ id: callbackId, state: 'pending' }], 'the request is still pending after the restart');

  await registerAgent({ box, port: ANN.port, user: ANN.user, password: ANN.password, dir: rig.dir }, (fn) => t.teardown(fn));
  const mediaPort = await freeMediaPort();
  // The INVITE may come as the phone starts: SIP's retransmissions reach it.
  const ann = phone(t, { mediaPort, talkMs: 12_000 });

  const line = await waitFor('an FXO line seized and the number dialled', async (seen) => seen(await fxo()).find((p) => p.offHook && p.dialled === NUMBER), 30_000);
  const invite = /INVITE sip:[\s\S]*?\r?\n\r?\n/.exec(await ann.messages())?.[0] ?? '';
  t.match(invite, /^INVITE sip:ann@/, "the agent's phone was rung");
  t.match(invite, new RegExp(`From: .*<sip:${NUMBER}@`), 'showing the number to call back');
  t.ok((await ann.messages()).includes('ACK'), 'the agent answered');
  t.not(line.port, 0, `a line of its own: FXO port ${line.port}`);

  await rig.simPost(`/fxo/${line.port}/answer`, {});
  // The far end plays 1 kHz: line -> box -> RTP -> SIPp echo -> RTP -> box -> line.
  await rig.simPost(`/fxo/${line.port}/audio`, { tone: { hz: 1000, dbm0: -10 } });
  await rig.simPost(`/fxo/${line.port}/audio/measure-reset`);
  const heard = await waitFor('the 1 kHz tone back at the far end through the agent', async (seen) => {
    const audio = seen(await rig.simGet(`/fxo/${line.port}/audio`));
    return audio.received.hz !== null && Math.abs(audio.received.hz - 1000) < 10 && audio.received.dbm0 > -13 && audio;
  }, 8_000, { intervalMs: 150 });
  t.ok(Math.abs(heard.received.hz - 1000) < 10, `the far end hears ${heard.received.hz} Hz back from the agent`);

  const { code, output } = await ann.result;
  t.equal(code, 0, `the agent hung up and the call ended cleanly\n${output}`);
  await waitFor(`FXO port ${line.port} back on-hook`, async (seen) => !seen((await fxo())[line.port]).offHook, 10_000);

  const out = await waitFor('the CDR of the call out', async (seen) => seen((await rig.json(['calls'])).recent).find((c: any) => c.direction === 'out'), 10_000);
  t.match(out, { direction: 'out', callback: callbackId, agent: 'ann', called: NUMBER, line: { kind: 'fxo', port: line.port }, result: 'answered', hungUpBy: 'agent' });
  t.ok(out.offeredAt <= out.answeredAt && out.answeredAt < out.endedAt, 'rung, answered, ended in order');
  const recent = (await rig.json(['calls'])).recent;
  t.match(
    recent.filter((c: any) => c.callback === callbackId),
    [
      { calling: NUMBER, result: 'callback' },
      { direction: 'out', called: NUMBER, result: 'answered' },
    ],
    'both legs are in the CDRs, naming the request',
  );
  t.match(await rig.json(['callbacks', '--all']), [{ id: callbackId, state: 'done', doneBy: 'callback', attempts: [{ outcome: 'answered', agent: 'ann', callId: out.id }] }], 'the request is done');
  t.same((await rig.json(['calls'])).active, [], 'no call left in progress');
  t.match(await rig.json(['agents']), [{ user: 'ann', busy: false }], 'the agent is free again');
});
