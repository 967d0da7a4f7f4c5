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
import { Mtp2Link } from './mtp2/mtp2-link.js';
import { CARD_SOCKET, Mtp2PeerSocket, PEER_SOCKET } from './mtp2/peer-socket.js';

/**
 * Bench test: `countyline-sim --mtp2-peer` as its own process on a socat pty pair, a host
 * CardLink on the pty, and on the peer socket an MTP2 end in this process, as the outside
 * exchange would run one. Needs socat (Debian `socat`); without it this fails.
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

t.test('countyline-sim --mtp2-peer: link 0 aligns with an MTP2 end on the peer socket', async (t) => {
  const probe = spawnSync('socat', ['-V'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    t.fail(`socat is needed for this test and could not be run (${probe.error?.message ?? `exit ${probe.status}`}); install it with: apt-get install socat`);
    return;
  }
  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript') || a === '--enable-source-maps');
  if (!loader.some((a) => a.includes('@tapjs/typescript'))) {
    t.fail('run this test through tap (npx tap ...): main.ts needs its TypeScript loader');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cl-sim-mtp2-'));
  const cardPath = join(dir, 'card');
  const hostPath = join(dir, 'host');
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${cardPath}`, `pty,raw,echo=0,link=${hostPath}`], { stdio: 'ignore' });
  const running: { sim?: ChildProcess; hostPort?: SerialPort; far?: { link: Mtp2Link; socket: Mtp2PeerSocket } } = {};
  t.teardown(async () => {
    running.far?.link.close();
    running.far?.socket.close();
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
  const timers = 't4n=300,t2=3000,t7=1000,t17=200';
  const sim = spawn(process.execPath, [...loader, MAIN, '--port', cardPath, '--mtp2-peer', dir, '--mtp2-timers', timers, '--log-level', 'info'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.sim = sim;
  let stderr = '';
  sim.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const lines: string[] = [];
  createInterface({ input: sim.stdout! }).on('line', (line) => lines.push(line));
  const ready = await waitFor('the ready line', 60_000, () => lines[0]).catch((err: Error) => {
    throw new Error(`${err.message}; stderr: ${stderr}`);
  });
  const readyLine = JSON.parse(ready) as { control: string; mtp2Peer: { card: string; peer: string } };
  t.same(readyLine.mtp2Peer, { card: join(dir, CARD_SOCKET), peer: join(dir, PEER_SOCKET) }, 'the ready line names the sockets');
  t.ok(existsSync(join(dir, CARD_SOCKET)), 'card.sock is bound when the ready line comes');

  // The far end: an MTP2 end on peer.sock, checking the CK the card writes.
  const socket = new Mtp2PeerSocket(dir, { local: PEER_SOCKET, remote: CARD_SOCKET });
  const far = new Mtp2Link({ clock: systemClock, send: (su) => socket.send(su), timers: { t4n: 300, t7: 1000 }, fillMs: 20 });
  socket.onReceive((su) => far.receive(su));
  running.far = { link: far, socket };
  const farGot: number[][] = [];
  far.on('msu', (data) => farGot.push([...data]));
  far.start(false);

  const received: CardMessage[] = [];
  const port = new SerialPort({ path: hostPath, baudRate: 115200, autoOpen: false });
  running.hostPort = port;
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const host = new CardLink({ role: 'host', clock: systemClock, write: (bytes) => void port.write(bytes) });
  port.on('data', (chunk: Buffer) => host.receive(chunk));
  host.on('message', (m) => received.push(m));
  t.teardown(() => host.close());
  await host.request({ type: 'hello', hostName: 'bench' });
  await host.request({ type: 'linkConfig', link: 0, span: 0, timeslot: 16, mode: 'mtp2' });
  await host.request({ type: 'linkControl', link: 0, action: 'start' });
  await waitFor('link 0 in service', 20_000, () => received.find((m) => m.type === 'linkState' && m.link === 0 && m.state === 'in-service'));
  host.notify({ type: 'msu', link: 0, data: Uint8Array.of(0x85, 1, 2, 3) });
  far.sendMsu(Uint8Array.of(0x85, 4, 5, 6));
  await waitFor('the MSUs across', 10_000, () => (farGot.length > 0 && received.some((m) => m.type === 'msu') ? true : undefined));
  t.same(farGot, [[0x85, 1, 2, 3]]);
  t.match(received.find((m) => m.type === 'msu'), { link: 0, data: Uint8Array.of(0x85, 4, 5, 6) });
  t.equal(far.snapshot().counters.badFrames, 0, 'every CK the card wrote was right');

  const state = (await (await fetch(`${readyLine.control}/state`)).json()) as { links: { mtp2: { state: string; counters: { msusIn: number; msusOut: number } } | null }[]; exchange: unknown };
  t.match(state.links[0]?.mtp2, { state: 'in-service', counters: { msusIn: 1, msusOut: 1 } });
  t.equal(state.links[1]?.mtp2, null);
  t.equal(state.exchange, null, 'no built-in exchange');

  sim.kill('SIGTERM');
  t.equal(await exited(sim), 0, 'SIGTERM: exit 0');
  t.notOk(existsSync(join(dir, CARD_SOCKET)), 'card.sock removed on the way out');
});
