// The ACD's cost: queue decisions per second with 1,000 callers waiting (and 10 and 10,000 for
// contrast), for each strategy, and the wall time of the 100,000-call simulation that the
// simulation test checks against Erlang C. Against the compiled firmware (firmware-ts/dist).
//
// One decision cycle: an agent's call ends, the ACD picks the head caller and offers it to the
// freed agent (the decision), the agent answers, and a new caller joins the tail, so the
// number waiting stays put. Every call goes through the real engine: compare-and-set moves,
// ring timer set and cleared, events emitted to listeners.
//
// Run through `npm run bench` (builds first), or `node bench/run.mjs queue`.
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { FakeClock } from '../hardware/e1-gateway/dist/index.js';
import { Acd } from '../firmware-ts/dist/queue/acd.js';
import { serviceLevel } from '../firmware-ts/dist/queue/erlang-c.js';
import { simulateQueue } from '../firmware-ts/dist/queue/queue-simulation.js';

export const title = 'Call queue (ACD)';

const silent = pino({ level: 'silent' });
const CONFIGS = [
  { waiting: 10, agents: 5, strategy: 'longest-idle' },
  { waiting: 1000, agents: 5, strategy: 'longest-idle' },
  { waiting: 10_000, agents: 5, strategy: 'longest-idle' },
  { waiting: 1000, agents: 5, strategy: 'round-robin' },
  { waiting: 1000, agents: 5, strategy: 'fewest-calls' },
  { waiting: 1000, agents: 5, strategy: 'ring-all' },
  { waiting: 1000, agents: 50, strategy: 'longest-idle' },
];
const OFFICE = { agents: 5, callsPerHour: 60, meanHandleSeconds: 180 };

/** An ACD with `agents` in calls and `waiting` callers behind them. */
function setup({ waiting, agents, strategy }) {
  const clock = new FakeClock(0);
  const acd = new Acd({ clock, logger: silent });
  const ids = Array.from({ length: agents }, (_, i) => `a${i}`);
  for (const id of ids) acd.addAgent({ id, status: 'available' });
  acd.addQueue({ id: 'q', members: ids, strategy });
  const s = { clock, acd, next: 0, offered: null, talking: [], decisions: 0 };
  acd.on('offer', (e) => {
    s.offered = e;
    s.decisions++;
  });
  for (let i = 0; i < agents; i++) {
    acd.enter(`c${s.next++}`, 'q');
    acd.agentAnswered(s.offered.agentId, s.offered.callId);
    s.talking.push(s.offered.callId);
  }
  for (let i = 0; i < waiting; i++) acd.enter(`c${s.next++}`, 'q');
  if (acd.queues()[0].waiting !== waiting) throw new Error('setup lost callers');
  return s;
}

function cycles(s, count) {
  const { acd, clock, talking } = s;
  for (let k = 0; k < count; k++) {
    clock.advance(1);
    const ending = talking.shift();
    s.offered = null;
    acd.callEnded(ending); // the decision: the head caller offered to the freed agent
    const o = s.offered;
    if (!o) throw new Error('no caller was offered to the freed agent');
    acd.agentAnswered(o.agentId, o.callId);
    talking.push(o.callId);
    acd.enter(`c${s.next++}`, 'q');
  }
}

function median(xs) {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

export default async function run({ quick = false } = {}) {
  const perRepeat = quick ? 2_000 : 20_000;
  const repeats = quick ? 3 : 5;
  const states = CONFIGS.map(setup);
  for (const s of states) cycles(s, perRepeat / 2); // warm-up
  const ns = CONFIGS.map(() => []);
  for (let rep = 0; rep < repeats; rep++) {
    states.forEach((s, i) => {
      const t0 = process.hrtime.bigint();
      cycles(s, perRepeat);
      ns[i].push(Number(process.hrtime.bigint() - t0) / perRepeat);
    });
  }
  const rows = CONFIGS.map((c, i) => {
    const s = states[i];
    const q = s.acd.queues()[0];
    if (q.waiting !== c.waiting || s.acd.counters.casRefused !== 0) throw new Error(`${c.strategy}: the workload drifted`);
    const nsPerCycle = median(ns[i]);
    return { ...c, nsPerCycle, perSecond: 1e9 / nsPerCycle };
  });

  const calls = quick ? 10_000 : 100_000;
  const predicted = serviceLevel(OFFICE, 15);
  const sims = [null, 60].map((patience) => {
    const t0 = performance.now();
    const r = simulateQueue({ seed: 20261201, calls, ...OFFICE, meanPatienceSeconds: patience });
    return { patience, wallMs: performance.now() - t0, ...r };
  });
  return { title, text: text(rows, sims, predicted, calls), markdown: markdown(rows, sims, predicted, { perRepeat, repeats, calls }) };
}

const fmt = (v, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (x) => `${(x * 100).toFixed(1)} %`;
const HEAD = ['callers waiting', 'agents', 'strategy', 'decisions/s', 'ns/decision cycle'];
const cells = (r) => [fmt(r.waiting), fmt(r.agents), r.strategy, fmt(r.perSecond), fmt(r.nsPerCycle)];
const SIM_HEAD = ['simulation', 'calls', 'simulated hours', 'wall time', 'SL15 measured', 'SL15 Erlang C', 'answer rate'];
const simCells = (s, predicted) => [s.patience === null ? 'nobody abandons' : `patience ${s.patience} s (mean)`, fmt(s.offered), fmt(s.simulatedHours), `${fmt(s.wallMs / 1000, 2)} s`, pct(s.serviceLevel), s.patience === null ? pct(predicted) : '-', pct(s.answerRate)];

function text(rows, sims, predicted) {
  const block = (head, body) => {
    const all = [head, ...body];
    const widths = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
    const line = (r) => r.map((v, c) => (/^[\d,.]+( s| %)?$|^-$/.test(v) ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ');
    return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
  };
  return `${block(HEAD, rows.map(cells))}\n\n${block(SIM_HEAD, sims.map((s) => simCells(s, predicted)))}`;
}

function markdown(rows, sims, predicted, { perRepeat, repeats, calls }) {
  // Text columns (strategy, simulation) left, figures right.
  const table = (head, body, textColumn) => [`| ${head.join(' | ')} |`, `|${head.map((_, c) => (c === textColumn ? ' --- ' : ' ---: ')).join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  return [
    table(HEAD, rows.map(cells), 2),
    '',
    table(SIM_HEAD, sims.map((s) => simCells(s, predicted)), 0),
    '',
    `- Decision cycle: an agent's call ends, the ACD offers the head caller to that agent, the agent answers, a new caller joins the tail (the number waiting stays put). decisions/s: median of ${repeats} runs of ${fmt(perRepeat)} cycles, the runs taken in turn across the rows after a warm-up of each.`,
    `- Simulation: ${fmt(calls)} Poisson calls through the engine on a FakeClock, ${OFFICE.agents} agents, ${OFFICE.callsPerHour} calls/h, exponential handling times of ${OFFICE.meanHandleSeconds} s on average, agents answering every offer at once (the load of \`firmware-ts/src/queue/acd-simulation.test.ts\`). Wall time includes drawing the random numbers and the simulation's own event heap.`,
  ].join('\n');
}
