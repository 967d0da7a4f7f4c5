// The firmware's resident set and CPU on a full box: the 30 SS7 circuits of one E1 and the 5
// FXO lines all in calls, with about one new call a second taking the place of one that
// ends, against the same box idle. Real processes, as on the bench: socat, the card
// simulator with its SS7 exchange, the firmware, and SIPp as the agents' phones (with RTP
// echo, so every call carries audio both ways). The firmware is measured from outside, in
// /proc, by its pid.
//
// How the load is made. 40 agents register from one SIPp port, which answers every call at
// once and hangs up after a talk time drawn uniformly from 18 to 52 s
// (test/peers/sipp/agent-answer-long-talk.xml). A line is taken again as soon as it is
// free: the exchange offers 3 calls a second (its calls would last an hour, so the agent
// always hangs up), most of which find all 30 circuits busy and never reach the box; the
// bench rings each FXO line again as soon as it is idle. With 35 lines busy and a mean talk
// of 35 s, calls end, and new ones arrive, at about one a second (Little's law). The table
// gives what was measured, not this plan.
//
// COUNTYLINE_BENCH_KEEP=1 keeps the rig's folder (logs, CDRs) and prints where it is.
// Run through `npm run bench` (builds first), or `node bench/run.mjs firmware-load`.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { running, startRig, waitFor } from '../scripts/lib/bench-rig.mjs';
import { fxoFeeder } from './lib/fxo-feeder.mjs';
import { sampleUsage } from './lib/proc-usage.mjs';
import { repeatUntilStopped } from './lib/repeat.mjs';
import { freeMediaPort, freeUdpPort, killAllSipp, register, scenarioCopy, sipp, stopSipp } from './lib/sipp-phones.mjs';

export const title = 'Firmware under load';

const E1_CIRCUITS = 30;
const FXO_PORTS = 5;
/** Agents: one for each line, and a few over so that no caller waits for an agent. */
const AGENTS = 40;
/** The agents' talk time, uniform: a mean of 35 s, 35 lines / one call a second. */
const TALK_MIN_MS = 18_000;
const TALK_MAX_MS = 52_000;
/** The exchange's offered rate: a circuit freed waits a third of a second on average for its next call. */
const E1_OFFERED_PER_MINUTE = 180;
/** How often the bench looks for an idle FXO line to ring. */
const FXO_POLL_MS = 250;
/** How often the lines in a call are counted, at the simulator (which costs the firmware nothing). */
const LINE_SAMPLE_MS = 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mean = (values) => (values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length);

