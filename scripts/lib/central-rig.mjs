// Central as a process for the bench and `npm start`: `countyline-central` on loopback with
// free ports and its own data folder, and a small client for its HTTP API. Like the bench
// rig, everything it starts is killed by stop(), by a failure while starting, and by the
// exit of the process that started it.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { running, startProcess, stopProcess } from './bench-rig.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CENTRAL_CLI = join(root, 'control-plane', 'dist', 'cli', 'main.js');

/**
 * Starts `countyline-central` and resolves once it says it is ready. `dir` keeps its data
 * folder and log (a restart passes the same one); `args` are extra command-line arguments.
 */
export async function startCentral(options = {}) {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'countyline-central-')));
  const adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
  const http = options.httpPort ?? 0;
  const mqtt = options.mqttPort ?? 0;
  const args = [CENTRAL_CLI, '--data', join(dir, 'data'), '--host', '127.0.0.1', '--http', String(http), '--mqtt', String(mqtt), '--ready-json', ...(options.args ?? [])];
  const proc = startProcess('central', process.execPath, args, join(dir, 'central.log'), { env: { COUNTYLINE_ADMIN_TOKEN: adminToken, ...(options.env ?? {}) } });
  const central = { dir, proc, adminToken, httpUrl: null, mqttUrl: null };
  try {
    const ready = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('central did not report ready in 20 s')), 20_000);
      createInterface({ input: proc.child.stdout }).on('line', (line) => {
        proc.keep(`${line}\n`);
        let msg;
        try {
          msg = JSON.parse(line);
        } catch {
          return;
        }
        if (msg.event === 'ready') {
          clearTimeout(timer);
          resolve(msg);
        }
      });
      proc.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`central exited (${signal ?? code}) before ready`));
      });
    });
    central.httpUrl = ready.http;
    central.mqttUrl = ready.mqtt;
  } catch (err) {
    await stopProcess(proc, 'SIGKILL');
    err.message += `\n--- central log\n${proc.output.join('').slice(-4000)}`;
    if (!options.dir) await rm(dir, { recursive: true, force: true });
    throw err;
  }

  /** Calls the API; resolves with { status, body } whatever the status. */
  central.request = async (method, path, body, token = adminToken) => {
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${central.httpUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (/metrics): the text as it is.
    }
    return { status: res.status, body: parsed };
  };
  /** Calls the API and fails unless the status is `expect` (or one of them). */
  central.api = async (method, path, body, { expect = [200, 201, 202], token } = {}) => {
    const r = await central.request(method, path, body, token);
    if (![expect].flat().includes(r.status)) throw new Error(`${method} ${path} -> ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  central.running = () => running(proc);
  central.log = () => proc.output.join('');
  /** Stops central (SIGTERM, or the signal given); the data folder stays for a restart. */
  central.stopProcess = (signal = 'SIGTERM') => stopProcess(proc, signal);
  central.stop = async () => {
    await stopProcess(proc);
    if (!options.dir && !options.keepDir) await rm(dir, { recursive: true, force: true });
  };
  return central;
}
