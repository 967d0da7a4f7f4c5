// Agents' phones for the bench job: one SIPp (Debian sip-tester) per agent, registered with
// the box by digest, then answering the box's calls one after another for the life of the
// job, each talking for the agent's talk time before hanging up (unless the caller does
// first). The scenarios are in scripts/lib/sipp/.
import { createSocket } from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTool, startProcess, stopProcess } from './bench-rig.mjs';

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), 'sipp');
/** How long a registration lasts: longer than any bench run, so the phones never renew. */
export const REGISTRATION_S = 7 * 86_400;
/** Calls a phone takes before SIPp would stop: never, in practice. */
const CALLS = 10_000_000;

/** A free UDP port on loopback (bound to 0, read, released). */
export function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/**
 * Registers each agent's phone with the box at `box` ({ host, port }), then starts its
 * answering SIPp. `agents`: { user, password, port, talkMs }. Resolves with the running
 * processes; throws (having stopped what it started) when a phone could not register.
 */
export async function startPhones({ dir, box, agents }) {
  requireTool('sipp', "the agents' phones of the bench (Debian sip-tester)");
  const template = await readFile(join(SCENARIOS, 'agent-loop.xml'), 'utf8');
  const target = `${box.host}:${box.port}`;
  const common = (a) => [target, '-i', '127.0.0.1', '-p', String(a.port), '-s', a.user, '-nostdin', '-aa', '-trace_err', '-error_file', join(dir, `sipp-${a.user}.errors.log`)];
  await Promise.all(
    agents.map(async (a) => {
      const args = [...common(a), '-sf', join(SCENARIOS, 'register.xml'), '-m', '1', '-key', 'expires', String(REGISTRATION_S), '-au', a.user, '-ap', a.password, '-timeout', '30s', '-timeout_error'];
      const run = startProcess(`sipp register ${a.user}`, 'sipp', args, join(dir, `sipp-${a.user}.log`));
      run.child.stdout.on('data', run.keep);
      const { code, signal } = await run.exited;
      if (code !== 0) throw new Error(`sipp could not register agent ${a.user} with the box at ${target} (${signal ?? `exit ${code}`}):\n${run.output.join('').slice(-2000)}`);
    }),
  );
  const phones = [];
  try {
    for (const a of agents) {
      const scenario = join(dir, `agent-loop-${a.user}.xml`);
      await writeFile(scenario, template.replace('timeout="TALK_MS"', `timeout="${a.talkMs}"`));
      const phone = startProcess(`sipp ${a.user}`, 'sipp', [...common(a), '-sf', scenario, '-m', String(CALLS)], join(dir, `sipp-${a.user}.log`));
      // SIPp repaints its statistics screen on stdout: read and dropped, so the pipe never fills.
      phone.child.stdout.resume();
      phone.user = a.user;
      phones.push(phone);
    }
  } catch (err) {
    await Promise.all(phones.map((p) => stopProcess(p)));
    throw err;
  }
  return phones;
}
