// Central under many boxes, on this machine. Real processes: `countyline-central` (embedded
// broker, SQLite store), a swarm of box doubles in its own process (bench/lib/box-swarm.mjs:
// the box's MQTT contract and nothing else), and, for the alarm latency, one real box
// (socat, the card simulator and the firmware) among them.
//
// - Telemetry into the store: 50 boxes each publish 200 CDRs at QoS 1, 10 in flight each.
//   Central acknowledges a publish only once it is in the store, so the time to the last
//   PUBACK is the time to store them all. Debian's mosquitto (no persistence, no access
//   rules, one subscriber taking everything at QoS 1) carries the same load in the same run:
//   it does no checking and no storing, so the ratio says what central's work costs.
// - Alarm latency with 1,000 boxes connected: the real box's FXO line 4 unplugged and
//   plugged again, 20 times; from the simulator taking the fault (the card event) and from
//   the box's own raise and clear times, to the first 50 ms poll of the API that shows it.
// - Central's resident memory with 1,000 and then 5,000 idle boxes connected.
//
// The boxes are put in the store before central starts (one password hash for all: enrolling
// 5,000 boxes through the API would measure scrypt, not central). Central's connection rate
// limit is raised for the swarm, which connects from one address.
//
// Run through `npm run bench` (builds first), or `node bench/run.mjs central`.
// COUNTYLINE_BENCH_KEEP=1 keeps the folders (logs, the SQLite file) and prints where.
import { fork, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { requireTool, startRig, waitFor } from '../scripts/lib/bench-rig.mjs';
import { startCentral } from '../scripts/lib/central-rig.mjs';
import { hashPassword, newSecret } from '../control-plane/dist/auth/secrets.js';
import { openStore } from '../control-plane/dist/store/sql-store.js';

export const title = 'Central: telemetry into the store, alarm latency, memory per box';

const here = dirname(fileURLToPath(import.meta.url));
const keep = process.env.COUNTYLINE_BENCH_KEEP === '1';

function rssMiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
}

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The swarm process and a request/answer call over IPC. */
function startSwarm() {
  const child = fork(join(here, 'lib', 'box-swarm.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const pending = new Map();
  child.on('message', (msg) => {
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`the box swarm exited (${code})`));
  });
  const call = (op, args = {}) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      child.send({ id, op, ...args });
    });
  return { child, call, stop: () => child.kill('SIGKILL') };
}

/** Boxes `prefix-0 .. prefix-(n-1)` in a site, all with one password, written into central's SQLite file. */
async function seedBoxes(dataDir, prefix, n, password) {
  const store = openStore({ kind: 'sqlite', file: join(dataDir, 'central.sqlite') });
  await store.migrate();
  const hash = await hashPassword(password);
  await store.createSite({ id: `${prefix}-site`, name: 'bench', county: 'bench' });
  const ids = [];
  for (let i = 0; i < n; i++) {
    const id = `${prefix}-${i}`;
    await store.createBox({ id, site: `${prefix}-site`, name: id, createdAt: Date.now() });
    await store.setEnrolment(id, `bench-token-${id}`, Date.now() + 60_000);
    await store.redeemEnrolment(`bench-token-${id}`, hash, Date.now());
    ids.push(id);
  }
  await store.close();
  return ids;
}

// Every bench box connects from 127.0.0.1.
const CENTRAL_ARGS = ['--log-level', 'warn', '--connects-per-second', '2000', '--connections-per-address', '10000'];

async function throughput(quick) {
  const boxes = 50;
  const perBox = quick ? 40 : 200;
  const dir = await mkdtemp(join(tmpdir(), 'countyline-bench-central-'));
  const password = newSecret();
  const ids = await seedBoxes(join(dir, 'data'), 'tp', boxes, password);
  const central = await startCentral({ dir, keepDir: keep, args: CENTRAL_ARGS });
  const swarm = startSwarm();
  try {
    const c = await swarm.call('connect', { url: central.mqttUrl, ids, password, concurrency: 10 });
    if (c.failed > 0) throw new Error(`${c.failed} boxes could not connect to central: ${c.firstError}`);
    const ours = await swarm.call('flood', { count: boxes, perBox, window: 10, kind: 'cdr' });
    await swarm.call('close');

    // The same load on mosquitto, with one subscriber taking it all.
    requireTool('mosquitto', 'the yardstick the central benchmark measures against');
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 0\nmax_queued_messages 0\n`);
    const mosquitto = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
    try {
      const url = `mqtt://127.0.0.1:${port}`;
      const sub = await waitFor('mosquitto to take a subscriber', () => new Promise((resolve) => {
        const client = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 0, clean: true, clientId: 'bench-sub' });
        client.once('connect', () => client.subscribe('cl/v1/+/cdr', { qos: 1 }, () => resolve(client)));
        client.once('error', () => resolve(null));
      }), 10_000);
      let received = 0;
      sub.on('message', () => (received += 1));
      const c2 = await swarm.call('connect', { url, ids, password: 'unused', concurrency: 10 });
      if (c2.failed > 0) throw new Error(`${c2.failed} boxes could not connect to mosquitto: ${c2.firstError}`);
      const started = performance.now();
      const theirs = await swarm.call('flood', { count: boxes, perBox, window: 10, kind: 'cdr' });
      await waitFor('the subscriber to get every message', () => received >= theirs.messages, 60_000, { intervalMs: 5 });
      const theirMs = Math.max(theirs.ms, performance.now() - started);
      sub.end(true);
      await swarm.call('close');
      return { messages: ours.messages, oursPerSecond: ours.messages / (ours.ms / 1000), mosquittoPerSecond: theirs.messages / (theirMs / 1000) };
    } finally {
      mosquitto.kill('SIGKILL');
    }
  } finally {
    swarm.stop();
    await central.stop();
    if (!keep) await rm(dir, { recursive: true, force: true });
    else console.error(`kept ${dir}`);
  }
}

