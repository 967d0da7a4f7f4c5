// Issue 10's callbacks, placed out on E1: after hours a call on an FXO line hears the office is
// closed and leaves a callback request; once the office is open (the box restarted on a
// config without a closed schedule, its data kept) the box rings the agent's phone first,
// showing the number, and when the agent answers it sends an IAM to the exchange (SS7 ISUP,
// preferred over FXO where the box has it) on a circuit it controls, with the number as the
// called party and the office's number (`isup.callingNumber`) as the calling party. The
// exchange answers (ACM, ANM); a tone it plays on the circuit's timeslot comes back through
// the agent (SIPp echoes the RTP). The agent hangs up: the box sends REL, the exchange RLC.
// Both legs are in the CDRs and the request is done.
// Real processes: socat, the card simulator with its far-end exchange, the firmware, SIPp.
//
// The request comes in on FXO: the simulator's exchange places calls to the box only as
// random traffic (`/traffic`), with calling numbers of its own choosing, so a single call
// from a number the test picks can only come in on an FXO line.
import { readFile, writeFile } from 'node:fs/promises';
import t, { type Test } from 'tap';
import { startRig, waitFor, type Rig } from '../../scripts/lib/bench-rig.mjs';
import { freeMediaPort, freeUdpPort, registerAgent, runSipp, type SippRun } from '../peers/sipp-agent.js';
import { circuitAtBox, exchange, exchangeReady, firmwareLog } from './isup-helpers.js';

const NUMBER = '13900000123';
const OFFICE = '12345';
const sipPort = await freeUdpPort();
const ANN = { user: 'ann', password: 'ann-secret-1', name: '安娜', port: await freeUdpPort() };
const rig: Rig = await startRig({
  isup: { callingNumber: OFFICE },
  config: {
    agents: [{ user: ANN.user, password: ANN.password, name: ANN.name }],
    // SIPp answers only an MD5 challenge, and only the first one.
    sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1', keepAliveMs: 600_000, digestAlgorithms: ['MD5'] },
    calls: { ringTimeoutMs: 8000 },
    // No weekday listed: the office is closed all week.
    queue: { welcome: false, voiceMessage: false, callbacks: 'auto', callbackRetryMs: 10_000, hours: { closedDates: [], openDates: {} } },
  },
});
t.teardown(() => rig.stop());
const box = { host: '127.0.0.1', port: sipPort };
await rig.waitStatus('FXO lines present', (s) => s.fxo.length === 5 && s.fxo.every((p: any) => p.line === 'present'), 15_000);
await exchangeReady(rig);
// The exchange places no calls of its own and holds the calls it answers for an hour: the agent ends this one.
await rig.simPost('/traffic', { callsPerMinute: 0, holdSeconds: 3600 });

const fxo = async () => (await rig.simGet('/state')).fxo as any[];
/** The exchange's circuits with a call from the box on them. */
const callsAtExchange = async () => ((await exchange(rig)).circuits as any[]).filter((c) => c.exchangeCall?.direction === 'in');

function phone(t: Test, o: { mediaPort: number; talkMs: number }): SippRun {
  const run = runSipp({ scenario: 'agent-answer-hangup', box, port: ANN.port, user: ANN.user, dir: rig.dir, timeoutS: 90, ...o });
  t.teardown(() => run.stop());
  return run;
}

let callbackId = '';

t.test('after hours: the caller leaves a callback request; no IAM and no FXO seizure while closed', async (t) => {
  await registerAgent({ box, port: ANN.port, user: ANN.user, password: ANN.password, dir: rig.dir }, (fn) => t.teardown(fn));
  const before = (await exchange(rig)).counters.iamsReceived;
  await rig.simPost('/fxo/0/ring', { callerId: NUMBER });
  const cdr = await waitFor('the CDR of the after-hours call', async (seen) => seen((await rig.json(['calls'])).recent).find((c: any) => c.calling === NUMBER), 30_000);
  t.match(cdr, { line: { kind: 'fxo', port: 0 }, agent: null, result: 'callback', callback: String, hungUpBy: 'box' });
  callbackId = cdr.callback;
  t.match(await rig.json(['callbacks']), [{ id: callbackId, number: NUMBER, reason: 'after-hours', state: 'pending', attempts: [] }]);
  await waitFor('FXO port 0 back on-hook', async (seen) => !seen((await fxo())[0]).offHook, 10_000);
  // The dialer looks every 5 s (and at each agent change): watch through two looks while closed.
  const seized: any[] = [];
  for (const until = Date.now() + 11_000; Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
    seized.push(...(await fxo()).filter((p) => p.offHook || p.dialled), ...(await callsAtExchange()));
  }
  t.same(seized, [], 'the closed office calls nobody back, on FXO or E1');
  t.equal((await exchange(rig)).counters.iamsReceived, before, 'the exchange got no IAM');
});

