// Issue 8: a SIGKILL at any moment loses no call record the journal acknowledged and doubles
// none. A child process appends records to the CDR journal as fast as it can and is killed
// mid-stream, again and again; the next child appends the last few acknowledged ids again,
// as a call model that was not sure they got through would. The file is read here as plain
// JSON lines, without the journal's code.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const WRITER = fileURLToPath(new URL('./cdr-writer.mjs', import.meta.url));
const ROUNDS = 12;

/** A small seeded generator, so that a failing run can be repeated. */
function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Run {
  opened: { records: number; torn: number } | null;
  acked: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the writer from `from`; kills it with SIGKILL after `killAfter` acknowledgements (never, when null). */
function write(file: string, from: number, to: number, killAfter: number | null): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, file, String(from), String(to)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { opened: null, acked: [], code: null, signal: null };
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [what, a, b] = line.split(' ');
      if (what === 'open') run.opened = { records: Number(a), torn: Number(b) };
      else if (what === 'kept' || what === 'duplicate') run.acked.push(a!);
      if (killAfter !== null && run.acked.length === killAfter) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(deadline);
      run.code = code;
      run.signal = signal;
      if (killAfter === null && code !== 0) reject(new Error(`the writer exited with ${code ?? signal}: ${stderr}`));
      else resolve(run);
    });
  });
}

/** The ids of the whole lines of the file, in order; a torn last line is not one. */
async function idsOnDisk(file: string): Promise<{ ids: string[]; tornTail: boolean }> {
  const text = await readFile(file, 'utf8');
  const whole = text.slice(0, text.lastIndexOf('\n') + 1);
  return { ids: whole.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id), tornTail: whole.length < text.length };
}

t.test('SIGKILL while appending: every acknowledged record is on disk once, none doubled', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'countyline-cdr-kill-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'cdr.jsonl');
  const random = seeded(Number(process.env.COUNTYLINE_SEED ?? 20261130));
  const acked = new Set<string>();
  let next = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Start a few ids back: those were acknowledged (or were in flight) when the last one died.
    const from = Math.max(0, next - 8);
    const killAfter = 5 + Math.floor(random() * 200);
    const run = await write(file, from, from + 1_000_000, killAfter);
    t.equal(run.signal, 'SIGKILL', `round ${round}: killed after ${killAfter} acknowledgements`);
    for (const id of run.acked) acked.add(id);
    const { ids } = await idsOnDisk(file);
    const missing = [...acked].filter((id) => !ids.includes(id));
    t.same(missing, [], `round ${round}: every acknowledged record is in the file`);
    t.equal(new Set(ids).size, ids.length, `round ${round}: no record twice (${ids.length} records)`);
    next = Math.max(...ids.map((id) => Number(id.slice(4)))) + 1;
  }
  // A last writer opens the journal and appends the last four ids again: it reads every
  // whole record once, cuts off a torn tail, and doubles nothing.
  const before = await idsOnDisk(file);
  const last = await write(file, next - 4, next, null);
  t.equal(last.opened?.records, before.ids.length, 'the journal reads back every record in the file');
  t.equal(last.opened?.torn !== 0, before.tornTail, 'and cuts off a torn last line only if there was one');
  const after = await idsOnDisk(file);
  t.notOk(after.tornTail, 'the file ends on a whole line');
  t.same(last.acked.sort(), [0, 1, 2, 3].map((k) => `cdr-${next - 4 + k}`).sort(), 'the re-appended ids are acknowledged');
  t.ok(last.acked.every((id) => after.ids.includes(id)));
  t.equal(new Set(after.ids).size, after.ids.length, 'and none is doubled');
});
