// Issue 10 "done when", the traffic scenario: five analog lines and three agents' phones
// (SIPp) take at least 200 calls of Poisson traffic with short talk times, callers who give
// up, and repeat callers. Every call the box answered has exactly one CDR; each phone saw as
// many answered calls as the CDRs name it for; and `countyline kpi` says, interval by
// interval, what this file counts from the CDRs with its own code (the contract is at the
// head of firmware-ts/src/queue/kpi.ts; nothing of it is imported here).
//
// Real processes: socat, the card simulator, the firmware, SIPp. The traffic is seeded
// (COUNTYLINE_TRAFFIC_SEED to change it); the box's timing is not, so the mix of outcomes
// differs run to run while every count must still reconcile.
import { setMaxListeners } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { seededRandom } from '@countyline/e1-gateway';
import { startRig, waitFor, type Rig } from '../../scripts/lib/bench-rig.mjs';
import { freeUdpPort, registerAgent, runSipp, type SippRun } from '../peers/sipp-agent.js';

const CALLS = Number(process.env.COUNTYLINE_TRAFFIC_CALLS ?? 200);
const SEED = Number(process.env.COUNTYLINE_TRAFFIC_SEED ?? 20_261_202);
/** Mean gap between calls, and the callers' patience (exponential, with a floor). */
const MEAN_GAP_MS = 1100;
const MEAN_PATIENCE_MS = 8000;
const MIN_PATIENCE_MS = 2000;
const MAX_PATIENCE_MS = 40_000;
/** Numbers the callers call from: fewer than the calls, so some call again (repeat callers). */
const NUMBER_POOL = 140;
const INTERVAL_MS = 15 * 60_000;
const ANSWER_TARGET_MS = 15_000;

const AGENTS = [
  { user: 'ann', password: 'ann-secret-1', name: '安娜', port: await freeUdpPort(), talkMs: 3000 },
  { user: 'bo', password: 'bo-secret-22', name: 'Bo', port: await freeUdpPort(), talkMs: 4000 },
  { user: 'cy', password: 'cy-secret-333', name: 'Cy', port: await freeUdpPort(), talkMs: 5000 },
];
const sipPort = await freeUdpPort();
const rig: Rig = await startRig({
  config: {
    agents: AGENTS.map(({ user, password, name }) => ({ user, password, name })),
    // SIPp answers only an MD5 challenge, and only the first one.
    sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1', keepAliveMs: 600_000, digestAlgorithms: ['MD5'] },
    calls: { ringTimeoutMs: 4000 },
    // No welcome, so that a line is held only for the wait and the talk; waiting callers hear
    // their place every 10 s.
    queue: { welcome: false, announceEveryMs: 10_000 },
  },
  keepDir: process.env.COUNTYLINE_KEEP_BENCH === '1',
});
if (process.env.COUNTYLINE_KEEP_BENCH === '1') t.comment(`bench folder kept: ${rig.dir}`);
t.teardown(() => rig.stop());
const box = { host: '127.0.0.1', port: sipPort };

// The simulator's seeded generator, for traffic that a failing run can replay.
const rand = seededRandom(SEED);
const exponential = (mean: number) => -mean * Math.log(1 - rand());

interface Ring {
  port: number;
  number: string;
  at: number;
}

