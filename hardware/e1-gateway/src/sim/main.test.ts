import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import t from 'tap';
import { systemClock } from '../clock.js';
import { CardLink, type CardMessage } from '../protocol/index.js';

/**
 * Bench test: `countyline-sim` as its own process on a real pty pair made by socat, with
 * a host CardLink on the other end. Needs socat (Debian `socat`); without it this fails.
 */
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

function waitFor<T>(what: string, ms: number, check: () => T | undefined): Promise<T> {
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

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

t.test('countyline-sim on a socat pty pair', async (t) => {
  const probe = spawnSync('socat', ['-V'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    t.fail(`socat is needed for this test and could not be run (${probe.error?.message ?? `exit ${probe.status}`}); install it with: apt-get install socat`);
    return;
  }
  // Run main.ts the way tap runs this file: with its TypeScript loader.
  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript') || a === '--enable-source-maps');
  if (!loader.some((a) => a.includes('@tapjs/typescript'))) {
    t.fail('run this test through tap (npx tap ...): main.ts needs its TypeScript loader');
    return;
  }

  const dir = mkdtempSync(join(tmpdir(), 'cl-sim-pty-'));
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

  const env = { ...process.env };
  delete env.TAP_CHILD_ID;
  delete env.TAP;
  const sim = spawn(process.execPath, [...loader, MAIN, '--port', cardPath, '--proving-ms', '100', '--log-level', 'info'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  running.sim = sim;
  sim.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const lines: string[] = [];
  createInterface({ input: sim.stdout! }).on('line', (line) => lines.push(line));
  const ready = await waitFor(`the ready line (stderr so far: ${stderr})`, 60_000, () => lines[0]).catch((err: Error) => {
    throw new Error(`${err.message}; stderr: ${stderr}`);
  });
  const readyLine = JSON.parse(ready) as { event: string; control: string; port: string };
  t.match(readyLine, { event: 'ready', control: /^http:\/\/127\.0\.0\.1:\d+$/, port: cardPath });
  t.same(Object.keys(readyLine), ['event', 'control', 'port'], 'exactly the documented fields');

  // The host end: a CardLink over the other pty.
  const received: CardMessage[] = [];
  const port = new SerialPort({ path: hostPath, baudRate: 115200, autoOpen: false });
  running.hostPort = port;
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const host = new CardLink({ role: 'host', clock: systemClock, write: (bytes) => void port.write(bytes) });
  port.on('data', (chunk: Buffer) => host.receive(chunk));
  host.on('message', (m) => received.push(m));
  t.teardown(() => host.close());

  t.same(await host.request({ type: 'hello', hostName: 'bench' }), {
    type: 'inventory',
    model: 'CL-E1F-108',
    serial: 'SIM-0001',
    firmware: 'sim-1.0',
    spans: 1,
    fxoPorts: 5,
    links: 2,
  });
  await waitFor('a heartbeat', 3000, () => received.find((m) => m.type === 'heartbeat'));

  await host.request({ type: 'linkConfig', link: 0, span: 0, timeslot: 16, mode: 'mtp2' });
  await host.request({ type: 'linkControl', link: 0, action: 'start' });
  await waitFor('link 0 in service', 3000, () => received.find((m) => m.type === 'linkState' && m.state === 'in-service'));

  const res = await fetch(`${readyLine.control}/spans/0/defects`, { method: 'POST', body: JSON.stringify({ ais: true }) });
  t.equal(res.status, 200);
  const status = await waitFor('spanStatus with AIS', 3000, () => received.find((m) => m.type === 'spanStatus' && m.defects.ais));
  t.match(status, { type: 'spanStatus', span: 0, defects: { ais: true } });
  await waitFor('link 0 out of service', 3000, () => received.find((m) => m.type === 'linkState' && m.state === 'out-of-service'));
  const state = (await (await fetch(`${readyLine.control}/state`)).json()) as { links: { state: string }[]; serial: { link: { framesReceived: number } } };
  t.equal(state.links[0]?.state, 'out-of-service');
  t.ok(state.serial.link.framesReceived >= 3, 'the card counted the host frames');

  sim.kill('SIGTERM');
  t.equal(await exited(sim), 0, 'SIGTERM: exit 0');
  t.equal(lines.length, 1, 'exactly one line on stdout');
  const logs = stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { name?: string; msg?: string });
  t.ok(
    logs.some((l) => l.name === 'sim' && l.msg === 'fault injected: span-defects'),
    'the fault is logged as JSON on stderr',
  );
});
