// Issue 11 "done when", calls: a call from Asterisk's libpri (the exchange's network side) on
// a PRI B-channel becomes an INVITE to an agent's phone (SIPp); the box answers (CONNECT) for
// the welcome, the agent answers, audio crosses the channel's timeslot both ways; the agent
// hangs up -> DISCONNECT, libpri's RELEASE, the box's RELEASE COMPLETE. Then the caller hangs
// up first. The CDRs have the channel, the numbers and who hung up; the box's capture reads
// in tshark as Q.931 with no malformed frame. Real processes: socat, the card simulator
// (`--hdlc-peer`), ref-pri, the firmware, SIPp.
import { join } from 'node:path';
import t from 'tap';
import { requireTool, waitFor } from '../../scripts/lib/bench-rig.mjs';
import { freeMediaPort, runSipp } from '../peers/sipp-agent.js';
import { PI_WARN, TSHARK, tsharkEnv, tsharkFields, worstSeverity } from '../peers/tshark.js';
import { priBench } from './libpri-bench.js';

requireTool(TSHARK, 'checking the capture the way Wireshark reads it');
// One bench for the file: the D-channel up, the box's start-up RESTART acknowledged, ann's phone registered.
const { pri, rig, box, ann, cdrOf } = await priBench(t, 'cl-pric-');

t.test('the box restarts its interface once the D-channel is up, and libpri acknowledges it', async (t) => {
  const restart = pri.events.find((e) => e.event === 'restart');
  t.ok(restart, `libpri got the box's RESTART (${JSON.stringify(restart)})`);
  const metrics = (await rig.cli(['metrics'])).stdout;
  t.match(metrics, /countyline_q921_i_frames_total\{span="0",direction="out"\} [1-9]/, 'I frames went out');
  t.match(metrics, /countyline_q931_messages_total\{span="0",direction="out",type="RESTART"\} [1-9]/, 'countyline metrics counts the RESTART sent');
  t.match(metrics, /countyline_q931_messages_total\{span="0",direction="in",type="RESTART ACKNOWLEDGE"\} [1-9]/, 'and its acknowledgement');
});

t.test('SETUP in -> INVITE; CONNECT; audio both ways; the agent hangs up -> DISCONNECT, RELEASE, RELEASE COMPLETE', async (t) => {
  const phone = runSipp({ scenario: 'agent-answer-hangup', box, port: ann.port, user: ann.user, dir: rig.dir, mediaPort: await freeMediaPort(), talkMs: 6000 });
  t.teardown(() => phone.stop());
  const file = join(rig.dir, 'pri-call.pcap');
  const capture = rig.spawnCli(['capture', file, '--seconds', '30']);
  await capture.waitOutput('that it is capturing', /capturing|抓取/i, 15_000);

  const setupAt = Date.now();
  pri.send({ cmd: 'call', channel: 5, exclusive: true, calling: '13912345678', called: '12345' });
  const placed = await pri.next('placed', undefined, 10_000);
  t.ok(await pri.next('proceeding', { call: placed.call }, 10_000), 'CALL PROCEEDING from the box');
  // The box answers (CONNECT) to play the welcome and queue the caller; the agent answers later.
  t.ok(await pri.next('answer', { call: placed.call }, 15_000), 'CONNECT as the box answers');
  await waitFor('ann to answer the call on channel 5', async (seen) => {
    const { active } = seen(await rig.json(['calls']));
    return active.some((c: any) => c.calling === '13912345678' && c.state === 'connected' && c.agent === 'ann');
  }, 20_000);
  const invite = /INVITE sip:[\s\S]*?\r?\n\r?\n/.exec(await phone.messages())?.[0] ?? '';
  t.match(invite, /From: .*<sip:13912345678@/, 'the INVITE carries the calling number');
  const circuits = await rig.json(['circuits']);
  t.equal(circuits.length, 30, 'countyline circuits lists the 30 B-channels');
  t.match(circuits.find((c: any) => c.cic === 5), { span: 0, timeslot: 5, call: 'incoming', direction: 'in', controlledBy: 'peer' }, 'channel 5 carries the incoming call');
  t.ok(circuits.filter((c: any) => c.cic !== 5).every((c: any) => c.call === 'idle'), 'the others are idle');

  // B-channel 5 is timeslot 5 of span 0.
  await rig.simPost('/spans/0/timeslots/5/audio', { tone: { hz: 1000, dbm0: -10 } });
  await rig.simPost('/spans/0/timeslots/5/audio/measure-reset');
  const heard = await waitFor('the 1 kHz tone back at the exchange end of timeslot 5', async (seen) => {
    const { received } = seen(await rig.simGet('/spans/0/timeslots/5/audio'));
    return received.hz !== null && Math.abs(received.hz - 1000) < 10 && received.dbm0 > -13 && received;
  }, 7000);
  t.ok(Math.abs(heard.dbm0 - -10) < 1, `heard back at ${heard.dbm0} dBm0, ${heard.hz} Hz`);

  const disconnect = await pri.next('hangup_req', { call: placed.call }, 30_000);
  t.equal(disconnect.cause, 16, 'the agent hung up: DISCONNECT, normal clearing');
  t.ok(await pri.next('hangup_ack', { call: placed.call }, 10_000), "the box's RELEASE COMPLETE ends it at libpri");
  const ended = await phone.result;
  t.equal(ended.code, 0, `the phone's BYE was answered 200\n${ended.output}`);

  const cdr = await cdrOf('13912345678');
  t.match(cdr, { line: { kind: 'e1', span: 0, timeslot: 5, cic: 5 }, called: '12345', agent: 'ann', result: 'answered', hungUpBy: 'agent', cause: 16 });
  t.ok(cdr.arrivedAt >= setupAt - 1000 && cdr.answeredAt > cdr.offeredAt && cdr.endedAt - cdr.answeredAt >= 5000, "times in order; the talk lasted the agent's 6 s");

  await capture.result(0);
  const rows = await tsharkFields(file, ['frame.number', 'q931.call_ref', 'q931.message_type', '_ws.malformed', '_ws.expert.severity'], [], tsharkEnv(rig.dir));
  t.same(rows.filter((r) => r['_ws.malformed'] || worstSeverity(r) >= PI_WARN), [], 'no malformed frame, no warning');
  const types = rows.map((r) => Number(r['q931.message_type'])).filter((n) => n > 0);
  for (const [name, code] of [['SETUP', 0x05], ['CALL PROCEEDING', 0x02], ['CONNECT', 0x07], ['CONNECT ACKNOWLEDGE', 0x0f], ['DISCONNECT', 0x45], ['RELEASE', 0x4d], ['RELEASE COMPLETE', 0x5a]] as const) {
    t.ok(types.includes(code), `the capture holds ${name}`);
  }
});