async function fleet(quick) {
  const sizes = quick ? [100, 200] : [1000, 5000];
  const dir = await mkdtemp(join(tmpdir(), 'countyline-bench-fleet-'));
  const password = newSecret();
  const ids = await seedBoxes(join(dir, 'data'), 'fl', sizes.at(-1), password);
  const central = await startCentral({ dir, keepDir: keep, args: CENTRAL_ARGS });
  const swarm = startSwarm();
  const rss = { idle0: rssMiB(central.proc.child.pid) };
  let rig = null;
  try {
    // The real box, enrolled through the API as a technician does.
    await central.api('POST', '/api/v1/sites', { id: 'real', name: 'real', county: 'real' });
    const created = await central.api('POST', '/api/v1/boxes', { id: 'real-box', site: 'real', name: 'real box' });
    rig = await startRig({ firmware: false, keepDir: keep });
    await rig.cli(['provision', '--central', central.httpUrl, '--token', created.enrolmentToken]);
    await rig.startFirmware();
    await waitFor('the real box online', async () => (await central.api('GET', '/api/v1/boxes/real-box')).online, 30_000);

    const c = await swarm.call('connect', { url: central.mqttUrl, ids: ids.slice(0, sizes[0] - 1), password, concurrency: 20 });
    if (c.failed > 0) throw new Error(`${c.failed} boxes could not connect: ${c.firstError}`);
    await new Promise((r) => setTimeout(r, 5000));
    globalThis.gc?.();
    rss[sizes[0]] = rssMiB(central.proc.child.pid);

    // Alarm latency: FXO line 4 out and back, with the fleet connected.
    const cycles = quick ? 3 : 20;
    const fromCard = [];
    const fromBox = [];
    const seen = async (state, match) => {
      for (;;) {
        const { alarms } = await central.api("GET", `/api/v1/alarms?state=${state}&box=real-box&limit=20`);
        const hit = alarms.find(match);
        if (hit) return { alarm: hit, at: Date.now() };
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    for (let i = 0; i < cycles; i++) {
      const outAt = Date.now();
      await rig.simPost('/fxo/4/line', { plugged: false });
      const raised = await seen('active', (a) => a.source === 'fxo/4' && a.type === 'fxo-unplugged');
      fromCard.push(raised.at - outAt);
      fromBox.push(raised.at - raised.alarm.raisedAt);
      const backAt = Date.now();
      await rig.simPost('/fxo/4/line', { plugged: true });
      const cleared = await seen('cleared', (a) => a.id === raised.alarm.id);
      fromCard.push(cleared.at - backAt);
      fromBox.push(cleared.at - cleared.alarm.clearedAt);
    }
    fromCard.sort((a, b) => a - b);
    fromBox.sort((a, b) => a - b);

    const more = await swarm.call('connect', { url: central.mqttUrl, ids: ids.slice(sizes[0] - 1), password, concurrency: 20 });
    if (more.failed > 0) throw new Error(`${more.failed} boxes could not connect: ${more.firstError}`);
    await new Promise((r) => setTimeout(r, 5000));
    rss[sizes[1]] = rssMiB(central.proc.child.pid);
    return { sizes, rss, fromCard, fromBox };
  } finally {
    swarm.stop();
    await rig?.stop();
    await central.stop();
    if (!keep) await rm(dir, { recursive: true, force: true });
    else console.error(`kept ${dir}`);
  }
}

export default async function run({ quick }) {
  const tp = await throughput(quick);
  const fl = await fleet(quick);
  const ms = (v) => `${Math.round(v)} ms`;
  const rows = [
    ['CDRs into the store (50 boxes, QoS 1, 10 in flight each)', `${Math.round(tp.oursPerSecond)} messages/s`],
    ['mosquitto 2.0, same load, no checks, no store', `${Math.round(tp.mosquittoPerSecond)} messages/s`],
    ['central / mosquitto', `${(tp.oursPerSecond / tp.mosquittoPerSecond).toFixed(2)}`],
    [`alarm latency, card event -> API, ${fl.sizes[0]} boxes (p50 / p99, includes the box's 1 s line check)`, `${ms(quantile(fl.fromCard, 0.5))} / ${ms(quantile(fl.fromCard, 0.99))}`],
    [`alarm latency, box raise/clear -> API, ${fl.sizes[0]} boxes (p50 / p99)`, `${ms(quantile(fl.fromBox, 0.5))} / ${ms(quantile(fl.fromBox, 0.99))}`],
    ['central RSS, no boxes', `${fl.rss.idle0.toFixed(0)} MiB`],
    [`central RSS, ${fl.sizes[0]} idle boxes`, `${fl.rss[fl.sizes[0]].toFixed(0)} MiB`],
    [`central RSS, ${fl.sizes[1]} idle boxes`, `${fl.rss[fl.sizes[1]].toFixed(0)} MiB`],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const text = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
  const markdown = `| measure | value |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}\n\nAlarm latency over ${fl.fromBox.length} alarm changes (${fl.fromBox.length / 2} unplug/plug cycles).`;
  return { text, markdown };
}