t.test('the office open: the agent is rung first, then an IAM goes out and the circuit is bridged to the agent', async (t) => {
  t.ok(callbackId, 'a request from the first test');
  // The office opens: the same box, its data kept, on a config without the closed schedule.
  await rig.stopFirmware();
  const config = JSON.parse(await readFile(rig.configPath, 'utf8'));
  delete config.queue.hours;
  await writeFile(rig.configPath, JSON.stringify(config, null, 2));
  const restartedAt = Date.now();
  await rig.startFirmware();
  // The agent registers (and the dialer may ring it) only once the circuits are reset with the
  // exchange: a box not yet ready on SS7 would fall back to an FXO line.
  await waitFor('the restarted box ready for calls on SS7', () => firmwareLog(rig, (e) => /ready for calls/.test(e.msg ?? '') && e.time >= restartedAt).length > 0, 15_000);
  await exchangeReady(rig);
  t.match(await rig.json(['callbacks']), [{ id: callbackId, state: 'pending' }], 'the request is still pending after the restart');
  const before = (await exchange(rig)).counters;

  await registerAgent({ box, port: ANN.port, user: ANN.user, password: ANN.password, dir: rig.dir }, (fn) => t.teardown(fn));
  // The INVITE may come as the phone starts: SIP's retransmissions reach it.
  const ann = phone(t, { mediaPort: await freeMediaPort(), talkMs: 12_000 });

  const circuit = await waitFor('the exchange to take an IAM for the number', async (seen) => seen(await callsAtExchange()).find((c) => c.exchangeCall.called === NUMBER), 30_000);
  const messages = await ann.messages();
  const invite = /INVITE sip:[\s\S]*?\r?\n\r?\n/.exec(messages)?.[0] ?? '';
  t.match(invite, /^INVITE sip:ann@/, "the agent's phone was rung");
  t.match(invite, new RegExp(`From: .*<sip:${NUMBER}@`), 'showing the number to call back');
  t.ok(messages.includes('ACK'), 'the agent answered before the call went out');
  t.equal(circuit.controlledBy, 'peer', `CIC ${circuit.cic}: a circuit the box controls (Q.764 2.9.1.4, the lower point code takes the odd CICs)`);
  t.equal(circuit.cic % 2, 1, `CIC ${circuit.cic} is odd`);
  t.equal(circuit.exchangeCall.calling, OFFICE, "the IAM's calling party number is the office's (isup.callingNumber)");
  t.match(await circuitAtBox(rig, circuit.cic), { call: 'outgoing' }, 'the box has the circuit as its call out');
  t.same((await fxo()).filter((p) => p.offHook || p.dialled), [], 'no FXO line was used');

  await waitFor(`the exchange to answer on CIC ${circuit.cic}`, async (seen) => {
    const c = (await exchange(rig)).circuits.find((r: any) => r.cic === circuit.cic);
    return seen(c.exchangeCall?.state) === 'in-answered';
  }, 10_000);
  const answered = await waitFor('the box to take the answer', () => {
    const lines = firmwareLog(rig, (e) => e.msg === 'callback answered: the request is done' && e.callback === callbackId);
    return lines.length > 0 && lines[0];
  }, 10_000);
  t.equal(answered.by, 'anm', 'answered by the ANM (after the ACM), not CON');
  t.equal((await exchange(rig)).counters.incomingAnswered - before.incomingAnswered, 1, 'the exchange counts its answer');

  // The exchange plays 1 kHz: timeslot -> box -> RTP -> SIPp echo -> RTP -> box -> timeslot.
  const audio = `/spans/${circuit.span}/timeslots/${circuit.timeslot}/audio`;
  await rig.simPost(audio, { tone: { hz: 1000, dbm0: -10 } });
  await rig.simPost(`${audio}/measure-reset`);
  const heard = await waitFor(`the 1 kHz tone back at the exchange end of span ${circuit.span} timeslot ${circuit.timeslot}`, async (seen) => {
    const { received } = seen(await rig.simGet(audio));
    return received.hz !== null && Math.abs(received.hz - 1000) < 10 && received.dbm0 > -13 && received;
  }, 8_000, { intervalMs: 150 });
  t.ok(Math.abs(heard.hz - 1000) < 10, `the exchange hears ${heard.hz} Hz at ${heard.dbm0} dBm0 back from the agent`);

  const { code, output } = await ann.result;
  t.equal(code, 0, `the agent hung up and the call ended cleanly\n${output}`);
  const released = await waitFor(`CIC ${circuit.cic} idle at both ends`, async (seen) => {
    const there = (await exchange(rig)).circuits.find((c: any) => c.cic === circuit.cic);
    const here = (await circuitAtBox(rig, circuit.cic)).call;
    seen({ here, there: there.call });
    return here === 'idle' && there.call === 'idle' && there;
  }, 10_000);
  t.equal(released.lastRelease?.cause, 16, 'the box released: REL, normal clearing');
  const after = (await exchange(rig)).counters;
  t.equal(after.iamsReceived - before.iamsReceived, 1, 'one IAM');
  t.equal(after.incomingCompleted - before.incomingCompleted, 1, 'the call completed: REL from the box, RLC from the exchange');

  const out = await waitFor('the CDR of the call out', async (seen) => seen((await rig.json(['calls'])).recent).find((c: any) => c.direction === 'out'), 10_000);
  t.match(out, {
    direction: 'out',
    callback: callbackId,
    agent: 'ann',
    called: NUMBER,
    calling: OFFICE,
    line: { kind: 'e1', span: circuit.span, timeslot: circuit.timeslot, cic: circuit.cic },
    result: 'answered',
    hungUpBy: 'agent',
    cause: 16,
  });
  t.ok(out.offeredAt <= out.answeredAt && out.answeredAt < out.endedAt, 'rung, answered, ended in order');
  t.match(
    (await rig.json(['calls'])).recent.filter((c: any) => c.callback === callbackId),
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
