// A swarm of lightweight box doubles for the central benchmark: each speaks the box's MQTT
// contract (client id and user name = box id, retained status online with its last will,
// a birth, then whatever the parent asks for), and nothing else: no card, no calls. Runs as
// its own process (forked), so its sockets and memory are not counted as central's; the
// parent drives it over IPC and gets one answer per request.
//
//   connect {url, ids, password, concurrency}   -> {connected, failed, firstError}
//   flood   {count, perBox, window, kind}       -> {messages, ms}   (count boxes, QoS 1)
//   alarm   {id, source, type, change}          -> {sentAt}
//   close                                       -> {}
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';

const clients = new Map();

function header(box) {
  box.seq += 1;
  return { v: 1, seq: box.seq, ts: Date.now(), bdSeq: box.bdSeq };
}

function birth(box) {
  return {
    ...header(box),
    software: { version: 'swarm', node: process.version },
    inventory: { hostName: box.id, card: {} },
    spans: [{ span: 0, alarm: 'none', causes: [] }],
    fxo: [0, 1, 2, 3, 4].map((port) => ({ port, line: 'present', voltage: -48 })),
    circuits: { total: 30, idle: 30, busy: 0, blocked: 0, list: [] },
    alarms: [],
    agents: null,
    queue: null,
  };
}

function cdr(box) {
  const now = Date.now();
  return {
    ...header(box),
    cdr: {
      id: `${box.id}-${box.seq}`,
      line: { kind: 'fxo', port: box.seq % 5 },
      calling: '13800138000',
      called: '12345',
      agent: 'agent1',
      arrivedAt: now - 60_000,
      offeredAt: now - 59_000,
      answeredAt: now - 50_000,
      endedAt: now,
      result: 'answered',
      reason: null,
      hungUpBy: 'caller',
      cause: 16,
    },
  };
}

function connectOne(url, id, password) {
  return new Promise((resolve) => {
    const box = { id, seq: 0, bdSeq: 1, client: null };
    const will = { topic: `cl/v1/${id}/status`, payload: JSON.stringify({ v: 1, seq: 0, ts: Date.now(), bdSeq: 1, online: false }), qos: 1, retain: true };
    const client = mqtt.connect(url, { protocolVersion: 4, clientId: id, username: id, password, clean: true, reconnectPeriod: 0, keepalive: 60, connectTimeout: 120_000, will });
    box.client = client;
    client.once('connect', () => {
      client.publish(`cl/v1/${id}/status`, JSON.stringify({ ...header(box), seq: box.seq, online: true }), { qos: 1, retain: true });
      box.seq -= 1; // status takes no seq of its own
      client.publish(`cl/v1/${id}/birth`, JSON.stringify(birth(box)), { qos: 1 }, () => resolve({ box }));
    });
    client.once('error', (err) => {
      client.end(true);
      resolve({ error: err.message });
    });
    client.once('close', () => resolve({ error: 'closed before connecting' }));
  });
}

async function connect({ url, ids, password, concurrency = 50 }) {
  let next = 0;
  let failed = 0;
  let firstError = null;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      const r = await connectOne(url, id, password);
      if (r.box) clients.set(id, r.box);
      else {
        failed += 1;
        firstError ??= `${id}: ${r.error}`;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { connected: clients.size, failed, firstError };
}

/** `count` boxes each publish `perBox` messages at QoS 1, at most `window` unacknowledged each. */
async function flood({ count, perBox, window = 10, kind = 'cdr' }) {
  const boxes = [...clients.values()].slice(0, count);
  const started = performance.now();
  await Promise.all(
    boxes.map(async (box) => {
      let sent = 0;
      const inFlight = new Set();
      while (sent < perBox) {
        while (inFlight.size < window && sent < perBox) {
          sent += 1;
          const payload = kind === 'cdr' ? cdr(box) : { ...header(box), type: 'bench', data: { n: sent } };
          const p = new Promise((resolve, reject) => box.client.publish(`cl/v1/${box.id}/${kind}`, JSON.stringify(payload), { qos: 1 }, (err) => (err ? reject(err) : resolve())));
          inFlight.add(p);
          p.finally(() => inFlight.delete(p));
        }
        await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    }),
  );
  return { messages: boxes.length * perBox, ms: performance.now() - started };
}

function alarm({ id, source, type, change }) {
  const box = clients.get(id);
  const now = Date.now();
  box.alarmAt ??= now;
  const record = {
    id: `${id}-${source}-${type}-${box.alarmAt}`,
    source,
    type,
    severity: 'critical',
    state: change === 'cleared' ? 'cleared' : 'active',
    raisedAt: box.alarmAt,
    clearedAt: change === 'cleared' ? now : null,
    lastRaisedAt: box.alarmAt,
    cause: 'LOS',
    count: 1,
  };
  if (change === 'cleared') box.alarmAt = undefined;
  box.client.publish(`cl/v1/${id}/alarm`, JSON.stringify({ ...header(box), change, alarm: record }), { qos: 1 });
  return { sentAt: now, alarmId: record.id };
}

async function close() {
  await Promise.all([...clients.values()].map((box) => new Promise((resolve) => box.client.end(true, {}, resolve))));
  clients.clear();
  return {};
}

const ops = { connect, flood, alarm, close };
process.on('message', async (msg) => {
  try {
    const result = await ops[msg.op](msg);
    process.send({ id: msg.id, ok: true, result });
  } catch (err) {
    process.send({ id: msg.id, ok: false, error: err.message });
  }
});
process.on('disconnect', () => process.exit(0));
