// Issue 12 "done when", the main job: `node scripts/bench-start.mjs` (what `npm start` runs
// after the build) brings up central and two county boxes; within 60 s of its start both
// boxes are online in central's API, with their trunks reported; calls answered by the
// county's own agents arrive from both as CDRs; a fault shows as an alarm in central; the
// job prints a status line per box; Ctrl-C (SIGINT) stops it with exit code 0 and leaves no
// process behind (every process of the job names the bench folder on its command line, so
// /proc tells them).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { requireTool, waitFor } from '../../scripts/lib/bench-rig.mjs';

requireTool('socat', 'the pty pairs of the bench job');
requireTool('sipp', "the agents' phones of the bench job (Debian sip-tester)");

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'bench-start.mjs');
const ONLINE_WITHIN_MS = 60_000;
const E1_BOX = 'qingshui-e1-01';
const FXO_BOX = 'baishi-fxo-01';
const AGENTS: Record<string, string[]> = { [E1_BOX]: ['wangfang', 'lina', 'zhangwei'], [FXO_BOX]: ['liuyang', 'chenjing'] };

/** Processes (pid and command line) whose command line names `dir`, this one excepted. */
function processesOf(dir: string): { pid: number; cmd: string }[] {
  const found = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      // A zombie has an empty command line and is no longer running anything.
      if (cmd.includes(dir)) found.push({ pid, cmd });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

t.test('npm start: two county boxes online with live calls within a minute; Ctrl-C leaves nothing behind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'countyline-main-job-'));
  const startedAt = Date.now();
  // Faults often, so that one comes within the test; traffic brisk, so that calls come soon.
  const job = spawn(process.execPath, [SCRIPT, '--dir', dir, '--lang', 'en', '--fault-every', '15', '--e1-per-minute', '20', '--fxo-per-minute', '15', '--status-every', '2'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  job.stdout.on('data', (c) => (output += c));
  job.stderr.on('data', (c) => (output += c));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => job.on('exit', (code, signal) => resolve({ code, signal })));
  t.teardown(async () => {
    if (job.exitCode === null && job.signalCode === null) job.kill('SIGKILL');
    for (const p of processesOf(dir)) process.kill(p.pid, 'SIGKILL');
    if (process.env.COUNTYLINE_KEEP_BENCH === '1') t.comment(`bench folder kept: ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  });
  const printed = (what: string, pattern: RegExp, deadlineMs: number) =>
    waitFor(what, (seen) => {
      if (job.exitCode !== null) throw new Error(`the job exited (${job.exitCode}):\n${output.slice(-4000)}`);
      seen(output.slice(-1500));
      return pattern.exec(output);
    }, deadlineMs, { intervalMs: 200 });

  const url = (await printed('the ops page URL', /^Ops page: (http:\/\/127\.0\.0\.1:\d+)\/$/m, ONLINE_WITHIN_MS))[1]!;
  const token = (await printed('the admin token', /^Admin token: (\S+)$/m, 5000))[1]!;
  const api = async (path: string) => {
    const res = await fetch(`${url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`GET ${path} -> ${res.status}: ${await res.text()}`);
    return (await res.json()) as any;
  };

  const boxes = await waitFor('both boxes online in central', async (seen) => {
    const { boxes } = seen(await api('/boxes'));
    return boxes.length === 2 && boxes.every((b: any) => b.online) && boxes;
  }, Math.max(1000, startedAt + ONLINE_WITHIN_MS - Date.now()), { intervalMs: 500 });
  t.pass(`both boxes online ${Math.round((Date.now() - startedAt) / 1000)} s after the job started`);
  t.same(boxes.map((b: any) => b.id).sort(), [E1_BOX, FXO_BOX].sort(), 'the two county boxes, as enrolled');
  const { sites } = await api('/sites');
  t.ok(sites.every((s: any) => /\p{Script=Han}/u.test(s.name) && /[A-Za-z]/.test(s.name)), `site names in Chinese and English: ${sites.map((s: any) => s.name).join('; ')}`);

  const e1Trunks = await waitFor('the E1 box\'s span and 30 circuits in central', async (seen) => {
    const v = seen(await api(`/boxes/${E1_BOX}/trunks`));
    return v.spans.length === 1 && v.circuits?.total === 30 && v;
  }, 30_000, { intervalMs: 500 });
  t.equal(e1Trunks.circuits.total, 30, 'the E1 county: 30 SS7 circuits');
  const fxoTrunks = await waitFor('the FXO box\'s five lines in central', async (seen) => {
    const v = seen(await api(`/boxes/${FXO_BOX}/trunks`));
    return v.fxo.length === 5 && v;
  }, 30_000, { intervalMs: 500 });
  t.equal(fxoTrunks.spans.length, 0, 'the FXO county: no E1 span');

  for (const box of [E1_BOX, FXO_BOX]) {
    const answered = await waitFor(`a call answered by one of ${box}'s agents, its CDR in central`, async (seen) => {
      const { cdrs } = seen(await api(`/cdrs?box=${box}&result=answered&limit=50`));
      return cdrs.find((c: any) => AGENTS[box]!.includes(c.agent));
    }, 120_000, { intervalMs: 1000 });
    t.equal(answered.line.kind, box === E1_BOX ? 'e1' : 'fxo', `${box}: a call on its ${answered.line.kind} line answered by ${answered.agent}`);
  }

  // The first fault is an LOS on the E1 span: the box raises span-red, central shows it.
  const alarm = await waitFor('an alarm of the E1 box in central (the LOS fault)', async (seen) => {
    const { alarms } = seen(await api(`/alarms?box=${E1_BOX}`));
    return alarms.find((a: any) => a.type === 'span-red');
  }, 150_000, { intervalMs: 1000 });
  t.equal(alarm.cause, 'LOS', 'the fault shows in central as span-red, cause LOS');
  t.match(output, /^\d\d:\d\d:\d\d {2}fault: LOS on the E1 span/m, 'the job said when it pulled the cable');

  t.match(output, /^\d\d:\d\d:\d\d {2}Qingshui E1: online \|.*agents 3\/3 up/m, 'a status line for the E1 box: online, three phones up');
  t.match(output, /^\d\d:\d\d:\d\d {2}Baishi FXO: online \|.*agents 2\/2 up/m, 'a status line for the FXO box: online, two phones up');

  // Every kind of process the job started, seen by its command line before the stop.
  const before = processesOf(dir).filter((p) => p.pid !== job.pid);
  const kinds = ['socat', 'sim/main.js', 'cli/main.js run', 'control-plane/dist/cli/main.js', 'sipp'];
  for (const kind of kinds) t.ok(before.some((p) => p.cmd.includes(kind)), `a running ${kind} process of the job`);
  t.equal(before.filter((p) => p.cmd.startsWith('socat')).length, 2, 'two socat pty pairs');
  t.equal(before.filter((p) => p.cmd.startsWith('sipp')).length, 5, 'five phones (SIPp)');

  const sentAt = Date.now();
  job.kill('SIGINT');
  const ended = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
  t.ok(ended, `the job ended after SIGINT (${Math.round((Date.now() - sentAt) / 1000)} s)`);
  if (!t.same(ended, { code: 0, signal: null }, 'exit code 0')) t.comment(output.slice(-3000));
  t.match(output, /^Stopped\. Logs and data kept in /m, 'it says it stopped and where the logs are');
  const left = processesOf(dir);
  t.same(left, [], 'no process of the job left running');
  t.same(before.filter((p) => { try { process.kill(p.pid, 0); return true; } catch { return false; } }), [], 'every pid seen before the stop is gone');
});
