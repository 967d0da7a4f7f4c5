// The box's arm64 package under emulation, beside this checkout's firmware on x86: the JS
// heap and the resident set of the firmware at idle and with its five FXO lines in calls.
// The arm64 figures come from the package `npm run image` builds, its own Node and firmware
// run by qemu-aarch64 on this machine: EMULATED, not measured on an ARM box.
//
// - JS heap: the firmware's own figures (`countyline metrics`, countyline_process_memory_bytes
//   heap_used and heap_total), read every 2 s by this checkout's CLI: the same program's heap
//   on either CPU, so this is the figure that carries over to the box.
// - RSS: VmRSS of the process in /proc. For arm64 that process is qemu, so the figure is the
//   emulator and the guest together (qemu's translated code and its own tables included); it
//   is larger than the box's would be, and says only that the firmware does not grow under
//   emulation. Node under qemu reads its own RSS as 0.
// - CPU: user + system time of the same process, one core = 100 %. Emulated, several times
//   the box's.
//
// The traffic: five agents registered from one SIPp port that answers at once and hangs up
// after 8 to 16 s, and the bench rings each FXO line again as soon as it is idle.
//
// Run through `npm run bench`, or `node bench/run.mjs arm64` (builds the package first,
// about a minute, then about four minutes of measuring; --quick about two and a half).
// COUNTYLINE_ARM64_TREE=<folder> uses a release tree already unpacked.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildArm64Tree, openArm64Tree, requireEmulator } from '../scripts/lib/arm64-image.mjs';
import { requireTool, running, startRig, waitFor } from '../scripts/lib/bench-rig.mjs';
import { fxoFeeder } from './lib/fxo-feeder.mjs';
import { sampleUsage } from './lib/proc-usage.mjs';
import { repeatUntilStopped } from './lib/repeat.mjs';
import { freeMediaPort, freeUdpPort, killAllSipp, register, scenarioCopy, sipp, stopSipp } from './lib/sipp-phones.mjs';

export const title = 'The arm64 package under emulation (qemu-aarch64), beside x86';

const FXO_PORTS = 5;
const TALK_MIN_MS = 8_000;
const TALK_MAX_MS = 16_000;
/** Node under qemu takes 10-40 s to open its control socket here. */
const EMULATED_START_MS = 120_000;
const HEAP_EVERY_MS = 2_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mean = (values) => (values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length);

/** The firmware's heap, from its metrics (read by this checkout's CLI over the control socket). */
async function heap(rig) {
  const { stdout } = await rig.cli(['metrics']);
  const read = (kind) => {
    const m = new RegExp(`^countyline_process_memory_bytes\\{kind="${kind}"\\} (\\d+)`, 'm').exec(stdout);
    if (!m) throw new Error(`countyline metrics has no countyline_process_memory_bytes{kind="${kind}"}`);
    return Number(m[1]);
  };
  return { used: read('heap_used'), total: read('heap_total') };
}

/** Samples the heap every HEAP_EVERY_MS until stopped; stop() gives the figures, or the error. */
function heapSampler(rig) {
  const samples = [];
  const loop = repeatUntilStopped(async () => samples.push(await heap(rig)), HEAP_EVERY_MS);
  return {
    async stop() {
      await loop.stop();
      if (loop.error) throw loop.error;
      const used = samples.map((s) => s.used);
      return { usedMean: mean(used), usedMax: Math.max(...used), totalMax: Math.max(...samples.map((s) => s.total)), samples: used.length };
    },
  };
}

