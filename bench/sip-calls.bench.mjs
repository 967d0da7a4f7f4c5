// Calls to the agents' SIP phones, end to end on this machine: how many incoming calls per
// second the box sets up (IAM in, INVITE to an agent, answer, ANM, and the agent's BYE, REL)
// and how long it takes from a call's arrival to the INVITE leaving. Real processes, as on
// the bench: socat, the card simulator with its SS7 exchange (30 circuits), the firmware, and
// SIPp as the agents' phones.
//
// The agents all register from one SIPp port (the box sends INVITEs to the address a
// REGISTER came from), so one SIPp process answers for all of them
// (test/peers/sipp/agent-answer-at-once.xml with no practical call limit). The exchange
// calls at its highest rate; the figures come from the box's CDRs (`<dataDir>/cdr.jsonl`),
// the exchange's counters and /proc. COUNTYLINE_BENCH_KEEP=1 keeps the rig's folder (logs,
// CDRs) and prints where it is.
//
// Run through `npm run bench` (builds first), or `node bench/run.mjs sip-calls`.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRig, waitFor } from '../scripts/lib/bench-rig.mjs';
import { cpuSeconds } from './lib/proc-usage.mjs';
import { freeMediaPort, freeUdpPort, killAllSipp, register, sipp } from './lib/sipp-phones.mjs';

export const title = 'Calls to SIP agents';

const AGENTS = 20;
const FXO_PORTS = 5;
/** The exchange's call rate: the simulator's ceiling (6,000 a minute). */
const OFFERED_PER_MINUTE = 6000;

async function readCdrs(rig) {
  const text = await readFile(join(rig.dir, 'data', 'cdr.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

/** Waits until the box has no call in progress and every circuit is idle at both ends. */
async function drained(rig, deadlineMs) {
  await waitFor('every call ended and every circuit idle at both ends', async (seen) => {
    const calls = await rig.json(['calls']);
    const ex = await rig.simGet('/exchange');
    const busyThere = ex.circuits.filter((c) => c.call !== 'idle').map((c) => c.cic);
    seen({ activeCalls: calls.active.length, busyAtExchange: busyThere });
    return calls.active.length === 0 && busyThere.length === 0;
  }, deadlineMs, { intervalMs: 500 });
}

const sleepUntil = (at) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

function cpuTimes(rig, phones) {
  return { firmware: cpuSeconds(rig.firmware.child.pid), simulator: cpuSeconds(rig.sim.child.pid), sipp: cpuSeconds(phones.child.pid), socat: cpuSeconds(rig.socat.child.pid) };
}

const quantile = (sorted, q) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]);

function latency(cdrs) {
  const ms = cdrs.filter((c) => c.offeredAt !== null).map((c) => c.offeredAt - c.arrivedAt).sort((a, b) => a - b);
  return { count: ms.length, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), max: ms.at(-1) ?? NaN };
}

const mean = (values) => (values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length);

