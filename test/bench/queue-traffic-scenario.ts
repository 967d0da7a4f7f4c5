// The traffic scenario of issues 10 and 11, shared by the FXO and the PRI bench: five lines
// and three agents' phones (SIPp) take Poisson traffic with short talk times, callers who give
// up, and repeat callers. Every call the box answered has exactly one CDR; each phone saw as
// many answered calls as the CDRs name it for; and `countyline kpi` says, interval by
// interval, what this file counts from the CDRs with its own code (the contract is at the
// head of firmware-ts/src/queue/kpi.ts; nothing of it is imported here).
//
// What differs between line kinds (how the exchange rings a line, hangs it up, and sees it
// idle; which field of a CDR names the line) comes in a `TrafficLines` adapter. The traffic is
// seeded; the box's timing is not, so the mix of outcomes differs run to run while every count
// must still reconcile.
import { setMaxListeners } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '@countyline/e1-gateway';
import { waitFor, type Rig } from '../../scripts/lib/bench-rig.mjs';
import { freeUdpPort, registerAgent, runSipp, type SippRun } from '../peers/sipp-agent.js';

/** Mean gap between calls, and the callers' patience (exponential, with a floor). */
const MEAN_GAP_MS = 1100;
const MEAN_PATIENCE_MS = 8000;
const MIN_PATIENCE_MS = 2000;
const MAX_PATIENCE_MS = 40_000;
/** Numbers the callers call from: fewer than the calls, so some call again (repeat callers). */
const NUMBER_POOL = 140;
const INTERVAL_MS = 15 * 60_000;
const ANSWER_TARGET_MS = 15_000;
const LINES = 5;

type Tap = any; // tap's Test: comment, teardown, equal, same, ok, match

export interface TrafficAgent {
  user: string;
  password: string;
  name: string;
  port: number;
  talkMs: number;
}

/** The three agents' phones, on free ports: ann talks 3 s, bo 4 s, cy 5 s. */
export async function trafficAgents(): Promise<TrafficAgent[]> {
  return [
    { user: 'ann', password: 'ann-secret-1', name: '安娜', port: await freeUdpPort(), talkMs: 3000 },
    { user: 'bo', password: 'bo-secret-22', name: 'Bo', port: await freeUdpPort(), talkMs: 4000 },
    { user: 'cy', password: 'cy-secret-333', name: 'Cy', port: await freeUdpPort(), talkMs: 5000 },
  ];
}

/** The box's config for the scenario, less the lines: agents, SIP, ring timeout, queue. */
export function trafficConfig(agents: TrafficAgent[], sipPort: number) {
  return {
    agents: agents.map(({ user, password, name }) => ({ user, password, name })),
    // SIPp answers only an MD5 challenge, and only the first one.
    sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1', keepAliveMs: 600_000, digestAlgorithms: ['MD5'] },
    calls: { ringTimeoutMs: 4000 },
    // No welcome, so that a line is held only for the wait and the talk; waiting callers hear
    // their place every 10 s.
    queue: { welcome: false, announceEveryMs: 10_000 },
  };
}

/** The exchange's side of the five lines (numbered 0-4 here), for one kind of line. */
export interface TrafficLines {
  /** What a line is called in comments ("port", "B-channel"). */
  noun: string;
  /** Per line: free for a new call now (its last call over, at the exchange and at the box). */
  idle(): Promise<boolean[]>;
  /** Rings the line with a caller's number; false if the line turned out busy (the caller gets busy tone). */
  ring(line: number, calling: string): Promise<boolean>;
  /** The caller hangs up, if their call (the line's latest) is still up; errors are thrown. */
  hangup(line: number): Promise<void>;
  /** The line (0-4) a CDR names. */
  lineOf(cdr: any): number;
  /** The same line as the CDR's own field (port, cic), for messages. */
  label(line: number): number;
}

interface Ring {
  line: number;
  number: string;
  at: number;
}

export interface TrafficOptions {
  rig: Rig;
  box: { host: string; port: number };
  agents: TrafficAgent[];
  lines: TrafficLines;
  calls: number;
  seed: number;
}