/** Idle, then the FXO lines in calls, for one build of the firmware. */
async function measure(name, firmwareCommand, plan) {
  const sipPort = await freeUdpPort();
  const agents = Array.from({ length: FXO_PORTS }, (_, i) => ({ user: `agent-${i + 1}`, password: `secret-${i + 1}-bench`, name: `Agent ${i + 1}` }));
  const rig = await startRig({
    ...(firmwareCommand ? { firmwareCommand, firmwareStartMs: EMULATED_START_MS } : {}),
    config: {
      agents,
      sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1', keepAliveMs: 600_000, digestAlgorithms: ['MD5'] },
      queue: { voiceMessage: false, callbacks: 'off' },
    },
  });
  let phones = null;
  let feeder = null;
  try {
    const box = { host: '127.0.0.1', port: sipPort };
    const phonePort = await freeUdpPort();
    await waitFor(`the ${FXO_PORTS} FXO lines present`, async (seen) => seen((await rig.simGet('/state')).fxo).filter((p) => p.plugged && p.call === 'idle').length === FXO_PORTS, 60_000);
    await register(box, phonePort, agents, rig.dir);
    const pid = rig.firmware.child.pid;
    const alive = () => {
      if (!running(rig.firmware)) throw new Error(`${name}: the firmware exited:\n${rig.firmware.output.join('').slice(-3000)}`);
      if (phones?.ended()) throw new Error(`${name}: the agents' sipp ended:\n${phones.output()}`);
      if (feeder?.error) throw new Error(`${name}: ringing the FXO lines failed: ${feeder.error.message}`);
    };

    let heaps = heapSampler(rig);
    let usage = sampleUsage({ firmware: pid });
    await sleep(plan.idleS * 1000);
    const idle = { ...usage.stop(), heap: await heaps.stop() };
    alive();

    const scenario = await scenarioCopy('agent-answer-long-talk', { TALK_MIN_MS, TALK_MAX_MS }, rig.dir);
    phones = sipp(box, scenario, ['-p', String(phonePort), '-m', '1000000', '-mi', '127.0.0.1', '-mp', String(await freeMediaPort()), '-rtp_echo', '-timeout', '0'], rig.dir, 'phones');
    feeder = fxoFeeder(rig);
    await sleep(plan.warmUpS * 1000);
    alive();
    const from = Date.now();
    heaps = heapSampler(rig);
    usage = sampleUsage({ firmware: pid });
    await sleep(plan.windowS * 1000);
    const load = { ...usage.stop(), heap: await heaps.stop() };
    const to = Date.now();
    await feeder.stop();
    alive();
    const talking = mean(feeder.samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.talking));
    if (!(talking >= 3)) throw new Error(`${name}: only ${talking.toFixed(1)} of ${FXO_PORTS} FXO lines in a call on average: the load was not there`);
    return { name, idle, load, talking, rings: feeder.rings.filter((r) => r.at >= from && r.at < to).length };
  } finally {
    await feeder?.stop();
    if (phones) await stopSipp(phones);
    killAllSipp();
    await rig.stop();
  }
}

export default async function run({ quick = false } = {}) {
  requireTool('sipp', "the agents' phones");
  requireEmulator();
  const plan = quick ? { idleS: 10, warmUpS: 20, windowS: 20 } : { idleS: 30, warmUpS: 30, windowS: 60 };
  const work = await mkdtemp(join(tmpdir(), 'countyline-arm64-bench-'));
  try {
    const arm64 = process.env.COUNTYLINE_ARM64_TREE
      ? openArm64Tree(process.env.COUNTYLINE_ARM64_TREE)
      : await buildArm64Tree(work, { onLine: (line) => process.stderr.write(`arm64 bench: ${line}\n`) });
    const x86 = await measure('x86_64 (this checkout, native)', null, plan);
    const emulated = await measure(`arm64 EMULATED (package ${arm64.release?.version ?? '?'}, qemu-aarch64)`, arm64.command, plan);
    const text = report([x86, emulated], plan);
    return { text, markdown: text };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
const mib = (v) => fmt(v / 2 ** 20, 1);
const pct = (v) => `${fmt(v * 100, 1)} %`;

function report(runs, plan) {
  const rows = runs.flatMap((r) => [
    `| ${r.name} | idle, ${FXO_PORTS} agents registered (${fmt(r.idle.seconds)} s) | ${mib(r.idle.heap.usedMean)} / ${mib(r.idle.heap.usedMax)} | ${mib(r.idle.heap.totalMax)} | ${mib(r.idle.usage.firmware.rssMean)} / ${mib(r.idle.usage.firmware.rssMax)} | ${pct(r.idle.usage.firmware.cpu)} |`,
    `| ${r.name} | ${fmt(r.talking, 1)} of ${FXO_PORTS} FXO lines in a call (${fmt(r.load.seconds)} s) | ${mib(r.load.heap.usedMean)} / ${mib(r.load.heap.usedMax)} | ${mib(r.load.heap.totalMax)} | ${mib(r.load.usage.firmware.rssMean)} / ${mib(r.load.usage.firmware.rssMax)} | ${pct(r.load.usage.firmware.cpu)} |`,
  ]);
  return [
    '| firmware | state | JS heap used mean / max MiB | JS heap total max MiB | process RSS mean / max MiB | process CPU (one core = 100 %) |',
    '|---|---|---|---:|---|---:|',
    ...rows,
    '',
    `- EMULATED: the arm64 rows are the package's own Node and firmware run by qemu-aarch64 on this x86 machine. Their RSS is qemu's (emulator and guest together) and their CPU the emulator's: neither is a figure for the box. The JS heap is the firmware's own (its metrics), the figure that carries over.`,
    `- Traffic: SIPp answers at once, echoes the audio and hangs up after ${TALK_MIN_MS / 1000} to ${TALK_MAX_MS / 1000} s; each FXO line is rung again as soon as it is idle (${runs.map((r) => `${r.name.split(' ')[0]}: ${fmt(r.rings)} rings in the window`).join(', ')}). ${plan.warmUpS} s of warm-up before the ${plan.windowS} s window.`,
    `- Heap read every ${HEAP_EVERY_MS / 1000} s with \`countyline metrics\`; RSS from /proc VmRSS every 500 ms; CPU from /proc/<pid>/stat over the window.`,
  ].join('\n');
}
