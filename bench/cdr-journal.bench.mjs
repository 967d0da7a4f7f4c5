// The CDR journal's cost: how many call records per second it acknowledges (each one on disk,
// fsynced, before its append resolves) and how long one append waits, with 1, 4 and 32
// appends in flight at once (one call ending at a time; a burst of calls ending together).
// Appends in flight share one write and one fsync, so the throughput grows with them while
// the wait stays near one fsync. Against the compiled firmware (firmware-ts/dist), in a temp
// folder on the machine's own disk ($TMPDIR).
//
// Run through `npm run bench` (builds first), or `node bench/run.mjs cdr`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { CdrJournal } from '../firmware-ts/dist/calls/cdr-journal.js';

export const title = 'CDR journal';

const IN_FLIGHT = [1, 4, 32];
const silent = pino({ level: 'silent' });

/** A record of the size the call model will write (numbers, line, agent, six times, cause). */
function cdr(n) {
  const at = 1_764_000_000_000 + n * 1000;
  return {
    id: `box-0001-${n}`,
    line: { kind: 'e1', span: 0, timeslot: (n % 30) + 1, cic: (n % 30) + 1 },
    calling: '13912345678',
    called: '12345',
    agent: 'agent-03',
    arrivedAt: at,
    offeredAt: at + 200,
    answeredAt: at + 6200,
    endedAt: at + 186_000,
    result: 'answered',
    reason: null,
    hungUpBy: 'caller',
    cause: 16,
  };
}

/** Keeps `inFlight` appends going until `count` are acknowledged; the wait of each, in ms. */
async function drive(journal, first, count, inFlight) {
  const waits = new Float64Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      await journal.append(cdr(first + i));
      waits[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSecond: count / seconds, waits: [...waits].sort((a, b) => a - b) };
}

export default async function run({ quick = false } = {}) {
  const count = quick ? 200 : 2000;
  const dir = await mkdtemp(join(tmpdir(), 'countyline-bench-cdr-'));
  try {
    const journal = await CdrJournal.open({ file: join(dir, 'cdr.jsonl'), logger: silent });
    await drive(journal, 0, Math.min(100, count), 4); // warm-up: JIT, file allocation
    let first = 1_000_000;
    const rows = [];
    for (const inFlight of IN_FLIGHT) {
      const writesBefore = journal.stats.writes;
      const { perSecond, waits } = await drive(journal, first, count, inFlight);
      first += count;
      const pick = (q) => waits[Math.min(waits.length - 1, Math.floor(waits.length * q))];
      rows.push({ inFlight, perSecond, p50: pick(0.5), p99: pick(0.99), perWrite: count / (journal.stats.writes - writesBefore) });
    }
    const bytes = JSON.stringify(cdr(1)).length + 1;
    await journal.close();
    return { text: table(rows, bytes, count), markdown: table(rows, bytes, count) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const fmt = (v, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(rows, bytes, count) {
  const lines = [
    '| appends in flight | records/s acknowledged | wait p50 ms | wait p99 ms | records per write+fsync |',
    '|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.inFlight} | ${fmt(r.perSecond)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.perWrite, 1)} |`),
  ];
  return `${lines.join('\n')}\n\n${fmt(count)} records of ${bytes} octets per row.`;
}
