// Circuit selection cost: reserve + release cycles on circuit groups of 30, 1,024 and 4,096
// circuits held at ~70 % occupancy, for both selection methods, against the compiled
// firmware (firmware-ts/dist). A plain linear-scan selector runs the same workload for
// contrast: its cost grows with the group, the firmware's must not.
//
// Run through `npm run bench` (builds first), or `node bench/run.mjs circuit-selection`.
import { CircuitGroup, CircuitMap } from '../firmware-ts/dist/circuits/index.js';

export const title = 'Circuit selection';

const SIZES = [30, 1024, 4096];
const METHODS = ['controlled-first', 'opposite-order'];
const OCCUPANCY = 0.7;
const Q850_NORMAL_CLEARING = 16;

/** CIC 0.. on as many E1s as needed, 30 bearers each around ts16. */
function mapOf(size) {
  const cics = [];
  for (let span = 0, first = 0; first < size; span++, first += 30) {
    const n = Math.min(30, size - first);
    const timeslots = Array.from({ length: 30 }, (_, i) => (i < 15 ? i + 1 : i + 2)).slice(0, n);
    cics.push({ firstCic: first, span, timeslots });
  }
  return CircuitMap.fromConfig({ cics });
}

/** Seeded random indices, drawn before timing so the PRNG is not measured. */
function randomIndices(count, seed) {
  const out = new Uint32Array(count);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x >>> 0;
  }
  return out;
}
const RANDOM = randomIndices(1 << 20, 2463534242);
const MASK = RANDOM.length - 1;

/** What a selector must do, written the obvious way: scan every circuit. Not shipped. */
class LinearScanGroup {
  constructor(map, ownPointCode, peerPointCode) {
    this.cics = map.circuits.map((c) => c.cic);
    const even = ownPointCode > peerPointCode;
    this.ours = this.cics.map((cic) => (cic % 2 === 0) === even);
    this.busy = new Uint8Array(this.cics.length);
    this.releasedAt = new Float64Array(this.cics.length);
    this.byCic = new Map(map.circuits.map((c) => [c.cic, c.index]));
  }
  reserve(now) {
    let best = -1;
    let bestTheirs = -1;
    for (let i = 0; i < this.cics.length; i++) {
      if (this.busy[i]) continue;
      if (this.ours[i]) {
        if (best < 0 || this.releasedAt[i] < this.releasedAt[best]) best = i;
      } else if (bestTheirs < 0 || this.releasedAt[i] > this.releasedAt[bestTheirs]) bestTheirs = i;
    }
    const i = best >= 0 ? best : bestTheirs;
    if (i < 0) return null;
    this.busy[i] = 1;
    void now;
    return { cic: this.cics[i] };
  }
  release(cic, now) {
    const i = this.byCic.get(cic);
    this.busy[i] = 0;
    this.releasedAt[i] = now;
  }
}

/** A group with its workload state: ~70 % of circuits busy, released at random. */
function setup(size, method) {
  const map = mapOf(size);
  const group =
    method === 'linear-scan'
      ? new LinearScanGroup(map, 2000, 1000)
      : new CircuitGroup(map, { ownPointCode: 2000, peerPointCode: 1000, selection: method, now: 0 });
  const busy = new Int32Array(size);
  const state = { group, busy, len: 0, now: 0, r: 0, size };
  const target = Math.round(size * OCCUPANCY);
  while (state.len < target) busy[state.len++] = group.reserve(++state.now).cic;
  return state;
}

/** One reserve + one release of a random busy circuit; occupancy stays where it is. */
function cycles(s, count) {
  const { group, busy } = s;
  let { len, now, r } = s;
  for (let k = 0; k < count; k++) {
    now++;
    busy[len++] = group.reserve(now).cic;
    const j = RANDOM[r++ & MASK] % len;
    const cic = busy[j];
    busy[j] = busy[--len];
    group.release(cic, now, Q850_NORMAL_CLEARING);
  }
  s.len = len;
  s.now = now;
  s.r = r;
}

/** The same cycle, each operation timed on its own: per-operation latency samples. */
function timedCycles(s, count) {
  const { group, busy } = s;
  const reserveNs = new Float64Array(count);
  const releaseNs = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    s.now++;
    const t0 = process.hrtime.bigint();
    const c = group.reserve(s.now);
    const t1 = process.hrtime.bigint();
    busy[s.len++] = c.cic;
    const j = RANDOM[s.r++ & MASK] % s.len;
    const cic = busy[j];
    busy[j] = busy[--s.len];
    const t2 = process.hrtime.bigint();
    group.release(cic, s.now, Q850_NORMAL_CLEARING);
    const t3 = process.hrtime.bigint();
    reserveNs[k] = Number(t1 - t0);
    releaseNs[k] = Number(t3 - t2);
  }
  return { reserve: summary(reserveNs), release: summary(releaseNs) };
}

function summary(samples) {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return { mean: sum / sorted.length, p99: sorted[Math.floor(sorted.length * 0.99)] };
}

function timerOverheadNs(count = 100_000) {
  const d = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const t0 = process.hrtime.bigint();
    d[k] = Number(process.hrtime.bigint() - t0);
  }
  return summary(d).mean;
}

/**
 * Memory one map + group + workload takes: after one built and dropped (so that code the JIT
 * compiles on the way is not counted as data), `count` built and kept, averaged.
 */
async function bytesPerSetup(size, method, count = 4) {
  let kept = null;
  buildMany(size, method, 1);
  const before = await memory();
  kept = buildMany(size, method, count);
  const bytes = ((await memory()) - before) / count;
  if (kept.length !== count) throw new Error('lost a setup');
  return bytes;
}

/** In a frame of its own, so no stale interpreter register keeps a dropped setup alive. */
function buildMany(size, method, count) {
  return Array.from({ length: count }, () => setup(size, method));
}

