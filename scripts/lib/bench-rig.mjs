// The bench rig: socat's pseudo-terminal pair, the card simulator and the firmware, each a
// separate process, wired the way they are on a box. Used by `npm start` and the bench tests.
//
// Every process it starts (socat, simulator, firmware, each `countyline` CLI run) is killed
// by stop(), by a failure while starting, and by the exit of the process that started it,
// also when that process is stopped by a signal (a test file timed out by tap).
//
// Bench tests run on a busy machine (two cores, other builds): starting a `countyline` CLI
// process takes from under a second to several seconds there. So nothing here reads a
// result at a fixed moment: waits are for a condition with a deadline, and a wait on the
// live status reads it from one long-running `countyline status --json --watch` process
// instead of starting a CLI per look.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createConnection } from 'node:net';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIRMWARE_CLI = join(root, 'firmware-ts', 'dist', 'cli', 'main.js');
export const SIM_CLI = join(root, 'hardware', 'e1-gateway', 'dist', 'sim', 'main.js');

/** How often a status watch asks the firmware, in seconds. */
const WATCH_INTERVAL_S = 0.2;

const live = new Set();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
// A signal (tap timing a test file out, Ctrl-C) ends the process without 'exit': tell the
// children to stop, then let the signal take its course: the handlers of whoever else
// listens (tap, `npm start`), or the default action once ours is gone.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGALRM']) {
  process.once(signal, () => {
    for (const child of live) child.kill('SIGTERM');
    process.kill(process.pid, signal);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fails loudly when a tool the bench needs is not installed. */
export function requireTool(tool, why) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    throw new Error(`${tool} is not installed (needed for ${why}); run: bash scripts/setup-debian.sh`);
  }
}

/** A short, readable form of what a wait last saw, for its failure message. */
function describe(value) {
  if (value === undefined) return 'nothing yet';
  if (value instanceof Error) return `error: ${value.message}`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 2000 ? `${text.slice(0, 2000)} ...` : text;
}

/**
 * Waits until `check` returns something truthy, and returns that. `check` gets `seen(x)`,
 * which records `x` as the latest observation and returns it; on the deadline the error
 * names what was awaited and what was seen last (or the last error `check` threw).
 */