t.test(`${CALLS} calls on five lines to three agents: one outcome each, and the KPIs equal the CDRs`, async (t) => {
  t.comment(`traffic seed ${SEED} (COUNTYLINE_TRAFFIC_SEED)`);
  await rig.waitStatus('FXO lines present', (s) => s.fxo.length === 5 && s.fxo.every((p: any) => p.line === 'present'), 15_000);
  const phones: SippRun[] = [];
  for (const a of AGENTS) {
    await registerAgent({ box, port: a.port, user: a.user, password: a.password, dir: rig.dir }, (fn) => t.teardown(fn));
    const scenarioFile = join(rig.dir, `agent-talk-${a.user}.xml`);
    const template = await readFile(new URL('../peers/sipp/agent-talk.xml', import.meta.url), 'utf8');
    await writeFile(scenarioFile, template.replace('timeout="TALK_MS"', `timeout="${a.talkMs}"`));
    const phone = runSipp({ scenario: 'agent-answer-hangup', scenarioFile, box, port: a.port, user: a.user, dir: rig.dir, calls: 100_000, timeoutS: 3600 });
    t.teardown(() => phone.stop());
    phones.push(phone);
  }
  const staffed = await rig.json(['agents']);
  t.equal(staffed.filter((a: any) => a.registered).length, 3, 'three phones registered');

  // The exchange side: a caller rings an idle line; if none is idle the exchange would give
  // them busy tone, so the box never sees them (counted here as blocked, not as calls).
  const rings: Ring[] = [];
  const started = Date.now();
  let blocked = 0;
  /** Per port: bumped each time the line is seen idle, so a late hang-up never hits the next call. */
  const generation = [0, 0, 0, 0, 0];
  const free = [true, true, true, true, true];
  const hangups = new Set<Promise<void>>();
  const hangupErrors: string[] = [];
  // Callers still waiting to hang up when the test ends (failing early) are let go.
  const ended = new AbortController();
  setMaxListeners(CALLS + 10, ended.signal); // one per caller still to hang up
  t.teardown(() => ended.abort());
  let lastProgress = started;
  /**
   * Per port: no new call before this. A caller who hangs up while the line still rings
   * leaves the box unsure until the ring cadence's pause has run out (the loop-start line
   * waits 6 s for the next ring); a call rung on the line before then is, to the box, the
   * same call ringing on. An exchange does not ring a line again that soon, so neither does
   * this test.
   */
  const restUntil = [0, 0, 0, 0, 0];
  const RING_GAP_MS = 7000;
  const refresh = async () => {
    const { fxo } = await rig.simGet('/state');
    for (let port = 0; port < 5; port++) {
      if (!free[port] && fxo[port].call === 'idle') {
        free[port] = true;
        generation[port] = (generation[port] ?? 0) + 1;
      }
    }
    return fxo as { call: string }[];
  };
  while (rings.length < CALLS) {
    await sleep(exponential(MEAN_GAP_MS));
    await refresh();
    const now = Date.now();
    const idle = [0, 1, 2, 3, 4].filter((p) => free[p] && now >= restUntil[p]!);
    if (idle.length === 0) {
      blocked++;
      continue;
    }
    const port = idle[Math.floor(rand() * idle.length)]!;
    const number = `1390000${String(Math.floor(rand() * NUMBER_POOL)).padStart(4, '0')}`;
    // Under the simulator's ten rings (46 s), so that every caller who gives up hangs up.
    const patience = Math.min(MAX_PATIENCE_MS, Math.max(MIN_PATIENCE_MS, exponential(MEAN_PATIENCE_MS)));
    free[port] = false;
    const gen = generation[port];
    try {
      await rig.simPost(`/fxo/${port}/ring`, { callerId: number });
    } catch (err) {
      // Seen idle a moment ago, off-hook now: the box was still clearing the last call (a
      // caller who hung up as it answered). The exchange gives this caller busy tone.
      if (!/-> 409/.test((err as Error).message)) throw err;
      blocked++;
      continue;
    }
    rings.push({ port, number, at: Date.now() });
    // The caller hangs up after their patience, answered or not, unless the call is over.
    const hangup = sleep(patience, undefined, { signal: ended.signal }).then(async () => {
      const fxo = await refresh();
      if (generation[port] !== gen || free[port]) return;
      if (fxo[port]!.call === 'ringing') restUntil[port] = Date.now() + RING_GAP_MS;
      await rig.simPost(`/fxo/${port}/hangup`).catch((err: Error) => {
        // The call may have ended on its own since the state was read.
        if (!/-> 409/.test(err.message)) hangupErrors.push(err.message);
      });
    }).catch((err: Error) => {
      if (err.name !== 'AbortError') hangupErrors.push(err.message);
    });
    hangups.add(hangup);
    void hangup.finally(() => hangups.delete(hangup));
    if (Date.now() - lastProgress > 30_000) {
      t.comment(`${rings.length} of ${CALLS} calls rung, ${blocked} blocked, after ${Math.round((Date.now() - started) / 1000)} s`);
      lastProgress = Date.now();
    }
  }
  await Promise.all(hangups);
  t.same(hangupErrors, [], 'every caller could hang up');
  t.comment(`${CALLS} calls rung in ${Math.round((Date.now() - started) / 1000)} s; ${blocked} more found all five lines busy`);

  await waitFor('every line idle and no call in progress', async (seen) => {
    const { fxo } = seen(await rig.simGet('/state'));
    if (!fxo.every((p: any) => p.call === 'idle')) return false;
    return seen(await rig.json(['calls', '--recent', '0'])).active.length === 0;
  }, 60_000, { intervalMs: 500 });

  // --- one outcome per call -------------------------------------------------------------
  const cdrs: any[] = (await rig.json(['calls', '--recent', String(CALLS * 2)])).recent.filter((c: any) => c.arrivedAt >= started - 1000);
  await writeFile(join(rig.dir, 'traffic.json'), JSON.stringify({ rings, cdrs }, null, 1));
  t.equal(cdrs.length, CALLS, `one CDR for each of the ${CALLS} calls`);
  const key = (port: number, number: string) => `${port}/${number}`;
  const rung = new Map<string, number>();
  for (const r of rings) rung.set(key(r.port, r.number), (rung.get(key(r.port, r.number)) ?? 0) + 1);
  const recorded = new Map<string, number>();
  for (const c of cdrs) recorded.set(key(c.line.port, c.calling), (recorded.get(key(c.line.port, c.calling)) ?? 0) + 1);
  t.same(Object.fromEntries([...recorded].sort()), Object.fromEntries([...rung].sort()), 'the CDRs are the calls rung: line and number, as often as each was rung');
  t.same(cdrs.filter((c) => !['answered', 'abandoned', 'overflowed', 'callback', 'no-agent', 'deflected', 'failed'].includes(c.result)), [], 'every CDR has an outcome');
  const byResult: Record<string, number> = {};
  for (const c of cdrs) byResult[c.result] = (byResult[c.result] ?? 0) + 1;
  t.comment(`outcomes: ${JSON.stringify(byResult)}`);
  t.ok((byResult.answered ?? 0) >= CALLS / 2, `most calls reached an agent (three agents, well under full load): ${JSON.stringify(byResult)}`);

  // Each phone answered exactly the calls the CDRs give it: sipp's own log, read for ACKs
  // (a phone answering a call gets one ACK for its 200; sipp sends none itself here).
  for (const [i, a] of AGENTS.entries()) {
    const acks = (await phones[i]!.messages()).match(/^ACK sip:/gm)?.length ?? 0;
    const answered = cdrs.filter((c) => c.agent === a.user && c.result === 'answered').length;
    t.equal(acks, answered, `${a.user}'s phone took ${acks} calls; the CDRs say ${answered}`);
  }

  // --- the KPIs, interval by interval ---------------------------------------------------
  const days = new Set<string>();
  let offset = 0;
  const first = await rig.json(['kpi']);
  offset = first.day.utcOffsetMs;
  for (const c of cdrs) days.add(new Date(c.arrivedAt + offset).toISOString().slice(0, 10));
  const reported = new Map<number, any>();
  for (const day of days) {
    const kpi = (await rig.json(['kpi', '--day', day])).day;
    t.equal(kpi.day, day, `countyline kpi --day ${day} answers for that day`);
    for (const period of kpi.intervals) reported.set(period.from, period.counts);
  }
  const expected = countIntervals(cdrs, offset);
  t.ok(expected.size >= 1, 'the calls fall in one or more quarter hours');
  for (const [from, counts] of expected) {
    const at = new Date(from + offset).toISOString().slice(11, 16);
    t.match(reported.get(from), counts, `the quarter hour from ${at} (local): countyline kpi equals the count from the CDRs`);
  }
  const totals = [...expected.values()].reduce((sum, c) => ({ offered: sum.offered + c.offered, answered: sum.answered + c.answered, answeredIn15s: sum.answeredIn15s + c.answeredIn15s }), { offered: 0, answered: 0, answeredIn15s: 0 });
  t.comment(`answer rate ${((100 * totals.answered) / totals.offered).toFixed(1)} %, answered in 15 s ${((100 * totals.answeredIn15s) / Math.max(1, totals.answered)).toFixed(1)} %`);
});

