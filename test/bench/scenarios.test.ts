// Issue 12, the bench scenarios: each file shipped in scripts/scenarios/ runs on the bench
// job's real processes (central, two county offices, SIPp phones) with
// `countyline-sim scenario <file>`, and every expectation it states is met, as
// central's API shows it; the run ends with exit 0 and leaves no process behind. A scenario
// file with a mistake is refused before anything starts, naming the field.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { requireTool } from '../../scripts/lib/bench-rig.mjs';

requireTool('socat', 'the pty pairs of the bench job');
requireTool('sipp', "the agents' phones of the bench job (Debian sip-tester)");

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// As the README says to run one: `countyline-sim scenario <file>` (it hands to scripts/bench-scenario.mjs).
const SIM_BIN = join(ROOT, 'hardware', 'e1-gateway', 'bin', 'countyline-sim.js');
/** A scenario runs about a minute, then lets the calls end: 5 minutes is far past any healthy run. */
const RUN_DEADLINE_MS = 300_000;

function processesOf(dir: string): string[] {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(dir)) found.push(`${name} ${cmd}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Runs the scenario runner; resolves with its exit code and output. */
function runScenario(args: string[], dir: string) {
  const child = spawn(process.execPath, [SIM_BIN, 'scenario', ...args, '--dir', dir, '--lang', 'en', '--status-every', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const timer = setTimeout(() => child.kill('SIGINT'), RUN_DEADLINE_MS);
  return {
    child,
    done: new Promise<{ code: number | null; output: string }>((resolve) =>
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      }),
    ),
  };
}

t.test('a scenario file with a mistake is refused, naming the field', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'countyline-scenario-bad-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.json');
  await writeFile(file, JSON.stringify({ name: { en: 'bad', zh: '坏' }, seconds: 30, steps: [{ at: 5, fault: 'flood', seconds: 3 }], expect: [{ box: 'qingshui-e1-01', check: 'online' }] }));
  const { code, output } = await runScenario([file], dir).done;
  t.equal(code, 2, 'exit code 2');
  t.match(output, /steps\[0\]\.fault: one of los, unplug, glare/, `the message names the field and what it takes: ${output.trim()}`);
  t.same(processesOf(dir), [], 'nothing was started');
});

for (const name of ['storm-day', 'overloaded-office', 'ordinary-day']) {
  t.test(`scenario ${name}: every expectation met`, async (t) => {
    const file = join(ROOT, 'scripts', 'scenarios', `${name}.json`);
    const expectations = JSON.parse(readFileSync(file, 'utf8')).expect.length;
    const dir = await mkdtemp(join(tmpdir(), `countyline-scenario-${name}-`));
    const run = runScenario([file], dir);
    t.teardown(async () => {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      for (const p of processesOf(dir)) process.kill(Number(p.split(' ')[0]), 'SIGKILL');
      if (process.env.COUNTYLINE_KEEP_BENCH === '1') t.comment(`bench folder kept: ${dir}`);
      else await rm(dir, { recursive: true, force: true });
    });
    const { code, output } = await run.done;
    const verdicts = output.split('\n').filter((l) => /^ {2}(PASS|FAIL) {2}/.test(l));
    t.equal(verdicts.length, expectations, `a verdict for each of the ${expectations} expectations`);
    t.same(verdicts.filter((l) => l.startsWith('  FAIL')), [], 'none failed');
    if (!t.equal(code, 0, 'exit code 0')) t.comment(output.slice(-4000));
    t.match(output, new RegExp(`^All ${expectations} expectations met\\.$`, 'm'));
    t.same(processesOf(dir), [], 'no process of the run left');
    t.comment(verdicts.join('\n'));
  });
}