async function readCdrs(rig) {
  const text = await readFile(join(rig.dir, 'data', 'cdr.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

/** Counts the E1 circuits in a call at the exchange, every LINE_SAMPLE_MS, until stopped. */
function e1Sampler(rig) {
  const samples = [];
  const loop = repeatUntilStopped(async () => {
    const { circuits, counters } = await rig.simGet('/exchange');
    samples.push({
      at: Date.now(),
      busy: circuits.filter((c) => c.call !== 'idle').length,
      talking: circuits.filter((c) => c.exchangeCall?.state === 'out-answered').length,
      counters,
    });
  }, LINE_SAMPLE_MS);
  return Object.assign(loop, { samples });
}

/**
 * The audio frames the far end has sent into and received from each line so far, summed
 * over the 30 timeslots and the 5 FXO lines (the simulator's counters only grow). A frame the
 * far end receives has gone from the card through the box to the phone as RTP and back.
 */
async function audioFrames(rig) {
  const lines = [...Array.from({ length: E1_CIRCUITS }, (_, i) => `/spans/0/timeslots/${i + 1}/audio`), ...Array.from({ length: FXO_PORTS }, (_, i) => `/fxo/${i}/audio`)];
  const views = await Promise.all(lines.map((path) => rig.simGet(path)));
  return { sent: views.reduce((a, v) => a + v.framesSent, 0), received: views.reduce((a, v) => a + v.framesReceived, 0) };
}

/** Fails with what went wrong if a process the load needs has ended. */
function checkAlive(rig, phones, feeder) {
  if (!running(rig.firmware)) throw new Error(`the firmware exited (${rig.firmware.child.exitCode ?? rig.firmware.child.signalCode}):\n${rig.firmware.output.join('').slice(-3000)}`);
  if (phones.ended()) throw new Error(`the agents' sipp ended during the run:\n${phones.output()}`);
  if (feeder.error) throw new Error(`ringing the FXO lines failed: ${feeder.error.message}`);
}

async function sleepChecking(until, check) {
  while (Date.now() < until) {
    check();
    await sleep(Math.min(1000, Math.max(0, until - Date.now())));
  }
  check();
}

/** The calls of the window [from, to): those that arrived in it and those answered in it, by line. */
function windowCalls(active, cdrs, from, to) {
  const byId = new Map();
  for (const c of [...cdrs, ...active]) byId.set(c.id, c);
  const calls = [...byId.values()];
  const inWindow = (t) => t !== null && t !== undefined && t >= from && t < to;
  const count = (list, kind) => list.filter((c) => c.line.kind === kind).length;
  const arrived = calls.filter((c) => inWindow(c.arrivedAt));
  const answered = calls.filter((c) => inWindow(c.answeredAt));
  const ended = cdrs.filter((c) => inWindow(c.endedAt));
  const results = { answered: 0, 'no-agent': 0, abandoned: 0, failed: 0 };
  for (const c of ended) results[c.result] = (results[c.result] ?? 0) + 1;
  return {
    arrived: { e1: count(arrived, 'e1'), fxo: count(arrived, 'fxo') },
    answered: { e1: count(answered, 'e1'), fxo: count(answered, 'fxo') },
    ended: ended.length,
    results,
    talk: mean(ended.filter((c) => c.result === 'answered').map((c) => c.endedAt - c.answeredAt)),
  };
}

export default async function run({ quick = false } = {}) {
  if (spawnSync('sh', ['-c', 'command -v sipp']).status !== 0) throw new Error("sipp is not installed (the agents' phones); run: bash scripts/setup-debian.sh");
  const plan = quick ? { idleS: 10, warmUpS: 30, windowS: 20 } : { idleS: 30, warmUpS: 45, windowS: 60 };

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
      // A caller nobody can take hears the announcement and is released, as on a box in use
      // (and the CDRs say so: the table would show it).
      calls: { noAgent: 'announce' },
    },
  });
  if (process.env.COUNTYLINE_BENCH_KEEP) console.error(`firmware-load: the rig's folder (logs, CDRs) is kept: ${rig.dir}`);
  let phones = null;
  let feeder = null;
  let e1 = null;
  try {
    const box = { host: '127.0.0.1', port: sipPort };
    const phonePort = await freeUdpPort();
    await waitFor(`the exchange to have all ${E1_CIRCUITS} circuits reset with the box`, async (seen) => seen((await rig.simGet('/exchange')).readyCircuits) === E1_CIRCUITS, 30_000, { intervalMs: 250 });
    await waitFor(`the ${FXO_PORTS} FXO lines present`, async (seen) => seen((await rig.simGet('/state')).fxo).filter((p) => p.plugged && p.call === 'idle').length === FXO_PORTS, 15_000);
    await register(box, phonePort, agents, rig.dir);
    const registered = (await rig.json(['agents'])).filter((a) => a.registered && a.reachable).length;
    if (registered !== AGENTS) throw new Error(`${registered} of ${AGENTS} agents registered`);

    const pid = rig.firmware.child.pid;
    // Idle: the agents registered, no call, nothing asked of the box.
    const idleSampler = sampleUsage({ firmware: pid });
    await sleep(plan.idleS * 1000);
    const idle = idleSampler.stop();

    const scenario = await scenarioCopy('agent-answer-long-talk', { TALK_MIN_MS, TALK_MAX_MS }, rig.dir);
    // -m: no practical limit on the number of calls; -timeout 0: runs until killed.
    const mediaPort = await freeMediaPort();
    phones = sipp(box, scenario, ['-p', String(phonePort), '-m', '1000000', '-mi', '127.0.0.1', '-mp', String(mediaPort), '-rtp_echo', '-timeout', '0'], rig.dir, 'phones');
    const loadStart = Date.now();
    await rig.simPost('/traffic', { callsPerMinute: E1_OFFERED_PER_MINUTE, holdSeconds: 3600 });
    feeder = fxoFeeder(rig, { pollMs: FXO_POLL_MS });
    e1 = e1Sampler(rig);
    const check = () => checkAlive(rig, phones, feeder);
    await sleepChecking(loadStart + plan.warmUpS * 1000, check);

    const framesFrom = await audioFrames(rig);
    const from = Date.now();
    const sampler = sampleUsage({ firmware: pid, simulator: rig.sim.child.pid, sipp: phones.child.pid, socat: rig.socat.child.pid });
    await sleepChecking(from + plan.windowS * 1000, check);
    const load = sampler.stop();
    const to = Date.now();
    const framesTo = await audioFrames(rig);
    // The box's own view of its calls in progress; this CLI run comes after the window.
    const active = (await rig.json(['calls'])).active;
    await rig.simPost('/traffic', { callsPerMinute: 0 });
    await Promise.all([feeder.stop(), e1.stop()]);
    check();

    const calls = windowCalls(active, await readCdrs(rig), from, to);
    const e1InWindow = e1.samples.filter((s) => s.at >= from && s.at <= to);
    const fxoInWindow = feeder.samples.filter((s) => s.at >= from && s.at <= to);
    const first = e1InWindow[0]?.counters;
    const last = e1InWindow.at(-1)?.counters;
    const noCircuit = (last?.callsFailed['no-circuit'] ?? 0) - (first?.callsFailed['no-circuit'] ?? 0);
    const result = {
      plan,
      idle,
      load,
      calls,
      lines: {
        e1Busy: mean(e1InWindow.map((s) => s.busy)),
        e1Talking: mean(e1InWindow.map((s) => s.talking)),
        e1Min: Math.min(...e1InWindow.map((s) => s.busy)),
        fxoBusy: mean(fxoInWindow.map((s) => s.busy)),
        fxoTalking: mean(fxoInWindow.map((s) => s.talking)),
      },
      activeAtEnd: { e1: active.filter((c) => c.line.kind === 'e1').length, fxo: active.filter((c) => c.line.kind === 'fxo').length },
      noCircuit,
      frames: { sent: (framesTo.sent - framesFrom.sent) / load.seconds, received: (framesTo.received - framesFrom.received) / load.seconds },
      rings: feeder.rings.filter((r) => r.at >= from && r.at < to).length,
    };
    checkLoad(result);
    const text = report(result);
    return { text, markdown: text };
  } finally {
    await Promise.all([feeder?.stop(), e1?.stop()]);
    if (phones) await stopSipp(phones);
    killAllSipp();
    await rig.stop();
  }
}

