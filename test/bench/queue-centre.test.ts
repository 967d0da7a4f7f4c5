// Issue 10: calls nobody in the office can take go to the city centre over a SIP trunk. The
// box has no agents of its own here; SIPp plays the centre's trunk on a loopback port. A ring
// on an FXO line becomes an INVITE to the trunk's URI carrying the caller's number; the centre
// answers, a 1 kHz tone from the far end comes back through it (SIPp echoes the RTP) and is
// measured at the far end; the caller hangs up and the centre gets BYE; the CDR and the KPIs
// say forwarded. Then the centre is busy (486): the office keeps the call as a callback
// request, and the CDR says what the centre answered. Real processes: socat, the card
// simulator, the firmware, SIPp.
import t from 'tap';
import { startRig, waitFor, type Rig } from '../../scripts/lib/bench-rig.mjs';
import { freeMediaPort, freeUdpPort, runSipp } from '../peers/sipp-agent.js';

const sipPort = await freeUdpPort();
const centrePort = await freeUdpPort();
const CENTRE_URI = `sip:12345@127.0.0.1:${centrePort}`;
const rig: Rig = await startRig({
  config: {
    agents: [],
    sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1' },
    // No voice message after a callback request (test/bench/callback-message.test.ts has them).
    queue: { voiceMessage: false, centre: { uri: CENTRE_URI, when: ['no-agent'], ringTimeoutMs: 10_000 } },
  },
});
t.teardown(() => rig.stop());
const box = { host: '127.0.0.1', port: sipPort };
await rig.waitStatus('FXO lines present', (s) => s.fxo.length === 5 && s.fxo.every((p: any) => p.line === 'present'), 15_000);

async function cdrOf(calling: string) {
  return waitFor(`the CDR of the call from ${calling}`, async (seen) => seen((await rig.json(['calls'])).recent).find((c: any) => c.calling === calling), 15_000);
}

t.test('nobody staffed: the call goes to the centre, which answers; audio both ways; the CDR and the KPIs say forwarded', async (t) => {
  const centre = runSipp({ scenario: 'agent-answer', box, port: centrePort, user: '12345', dir: rig.dir, mediaPort: await freeMediaPort() });
  t.teardown(() => centre.stop());
  await rig.simPost('/fxo/1/ring', { callerId: '13700000001' });

  await waitFor('the centre to answer the call from FXO port 1', async (seen) => {
    const { active } = seen(await rig.json(['calls']));
    return active.some((c: any) => c.calling === '13700000001' && c.state === 'connected' && c.agent === null);
  }, 20_000);
  const invite = /INVITE sip:[\s\S]*?\r?\n\r?\n/.exec(await centre.messages())?.[0] ?? '';
  t.match(invite, new RegExp(`^INVITE ${CENTRE_URI} SIP/2\\.0`), "the INVITE's Request-URI is the trunk's URI");
  t.match(invite, new RegExp(`\\nTo: *<${CENTRE_URI}>`), 'and its To');
  t.match(invite, /\nFrom: .*<sip:13700000001@/, "its From carries the caller's number");

  await rig.simPost('/fxo/1/audio', { tone: { hz: 1000, dbm0: -10 } });
  await rig.simPost('/fxo/1/audio/measure-reset');
  const heard = await waitFor('the 1 kHz tone back from the centre at the far end', async (seen) => {
    const audio = seen(await rig.simGet('/fxo/1/audio'));
    return audio.received.hz !== null && Math.abs(audio.received.hz - 1000) < 10 && audio.received.dbm0 > -13 && audio;
  }, 15_000);
  t.ok(Math.abs(heard.received.dbm0 - -10) < 1, `the far end hears ${heard.received.hz} Hz at ${heard.received.dbm0} dBm0 back through the centre`);

  await rig.simPost('/fxo/1/hangup');
  const { code, output } = await centre.result;
  t.equal(code, 0, `the centre got BYE when the caller hung up\n${output}`);
  const cdr = await cdrOf('13700000001');
  t.match(cdr, { line: { kind: 'fxo', port: 1 }, agent: null, result: 'forwarded', hungUpBy: 'caller', centre: { reason: 'no-agent', outcome: 'answered' } });
  t.ok(cdr.answeredAt > cdr.arrivedAt && cdr.endedAt > cdr.answeredAt, 'answered when the centre answered, ended after');
  const en = await rig.cli(['calls']);
  t.match(en.stdout, /to the city centre/, 'countyline calls names the result');
  const kpi = await rig.json(['kpi']);
  t.match(kpi.day.totals.counts, { offered: 1, forwarded: 1, answered: 0, noAgent: 0 }, 'countyline kpi counts it forwarded, not answered by the office');
  t.same((await rig.json(['callbacks'])), [], 'no callback request: the centre took the call');
});

t.test('the centre is busy: the office keeps the call as a callback request, and the CDR says the centre was busy', async (t) => {
  const centre = runSipp({ scenario: 'centre-busy', box, port: centrePort, user: '12345', dir: rig.dir });
  t.teardown(() => centre.stop());
  await rig.simPost('/fxo/3/ring', { callerId: '13700000003' });
  const { code, output } = await centre.result;
  t.equal(code, 0, `the centre's 486 was acknowledged\n${output}`);
  const cdr = await cdrOf('13700000003');
  t.match(cdr, { result: 'callback', centre: { reason: 'no-agent', outcome: 'busy' } });
  const callbacks = await rig.json(['callbacks']);
  t.match(callbacks, [{ number: '13700000003', reason: 'no-agent', id: cdr.callback }], 'countyline callbacks lists the number');
});
