// Issue 11 "done when", the traffic scenario on PRI: a span switched from SS7 to PRI changes
// nothing above the line leg. The scenario of queue-traffic.test.ts (Poisson traffic, callers
// who give up, repeat callers, three agents' phones; one CDR per call, the phones' counts,
// `countyline kpi` against the CDRs quarter hour by quarter hour) runs unchanged from
// queue-traffic-scenario.ts, with Asterisk's libpri (ref-pri) as the exchange and B-channels
// 1-5, exclusive, as the five lines. A line is free again when libpri has seen its call
// cleared and `countyline circuits` shows the channel idle.
//
// Real processes: socat, the card simulator (`--hdlc-peer`), ref-pri, the firmware, SIPp.
// 50 calls by default (COUNTYLINE_PRI_TRAFFIC_CALLS), about two minutes here; the same seed as
// the FXO test (COUNTYLINE_TRAFFIC_SEED); COUNTYLINE_KEEP_BENCH=1 keeps the bench folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { requireTool, startRig, waitFor, type Rig } from '../../scripts/lib/bench-rig.mjs';
import { startRefPri, type RefPri } from '../peers/libpri/ref-pri.js';
import { freeUdpPort } from '../peers/sipp-agent.js';
import { runTraffic, trafficAgents, trafficConfig, type TrafficLines } from './queue-traffic-scenario.js';

const CALLS = Number(process.env.COUNTYLINE_PRI_TRAFFIC_CALLS ?? 50);
const SEED = Number(process.env.COUNTYLINE_TRAFFIC_SEED ?? 20_261_202);
const KEEP = process.env.COUNTYLINE_KEEP_BENCH === '1';
/** The five lines: B-channels (E1 timeslots) 1 to 5 of span 0. */
const CHANNELS = [1, 2, 3, 4, 5];

requireTool('socat', 'the pseudo-terminal pair between firmware and card simulator');
const dir = await mkdtemp(join(tmpdir(), 'cl-prit-'));
if (KEEP) t.comment(`bench folder kept: ${dir}`);
else t.teardown(() => rm(dir, { recursive: true, force: true }));
const agents = await trafficAgents();
const sipPort = await freeUdpPort();
const pri = await startRefPri(t, { name: 'libpri', bind: join(dir, 'peer.sock'), peer: join(dir, 'card.sock') });
const rig: Rig = await startRig({
  dir,
  card: { links: [{ span: 0, timeslot: 16, mode: 'hdlc' }] },
  simArgs: ['--hdlc-peer', dir],
  config: { pri: { link: 0 }, ...trafficConfig(agents, sipPort) },
  keepDir: KEEP,
});
t.teardown(() => rig.stop());

/** Calls from libpri on B-channels 1-5; a CDR names its channel as `line.cic`. */
function priLines(pri: RefPri): TrafficLines {
  /** Per line: libpri's id of its latest call, and where in libpri's events that call began. */
  const latest: ({ call: number; from: number } | null)[] = CHANNELS.map(() => null);
  /** Per line: its latest call is over at libpri and its channel idle at the box. */
  const confirmed = CHANNELS.map(() => false);
  const seenOf = (line: number, names: string[]) => {
    const l = latest[line];
    return l !== null && l !== undefined && pri.events.slice(l.from).some((e: any) => names.includes(e.event) && e.call === l.call);
  };
  /** libpri has freed the call: RELEASE (COMPLETE) seen either way. */
  const over = (line: number) => seenOf(line, ['hangup', 'hangup_ack']);
  return {
    noun: 'B-channel',
    async idle() {
      // `countyline circuits` is a process start: asked only while a call libpri has cleared
      // is not yet known idle at the box.
      const pending = CHANNELS.map((_, line) => latest[line] !== null && !confirmed[line] && over(line));
      if (pending.some(Boolean)) {
        const circuits: any[] = await rig.json(['circuits']);
        CHANNELS.forEach((channel, line) => {
          if (pending[line] && circuits.find((c) => c.cic === channel)?.call === 'idle') confirmed[line] = true;
        });
      }
      return CHANNELS.map((_, line) => latest[line] === null || confirmed[line]!);
    },
    async ring(line, calling) {
      const channel = CHANNELS[line]!;
      // Busy from here on, before libpri names the call (a caller's hang-up may look meanwhile).
      latest[line] = { call: -1, from: pri.events.length };
      confirmed[line] = false;
      pri.send({ cmd: 'call', channel, exclusive: true, calling, called: '12345' });
      const placed = await pri.next('placed', { channel }, 10_000);
      const from = pri.events.indexOf(placed);
      latest[line] = { call: placed.call, from };
      // The box takes the call (CALL PROCEEDING) or refuses it at once (RELEASE COMPLETE): busy.
      const first = await pri.waitFor((e: any) => pri.events.indexOf(e) > from && e.call === placed.call && ['proceeding', 'answer', 'hangup', 'hangup_ack'].includes(e.event), 15_000, `the box's answer to the SETUP on channel ${channel}`);
      return first.event === 'proceeding' || first.event === 'answer';
    },
    async hangup(line) {
      // Not if the box has already cleared it (DISCONNECT from the box: libpri is releasing).
      if (over(line) || seenOf(line, ['hangup_req'])) return;
      pri.send({ cmd: 'hangup', call: latest[line]!.call, cause: 16 });
    },
    lineOf: (cdr) => CHANNELS.indexOf(cdr.line.cic),
    label: (line) => CHANNELS[line]!,
  };
}

t.test(`${CALLS} calls on five B-channels to three agents: one outcome each, and the KPIs equal the CDRs`, async (t) => {
  t.comment('COUNTYLINE_TRAFFIC_SEED changes the traffic');
  await pri.next('dchan_up', undefined, 30_000);
  await rig.waitStatus('the box: D-channel up', (s: any) => s.pri?.dChannelUp === true, 30_000);
  // The box's start-up RESTART, acknowledged, before any call: its channels are idle.
  await pri.next('restart', undefined, 15_000);
  await waitFor('the box to log its interface restarted', async (seen) => seen(rig.fullLog('firmware')).includes('PRI interface restarted'), 15_000);
  await runTraffic(t, { rig, box: { host: '127.0.0.1', port: sipPort }, agents, lines: priLines(pri), calls: CALLS, seed: SEED });
  const errors = pri.events.filter((e) => e.event === 'error' || e.event === 'config_err');
  t.same(errors, [], 'libpri refused no command and saw no error');
});
