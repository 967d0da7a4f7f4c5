// Issue 9: a SIGKILL at any moment (mid-append, mid-acknowledgement, mid-compaction) loses
// no message the outbox said was on disk and not yet acknowledged, and seq never goes back.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { systemClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t from 'tap';
import { Outbox } from '../../firmware-ts/src/telemetry/outbox.js';

const WRITER = fileURLToPath(new URL('./outbox-writer.mjs', import.meta.url));
const ROUNDS = 10;

interface Run {
  opened: { seq: number; waiting: number } | null;
  kept: number[];
  acked: Set<number>;
  signal: NodeJS.Signals | null;
}

function write(file: string, killAfter: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { opened: null, kept: [], acked: new Set(), signal: null };
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [what, a, b] = line.split(' ');
      if (what === 'open') run.opened = { seq: Number(a), waiting: Number(b) };
      else if (what === 'kept') run.kept.push(Number(a));
      else if (what === 'acking') run.acked.add(Number(a));
      if (run.kept.length === killAfter) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(deadline);
      run.signal = signal;
      if (signal !== 'SIGKILL') reject(new Error(`the writer ended by itself: ${stderr}`));
      else resolve(run);
    });
  });
}

t.test('SIGKILL while writing, acknowledging and compacting: nothing on disk and unacknowledged is lost', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'countyline-outbox-kill-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'outbox.jsonl');
  let highest = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const run = await write(file, 50 + round * 37);
    t.equal(run.signal, 'SIGKILL');
    t.ok(run.opened!.seq >= highest, `round ${round}: seq did not go back (${run.opened!.seq} >= ${highest})`);
    highest = Math.max(highest, ...run.kept);
    const outbox = await Outbox.open({ file, boxId: 'box-1', maxBytes: 1 << 24, clock: systemClock, logger: pino({ level: 'silent' }) });
    const waiting = new Set(outbox.waiting().map((e) => e.seq));
    const lost = run.kept.filter((seq) => !run.acked.has(seq) && !waiting.has(seq));
    t.same(lost, [], `round ${round}: every unacknowledged message kept`);
    t.ok(outbox.seq >= highest, `round ${round}: the seq high-water is on disk`);
    await outbox.close();
  }
});
