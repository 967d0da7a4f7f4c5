// Central's live view of a box (issue 12, for the ops page): the box sends a live snapshot
// when callers, calls, agents or callback requests change, so central's API shows who waits
// and what each agent is doing within seconds, not at the next minute's trunk snapshot. A
// caller nobody can take leaves a callback request, which central lists until staff mark it
// done; then one agent (SIPp) takes a first call; a second caller waits; central shows the
// waiting caller and the agent in a call; the waiting caller hangs up and central shows the
// queue empty. Real processes:
// central, socat, the card simulator, the firmware, SIPp.
import t from 'tap';
import { startRig, waitFor } from '../../scripts/lib/bench-rig.mjs';
import { startCentral } from '../../scripts/lib/central-rig.mjs';
import { freeMediaPort, freeUdpPort, registerAgent, runSipp } from '../peers/sipp-agent.js';

const BOX = 'county-live-01';
const ann = { user: 'ann', password: 'ann-secret-1', name: '安娜', port: await freeUdpPort() };

t.test("central shows the box's waiting callers and its agents as they change", async (t) => {
  const central = await startCentral();
  t.teardown(() => central.stop());
  await central.api('POST', '/api/v1/sites', { id: 'county-l', name: '实时县热线', county: 'County L' });
  const { enrolmentToken } = await central.api('POST', '/api/v1/boxes', { id: BOX, site: 'county-l', name: 'County L box' });
  const sipPort = await freeUdpPort();
  const rig = await startRig({
    firmware: false,
    config: {
      agents: [{ user: ann.user, password: ann.password, name: ann.name }],
      sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1', keepAliveMs: 600_000, digestAlgorithms: ['MD5'] },
      queue: { voiceMessage: false, callbacks: 'off' },
    },
  });
  t.teardown(() => rig.stop());
  await rig.cli(['provision', '--central', central.httpUrl, '--token', enrolmentToken]);
  await rig.startFirmware();
  const box = { host: '127.0.0.1', port: sipPort };
  await rig.waitStatus('FXO lines present', (s) => s.fxo.length === 5 && s.fxo.every((p: any) => p.line === 'present'), 15_000);
  const live = () => central.api('GET', `/api/v1/boxes/${BOX}/queue`);

  // Before ann's phone registers nobody can take a call: the caller's number is kept for a call back.
  await rig.simPost('/fxo/3/ring', { callerId: '13900000003' });
  const asked = await waitFor("central to list the caller's callback request", async (seen) => {
    const q = seen(await live());
    return q.callbacks?.find((c: any) => c.number === '13900000003') ?? null;
  }, 30_000);
  t.match(asked, { reason: 'no-agent', requests: 1, attempts: 0, lastAttemptAt: null });
  // The day's figures at central move with the calls: the quarter hour under way goes out as calls end.
  const kpis = await waitFor("central's KPIs to count the call before its quarter hour ends", async (seen) => {
    const { intervals } = seen(await central.api('GET', `/api/v1/boxes/${BOX}/kpis`));
    return intervals.some((k: any) => k.offered >= 1) ? intervals : null;
  }, 20_000);
  t.ok(kpis.length >= 1);
  t.equal((await live()).callbacksPending, 1);
  const [request] = await rig.json(['callbacks']);
  await rig.cli(['callbacks', 'done', request.id]);
  await waitFor('central to see the request done', async (seen) => seen(await live()).callbacksPending === 0, 15_000);

  await registerAgent({ box, port: ann.port, user: ann.user, password: ann.password, dir: rig.dir }, (fn) => t.teardown(fn));
  const first = await waitFor("central to list ann's phone registered, ann available and idle", async (seen) => {
    const q = seen(await live());
    const phoneUp = q.agents?.some((a: any) => a.user === 'ann' && a.registered);
    return phoneUp && q.queue?.agents.some((a: any) => a.id === 'ann' && a.status === 'available' && a.state === 'idle' && a.phoneUp) ? q : null;
  }, 20_000);
  t.match(first.agents, [{ user: 'ann', name: '安娜', registered: true }], "the agents' phones as the box sees them");

  const phone = runSipp({ scenario: 'agent-answer', box, port: ann.port, user: ann.user, dir: rig.dir, mediaPort: await freeMediaPort() });
  t.teardown(() => phone.stop());
  await rig.simPost('/fxo/0/ring', { callerId: '13900000001' });
  await waitFor('ann to answer the first call', async (seen) => {
    phone.assertRunning();
    return seen(await rig.json(['calls'])).active.some((c: any) => c.state === 'connected' && c.agent === 'ann');
  }, 30_000);

  await rig.simPost('/fxo/1/ring', { callerId: '13900000002' });
  const waiting = await waitFor('central to show the second caller waiting and ann in a call', async (seen) => {
    const q = seen(await live()).queue;
    return q?.waiting === 1 && q.agents.some((a: any) => a.id === 'ann' && a.state === 'in-call') ? q : null;
  }, 30_000);
  t.match(waiting.callers, [{ calling: '13900000002', state: 'queued', position: 1 }], 'the caller, first in line');
  t.ok(waiting.longestWaitMs >= 0);

  await rig.simPost('/fxo/1/hangup', {});
  await waitFor('central to show the queue empty once the caller hangs up', async (seen) => seen(await live()).queue?.waiting === 0, 15_000);
  t.pass('the queue emptied at central without waiting for the periodic snapshot (trunksIntervalMs 60 s)');
});
