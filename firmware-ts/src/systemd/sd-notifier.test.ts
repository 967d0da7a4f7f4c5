import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import { SdNotifier } from './sd-notifier.js';

// The notifier against a real AF_UNIX datagram socket that plays systemd's part. The socket
// is Python's (no code shared with the notifier): it prints each datagram it receives, with
// the time it came, as one JSON line.

const RECEIVER = `
import json, socket, sys, time
addr = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(('\\0' + addr[1:]) if addr.startswith('@') else addr)
print(json.dumps({'listening': True}), flush=True)
while True:
    data = s.recv(65536)
    print(json.dumps({'at': time.monotonic() * 1000, 'data': data.decode()}), flush=True)
`;

for (const tool of ['socat', 'python3']) {
  if (spawnSync(tool, ['-V'], { stdio: 'ignore' }).error) throw new Error(`${tool} is needed by this test: apt-get install ${tool}`);
}

interface Datagram {
  at: number;
  data: string;
}

/** A datagram socket at `address` (a path, or @name) that collects what arrives. */
async function systemdSocket(t: Test, address: string) {
  const child = spawn('python3', ['-c', RECEIVER, address], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void child.kill());
  const got: Datagram[] = [];
  const lines = createInterface({ input: child.stdout });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the receiver exited with ${code}`)));
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as Datagram | { listening: true };
      if ('listening' in msg) resolve();
      else got.push(msg);
    });
  });
  return {
    got,
    /** Resolves once `n` datagrams came (fails after 5 s). */
    async count(n: number): Promise<Datagram[]> {
      const deadline = Date.now() + 5000;
      while (got.length < n) {
        if (Date.now() > deadline) throw new Error(`${n} datagrams expected in 5 s, got ${JSON.stringify(got)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return got.slice(0, n);
    },
  };
}

async function tempDir(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'cl-notify-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function logged() {
  const lines: { level: number; msg: string }[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as { level: number; msg: string }) });
  return { log, lines };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('without NOTIFY_SOCKET there is no notifier (and no socat)', async (t) => {
  const env: NodeJS.ProcessEnv = { WATCHDOG_USEC: '1000000' };
  t.equal(SdNotifier.fromEnv({ env, pid: process.pid, log: logged().log, socat: '/nonexistent/socat' }), null);
});

t.test('READY=1 and STATUS= reach the socket; each write is one datagram', async (t) => {
  const path = join(await tempDir(t), 'notify');
  const systemd = await systemdSocket(t, path);
  const env: NodeJS.ProcessEnv = { NOTIFY_SOCKET: path };
  const notifier = SdNotifier.fromEnv({ env, pid: process.pid, log: logged().log })!;
  t.teardown(() => notifier.close());
  t.equal(env.NOTIFY_SOCKET, undefined, 'NOTIFY_SOCKET is not passed on to children');
  notifier.ready('card up');
  await systemd.count(1);
  notifier.status('2 calls');
  await systemd.count(2);
  notifier.stopping('stopping');
  const got = await systemd.count(3);
  t.same(got.map((d) => d.data), ['READY=1\nSTATUS=card up\n', 'STATUS=2 calls\n', 'STOPPING=1\nSTATUS=stopping\n']);
});

t.test('an abstract socket (NOTIFY_SOCKET=@name)', async (t) => {
  const name = `@countyline-test-${process.pid}-${Date.now()}`;
  const systemd = await systemdSocket(t, name);
  const notifier = SdNotifier.fromEnv({ env: { NOTIFY_SOCKET: name }, pid: process.pid, log: logged().log })!;
  t.teardown(() => notifier.close());
  notifier.ready('up');
  t.same((await systemd.count(1)).map((d) => d.data), ['READY=1\nSTATUS=up\n']);
});

