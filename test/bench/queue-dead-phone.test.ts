// Issue 10 "done when": an agent whose phone dies while ringing does not hold the call; it
// goes to the next. Two SIPp phones registered; the one offered first rings (180) and is then
// killed with SIGKILL, so it never answers, never refuses and never answers the box's CANCEL.
// The call must go to the other agent within the ring timeout, be answered there, and leave
// nobody stuck ringing or busy. Real processes: socat, the card simulator, the firmware, SIPp.
import t from 'tap';
import { startRig, waitFor, type Rig } from '../../scripts/lib/bench-rig.mjs';
import { freeMediaPort, freeUdpPort, registerAgent, runSipp } from '../peers/sipp-agent.js';

/** Short, so the test is quick; long enough for a busy machine's SIPp to answer 180 within it. */
const RING_TIMEOUT_MS = 3000;

const sipPort = await freeUdpPort();
const AGENTS = [
  { user: 'ann', password: 'ann-secret-1', name: '安娜', port: await freeUdpPort() },
  { user: 'bo', password: 'bo-secret-22', name: 'Bo', port: await freeUdpPort() },
];
const [ANN, BO] = AGENTS as [(typeof AGENTS)[number], (typeof AGENTS)[number]];
const rig: Rig = await startRig({
  config: {
    agents: AGENTS.map(({ user, password, name }) => ({ user, password, name })),
    // SIPp answers only an MD5 challenge, and only the first one. Keep-alive is out of the way
    // (a registering SIPp exits and answers no OPTIONS): the ring timeout alone must free the call.
    sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1', keepAliveMs: 600_000, digestAlgorithms: ['MD5'] },
    calls: { ringTimeoutMs: RING_TIMEOUT_MS },
    // No welcome: the caller goes straight to the queue, and the offers are what is measured.
    queue: { welcome: false },
  },
});
t.teardown(() => rig.stop());
const box = { host: '127.0.0.1', port: sipPort };
await rig.waitStatus('FXO lines present', (s) => s.fxo.length === 5 && s.fxo.every((p: any) => p.line === 'present'), 15_000);

t.test('both agents register', async (t) => {
  for (const a of AGENTS) await registerAgent({ box, port: a.port, user: a.user, password: a.password, dir: rig.dir }, (fn) => t.teardown(fn));
  t.match(await rig.json(['agents']), [
    { user: 'ann', registered: true, reachable: true, busy: false },
    { user: 'bo', registered: true, reachable: true, busy: false },
  ]);
  t.match((await rig.json(['queue'])).agents, [
    { id: 'ann', status: 'available', state: 'idle', phoneUp: true },
    { id: 'bo', status: 'available', state: 'idle', phoneUp: true },
  ]);
});

t.test('the phone offered first dies while ringing: the call goes to the other agent within the ring timeout', async (t) => {
  // Both idle since the box started: longest-idle takes the first in config order, ann. Her
  // phone rings and waits; bo's answers. Which one rang first is checked, not assumed.
  const ann = runSipp({ scenario: 'agent-ring-out', box, port: ANN.port, user: ANN.user, dir: rig.dir });
  t.teardown(() => ann.stop());
  const bo = runSipp({ scenario: 'agent-answer', box, port: BO.port, user: BO.user, dir: rig.dir, mediaPort: await freeMediaPort() });
  t.teardown(() => bo.stop());

  await rig.simPost('/fxo/3/ring', { callerId: '13500000003' });
  // Killed as soon as it has sent 180: a look at `countyline queue` first could take longer
  // than the ring timeout on a busy machine, and the phone would get its CANCEL alive.
  await waitFor("ann's phone ringing: the INVITE answered 180", async (seen) => {
    const log = seen(await ann.messages());
    return /INVITE sip:ann@/.test(log) && /SIP\/2\.0 180 Ringing/.test(log);
  }, 20_000, { intervalMs: 50 });
  ann.child.kill('SIGKILL');
  const killedAt = Date.now();
  const { code } = await ann.result;
  t.equal(code, null, "ann's phone is dead (killed by SIGKILL)");
  t.notMatch(await ann.messages(), /CANCEL sip:/, 'killed while ringing, before the box gave up on it');

  const answered = await waitFor('bo to answer the call', async (seen) => {
    const { active } = seen(await rig.json(['calls']));
    return active.find((c: any) => c.calling === '13500000003' && c.state === 'connected' && c.agent === 'bo');
  }, RING_TIMEOUT_MS + 15_000, { intervalMs: 200 });
  const sinceKill = Date.now() - killedAt;
  t.ok(sinceKill < RING_TIMEOUT_MS + 10_000, `bo answered; seen ${sinceKill} ms after ann's phone died`);
  t.match(await bo.messages(), /INVITE sip:bo@/, 'the INVITE went to bo');
  // The offer to ann ended at the ring timeout and bo's phone rang at once: the time from the
  // first offer to bo's answer is the ring timeout plus bo's 300 ms to answer, plus the load.
  const offeredAt = answered.offeredAt;
  const answeredAt = answered.answeredAt;
  t.ok(answeredAt - offeredAt < RING_TIMEOUT_MS + 3000, `answered ${answeredAt - offeredAt} ms after the first offer: ann's ring timeout (${RING_TIMEOUT_MS} ms) did not grow`);

  const during = await rig.json(['queue']);
  t.match(during.agents, [{ id: 'ann', status: 'available', state: 'idle', callId: null }, { id: 'bo', state: 'in-call' }], 'ann is not held ringing while bo talks');
  t.same(during.callers, [], 'nobody waiting');
  t.match(await rig.json(['agents']), [{ user: 'ann', busy: false }, { user: 'bo', busy: true }], 'countyline agents: ann free, bo busy');

  await rig.simPost('/fxo/3/hangup');
  const boEnded = await bo.result;
  t.equal(boEnded.code, 0, `bo's phone got BYE when the caller hung up\n${boEnded.output}`);
  const cdr = await waitFor('the CDR of the call', async (seen) => seen((await rig.json(['calls'])).recent).find((c: any) => c.calling === '13500000003'), 15_000);
  t.match(cdr, { line: { kind: 'fxo', port: 3 }, agent: 'bo', result: 'answered', hungUpBy: 'caller' });

  const after = await waitFor('both agents idle and not busy', async (seen) => {
    const [queue, agents] = seen(await Promise.all([rig.json(['queue']), rig.json(['agents'])]));
    return queue.agents.every((a: any) => a.state === 'idle') && agents.every((a: any) => !a.busy) && { queue, agents };
  }, 10_000);
  t.match(after.queue.agents, [{ id: 'ann', status: 'available', state: 'idle' }, { id: 'bo', status: 'available', state: 'idle' }], 'countyline queue: neither agent stuck ringing or in a call');
  t.match(after.agents, [{ user: 'ann', busy: false }, { user: 'bo', busy: false }], 'countyline agents: neither busy');
  t.same((await rig.json(['calls'])).active, [], 'no call left in progress');
});
