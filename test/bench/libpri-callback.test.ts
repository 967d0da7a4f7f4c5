// Issue 11, calls out over PRI: the box places its calls (`countyline dial`, callbacks) as
// SETUPs on its B-channels, with Asterisk's libpri as the exchange's network side.
// - `countyline dial --line e1`: libpri sees the SETUP with the number and the office's number
//   (`pri.callingNumber`), answers, hears the box's test tone on the channel's timeslot; the
//   box clears after the hold.
// - Channel collision: libpri offers a call of its own, exclusive, on the very channel of the
//   box's SETUP and refuses the box's with cause 44: the network's call is taken, the box's
//   repeated on another channel and answered there (Q.931 5.1.2 / 5.2.3).
// - After hours a caller on the PRI leaves a callback request; once the office is open (the
//   box restarted on a config without the closed schedule, its data kept) the agent (SIPp) is
//   rung first, then the SETUP goes out, libpri answers, audio crosses the channel, the agent
//   hangs up: DISCONNECT. Both legs in the CDRs, the request done.
// Real processes: socat, the card simulator (`--hdlc-peer`), ref-pri, the firmware, SIPp.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { requireTool, startRig, waitFor } from '../../scripts/lib/bench-rig.mjs';
import { startRefPri } from '../peers/libpri/ref-pri.js';
import { freeMediaPort, freeUdpPort, registerAgent, runSipp } from '../peers/sipp-agent.js';

