// The bench rig: socat's pseudo-terminal pair, the card simulator and the firmware, each a
// separate process, wired the way they are on a box. Used by `npm start` and the bench tests.
// Every process it starts is killed by stop(), and by the exit of the process that started it.
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

const live = new Set();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Fails loudly when a tool the bench needs is not installed. */
export function requireTool(tool, why) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    throw new Error(`${tool} is not installed (needed for ${why}); run: bash scripts/setup-debian.sh`);
  }
}

/**
 * Starts a child process; its whole output goes to `<logFile>` and the last part is kept in
 * memory for error messages.
 */
function startProcess(name, cmd, args, logFile) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { name, child, output, exited, keep };
}

async function stopProcess(proc, signal = 'SIGTERM', graceMs = 3000) {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill(signal);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

async function waitFor(what, check, timeoutMs, interval = 50) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * Starts socat, then the simulator on the card end, then (unless `firmware: false`) the
 * firmware on the host end. Resolves when the firmware reports the card link up.
 */
export async function startRig(options = {}) {
  requireTool('socat', 'the pseudo-terminal pair between firmware and card simulator');
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'countyline-bench-')));
  const cardPath = join(dir, 'card.pty');
  const hostPath = join(dir, 'host.pty');
  const configPath = join(dir, 'config.json');
  const socketPath = join(dir, 'countyline.sock');
  const rig = { dir, cardPath, hostPath, configPath, socketPath, socat: null, sim: null, firmware: null, simControl: null };

  // ignoreeof on both ends: a process that closes and reopens its end (a restart) does not end socat.
  rig.socat = startProcess('socat', 'socat', ['-d', '-d', `pty,raw,echo=0,ignoreeof,link=${cardPath}`, `pty,raw,echo=0,ignoreeof,link=${hostPath}`], join(dir, 'socat.log'));
  await waitFor('socat to create the pty pair', () => existsSync(cardPath) && existsSync(hostPath), 5000);

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
      sim.exited.then(({ code }) => reject(new Error(`simulator exited (${code}) before ready:\n${sim.output.join('')}`)));
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
    ...(options.config ?? {}),
  };
  await writeFile(configPath, JSON.stringify(config, null, 2));

  rig.startFirmware = async ({ waitUp = true } = {}) => {
    const firmware = startProcess('firmware', process.execPath, [FIRMWARE_CLI, 'run', '--config', configPath], join(dir, 'firmware.log'));
    firmware.child.stdout.on('data', firmware.keep);
    rig.firmware = firmware;
    await waitFor('the firmware control socket', () => socketReady(socketPath), 10_000);
    if (waitUp) await rig.waitStatus('card link up', (s) => s.card.link === 'up', 15_000);
  };

  rig.stopFirmware = (signal = 'SIGTERM') => stopProcess(rig.firmware, signal);
  rig.stopSim = (signal = 'SIGTERM') => stopProcess(rig.sim, signal);

  /** Runs the countyline CLI against this rig's firmware. */
  rig.cli = (args) =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [FIRMWARE_CLI, ...args, '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });

  /** `countyline status --json`, parsed. */
  rig.status = async () => {
    const { code, stdout, stderr } = await rig.cli(['status', '--json']);
    if (code !== 0 && code !== 1) throw new Error(`countyline status exited ${code}: ${stderr}`);
    return JSON.parse(stdout);
  };

  rig.waitStatus = (what, predicate, timeoutMs = 10_000) => waitFor(what, async () => {
    const s = await rig.status();
    return predicate(s) ? s : false;
  }, timeoutMs, 200);

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
    await stopProcess(rig.firmware);
    await stopProcess(rig.sim);
    await stopProcess(rig.socat);
    // A folder the rig made is the rig's to remove; one given by the caller is left alone.
    if (!options.dir && !options.keepDir) await rm(dir, { recursive: true, force: true });
  };

  try {
    await rig.startSim();
    if (options.firmware !== false) await rig.startFirmware();
  } catch (err) {
    const logs = rig.logs();
    await rig.stop();
    err.message += `\n--- sim log\n${logs.sim.slice(-3000)}\n--- firmware log\n${logs.firmware.slice(-3000)}`;
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