/**
 * A figure taken without the load would pass for the load's: fail unless the E1 stayed full
 * and calls came at about the rate planned.
 */
function checkLoad({ lines, calls, load, frames }) {
  const newPerS = (calls.arrived.e1 + calls.arrived.fxo) / load.seconds;
  const problems = [];
  if (!(lines.e1Busy >= E1_CIRCUITS - 3)) problems.push(`only ${fmt(lines.e1Busy, 1)} of ${E1_CIRCUITS} E1 circuits in a call on average`);
  if (!(lines.fxoBusy >= FXO_PORTS - 2)) problems.push(`only ${fmt(lines.fxoBusy, 1)} of ${FXO_PORTS} FXO lines in a call on average`);
  // 50 frames a second (20 ms each) for each line in a call; half that for the whole E1 is far below.
  if (!(frames.received >= 25 * E1_CIRCUITS)) problems.push(`the far end received ${fmt(frames.received)} audio frames a second from the box`);
  if (!(newPerS >= 0.5)) problems.push(`${fmt(newPerS, 2)} new calls a second reached the box`);
  if (problems.length > 0) throw new Error(`the load was not there: ${problems.join('; ')}; the figures would not be those of a full box`);
}

const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
const pct = (v) => `${fmt(v * 100, 1)} %`;
const mib = (v) => fmt(v / 2 ** 20, 1);

