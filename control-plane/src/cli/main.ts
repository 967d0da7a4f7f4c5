import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Central } from '../central.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../commands/command-deadline.js';

const USAGE = `usage: countyline-central --data <dir> [--http <port>] [--mqtt <port>] [--host <address>]
       [--postgres <url>] [--tls-key <file> --tls-cert <file>] [--public-mqtt-url <url>]
       [--webhook <url>] [--connects-per-second <n>] [--connections-per-address <n>] [--cdr-days <n>] [--history-days <n>]
       [--command-timeout <seconds>] [--log-level <level>] [--ready-json]

  --data             where central keeps its SQLite store (created if missing)
  --http             HTTP API and ops page port (default 8080)
  --mqtt             MQTT port for boxes (default 1883, 8883 with TLS)
  --host             address to listen on (default 0.0.0.0)
  --postgres         store in PostgreSQL instead (postgres://user:pass@host/db); also COUNTYLINE_POSTGRES_URL
  --public-mqtt-url  the broker's address as boxes reach it, given to them at enrolment
  --webhook          POST critical alarms here (the duty leader's SMS gateway)
  --connects-per-second  MQTT connection attempts allowed per second from one address (default 20, burst 10x)
  --connections-per-address  open MQTT sockets allowed from one address (default 50)
  --cdr-days         keep CDRs this many days (default 400)
  --history-days     keep cleared alarms, events and KPI intervals this many days (default 400)
  --command-timeout  seconds to wait for a box to answer a command before it shows timed-out (default 300)
  --ready-json       print one JSON line {"event":"ready",...} on stdout when listening

The first admin API token comes from COUNTYLINE_ADMIN_TOKEN, or is made and printed once.`;

function fail(message: string): never {
  process.stderr.write(`countyline-central: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) fail(`--${name} ${value}: give a port number 0-65535 (0 picks a free one)`);
  return n;
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} ${value}: give a whole number, 1 or more`);
  return n;
}

function days(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} ${value}: give a whole number of days, 1 or more`);
  return n;
}

/** A box answers in seconds; more than a day is more likely milliseconds typed as seconds. */
const MAX_COMMAND_TIMEOUT_S = 86_400;

function commandTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_COMMAND_TIMEOUT_MS / 1000;
  // Digits only: Number() would also take '1e3', '0x10' and ' 5'.
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > MAX_COMMAND_TIMEOUT_S) fail(`--command-timeout ${value}: give a whole number of seconds from 1 to ${MAX_COMMAND_TIMEOUT_S} (a day)`);
  return Number(value);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      data: { type: 'string' },
      http: { type: 'string' },
      mqtt: { type: 'string' },
      host: { type: 'string' },
      postgres: { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-cert': { type: 'string' },
      'public-mqtt-url': { type: 'string' },
      webhook: { type: 'string' },
      'connects-per-second': { type: 'string' },
      'connections-per-address': { type: 'string' },
      'cdr-days': { type: 'string' },
      'history-days': { type: 'string' },
      'command-timeout': { type: 'string' },
      'log-level': { type: 'string' },
      'ready-json': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (err) {
  fail((err as Error).message);
}
const v = parsed.values;
if (v.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!v.data) fail('--data <dir> is required');
if (Boolean(v['tls-key']) !== Boolean(v['tls-cert'])) fail('--tls-key and --tls-cert go together');
const tls = v['tls-key'] && v['tls-cert'] ? { key: readFileSync(v['tls-key']), cert: readFileSync(v['tls-cert']) } : undefined;

const log = pino({ level: v['log-level'] ?? 'info' }, pino.destination(2));
const central = new Central(
  {
    dataDir: v.data,
    postgresUrl: v.postgres ?? process.env.COUNTYLINE_POSTGRES_URL,
    host: v.host ?? '0.0.0.0',
    httpPort: port('http', v.http, 8080),
    mqttPort: port('mqtt', v.mqtt, tls ? 8883 : 1883),
    publicMqttUrl: v['public-mqtt-url'],
    tls,
    webhookUrl: v.webhook,
    limits: {
      ...(v['connects-per-second'] ? { connectsPerSecond: positive('connects-per-second', v['connects-per-second']), connectBurst: 10 * positive('connects-per-second', v['connects-per-second']) } : {}),
      ...(v['connections-per-address'] ? { maxConnectionsPerAddress: positive('connections-per-address', v['connections-per-address']) } : {}),
    },
    adminToken: process.env.COUNTYLINE_ADMIN_TOKEN,
    retention: { cdrDays: days('cdr-days', v['cdr-days'], 400), historyDays: days('history-days', v['history-days'], 400) },
    enrolmentTtlMs: 7 * 86_400_000,
    commandTimeoutMs: commandTimeout(v['command-timeout']) * 1000,
  },
  log,
);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'central stopping');
  const timer = setTimeout(() => {
    log.error('central did not stop within 15 s; exiting');
    process.exit(1);
  }, 15_000);
  timer.unref();
  try {
    await central.stop();
    log.info('central stopped');
    process.exit(0);
  } catch (err) {
    log.error({ err }, 'central stopped with an error');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

try {
  await central.start();
} catch (err) {
  log.fatal({ err }, 'central could not start');
  process.stderr.write(`countyline-central: could not start: ${(err as Error).message}\n`);
  await central.stop().catch(() => undefined);
  process.exit(1);
}
log.info({ http: central.httpUrl, mqtt: central.mqttUrl }, 'central ready');
if (central.newAdminToken) process.stderr.write(`countyline-central: first admin API token (shown once; keep it safe): ${central.newAdminToken}\n`);
if (v['ready-json']) process.stdout.write(`${JSON.stringify({ event: 'ready', http: central.httpUrl, mqtt: central.mqttUrl })}\n`);
else process.stdout.write(`central ready: API ${central.httpUrl}/api/v1 (docs ${central.httpUrl}/api/docs), MQTT ${central.mqttUrl}\n`);
