// Issue 8 "done when", the E1 half: a call from Asterisk's libss7 (the far-end exchange) on an
// SS7 circuit becomes an INVITE to an agent's phone (SIPp); the agent answers -> ANM; audio
// crosses the circuit's timeslot both ways; the agent hangs up -> REL; the box's capture of
// the call decodes in tshark with no malformed frame; the CDR has the numbers and times.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requireTool, waitFor } from '../../scripts/lib/bench-rig.mjs';
import { freeMediaPort, freeUdpPort, registerAgent, runSipp } from '../peers/sipp-agent.js';
import { PI_WARN, TSHARK, tsharkEnv, tsharkFields, worstSeverity } from '../peers/tshark.js';
import { allIdle, bothUp, startLibss7Bench } from './libss7-rig.js';

requireTool(TSHARK, 'checking the capture the way Wireshark reads it');
const sipPort = await freeUdpPort();
const ann = { user: 'ann', password: 'ann-secret-1', name: '安娜', port: await freeUdpPort() };
const bench = await startLibss7Bench(t, {
  rig: {
    config: {
      agents: [{ user: ann.user, password: ann.password, name: ann.name }],
      // SIPp answers only an MD5 challenge, and only the first one.
      sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1', keepAliveMs: 600_000, digestAlgorithms: ['MD5'] },
    },
  },
});
const { rig, ex } = bench;
const box = { host: '127.0.0.1', port: sipPort };

t.before(async () => {
  await bothUp(bench);
  await allIdle(bench);
  await registerAgent({ box, port: ann.port, user: ann.user, password: ann.password, dir: rig.dir }, (fn) => t.teardown(fn));
});

t.test('IAM in -> INVITE; the agent answers -> ANM; audio both ways; the agent hangs up -> REL; capture clean', async (t) => {
  const phone = runSipp({ scenario: 'agent-answer-hangup', box, port: ann.port, user: ann.user, dir: rig.dir, mediaPort: await freeMediaPort(), talkMs: 8000 });
  t.teardown(() => phone.stop());

  const file = join(rig.dir, 'agent-call.pcap');
  const capture = rig.spawnCli(['capture', file, '--seconds', '40']);
  // The capture runs once a message crosses: libss7 resets an idle circuit, the box answers.
  await waitFor('the capture to record', async (seen) => {
    if (seen(statSync(file, { throwIfNoEntry: false })?.size ?? 0) > 24) return true;
    ex.send({ cmd: 'rsc', cic: 30 });
    return false;
  }, 15_000, { intervalMs: 500 });

  const iamAt = Date.now();
  ex.send({ cmd: 'call', cic: 7, called: '12345', calling: '13912345678' });
  t.ok(await ex.next('ACM', { cic: 7 }, 15_000), 'ACM as the call arrives');
  // The box answers (ANM) to play the welcome and queue the caller; the agent answers later.
  t.ok(await ex.next('ANM', { cic: 7 }, 15_000), 'ANM as the box answers');
  await waitFor('ann to answer the call on CIC 7', async (seen) => {
    const { active } = seen(await rig.json(['calls']));
    return active.some((c: any) => c.calling === '13912345678' && c.state === 'connected' && c.agent === 'ann');
  }, 20_000);
  const invite = /INVITE sip:[\s\S]*?\r?\n\r?\n/.exec(await phone.messages())?.[0] ?? '';
  t.match(invite, /From: .*<sip:13912345678@/, 'the INVITE carries the calling number');

  // CIC 7 is span 0 timeslot 7 (CICs 1-15 on timeslots 1-15).
  await rig.simPost('/spans/0/timeslots/7/audio', { tone: { hz: 1000, dbm0: -10 } });
  await rig.simPost('/spans/0/timeslots/7/audio/measure-reset');
  const heard = await waitFor('the 1 kHz tone back at the exchange end of timeslot 7', async (seen) => {
    const { received } = seen(await rig.simGet('/spans/0/timeslots/7/audio'));
    return received.hz !== null && Math.abs(received.hz - 1000) < 10 && received.dbm0 > -13 && received;
  }, 7000);
  t.ok(Math.abs(heard.dbm0 - -10) < 1, `heard back at ${heard.dbm0} dBm0, ${heard.hz} Hz`);

  const rel = await ex.next('REL', { cic: 7 }, 30_000);
  t.equal(rel.cause, 16, 'the agent hung up: REL, normal clearing');
  t.ok(await ex.next('sent', { message: 'RLC', cic: 7 }), 'libss7 answers RLC');
  const ended = await phone.result;
  t.equal(ended.code, 0, `the phone's BYE was answered 200\n${ended.output}`);

  const cdr = await waitFor('the CDR', async (seen) => seen((await rig.json(['calls'])).recent).find((c: any) => c.calling === '13912345678'), 15_000);
  t.match(cdr, { line: { kind: 'e1', span: 0, timeslot: 7, cic: 7 }, called: '12345', agent: 'ann', result: 'answered', hungUpBy: 'agent', cause: 16 });
  t.ok(cdr.arrivedAt >= iamAt - 1000 && cdr.offeredAt >= cdr.arrivedAt && cdr.answeredAt > cdr.offeredAt && cdr.endedAt - cdr.answeredAt >= 7000, 'times in order; the talk lasted the agent\'s 8 s');

  await capture.result(0);
  const fields = ['frame.number', 'isup.cic', 'isup.message_type', '_ws.malformed', '_ws.expert.severity'];
  const rows = await tsharkFields(file, fields, ['mtp3.standard:itu'], tsharkEnv(rig.dir));
  t.same(rows.filter((r) => r['_ws.malformed'] || worstSeverity(r) >= PI_WARN), [], 'no malformed frame, no warning');
  t.same(
    rows.filter((r) => r['isup.cic'] === '7').map((r) => Number(r['isup.message_type'])),
    [0x01, 0x06, 0x09, 0x0c, 0x10],
    'IAM, ACM, ANM, REL, RLC on CIC 7, in order',
  );
  await allIdle(bench);
});
