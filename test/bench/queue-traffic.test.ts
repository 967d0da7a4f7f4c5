// Issue 10 "done when", the traffic scenario on analog lines: five FXO lines of the card
// simulator and three agents' phones (SIPp) take at least 200 calls of Poisson traffic. The
// scenario and its checks (one CDR per call, the phones' counts, `countyline kpi` against the
// CDRs, quarter hour by quarter hour) are in queue-traffic-scenario.ts; here are the lines:
// the simulator's /fxo/N/ring and /fxo/N/hangup, and a CDR's `line.port`.
//
// Real processes: socat, the card simulator, the firmware, SIPp. The traffic is seeded
// (COUNTYLINE_TRAFFIC_SEED to change it); the box's timing is not, so the mix of outcomes
// differs run to run while every count must still reconcile.
import t from 'tap';
import { startRig, type Rig } from '../../scripts/lib/bench-rig.mjs';
import { freeUdpPort } from '../peers/sipp-agent.js';
import { runTraffic, trafficAgents, trafficConfig, type TrafficLines } from './queue-traffic-scenario.js';

const CALLS = Number(process.env.COUNTYLINE_TRAFFIC_CALLS ?? 200);
const SEED = Number(process.env.COUNTYLINE_TRAFFIC_SEED ?? 20_261_202);

const agents = await trafficAgents();
const sipPort = await freeUdpPort();
const rig: Rig = await startRig({ config: trafficConfig(agents, sipPort), keepDir: process.env.COUNTYLINE_KEEP_BENCH === '1' });
if (process.env.COUNTYLINE_KEEP_BENCH === '1') t.comment(`bench folder kept: ${rig.dir}`);
t.teardown(() => rig.stop());

/**
 * The card simulator's loop-start lines. A caller who hangs up while the line still rings
 * leaves the box unsure until the ring cadence's pause has run out (the loop-start line waits
 * 6 s for the next ring); a call rung on the line before then is, to the box, the same call
 * ringing on. An exchange does not ring a line again that soon, so neither does this test.
 */
function fxoLines(): TrafficLines {
  const RING_GAP_MS = 7000;
  /** Per port: no new call before this. */
  const restUntil = [0, 0, 0, 0, 0];
  let last: { call: string }[] = [];
  return {
    noun: 'port',
    async idle() {
      last = (await rig.simGet('/state')).fxo;
      const now = Date.now();
      return last.slice(0, 5).map((p, port) => p.call === 'idle' && now >= restUntil[port]!);
    },
    async ring(port, calling) {
      try {
        await rig.simPost(`/fxo/${port}/ring`, { callerId: calling });
        return true;
      } catch (err) {
        // Seen idle a moment ago, off-hook now: the box was still clearing the last call (a
        // caller who hung up as it answered). The exchange gives this caller busy tone.
        if (!/-> 409/.test((err as Error).message)) throw err;
        return false;
      }
    },
    async hangup(port) {
      // `last` is the state the scenario just read to see the call still up.
      if (last[port]?.call === 'ringing') restUntil[port] = Date.now() + RING_GAP_MS;
      await rig.simPost(`/fxo/${port}/hangup`).catch((err: Error) => {
        // The call may have ended on its own since the state was read.
        if (!/-> 409/.test(err.message)) throw err;
      });
    },
    lineOf: (cdr) => cdr.line.port,
    label: (port) => port,
  };
}

t.test(`${CALLS} calls on five lines to three agents: one outcome each, and the KPIs equal the CDRs`, async (t) => {
  t.comment('COUNTYLINE_TRAFFIC_SEED changes the traffic');
  await rig.waitStatus('FXO lines present', (s) => s.fxo.length === 5 && s.fxo.every((p: any) => p.line === 'present'), 15_000);
  await runTraffic(t, { rig, box: { host: '127.0.0.1', port: sipPort }, agents, lines: fxoLines(), calls: CALLS, seed: SEED });
});
