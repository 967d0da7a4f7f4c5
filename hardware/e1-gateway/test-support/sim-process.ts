// For the simulator's process tests: `countyline-sim` (src/sim/main.ts) run as its own
// process on a pty pair made by socat, as a real card would sit on a UART, and a host-side
// serial port on the other end. Not part of the package build (tsconfig.json builds src
// only); tsconfig.test.json type-checks it with the tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import type { Test } from 'tap';

const MAIN = fileURLToPath(new URL('../src/sim/main.ts', import.meta.url));

/** Polls `check` every 20 ms until it gives a value; rejects, naming `what`, after `ms`. */
export function waitFor<T>(what: string, ms: number, check: () => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > ms) return reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

/** The child's exit code once it has exited (null when a signal ended it). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export interface SimProcess {
  /** The test's temp dir: the pty links and anything the simulator binds there. */
  dir: string;
  /** The card's end of the pty pair, given to the simulator as `--port`. */
  cardPath: string;
  sim: ChildProcess;
  /** The simulator's first stdout line, parsed: its ready line. */
  readyLine: Record<string, unknown>;
  /** Every line the simulator wrote to stdout so far. */
  lines: string[];
  /** What the simulator wrote to stderr so far. */
  stderr: () => string;
  /** Opens the host's end of the pty pair; closed at the end of the test. */
  openHost: () => Promise<SerialPort>;
}

/**
 * Starts socat and the simulator with `args` (after `--port`; a function gets the test's temp
 * dir), waits for its ready line, and
 * tears both down at the end of the test, killing the simulator if it is still running.
 * Fails the test and gives null when socat is missing or the file does not run under tap's
 * TypeScript loader, which main.ts needs.
 */
export async function startSimOnPty(t: Test, prefix: string, args: string[] | ((dir: string) => string[])): Promise<SimProcess | null> {
  const probe = spawnSync('socat', ['-V'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    t.fail(`socat is needed for this test and could not be run (${probe.error?.message ?? `exit ${probe.status}`}); install it with: apt-get install socat`);
    return null;
  }
  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript') || a === '--enable-source-maps');
  if (!loader.some((a) => a.includes('@tapjs/typescript'))) {
    t.fail('run this test through tap (npx tap ...): main.ts needs its TypeScript loader');
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), `cl-${prefix}-`));
  const cardPath = join(dir, 'card');
  const hostPath = join(dir, 'host');
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${cardPath}`, `pty,raw,echo=0,link=${hostPath}`], { stdio: 'ignore' });
  const running: { sim?: ChildProcess; hostPort?: SerialPort } = {};
  t.teardown(async () => {
    const { sim, hostPort } = running;
    if (hostPort?.isOpen) await new Promise((r) => hostPort.close(r));
    if (sim && sim.exitCode === null && sim.signalCode === null) {
      sim.kill('SIGKILL');
      await exited(sim);
    }
    socat.kill('SIGTERM');
    await exited(socat);
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor('socat to create the pty links', 5000, () => (existsSync(cardPath) && existsSync(hostPath) ? true : undefined));

  // The simulator is a process of its own, not one of tap's test processes.
  const env = { ...process.env };
  delete env.TAP_CHILD_ID;
  delete env.TAP;
  const sim = spawn(process.execPath, [...loader, MAIN, '--port', cardPath, ...(typeof args === 'function' ? args(dir) : args)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.sim = sim;
  let stderr = '';
  sim.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const lines: string[] = [];
  createInterface({ input: sim.stdout! }).on('line', (line) => lines.push(line));
  const ready = await waitFor('the ready line', 60_000, () => lines[0]).catch((err: Error) => {
    throw new Error(`${err.message}; stderr: ${stderr}`);
  });
  const openHost = async () => {
    const port = new SerialPort({ path: hostPath, baudRate: 115200, autoOpen: false });
    running.hostPort = port;
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    return port;
  };
  return { dir, cardPath, sim, readyLine: JSON.parse(ready) as Record<string, unknown>, lines, stderr: () => stderr, openHost };
}