requireTool('socat', 'the pseudo-terminal pair between firmware and card simulator');
const OFFICE = '12345';
const CALLER = '13900000456';
const dir = await mkdtemp(join(tmpdir(), 'cl-pricb-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const sipPort = await freeUdpPort();
const ann = { user: 'ann', password: 'ann-secret-1', name: '安娜', port: await freeUdpPort() };
const pri = await startRefPri(t, { name: 'libpri', bind: join(dir, 'peer.sock'), peer: join(dir, 'card.sock') });
const rig = await startRig({
  dir,
  card: { links: [{ span: 0, timeslot: 16, mode: 'hdlc' }] },
  simArgs: ['--hdlc-peer', dir],
  config: {
    pri: { link: 0, callingNumber: OFFICE },
    agents: [{ user: ann.user, password: ann.password, name: ann.name }],
    // SIPp answers only an MD5 challenge, and only the first one.
    sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1', keepAliveMs: 600_000, digestAlgorithms: ['MD5'] },
    calls: { ringTimeoutMs: 8000 },
    // No weekday listed: the office is closed all week (the dialer calls nobody back).
    queue: { welcome: false, voiceMessage: false, callbacks: 'auto', callbackRetryMs: 10_000, hours: { closedDates: [], openDates: {} } },
  },
});
t.teardown(() => rig.stop());
const box = { host: '127.0.0.1', port: sipPort };

async function dChannelUp() {
  await pri.next('dchan_up', undefined, 30_000);
  await rig.waitStatus('the box: D-channel up', (s) => s.pri?.dChannelUp === true, 30_000);
  // The box restarts its interface once the D-channel is up, and calls out wait for libpri to
  // acknowledge it. When both ends start the data link at once, libpri's late SABME resets
  // the link just after the box's RESTART went and Q.921 discards it (5.5.3); the box sends
  // it again as soon as the link is back (not only at T316, 2 min later).
  await pri.next('restart', undefined, 15_000);
}

async function hearsTestTone(channel: number) {
  const path = `/spans/0/timeslots/${channel}/audio`;
  await rig.simPost(`${path}/measure-reset`);
  return waitFor(`libpri's end of timeslot ${channel} to hear 1004 Hz`, async (seen) => {
    const { received } = seen(await rig.simGet(path));
    return received.hz !== null && Math.abs(received.hz - 1004) < 10 && received;
  }, 10_000, { intervalMs: 150 });
}

t.before(dChannelUp);

t.test('countyline dial --line e1: SETUP with both numbers, libpri answers, the test tone on the channel, DISCONNECT after the hold', async (t) => {
  const dial = rig.spawnCli(['dial', '13800000001', '--line', 'e1', '--hold', '3', '--json']);
  const ring = await pri.next('ring', { called: '13800000001' }, 10_000);
  t.equal(ring.calling, OFFICE, "the calling number is the office's (pri.callingNumber)");
  t.ok(ring.exclusive, 'the box names its B-channel, exclusive');
  t.ok(ring.channel >= 1 && ring.channel <= 31 && ring.channel !== 16, `on B-channel ${ring.channel}`);
  pri.send({ cmd: 'alerting', call: ring.call });
  pri.send({ cmd: 'answer', call: ring.call });
  const heard = await hearsTestTone(ring.channel);
  t.ok(heard, `libpri's end hears the box on timeslot ${ring.channel}: ${JSON.stringify(heard)}`);

  const disconnect = await pri.next('hangup_req', { call: ring.call }, 10_000);
  t.equal(disconnect.cause, 16, 'the box clears after the hold: DISCONNECT, normal clearing');
  t.ok(await pri.next('hangup_ack', { call: ring.call }, 10_000), "the box's RELEASE COMPLETE");
  const result = JSON.parse((await dial.result(0)).stdout);
  t.match(result, { line: `e1/0/${ring.channel}`, answered: true, answeredBy: 'connect', endedBy: 'box', cause: 16 });
  t.ok(result.durationMs >= 3000, `held ${result.durationMs} ms`);
});

t.test("collision: libpri's own SETUP on the box's channel wins; the box's call goes again on another channel and is answered", async (t) => {
  const dial = rig.spawnCli(['dial', '13800000002', '--line', 'e1', '--hold', '3', '--json']);
  const first = await pri.next('ring', { called: '13800000002' }, 10_000);
  // The network's call, exclusive, on the same channel: no calling number, so the closed
  // office takes no callback request for it.
  pri.send({ cmd: 'call', channel: first.channel, exclusive: true, called: OFFICE });
  const placed = await pri.next('placed', undefined, 10_000);
  const taken = await pri.next('proceeding', { call: placed.call }, 10_000);
  t.equal(taken.channel, first.channel, `the box takes the network's call on B-channel ${first.channel}`);
  // The network refuses the box's call on that channel.
  pri.send({ cmd: 'hangup', call: first.call, cause: 44 });
  const again = await pri.next('ring', { called: '13800000002' }, 10_000);
  t.not(again.channel, first.channel, `the box's call is repeated on B-channel ${again.channel}`);
  t.equal(again.calling, OFFICE);
  pri.send({ cmd: 'answer', call: again.call });
  t.ok(await hearsTestTone(again.channel), 'the test tone follows the call to its new channel');
  // ref-pri names calls by libpri's call pointer, which libpri reuses once the refused call is
  // freed: the box's DISCONNECT is matched by its channel.
  const cleared = await pri.next('hangup_req', (e) => e.channel === again.channel, 10_000);
  t.equal(cleared.cause, 16, 'the box clears its call after the hold');
  const result = JSON.parse((await dial.result(0)).stdout);
  t.match(result, { line: `e1/0/${again.channel}`, answered: true, answeredBy: 'connect', endedBy: 'box', cause: 16 });

  // The closed office has nothing for a caller without a number: the box clears that call itself.
  t.ok(await pri.next('hangup_req', (e) => e.channel === first.channel, 30_000), "the network's own call on the first channel is cleared too");
  await waitFor('no call left at the box', async (seen) => seen((await rig.json(['calls'])).active).length === 0, 15_000);
});

let callbackId = '';

t.test('after hours: a caller on the PRI leaves a callback request; nothing goes out while closed', async (t) => {
  pri.send({ cmd: 'call', channel: 7, exclusive: true, calling: CALLER, called: OFFICE });
  const placed = await pri.next('placed', undefined, 10_000);
  const cdr = await waitFor('the CDR of the after-hours call', async (seen) => seen((await rig.json(['calls'])).recent).find((c: any) => c.calling === CALLER), 30_000);
  t.match(cdr, { line: { kind: 'e1', span: 0, timeslot: 7 }, agent: null, result: 'callback', callback: String, hungUpBy: 'box' });
  callbackId = cdr.callback;
  t.ok(await pri.next('hangup_req', { call: placed.call }, 10_000), 'the box clears the call after its message');
  t.match(await rig.json(['callbacks']), [{ id: callbackId, number: CALLER, reason: 'after-hours', state: 'pending', attempts: [] }]);
  // The dialer looks every 5 s: through two looks while closed, no SETUP for the number.
  await new Promise((r) => setTimeout(r, 11_000));
  t.equal(pri.events.filter((e) => e.event === 'ring' && e.called === CALLER).length, 0, 'the closed office calls nobody back');
});

t.test('the office open: the agent is rung first, then the SETUP goes out; libpri answers; audio both ways; the agent hangs up', async (t) => {
  t.ok(callbackId, 'a request from the test before');
  await rig.stopFirmware();
  const config = JSON.parse(await readFile(rig.configPath, 'utf8'));
  delete config.queue.hours;
  await writeFile(rig.configPath, JSON.stringify(config, null, 2));
  await rig.startFirmware();
  await dChannelUp();
  t.match(await rig.json(['callbacks']), [{ id: callbackId, state: 'pending' }], 'the request is still pending after the restart');

  await registerAgent({ box, port: ann.port, user: ann.user, password: ann.password, dir: rig.dir }, (fn) => t.teardown(fn));
  // The INVITE may come as the phone starts: SIP's retransmissions reach it.
  const phone = runSipp({ scenario: 'agent-answer-hangup', box, port: ann.port, user: ann.user, dir: rig.dir, mediaPort: await freeMediaPort(), talkMs: 10_000, timeoutS: 90 });
  t.teardown(() => phone.stop());

  const ring = await pri.next('ring', { called: CALLER }, 30_000);
  t.equal(ring.calling, OFFICE, "the calling number is the office's");
  const messages = await phone.messages();
  const invite = /INVITE sip:[\s\S]*?\r?\n\r?\n/.exec(messages)?.[0] ?? '';
  t.match(invite, /^INVITE sip:ann@/, "the agent's phone was rung");
  t.match(invite, new RegExp(`From: .*<sip:${CALLER}@`), 'showing the number to call back');
  t.ok(messages.includes('ACK'), 'the agent answered before the call went out');
  pri.send({ cmd: 'alerting', call: ring.call });
  pri.send({ cmd: 'answer', call: ring.call });

  // libpri's end plays 1 kHz: timeslot -> box -> RTP -> SIPp echo -> RTP -> box -> timeslot.
  const audio = `/spans/0/timeslots/${ring.channel}/audio`;
  await rig.simPost(audio, { tone: { hz: 1000, dbm0: -10 } });
  await rig.simPost(`${audio}/measure-reset`);
  const heard = await waitFor(`the 1 kHz tone back at libpri's end of timeslot ${ring.channel}`, async (seen) => {
    const { received } = seen(await rig.simGet(audio));
    return received.hz !== null && Math.abs(received.hz - 1000) < 10 && received.dbm0 > -13 && received;
  }, 8_000, { intervalMs: 150 });
  t.ok(heard, `heard back from the agent: ${heard.hz} Hz at ${heard.dbm0} dBm0`);

  const { code, output } = await phone.result;
  t.equal(code, 0, `the agent hung up and the call ended cleanly\n${output}`);
  const disconnect = await pri.next('hangup_req', (e) => e.channel === ring.channel, 10_000);
  t.equal(disconnect.cause, 16, 'DISCONNECT, normal clearing');
  t.ok(await pri.next('hangup_ack', (e) => e.channel === ring.channel, 10_000), "the box's RELEASE COMPLETE");

  const out = await waitFor('the CDR of the call out', async (seen) => seen((await rig.json(['calls'])).recent).find((c: any) => c.direction === 'out' && c.callback === callbackId), 10_000);
  t.match(out, {
    direction: 'out', callback: callbackId, agent: 'ann', called: CALLER, calling: OFFICE,
    line: { kind: 'e1', span: 0, timeslot: ring.channel, cic: ring.channel }, result: 'answered', hungUpBy: 'agent', cause: 16,
  });
  t.ok(out.offeredAt <= out.answeredAt && out.answeredAt < out.endedAt, 'rung, answered, ended in order');
  t.match(
    (await rig.json(['calls'])).recent.filter((c: any) => c.callback === callbackId),
    [{ calling: CALLER, result: 'callback' }, { direction: 'out', called: CALLER, result: 'answered' }],
    'both legs are in the CDRs, naming the request',
  );
  t.match(await rig.json(['callbacks', '--all']), [{ id: callbackId, state: 'done', doneBy: 'callback', attempts: [{ outcome: 'answered', agent: 'ann', callId: out.id }] }], 'the request is done');
  t.same((await rig.json(['calls'])).active, [], 'no call left in progress');
});