t.test('messages written together still arrive whole: every line of every message, in order', async (t) => {
  const path = join(await tempDir(t), 'notify');
  const systemd = await systemdSocket(t, path);
  const notifier = SdNotifier.fromEnv({ env: { NOTIFY_SOCKET: path }, pid: process.pid, log: logged().log })!;
  for (let i = 0; i < 50; i++) notifier.status(`n${i}`);
  await notifier.close(5000);
  await sleep(100);
  const text = systemd.got.map((d) => d.data).join('');
  t.equal(text, Array.from({ length: 50 }, (_, i) => `STATUS=n${i}\n`).join(''));
  t.ok(systemd.got.every((d) => d.data.endsWith('\n')), 'no datagram ends inside a line');
});

t.test('watchdog pings at half WATCHDOG_USEC from the event loop, and none while the loop is blocked', async (t) => {
  const path = join(await tempDir(t), 'notify');
  const systemd = await systemdSocket(t, path);
  const notifier = SdNotifier.fromEnv({ env: { NOTIFY_SOCKET: path, WATCHDOG_USEC: '400000', WATCHDOG_PID: String(process.pid) }, pid: process.pid, log: logged().log })!;
  t.teardown(() => notifier.close());
  t.same(notifier.watchdog, { timeoutMs: 400, pingEveryMs: 200 });
  await systemd.count(4);
  const blockedFrom = performance.now();
  while (performance.now() - blockedFrom < 1000);
  const before = systemd.got.length;
  await sleep(500);
  const pings = systemd.got.filter((d) => d.data === 'WATCHDOG=1\n');
  t.equal(pings.length, systemd.got.length, 'only pings were sent');
  const gaps = pings.slice(1).map((d, i) => d.at - pings[i]!.at);
  const longest = Math.max(...gaps);
  t.ok(longest >= 900, `a gap of ${Math.round(longest)} ms while the loop was blocked for 1000 ms`);
  t.ok(gaps.filter((g) => g < 400).length >= 3, `pings about every 200 ms otherwise: ${gaps.map(Math.round).join(', ')}`);
  t.ok(systemd.got.length > before, 'pings again once the loop runs');
});

t.test("WATCHDOG_PID of another process: no pings (the watchdog is not this process's)", async (t) => {
  const path = join(await tempDir(t), 'notify');
  const systemd = await systemdSocket(t, path);
  const notifier = SdNotifier.fromEnv({ env: { NOTIFY_SOCKET: path, WATCHDOG_USEC: '100000', WATCHDOG_PID: '1' }, pid: process.pid, log: logged().log })!;
  t.teardown(() => notifier.close());
  await sleep(400);
  notifier.ready('up');
  t.same((await systemd.count(1)).map((d) => d.data), ['READY=1\nSTATUS=up\n'], 'READY only');
});

t.test('socat missing: a clear error in the log, counted in the metrics', async (t) => {
  const { log, lines } = logged();
  const notifier = SdNotifier.fromEnv({ env: { NOTIFY_SOCKET: '/run/nowhere/notify' }, pid: process.pid, log, socat: '/nonexistent/socat' })!;
  t.teardown(() => notifier.close());
  const registry = new Registry();
  notifier.registerMetrics(registry);
  notifier.ready('up');
  await sleep(200);
  const error = lines.find((l) => l.level === 50);
  t.match(error?.msg, /socat is not installed.*apt-get install socat/);
  t.match(await registry.metrics(), /countyline_systemd_notify_errors_total\{reason="socat-missing"\} 1/);
});

t.test('socat that ends (no socket there) is logged, counted and started again on a later message', async (t) => {
  const dir = await tempDir(t);
  const { log, lines } = logged();
  const notifier = SdNotifier.fromEnv({ env: { NOTIFY_SOCKET: join(dir, 'notify') }, pid: process.pid, log, respawnMs: 0 })!;
  t.teardown(() => notifier.close());
  notifier.ready('up');
  const deadline = Date.now() + 5000;
  while (notifier.errors['socat-exited'] === 0 && Date.now() < deadline) await sleep(20);
  t.equal(notifier.errors['socat-exited'], 1);
  t.match(lines.find((l) => l.level === 50)?.msg, /socat for systemd notifications ended/);
  const systemd = await systemdSocket(t, join(dir, 'notify'));
  notifier.status('back');
  t.same((await systemd.count(1)).map((d) => d.data), ['STATUS=back\n']);
});
