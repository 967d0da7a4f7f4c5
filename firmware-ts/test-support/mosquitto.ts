import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface Mosquitto {
  port: number;
  /** mqtt://127.0.0.1:<port>, or mqtts:// with `tls`. */
  url: string;
  /** With `tls`: the PEM a client trusts the broker's certificate by. */
  caFile: string | null;
  /** Stops the broker (SIGTERM) and waits for it to exit; the port stays this broker's to start again. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop()). */
  start(): Promise<void>;
  /** What the broker wrote, for a failure message. */
  output(): string;
}

/** A TCP port free on 127.0.0.1 just now (bound at 0, read, released). */
export function freeTcpPort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Debian's mosquitto on a free loopback port, anonymous clients allowed, sessions kept across a restart: a
 * real broker for the box's MQTT client to talk to. Killed in the test's teardown. Fails
 * loudly when the binary is missing (`apt-get install mosquitto`).
 */
export interface MosquittoOptions {
  /** TLS on the listener, with a self-signed certificate for 127.0.0.1 made by openssl. */
  tls?: boolean;
}

export async function startMosquitto(t: Test, o: MosquittoOptions = {}): Promise<Mosquitto> {
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is not installed (needed for the MQTT tests); run: bash scripts/setup-debian.sh`);
  const dir = await mkdtemp(join(tmpdir(), 'cl-mosquitto-'));
  const port = await freeTcpPort();
  const conf = join(dir, 'mosquitto.conf');
  // Persistence in the temp dir: an observer's session (clean: false) and what was queued for
  // it outlive a stop() and start(), as on a broker restarted in production.
  const cert = join(dir, 'broker.pem');
  const key = join(dir, 'broker.key');
  if (o.tls) {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`openssl could not make the broker's certificate: ${made.stderr}`);
  }
  const tls = o.tls ? `cafile ${cert}\ncertfile ${cert}\nkeyfile ${key}\n` : '';
  // Run as root, mosquitto would switch to its own user, which may not write the temp dir.
  await writeFile(conf, `listener ${port} 127.0.0.1\n${tls}allow_anonymous true\npersistence true\npersistence_location ${dir}/\nuser ${userInfo().username}\n`);
  let child: ChildProcess | null = null;
  let log = '';

  const start = async () => {
    const proc = (child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] }));
    proc.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 15_000;
    while (!(await accepts(port))) {
      if (proc.exitCode !== null) throw new Error(`mosquitto exited (${proc.exitCode}) on port ${port}: ${log}`);
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on port ${port} within 15 s: ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    await exited;
  };
  t.teardown(async () => {
    child?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });
  await start();
  return { port, url: `${o.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`, caFile: o.tls ? cert : null, stop, start, output: () => log };
}