export async function waitFor(what, check, deadlineMs, { intervalMs = 100 } = {}) {
  const end = Date.now() + deadlineMs;
  let last;
  const seen = (value) => {
    last = value;
    return value;
  };
  for (;;) {
    try {
      const value = await check(seen);
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}; last seen: ${describe(last)}`);
    await sleep(Math.min(intervalMs, Math.max(0, end - Date.now())));
  }
}

/** The error of a CLI run whose exit code is not the one expected. */
function exitError(args, expected, { code, signal, stdout, stderr }) {
  const how = signal ? `was killed by ${signal}` : `exited ${code}`;
  return new Error(
    `countyline ${args.join(' ')} ${how}, expected exit ${expected.join(' or ')}\n--- stderr\n${stderr.trim() || '(empty)'}\n--- stdout\n${stdout.slice(0, 1500).trim() || '(empty)'}`,
  );
}

/**
 * Starts a child process; its whole output goes to `<logFile>` and the last part is kept in
 * memory for error messages.
 */
export function startProcess(name, cmd, args, logFile, { env } = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
  live.add(child);
  const output = [];
  const log = createWriteStream(logFile, { flags: 'a' });
  const keep = (chunk) => {
    log.write(chunk);
    output.push(chunk.toString());
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  child.stderr.on('data', keep);
  child.on('close', () => log.end());
  child.on('exit', () => live.delete(child));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  return { name, child, output, exited, keep };
}

export function running(proc) {
  return proc !== null && proc.child.exitCode === null && proc.child.signalCode === null;
}

export async function stopProcess(proc, signal = 'SIGTERM', graceMs = 3000) {
  if (!proc || !running(proc)) return;
  proc.child.kill(signal);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

/**
 * Starts socat, then (unless `sim: false`) the simulator on the card end, then (unless
 * `firmware: false`) the firmware on the host end. Resolves when the firmware reports the
 * card link up. A failure on the way stops whatever was started and removes the folder.
 */
export async function startRig(options = {}) {
  requireTool('socat', 'the pseudo-terminal pair between firmware and card simulator');
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'countyline-bench-')));
  const cardPath = join(dir, 'card.pty');
  const hostPath = join(dir, 'host.pty');
  const configPath = join(dir, 'config.json');
  const socketPath = join(dir, 'countyline.sock');
  const rig = { dir, cardPath, hostPath, configPath, socketPath, socat: null, sim: null, firmware: null, simControl: null };
  /** CLI processes of this rig still running. */
  const clis = new Set();
  const watches = new Set();

  rig.startSim = async (extraArgs = options.simArgs ?? []) => {
    const sim = startProcess('sim', process.execPath, [SIM_CLI, '--port', cardPath, '--control', '0', ...extraArgs], join(dir, 'sim.log'));
    rig.sim = sim;
    const lines = createInterface({ input: sim.child.stdout });
    rig.simControl = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`simulator did not report ready in 10 s:\n${sim.output.join('')}`)), 10_000);
      lines.on('line', (line) => {
        try {
          const msg = JSON.parse(line);
          if (msg.event === 'ready') {
            clearTimeout(timer);
            resolve(msg.control);
          }
        } catch {
          sim.keep(line);
        }
      });
      sim.exited.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`simulator exited (${code}) before ready:\n${sim.output.join('')}`));
      });
    });
    return rig.simControl;
  };

  const config = {
    card: { path: hostPath, ...(options.card ?? {}) },
    dataDir: join(dir, 'data'),
    control: { socket: socketPath },
    log: { level: options.logLevel ?? 'info' },
    // SS7 toward the simulator's exchange (its bench defaults: point code 2000, CIC 1-30).
    ...(options.isup ? { isup: { ownPointCode: 1000, peerPointCode: 2000, ...(options.isup === true ? {} : options.isup) } } : {}),
    // The SS7 bench has no phones unless a test brings them: the box answers incoming calls as
    // a test line, as a technician sets it while commissioning a trunk before phones exist.
    ...(options.isup ? { calls: { noAgent: 'test-line' } } : {}),
    ...(options.config ?? {}),
  };

  rig.startFirmware = async ({ waitUp = true } = {}) => {
    // `firmwareCommand` runs another build of the firmware (the arm64 package under qemu): the
    // program and its first arguments, in place of this checkout's node and CLI.
    const [cmd, ...before] = options.firmwareCommand ?? [process.execPath, FIRMWARE_CLI];
    const firmware = startProcess('firmware', cmd, [...before, 'run', '--config', configPath], join(dir, 'firmware.log'));
    firmware.child.stdout.on('data', firmware.keep);
    rig.firmware = firmware;
    await waitFor(
      'the firmware control socket',
      async (seen) => {
        if (!running(firmware)) throw new Error(`the firmware exited (${firmware.child.exitCode ?? firmware.child.signalCode}):\n${firmware.output.join('').slice(-3000)}`);
        return seen(await socketReady(socketPath)) === true;
      },
      // An emulated CPU starts Node several times slower (`firmwareStartMs`, arm64 under qemu).
      options.firmwareStartMs ?? 10_000,
    );
    if (waitUp) await rig.waitStatus('card link up', (s) => s.card.link === 'up', 15_000);
  };

  rig.stopFirmware = (signal = 'SIGTERM') => stopProcess(rig.firmware, signal);
  rig.stopSim = (signal = 'SIGTERM') => stopProcess(rig.sim, signal);

  /**
   * Starts a `countyline` CLI run against this rig's firmware and returns at once: its
   * output so far, a wait for a line of it, and its result (exit code checked).
   */
  rig.spawnCli = (args, { command } = {}) => {
    // `command`: another build's CLI (the arm64 package under qemu), program and first arguments.
    const [cmd, ...before] = command ?? [process.execPath, FIRMWARE_CLI];
    const child = spawn(cmd, [...before, ...args, '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    clis.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    // 'close', not 'exit': the output pipes may still hold data when the process has exited.
    const closed = new Promise((resolve) =>
      child.on('close', (code, signal) => {
        live.delete(child);
        clis.delete(child);
        resolve({ code, signal, stdout, stderr });
      }),
    );
    return {
      child,
      closed,
      stdout: () => stdout,
      stderr: () => stderr,
      waitOutput: (what, pattern, deadlineMs) =>
        waitFor(
          `countyline ${args[0]} to print ${what}`,
          (seen) => {
            if (child.exitCode !== null || child.signalCode !== null) throw new Error(`countyline ${args.join(' ')} ended (${child.exitCode ?? child.signalCode}) first; stderr: ${stderr}`);
            seen(`stdout: ${stdout.slice(-500)} | stderr: ${stderr.slice(-500)}`);
            return pattern.test(stdout) || pattern.test(stderr);
          },
          deadlineMs,
        ),
      result: async (expect = 0) => {
        const r = await closed;
        const expected = [expect].flat();
        if (!expected.includes(r.code)) throw exitError(args, expected, r);
        return r;
      },
    };
  };

  /**
   * Runs the countyline CLI against this rig's firmware; fails with its stderr unless it
   * exits with `expect` (a code or a list of codes).
   */
  rig.cli = (args, expect = 0) => rig.spawnCli(args).result(expect);

  /** `countyline <args> --json`, exit code checked, parsed. */
  rig.json = async (args, expect = 0) => {
    const { stdout } = await rig.cli([...args, '--json'], expect);
    try {
      return JSON.parse(stdout);
    } catch {
      throw new Error(`countyline ${args.join(' ')} --json printed something that is not JSON:\n${stdout.slice(0, 1500)}`);
    }
  };

  /** `countyline status --json`, parsed (exit 1 is a status too: the card link is down). */
  rig.status = () => rig.json(['status'], [0, 1]);

  /**
   * One long-running `countyline status --json --watch`: every snapshot with the time it
   * arrived, and waits on them. Stop it with stop(); rig.stop() stops any left.
   */
  rig.watchStatus = () => {
    const cli = rig.spawnCli(['status', '--json', '--watch', String(WATCH_INTERVAL_S)]);
    const snapshots = [];
    const waiters = new Set();
    let stopped = false;
    let ended = null;
    const watch = {
      snapshots,
      until(what, predicate, deadlineMs, { from = snapshots.length } = {}) {
        let next = from;
        let lastError;
        return new Promise((resolve, reject) => {
          const finish = (fn, value) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            fn(value);
          };
          const waiter = () => {
            for (; next < snapshots.length; next++) {
              try {
                if (predicate(snapshots[next].status)) return finish(resolve, { ...snapshots[next], index: next });
              } catch (err) {
                lastError = err;
              }
            }
            if (ended) finish(reject, Object.assign(new Error(`countyline status --watch ${ended} while waiting for ${what}`), { watchEnded: true }));
          };
          const timer = setTimeout(() => {
            const last = lastError ?? snapshots.at(-1)?.status ?? (cli.stderr() || undefined);
            finish(reject, new Error(`timed out after ${deadlineMs} ms waiting for ${what}; last seen: ${describe(last)}`));
          }, deadlineMs);
          waiters.add(waiter);
          waiter();
        });
      },
      async stop() {
        stopped = true;
        watches.delete(watch);
        cli.child.kill('SIGTERM');
        await cli.closed;
      },
    };
    createInterface({ input: cli.child.stdout }).on('line', (line) => {
      try {
        snapshots.push({ at: Date.now(), status: JSON.parse(line) });
      } catch {
        return;
      }
      for (const waiter of waiters) waiter();
    });
    cli.closed.then(({ code, signal, stderr }) => {
      if (stopped) return;
      ended = `${signal ? `was killed by ${signal}` : `exited ${code}`}: ${stderr.trim() || '(no stderr)'}`;
      for (const waiter of waiters) waiter();
    });
    watches.add(watch);
    return watch;
  };

  /**
   * Waits for a status that satisfies `predicate` and returns it. A watch that ends (the
   * firmware not listening yet) is started again until the deadline; a firmware that has
   * exited fails the wait at once.
   */
  rig.waitStatus = async (what, predicate, deadlineMs = 10_000) => {
    const end = Date.now() + deadlineMs;
    for (;;) {
      const watch = rig.watchStatus();
      try {
        return (await watch.until(what, predicate, Math.max(0, end - Date.now()))).status;
      } catch (err) {
        if (!err.watchEnded) throw err;
        if (rig.firmware && !running(rig.firmware)) {
          throw new Error(`the firmware exited (${rig.firmware.child.exitCode ?? rig.firmware.child.signalCode}) while waiting for ${what}:\n${rig.firmware.output.join('').slice(-3000)}`);
        }
        if (Date.now() >= end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}; last seen: ${err.message}`);
      } finally {
        await watch.stop();
      }
      await sleep(200);
    }
  };

  /** Calls the simulator's control API. */
  rig.simRequest = async (method, path, body) => {
    const res = await fetch(`${rig.simControl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
  rig.simPost = (path, body = {}) => rig.simRequest('POST', path, body);
  rig.simGet = (path) => rig.simRequest('GET', path);

  rig.logs = () => ({ sim: rig.sim?.output.join('') ?? '', firmware: rig.firmware?.output.join('') ?? '', socat: rig.socat?.output.join('') ?? '' });
  /** The whole log of a process since the rig started (all its runs). */
  rig.fullLog = (name) => (existsSync(join(dir, `${name}.log`)) ? readFileSync(join(dir, `${name}.log`), 'utf8') : '');

  rig.stop = async () => {
    await Promise.all([...watches].map((w) => w.stop()));
    for (const child of clis) child.kill('SIGKILL');
    await stopProcess(rig.firmware);
    await stopProcess(rig.sim);
    await stopProcess(rig.socat);
    // A folder the rig made is the rig's to remove; one given by the caller is left alone.
    if (!options.dir && !options.keepDir) await rm(dir, { recursive: true, force: true });
  };

  try {
    await writeFile(configPath, JSON.stringify(config, null, 2));
    // ignoreeof on both ends: a process that closes and reopens its end (a restart) does not end socat.
    rig.socat = startProcess('socat', 'socat', ['-d', '-d', `pty,raw,echo=0,ignoreeof,link=${cardPath}`, `pty,raw,echo=0,ignoreeof,link=${hostPath}`], join(dir, 'socat.log'));
    await waitFor('socat to create the pty pair', (seen) => seen(existsSync(cardPath) && existsSync(hostPath)), 5000);
    if (options.sim !== false) await rig.startSim();
    if (options.firmware !== false) await rig.startFirmware();
  } catch (err) {
    const logs = rig.logs();
    await rig.stop();
    err.message += `\n--- socat log\n${logs.socat.slice(-1000)}\n--- sim log\n${logs.sim.slice(-3000)}\n--- firmware log\n${logs.firmware.slice(-3000)}`;
    throw err;
  }
  return rig;
}

function socketReady(path) {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