/** The most calls the box had in progress at once (arrival to end), from their CDRs. */
function peakInProgress(cdrs) {
  const steps = cdrs.flatMap((c) => [[c.arrivedAt, 1], [c.endedAt, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, step] of steps) peak = Math.max(peak, (now += step));
  return peak;
}

function countBy(cdrs) {
  const counts = { answered: 0, abandoned: 0, 'no-agent': 0, failed: 0, 'test-line': 0 };
  for (const c of cdrs) counts[c.result]++;
  return counts;
}

/** One SIPp for every agent registered from `port`: answers at once, talks `talkMs`, hangs up. */
function answeringPhones(ctx, talkMs) {
  const { box, phonePort, mediaPort, rig } = ctx;
  // -m: no practical limit on the number of calls (-m 0 would end sipp at once); -timeout 0:
  // runs until killed.
  const args = ['-p', String(phonePort), '-m', '1000000', '-d', String(talkMs), '-mi', '127.0.0.1', '-mp', String(mediaPort), '-timeout', '0'];
  return sipp(box, 'agent-answer-at-once', args, rig.dir, `phones-${talkMs}`);
}

async function stopPhones(phones) {
  phones.child.kill('SIGKILL');
  await phones.result;
}

/**
 * Fails with what the agents' SIPp printed if it has ended: a figure taken without the phones
 * would be one of the box announcing "no agent".
 */
function checkPhones(phones) {
  if (phones.child.exitCode !== null || phones.child.signalCode !== null) throw new Error(`the agents' sipp ended during the run:\n${phones.output()}`);
}

/**
 * The exchange calls at OFFERED_PER_MINUTE for warm-up + window while the agents talk
 * `talkMs`; then traffic stops and every call must end. The figures of the window and of the
 * whole run, from the CDRs and the exchange's counters.
 */
async function isupRun(ctx, talkMs, { warmUpS, windowS }) {
  const { rig } = ctx;
  const phones = answeringPhones(ctx, talkMs);
  try {
    const startAt = Date.now();
    // The exchange's calls last far longer than the agents talk: the agent always hangs up.
    await rig.simPost('/traffic', { callsPerMinute: OFFERED_PER_MINUTE, holdSeconds: 3600 });
    const from = startAt + warmUpS * 1000;
    const to = from + windowS * 1000;
    await sleepUntil(from);
    const cpuFrom = cpuTimes(rig, phones);
    const before = (await rig.simGet('/exchange')).counters;
    await sleepUntil(to);
    const cpuTo = cpuTimes(rig, phones);
    const after = (await rig.simGet('/exchange')).counters;
    await rig.simPost('/traffic', { callsPerMinute: 0 });
    checkPhones(phones);
    await drained(rig, 60_000);
    const busyAgents = (await rig.json(['agents'])).filter((a) => a.busy).map((a) => a.user);

    const cdrs = (await readCdrs(rig)).filter((c) => c.line.kind === 'e1' && c.arrivedAt >= startAt);
    // Calls the exchange put to the box over the whole run: those it placed, less those it
    // found no circuit for. Each must have its CDR.
    const total = (await rig.simGet('/exchange')).counters;
    const placed = total.callsOriginated - (total.callsFailed['no-circuit'] ?? 0) - ctx.placedBefore;
    ctx.placedBefore += placed;
    const answeredInWindow = cdrs.filter((c) => c.result === 'answered' && c.answeredAt >= from && c.answeredAt < to).length;
    const originated = after.callsOriginated - before.callsOriginated;
    const noCircuit = (after.callsFailed['no-circuit'] ?? 0) - (before.callsFailed['no-circuit'] ?? 0);
    const cpu = Object.fromEntries(Object.keys(cpuTo).map((k) => [k, (cpuTo[k] - cpuFrom[k]) / windowS]));
    return {
      talkMs,
      placed,
      offeredPerS: originated / windowS,
      answeredPerS: answeredInWindow / windowS,
      results: countBy(cdrs),
      cdrs: cdrs.length,
      noCircuit,
      originated,
      cpu,
      firmwareMsPerCall: answeredInWindow > 0 ? (cpu.firmware * windowS * 1000) / answeredInWindow : NaN,
      peak: peakInProgress(cdrs),
      holdMs: mean(cdrs.filter((c) => c.result === 'answered').map((c) => c.endedAt - c.arrivedAt)),
      latency: latency(cdrs),
      busyAgents,
    };
  } finally {
    await stopPhones(phones);
  }
}

/** `rings` calls on the FXO lines, one at a time, ports in turn; the agent answers at once. */
async function fxoRun(ctx, rings) {
  const { rig } = ctx;
  await waitFor('the 5 FXO lines present', async (seen) => seen((await rig.simGet('/state')).fxo).filter((p) => p.plugged && p.call === 'idle').length === FXO_PORTS, 15_000);
  const phones = answeringPhones(ctx, 0);
  const startAt = Date.now();
  try {
    for (let i = 0; i < rings; i++) {
      const port = i % FXO_PORTS;
      const callerId = `1380013${String(i).padStart(4, '0')}`;
      await rig.simPost(`/fxo/${port}/ring`, { callerId });
      await waitFor(`the CDR of the ring on FXO port ${port} from ${callerId}`, async (seen) => {
        checkPhones(phones);
        return seen(await readCdrs(rig)).some((c) => c.calling === callerId);
      }, 30_000, { intervalMs: 50 });
      await waitFor(`FXO port ${port} idle again`, async (seen) => {
        const line = seen((await rig.simGet('/state')).fxo[port]);
        return line.call === 'idle' && !line.offHook;
      }, 15_000, { intervalMs: 50 });
    }
  } finally {
    await stopPhones(phones);
  }
  const cdrs = (await readCdrs(rig)).filter((c) => c.line.kind === 'fxo' && c.arrivedAt >= startAt);
  return { rings, results: countBy(cdrs), latency: latency(cdrs) };
}

export default async function run({ quick = false } = {}) {
  if (spawnSync('sh', ['-c', 'command -v sipp']).status !== 0) throw new Error("sipp is not installed (the agents' phones); run: bash scripts/setup-debian.sh");
  const plan = quick ? { warmUpS: 3, windowS: 6, talks: [0], fxoRings: 5 } : { warmUpS: 5, windowS: 30, talks: [0, 1000], fxoRings: 20 };

  const sipPort = await freeUdpPort();
  const agents = Array.from({ length: AGENTS }, (_, i) => ({ user: `agent-${String(i + 1).padStart(2, '0')}`, password: `secret-${i + 1}-bench`, name: `Agent ${i + 1}` }));
  const rig = await startRig({
    isup: true,
    keepDir: Boolean(process.env.COUNTYLINE_BENCH_KEEP),
    config: {
      agents,
      // SIPp answers only an MD5 challenge, and only the first one. No keep-alive OPTIONS
      // during the run.
      sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1', keepAliveMs: 600_000, digestAlgorithms: ['MD5'] },
      // A caller nobody can take hears the announcement and is released, as on a box in use.
      calls: { ringTimeoutMs: 4000, noAgent: 'announce' },
    },
  });
  if (process.env.COUNTYLINE_BENCH_KEEP) console.error(`sip-calls: the rig's folder (logs, CDRs) is kept: ${rig.dir}`);
  try {
    const ctx = { rig, box: { host: '127.0.0.1', port: sipPort }, phonePort: await freeUdpPort(), mediaPort: await freeMediaPort(), placedBefore: 0 };
    await waitFor('the exchange to have all 30 circuits reset with the box', async (seen) => seen((await rig.simGet('/exchange')).readyCircuits) === 30, 30_000, { intervalMs: 250 });
    await register(ctx.box, ctx.phonePort, agents, rig.dir);
    const registered = (await rig.json(['agents'])).filter((a) => a.registered && a.reachable).length;
    if (registered !== AGENTS) throw new Error(`${registered} of ${AGENTS} agents registered`);

    const rows = [];
    for (const talkMs of plan.talks) rows.push(await isupRun(ctx, talkMs, plan));
    const fxo = await fxoRun(ctx, plan.fxoRings);
    const text = report(rows, fxo, plan);
    return { text, markdown: text };
  } finally {
    killAllSipp();
    await rig.stop();
  }
}

const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
const pct = (v) => `${fmt(v * 100)} %`;
const results = (r) => [r.answered, r['no-agent'], r.abandoned, r.failed].map((n) => fmt(n)).join(' / ');

function report(rows, fxo, plan) {
  const isupLines = [
    '| agent talks | offered calls/s | answered calls/s | firmware CPU | firmware CPU ms per answered call | IAM -> INVITE p50 / p99 / max ms | CDRs of the run: answered / no agent / abandoned / failed | offered calls that found no free circuit |',
    '|---:|---:|---:|---:|---:|---|---|---:|',
    ...rows.map(
      (r) =>
        `| ${fmt(r.talkMs / 1000, 1)} s | ${fmt(r.offeredPerS, 1)} | **${fmt(r.answeredPerS, 1)}** | ${pct(r.cpu.firmware)} | ${fmt(r.firmwareMsPerCall, 1)} | ${fmt(r.latency.p50)} / ${fmt(r.latency.p99)} / ${fmt(r.latency.max)} | ${results(r.results)} | ${fmt(r.noCircuit)} of ${fmt(r.originated)} |`,
    ),
  ];
  const fxoLines = [
    '| calls | CDRs: answered / no agent / abandoned / failed | ring -> INVITE p50 / p99 / max ms |',
    '|---:|---|---|',
    `| ${fxo.rings} | ${results(fxo.results)} | ${fmt(fxo.latency.p50)} / ${fmt(fxo.latency.p99)} / ${fmt(fxo.latency.max)} |`,
  ];
  const notes = [
    `- ${AGENTS} agents registered from one SIPp port; SIPp answers at once (180, 200) and hangs up after the talk time. The exchange offers ${OFFERED_PER_MINUTE.toLocaleString('en-US')} calls a minute (its ceiling; Poisson arrivals) on 30 circuits for ${plan.warmUpS + plan.windowS} s; its calls would last an hour, so the agent always hangs up.`,
    `- Offered, answered, firmware CPU and circuits: over the last ${plan.windowS} s of each run (after ${plan.warmUpS} s of warm-up). Answered: CDRs with result \`answered\` whose \`answeredAt\` falls in that window. Firmware CPU: its user + system time over the window (100 % is one core). A call with no free circuit never reaches the box (the exchange counts it \`no-circuit\`).`,
    ...rows.map(
      (r) =>
        `- Agents talking ${fmt(r.talkMs / 1000, 1)} s: ${fmt(r.cdrs)} CDRs for the ${fmt(r.placed)} calls the exchange put to the box over the run; an answered call lasted ${fmt(r.holdMs)} ms on average from arrival to end; at most ${fmt(r.peak)} calls were in progress at once; over the window the simulator used ${pct(r.cpu.simulator)}, SIPp ${pct(r.cpu.sipp)} and socat ${pct(r.cpu.socat)} of a core. After the run: no call in progress, every circuit idle at both ends, agents left busy: ${r.busyAgents.length === 0 ? 'none' : r.busyAgents.join(', ')}.`,
    ),
    '- IAM -> INVITE and ring -> INVITE: `offeredAt - arrivedAt` of every CDR of the run with an offer: from the call model taking the call (IAM decoded; for FXO the ring with its caller ID) to the INVITE leaving for the agent.',
  ];
  return [`SS7 calls from the simulator's exchange:`, '', ...isupLines, '', 'FXO rings with caller ID, one at a time, on the 5 ports in turn (agent answers at once):', '', ...fxoLines, '', ...notes].join('\n');
}