t.test('the caller hangs up while the agent talks: the CDR says so, and the channel is free again', async (t) => {
  const phone = runSipp({ scenario: 'agent-answer', box, port: ann.port, user: ann.user, dir: rig.dir, mediaPort: await freeMediaPort() });
  t.teardown(() => phone.stop());
  pri.send({ cmd: 'call', channel: 9, exclusive: true, calling: '13912345679', called: '12345' });
  const placed = await pri.next('placed', undefined, 10_000);
  await waitFor('ann to answer the call on channel 9', async (seen) => {
    const { active } = seen(await rig.json(['calls']));
    return active.some((c: any) => c.calling === '13912345679' && c.state === 'connected');
  }, 20_000);
  pri.send({ cmd: 'hangup', call: placed.call, cause: 16 });
  const ended = await phone.result;
  t.equal(ended.code, 0, `the phone got BYE\n${ended.output}`);
  const cdr = await cdrOf('13912345679');
  t.match(cdr, { line: { kind: 'e1', span: 0, timeslot: 9, cic: 9 }, agent: 'ann', result: 'answered', hungUpBy: 'caller', cause: 16 });
  t.ok(await pri.next('hangup', { call: placed.call }, 10_000), 'libpri sees the call cleared');
  t.same((await rig.json(['calls'])).active, [], 'no call left in progress');
  const channels = await waitFor('every B-channel idle again', async (seen) => {
    const rows = seen(await rig.json(['circuits']));
    return rows.every((c: any) => c.call === 'idle') && rows;
  }, 10_000);
  t.equal(channels.find((c: any) => c.cic === 9).lastRelease?.cause, 16, 'channel 9 released, normal clearing');
});

t.test("a B-channel blocked at the box: the network's call on it is refused with cause 44; unblocked, it takes calls again", async (t) => {
  const blocked = await rig.cli(['block', '3']);
  t.match(blocked.stdout, /B-channel 3 blocked at the box/, 'countyline block says what a PRI block is');
  t.match((await rig.json(['circuits'])).find((c: any) => c.cic === 3), { maintenance: 'local', block: 'local' });
  pri.send({ cmd: 'call', channel: 3, exclusive: true, calling: '13912345680', called: '12345' });
  const refused = await pri.next('hangup', (e) => e.channel === 3, 10_000);
  t.equal(refused.cause, 44, 'RELEASE COMPLETE, requested channel not available');
  const zh = await rig.cli(['unblock', '3', '--lang', 'zh']);
  t.match(zh.stdout, /B 信道 3 已在本机解除闭塞/, 'and in Chinese');
  t.match((await rig.json(['circuits'])).find((c: any) => c.cic === 3), { maintenance: 'none', call: 'idle' });
});