/** Registers the agents' phones, runs the traffic and checks the CDRs and KPIs, as assertions of `t`. */
export async function runTraffic(t: Tap, { rig, box, agents, lines, calls: CALLS, seed }: TrafficOptions): Promise<void> {
  t.comment(`traffic seed ${seed}`);
  // The simulator's seeded generator, for traffic that a failing run can replay.
  const rand = seededRandom(seed);
  const exponential = (mean: number) => -mean * Math.log(1 - rand());

  const phones: SippRun[] = [];
  for (const a of agents) {
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
  /** Per line: bumped each time the line is seen idle, so a late hang-up never hits the next call. */
  const generation = new Array<number>(LINES).fill(0);
  const free = new Array<boolean>(LINES).fill(true);
  const hangups = new Set<Promise<void>>();
  const hangupErrors: string[] = [];
  // Callers still waiting to hang up when the test ends (failing early) are let go.
  const ended = new AbortController();
  setMaxListeners(CALLS + 10, ended.signal); // one per caller still to hang up
  t.teardown(() => ended.abort());
  let lastProgress = started;
  const refresh = async () => {
    const idle = await lines.idle();
    for (let line = 0; line < LINES; line++) {
      if (!free[line] && idle[line]) {
        free[line] = true;
        generation[line] = generation[line]! + 1;
      }
    }
    return idle;
  };
  while (rings.length < CALLS) {
    await sleep(exponential(MEAN_GAP_MS));
    const idle = await refresh();
    const candidates = [0, 1, 2, 3, 4].filter((l) => free[l] && idle[l]);
    if (candidates.length === 0) {
      blocked++;
      continue;
    }
    const line = candidates[Math.floor(rand() * candidates.length)]!;
    const number = `1390000${String(Math.floor(rand() * NUMBER_POOL)).padStart(4, '0')}`;
    // Under the simulator's ten rings (46 s), so that every caller who gives up hangs up.
    const patience = Math.min(MAX_PATIENCE_MS, Math.max(MIN_PATIENCE_MS, exponential(MEAN_PATIENCE_MS)));
    free[line] = false;
    const gen = generation[line];
    if (!(await lines.ring(line, number))) {
      blocked++;
      continue;
    }
    rings.push({ line, number, at: Date.now() });
    // The caller hangs up after their patience, answered or not, unless the call is over.
    const hangup = sleep(patience, undefined, { signal: ended.signal }).then(async () => {
      await refresh();
      if (generation[line] !== gen || free[line]) return;
      await lines.hangup(line);
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
    if (!seen(await lines.idle()).every(Boolean)) return false;
    return seen(await rig.json(['calls', '--recent', '0'])).active.length === 0;
  }, 60_000, { intervalMs: 500 });

  // --- one outcome per call -------------------------------------------------------------
  const cdrs: any[] = (await rig.json(['calls', '--recent', String(CALLS * 2)])).recent.filter((c: any) => c.arrivedAt >= started - 1000);
  await writeFile(join(rig.dir, 'traffic.json'), JSON.stringify({ rings, cdrs }, null, 1));
  t.equal(cdrs.length, CALLS, `one CDR for each of the ${CALLS} calls`);
  const key = (line: number, number: string) => `${lines.noun} ${lines.label(line)}/${number}`;
  const rung = new Map<string, number>();
  for (const r of rings) rung.set(key(r.line, r.number), (rung.get(key(r.line, r.number)) ?? 0) + 1);
  const recorded = new Map<string, number>();
  for (const c of cdrs) recorded.set(key(lines.lineOf(c), c.calling), (recorded.get(key(lines.lineOf(c), c.calling)) ?? 0) + 1);
  t.same(Object.fromEntries([...recorded].sort()), Object.fromEntries([...rung].sort()), 'the CDRs are the calls rung: line and number, as often as each was rung');
  t.same(cdrs.filter((c) => !['answered', 'abandoned', 'overflowed', 'callback', 'no-agent', 'deflected', 'failed'].includes(c.result)), [], 'every CDR has an outcome');
  const byResult: Record<string, number> = {};
  for (const c of cdrs) byResult[c.result] = (byResult[c.result] ?? 0) + 1;
  t.comment(`outcomes: ${JSON.stringify(byResult)}`);
  t.ok((byResult.answered ?? 0) >= CALLS / 2, `most calls reached an agent (three agents, well under full load): ${JSON.stringify(byResult)}`);

  // Each phone answered exactly the calls the CDRs give it: sipp's own log, read for ACKs
  // (a phone answering a call gets one ACK for its 200; sipp sends none itself here).
  for (const [i, a] of agents.entries()) {
    const acks = (await phones[i]!.messages()).match(/^ACK sip:/gm)?.length ?? 0;
    const answered = cdrs.filter((c) => c.agent === a.user && c.result === 'answered').length;
    t.equal(acks, answered, `${a.user}'s phone took ${acks} calls; the CDRs say ${answered}`);
  }

  // --- the KPIs, interval by interval ---------------------------------------------------
  const days = new Set<string>();
  const first = await rig.json(['kpi']);
  const offset: number = first.day.utcOffsetMs;
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
}

const COUNTED = ['inbound', 'offered', 'answered', 'answeredIn15s', 'abandoned', 'abandonedIn15s', 'overflowed', 'noAgent', 'repeatCallers', 'answeredWaitMs', 'talkMs', 'longestWaitMs'] as const;
type Counts = Record<(typeof COUNTED)[number], number>;

/**
 * The KPI counts per quarter hour of arrival, worked out here from the CDRs alone. Only the
 * results this scenario can produce are counted (no bulletin, no callbacks, no failures).
 */
export function countIntervals(cdrs: any[], utcOffsetMs: number): Map<number, Counts> {
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