const COUNTED = ['inbound', 'offered', 'answered', 'answeredIn15s', 'abandoned', 'abandonedIn15s', 'overflowed', 'noAgent', 'repeatCallers', 'answeredWaitMs', 'talkMs', 'longestWaitMs'] as const;
type Counts = Record<(typeof COUNTED)[number], number>;

/**
 * The KPI counts per quarter hour of arrival, worked out here from the CDRs alone. Only the
 * results this scenario can produce are counted (no bulletin, no callbacks, no failures).
 */
function countIntervals(cdrs: any[], utcOffsetMs: number): Map<number, Counts> {
  const out = new Map<number, Counts>();
  for (const c of cdrs) {
    const from = Math.floor((c.arrivedAt + utcOffsetMs) / INTERVAL_MS) * INTERVAL_MS - utcOffsetMs;
    const n = out.get(from) ?? (Object.fromEntries(COUNTED.map((k) => [k, 0])) as Counts);
    out.set(from, n);
    n.inbound++;
    n.offered++;
    if (c.repeat) n.repeatCallers++;
    // A caller waits from joining the queue (arriving, if they never joined) until answered,
    // else until leaving the queue; one who never joined and hung up waited until then.
    const start = c.queue?.enteredAt ?? c.arrivedAt;
    const end = c.result === 'answered' ? c.answeredAt : c.queue ? c.queue.leftAt : c.result === 'abandoned' ? c.endedAt : start;
    const wait = Math.max(0, end - start);
    n.longestWaitMs = Math.max(n.longestWaitMs, wait);
    if (c.result === 'answered') {
      n.answered++;
      n.answeredWaitMs += wait;
      n.talkMs += c.endedAt - c.answeredAt;
      if (wait <= ANSWER_TARGET_MS) n.answeredIn15s++;
    } else if (c.result === 'abandoned') {
      n.abandoned++;
      if (wait <= ANSWER_TARGET_MS) n.abandonedIn15s++;
    } else if (c.result === 'overflowed') n.overflowed++;
    else if (c.result === 'no-agent') n.noAgent++;
  }
  return out;
}
