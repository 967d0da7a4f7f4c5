// SIPp as the agents' phones for the end-to-end benches: free ports, one sipp run, digest
// registration of a list of agents from one port. Every sipp process started here is killed
// when the bench process exits, also when a signal ends it.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'peers', 'sipp');

/** Every SIPp process started here and still running. */
const sipps = new Set();
process.once('exit', () => {
  for (const child of sipps) child.kill('SIGKILL');
});
// A signal ends the process without 'exit'. The bench rig's own handler (registered first, on
// import) stops its processes and raises the signal again; while this handler is still
// registered that signal is caught and lost, so this one, the last, raises it once more.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.once(signal, () => {
    killAllSipp();
    process.kill(process.pid, signal);
  });
}

export function killAllSipp() {
  for (const child of sipps) child.kill('SIGKILL');
}

/** A UDP port free at this moment on 127.0.0.1. */
export async function freeUdpPort() {
  const socket = createSocket('udp4');
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', resolve);
  });
  const { port } = socket.address();
  await new Promise((resolve) => socket.close(resolve));
  return port;
}

/**
 * An even port for SIPp's RTP echo, free together with the three above it: with -rtp_echo
 * SIPp binds the port and the port + 2, and exits (254) if either is taken. All four are
 * held at once before they are released, so a port another process holds is never chosen.
 */
export async function freeMediaPort() {
  for (;;) {
    const port = await freeUdpPort();
    if (port % 2 !== 0 || port >= 65_000) continue;
    const held = [];
    let free = true;
    for (let p = port; p < port + 4 && free; p += 1) {
      const socket = createSocket('udp4');
      free = await new Promise((resolve) => {
        socket.once('error', () => resolve(false));
        socket.bind(p, '127.0.0.1', () => resolve(true));
      });
      held.push(socket);
    }
    await Promise.all(
      held.map(
        (s) =>
          new Promise((resolve) => {
            try {
              s.close(resolve);
            } catch {
              resolve(); // a socket whose bind failed may already be closed
            }
          }),
      ),
    );
    if (free) return port;
  }
}

/**
 * A copy of test/peers/sipp/<scenario>.xml in `dir` with each placeholder replaced (sipp
 * takes no variable in a pause or a timeout); returns its path.
 */
export async function scenarioCopy(scenario, values, dir) {
  let text = await readFile(join(SCENARIOS, `${scenario}.xml`), 'utf8');
  for (const [key, value] of Object.entries(values)) {
    if (!text.includes(key)) throw new Error(`test/peers/sipp/${scenario}.xml has no placeholder ${key}`);
    text = text.replaceAll(key, String(value));
  }
  const path = join(dir, `${scenario}.xml`);
  await writeFile(path, text);
  return path;
}

/**
 * Starts sipp toward the box on a scenario (a name under test/peers/sipp/, or a path); the
 * end of its output is kept for the error message of a failure.
 */
export function sipp(box, scenario, args, dir, name) {
  const file = scenario.includes('/') ? scenario : join(SCENARIOS, `${scenario}.xml`);
  const child = spawn(
    'sipp',
    [`${box.host}:${box.port}`, '-sf', file, '-i', '127.0.0.1', '-nostdin', '-aa', '-trace_err', '-error_file', join(dir, `${name}.errors.log`), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  sipps.add(child);
  let output = '';
  const keep = (chunk) => (output = (output + chunk.toString()).slice(-3000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const result = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      sipps.delete(child);
      resolve({ code, signal, output });
    }),
  );
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  return { child, result, output: () => output, ended };
}

/** Registers each agent from `port` with digest, one sipp run after another. */
export async function register(box, port, agents, dir) {
  for (const a of agents) {
    const run = sipp(box, 'register', ['-p', String(port), '-m', '1', '-s', a.user, '-au', a.user, '-ap', a.password, '-timeout', '30s', '-timeout_error'], dir, `register-${a.user}`);
    const { code, output } = await run.result;
    if (code !== 0) throw new Error(`sipp could not register ${a.user} (exit ${code}):\n${output}`);
  }
}

/** Kills a sipp run and waits for it to be gone. */
export async function stopSipp(run) {
  run.child.kill('SIGKILL');
  await run.result;
}
