import mqtt from 'mqtt';
import pino from 'pino';
import t from 'tap';
import { Central, type CentralOptions } from './central.js';

const ADMIN = 'admin-token-for-the-central-test';

function options(dataDir: string): CentralOptions {
  return { dataDir, host: '127.0.0.1', httpPort: 0, mqttPort: 0, adminToken: ADMIN, retention: { cdrDays: 400, historyDays: 400 }, enrolmentTtlMs: 3_600_000 };
}

async function call(central: Central, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${central.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

t.test('a desired config set before central restarts still reaches the box after it', async (t) => {
  const dir = t.testdir();
  const first = new Central(options(dir), pino({ level: 'silent' }));
  await first.start();
  let stopped = false;
  t.teardown(() => (stopped ? undefined : first.stop()));
  await call(first, 'POST', '/api/v1/sites', { id: 'north', name: 'North county', county: 'North' });
  const { enrolmentToken } = await call(first, 'POST', '/api/v1/boxes', { id: 'north-1', site: 'north', name: 'North box 1' });
  const { mqtt: credentials } = await call(first, 'POST', '/api/v1/enrol', { token: enrolmentToken });
  const { revision } = await call(first, 'PUT', '/api/v1/boxes/north-1/config', { config: { calls: { ringTimeoutMs: 20_000 } } });
  await first.stop();
  stopped = true;

  // The broker's retained messages lived in the old process's memory only.
  const second = new Central(options(dir), pino({ level: 'silent' }));
  await second.start();
  t.teardown(() => second.stop());
  const client = await mqtt.connectAsync(second.mqttUrl, { protocolVersion: 4, clientId: 'north-1', username: credentials.username, password: credentials.password, reconnectPeriod: 0 });
  t.teardown(() => client.endAsync(true));
  const received = new Promise<{ retain: boolean; payload: any }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no desired config reached the box within 10 s of subscribing')), 10_000);
    client.once('message', (_topic, payload, packet) => {
      clearTimeout(timer);
      resolve({ retain: packet.retain, payload: JSON.parse(payload.toString()) });
    });
  });
  await client.subscribeAsync('cl/v1/north-1/config/desired', { qos: 1 });
  const message = await received;
  t.equal(message.retain, true, 'retained, as the box finds it when it subscribes');
  t.match(message.payload, { v: 1, revision, config: { calls: { ringTimeoutMs: 20_000 } } }, 'the revision set before the restart');
});