function report({ plan, idle, load, calls, lines, activeAtEnd, noCircuit, rings, frames }) {
  const fw = load.usage.firmware;
  const fwIdle = idle.usage.firmware;
  const arrived = calls.arrived.e1 + calls.arrived.fxo;
  const answered = calls.answered.e1 + calls.answered.fxo;
  const table = [
    '| box | lines in a call (mean): E1 / FXO | new calls/s | answered calls/s | firmware CPU (one core = 100 %) | firmware RSS mean / max MiB |',
    '|---|---|---:|---:|---:|---|',
    `| idle, ${AGENTS} agents registered (${fmt(idle.seconds)} s) | 0 / 0 | 0 | 0 | ${pct(fwIdle.cpu)} | ${mib(fwIdle.rssMean)} / ${mib(fwIdle.rssMax)} |`,
    `| full, one call a second (${fmt(load.seconds)} s) | ${fmt(lines.e1Busy, 1)} / ${fmt(lines.fxoBusy, 1)} | ${fmt(arrived / load.seconds, 2)} | ${fmt(answered / load.seconds, 2)} | **${pct(fw.cpu)}** | **${mib(fw.rssMean)} / ${mib(fw.rssMax)}** |`,
  ];
  const r = calls.results;
  const notes = [
    `- The load: ${AGENTS} agents registered from one SIPp port, which answers at once, echoes the RTP it gets and hangs up after ${TALK_MIN_MS / 1000} to ${TALK_MAX_MS / 1000} s (uniform, mean ${(TALK_MIN_MS + TALK_MAX_MS) / 2000} s). The exchange offers ${E1_OFFERED_PER_MINUTE} calls a minute on the ${E1_CIRCUITS} circuits, and the bench rings each of the ${FXO_PORTS} FXO lines again as soon as it is idle; figures over the ${fmt(load.seconds)} s after ${plan.warmUpS} s of filling and warm-up.`,
    `- Calls in the window, from the box (its CDRs and \`countyline calls --json\`): ${fmt(arrived)} arrived (E1 ${fmt(calls.arrived.e1)}, FXO ${fmt(calls.arrived.fxo)}, which arrive at the box with the caller ID after the first ring; the bench rang ${fmt(rings)} times in the window), ${fmt(answered)} answered (E1 ${fmt(calls.answered.e1)}, FXO ${fmt(calls.answered.fxo)}); ${fmt(calls.ended)} ended: answered ${fmt(r.answered)}, no agent ${fmt(r['no-agent'])}, abandoned ${fmt(r.abandoned)}, failed ${fmt(r.failed)}; an agent talked ${fmt(calls.talk / 1000, 1)} s on average. At the end of the window the box had ${fmt(activeAtEnd.e1)} E1 and ${fmt(activeAtEnd.fxo)} FXO calls in progress.`,
    `- Lines in a call: sampled at the simulator every ${LINE_SAMPLE_MS / 1000} s (E1) and ${FXO_POLL_MS} ms (FXO); a line counts from seizure (IAM, ring) to release. Answered and talking: E1 ${fmt(lines.e1Talking, 1)}, FXO ${fmt(lines.fxoTalking, 1)} on average; the fewest E1 circuits in a call at one look: ${fmt(lines.e1Min)}. ${fmt(noCircuit)} of the exchange's calls in the window found every circuit busy (they never reach the box).`,
    `- Audio: the far end sent ${fmt(frames.sent)} frames a second into the lines and received ${fmt(frames.received)} from the box (20 ms frames, 50 a second for each line carrying audio; those received went from the card through the box to the phone's RTP echo and back), summed over the ${E1_CIRCUITS + FXO_PORTS} lines.`,
    `- Firmware CPU: user + system time from \`/proc/<pid>/stat\` over the window's wall time. RSS: \`VmRSS\` from \`/proc/<pid>/status\` every 500 ms (${fmt(fw.samples)} samples under load). Over the same window the simulator used ${pct(load.usage.simulator.cpu)} of a core, SIPp ${pct(load.usage.sipp.cpu)} and socat ${pct(load.usage.socat.cpu)}: they share this machine's cores with the firmware.`,
  ];
  return [...table, '', ...notes].join('\n');
}