/** Heap plus typed-array buffers after a full GC; the pause lets buffers freed off-thread go. */
async function memory() {
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 20));
  globalThis.gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function median(xs) {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

export default async function run({ quick = false } = {}) {
  const perRepeat = quick ? 20_000 : 200_000;
  const repeats = quick ? 3 : 5;
  const samples = quick ? 20_000 : 100_000;
  const configs = [];
  for (const size of SIZES) for (const method of [...METHODS, 'linear-scan']) configs.push({ size, method });

  await bytesPerSetup(SIZES[0], METHODS[0]); // the first measurement runs high; discard it
  const states = [];
  for (const { size, method } of configs) {
    const bytes = [await bytesPerSetup(size, method), await bytesPerSetup(size, method), await bytesPerSetup(size, method)];
    states.push({ s: setup(size, method), bytes: median(bytes) });
  }
  // Warm every configuration before measuring any, so all run under the same JIT state.
  for (const { s } of states) cycles(s, s.group instanceof LinearScanGroup ? perRepeat / 20 : perRepeat / 2);

  const overhead = timerOverheadNs();
  const cyclesOf = (method) => (method === 'linear-scan' ? Math.max(1000, perRepeat / 20) : perRepeat);
  // Repeats go round all configurations, so a burst of load elsewhere hits them alike.
  const ns = configs.map(() => []);
  for (let rep = 0; rep < repeats; rep++) {
    configs.forEach(({ method }, i) => {
      const n = cyclesOf(method);
      const t0 = process.hrtime.bigint();
      cycles(states[i].s, n);
      ns[i].push(Number(process.hrtime.bigint() - t0) / n);
    });
  }
  const rows = configs.map(({ size, method }, i) => {
    const { s, bytes } = states[i];
    const lat = timedCycles(s, method === 'linear-scan' ? Math.max(1000, samples / 20) : samples);
    const nsPerCycle = median(ns[i]);
    return { size, method, nsPerCycle, cyclesPerSec: 1e9 / nsPerCycle, ...lat, kib: bytes / 1024 };
  });
  const heapUsedMiB = process.memoryUsage().heapUsed / 2 ** 20;
  return { title, rows, overhead, heapUsedMiB, perRepeat, repeats, samples, text: textTable(rows, overhead, heapUsedMiB), markdown: markdown(rows, overhead, heapUsedMiB, { perRepeat, repeats, samples }) };
}

const fmt = (v, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const HEAD = ['circuits', 'method', 'cycles/s', 'ns/cycle', 'reserve mean', 'reserve p99', 'release mean', 'release p99', 'memory KiB'];
const cells = (r) => [fmt(r.size), r.method === 'linear-scan' ? 'linear scan (contrast)' : r.method, fmt(r.cyclesPerSec), fmt(r.nsPerCycle), fmt(r.reserve.mean), fmt(r.reserve.p99), fmt(r.release.mean), fmt(r.release.p99), fmt(r.kib, 1)];

function growth(rows) {
  return ['controlled-first', 'opposite-order', 'linear-scan'].map((m) => {
    const small = rows.find((r) => r.method === m && r.size === SIZES[0]);
    const big = rows.find((r) => r.method === m && r.size === SIZES[SIZES.length - 1]);
    return { method: m, ratio: big.nsPerCycle / small.nsPerCycle };
  });
}

function textTable(rows, overhead, heapUsedMiB) {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r) => r.map((v, c) => (c === 1 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  const out = [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(cells(r)))];
  out.push('', `latencies in ns, each including ~${fmt(overhead)} ns of timer overhead; heap used at the end ${fmt(heapUsedMiB, 1)} MiB`);
  out.push(`cost at ${fmt(SIZES[SIZES.length - 1])} vs ${SIZES[0]} circuits (${fmt(SIZES[SIZES.length - 1] / SIZES[0])}x the circuits): ` + growth(rows).map((g) => `${g.method} ${fmt(g.ratio, 1)}x`).join(', '));
  return out.join('\n');
}

function markdown(rows, overhead, heapUsedMiB, { perRepeat, repeats, samples }) {
  const out = [`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, c) => (c === 1 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${cells(r).join(' | ')} |`)];
  out.push(
    '',
    `- Workload: ${Math.round(OCCUPANCY * 100)} % of the circuits busy; each cycle reserves the circuit selection picks and releases a random busy one (Q.850 cause 16), so occupancy stays put. Point codes 2000 (us) / 1000 (peer): we control the even CICs.`,
    `- cycles/s and ns/cycle: median of ${repeats} runs of ${fmt(perRepeat)} cycles (linear scan: ${fmt(Math.max(1000, perRepeat / 20))}), the runs taken in turn across all configurations after a warm-up of each.`,
    `- reserve/release mean and p99: ${fmt(samples)} cycles (linear scan: ${fmt(Math.max(1000, samples / 20))}), each operation timed alone with \`process.hrtime.bigint()\`, in ns; each includes ~${fmt(overhead)} ns of timer overhead.`,
    '- memory KiB: JS heap plus typed-array buffers one map + group + the workload\'s busy list takes (after GC; median of 3 measurements, each averaging 4 built after a first one so that JIT-compiled code is not counted).',
    `- Heap used by the bench process at the end: ${fmt(heapUsedMiB, 1)} MiB.`,
    `- Cost per cycle at ${fmt(SIZES[SIZES.length - 1])} circuits relative to ${SIZES[0]} (${fmt(SIZES[SIZES.length - 1] / SIZES[0])}x the circuits): ` + growth(rows).map((g) => `${g.method} **${fmt(g.ratio, 1)}x**`).join(', ') + '.',
  );
  return out.join('\n');
}
