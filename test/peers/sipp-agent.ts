// Agents' phones for the bench: SIPp (Debian sip-tester) registering with the box and
// answering its calls, scripted by the scenarios in test/peers/sipp/. Nothing here shares
// code with the box's SIP layer.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeUdpPort } from '../../firmware-ts/test-support/free-udp-port.js';
import { requireTool } from '../../scripts/lib/bench-rig.mjs';
import { freeMediaPort } from '../../bench/lib/sipp-phones.mjs';

/** freeMediaPort: an even RTP port for sipp's echo, free with the ports sipp binds beside it. */
export { freeMediaPort, freeUdpPort };

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), 'sipp');

export type Scenario = 'register' | 'register-refused' | 'agent-answer' | 'agent-answer-hangup' | 'agent-ring-out' | 'feature-code' | 'centre-busy';

export interface SippRun {
  child: ChildProcess;
  /** Exit code and the end of what sipp printed. */
  result: Promise<{ code: number | null; output: string }>;
  /** Every SIP message sipp sent and received so far (its -trace_msg log). */
  messages(): Promise<string>;
  /** Throws, with what sipp printed, if sipp has already exited (e.g. it could not bind a port). */
  assertRunning(): void;
  stop(): void;
}

export interface SippOptions {
  scenario: Scenario;
  /** The box's SIP address. */
  box: { host: string; port: number };
  /** The phone's own SIP port. */
  port: number;
  user: string;
  password?: string;
  /** Folder for sipp's logs. */
  dir: string;
  /** RTP echo port (sipp -mp, -rtp_echo). */
  mediaPort?: number;
  /** How long sipp may run at most. */
  timeoutS?: number;
  /** agent-answer-hangup: how long the agent talks before BYE. */
  talkMs?: number;
  /** Scenario keywords (sipp -key): feature-code takes `dialled`, the number the agent dials. */
  keys?: Record<string, string>;
  /** A scenario file of the test's own, used instead of `scenario`'s (which then only names the logs). */
  scenarioFile?: string;
  /** How many calls sipp takes before it exits (-m); default 1. */
  calls?: number;
}

/** Starts sipp on one scenario for one call (or `calls`); the caller kills it in teardown (`stop`). */
export function runSipp(o: SippOptions): SippRun {
  requireTool('sipp', 'the agent phones of the calls tests (Debian sip-tester)');
  const name = `${o.scenario}-${o.user}-${o.port}`;
  const messageFile = join(o.dir, `${name}.messages.log`);
  const args = [
    `${o.box.host}:${o.box.port}`,
    '-sf', o.scenarioFile ?? join(SCENARIOS, `${o.scenario}.xml`),
    '-i', '127.0.0.1',
    '-p', String(o.port),
    '-m', String(o.calls ?? 1),
    '-s', o.user,
    '-nostdin',
    '-aa',
    '-trace_msg', '-message_file', messageFile,
    '-trace_err', '-error_file', join(o.dir, `${name}.errors.log`),
    '-timeout', `${o.timeoutS ?? 60}s`, '-timeout_error',
    ...(o.password ? ['-au', o.user, '-ap', o.password] : []),
    ...(o.mediaPort ? ['-mi', '127.0.0.1', '-mp', String(o.mediaPort), '-rtp_echo'] : []),
    ...(o.talkMs ? ['-d', String(o.talkMs)] : []),
    ...Object.entries(o.keys ?? {}).flatMap(([k, v]) => ['-key', k, v]),
  ];
  const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const result = new Promise<{ code: number | null; output: string }>((resolve) => child.on('exit', (code) => resolve({ code, output })));
  return {
    child,
    result,
    messages: () => readFile(messageFile, 'utf8').catch(() => ''),
    assertRunning: () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`sipp ${name} exited (${child.exitCode ?? child.signalCode}): ${output}`);
    },
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Registers `user` from `port` with digest and waits for the 200; throws with sipp's output if not. */
export async function registerAgent(o: Omit<SippOptions, 'scenario'>, teardown: (fn: () => void) => void): Promise<void> {
  const run = runSipp({ ...o, scenario: 'register', timeoutS: o.timeoutS ?? 30 });
  teardown(() => run.stop());
  const { code, output } = await run.result;
  if (code !== 0) throw new Error(`sipp could not register ${o.user} (exit ${code}):\n${output}\n${await run.messages()}`);
}
