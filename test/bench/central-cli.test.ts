// countyline-central's --command-timeout, as an operator meets it: a bad value is refused at
// start with what to give; with a good one, a command the box never answers shows timed-out
// in the API and in /metrics, and the box's late answer still replaces it. Real processes:
// the built CLI, and an MQTT client in the box's place (it takes the command, keeps quiet,
// then answers late).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { SCHEMA_VERSION } from '@countyline/firmware/telemetry';
import { waitFor } from '../../scripts/lib/bench-rig.mjs';
import { CENTRAL_CLI, startCentral } from '../../scripts/lib/central-rig.mjs';

const BOX = 'north-1';

/** Runs the CLI to its end (killed after 15 s, should it start after all). */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CENTRAL_CLI, ...args], { timeout: 15_000 }, (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
}

t.test('--command-timeout must be a whole number of seconds from 1 to 86400: anything else is refused before central starts', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'countyline-central-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const value of ['0', '-5', '1.5', '30s', '1e3', '86401', '']) {
    const { code, stderr } = await runCli(['--data', join(dir, 'data'), '--http', '0', '--mqtt', '0', '--host', '127.0.0.1', `--command-timeout=${value}`]);
    t.equal(code, 2, `--command-timeout=${value} exits 2`);
    t.match(stderr, `countyline-central: --command-timeout ${value}: give a whole number of seconds from 1 to 86400 (a day)\nusage: countyline-central`, `--command-timeout=${value}: says what to give, then the usage`);
  }
  const help = await runCli(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /--command-timeout {2}seconds to wait for a box to answer a command before it shows timed-out \(default 300\)/, '--help says what it is');
});

t.test('a command the box never answers is timed out after --command-timeout; its late answer replaces that', async (t) => {
  const central = await startCentral({ args: ['--command-timeout', '2'] });
  t.teardown(() => central.stop());
  await central.api('POST', '/api/v1/sites', { id: 'north', name: 'North county', county: 'North' });
  const { enrolmentToken } = await central.api('POST', '/api/v1/boxes', { id: BOX, site: 'north', name: 'North box 1' });
  const { mqtt: login } = await central.api('POST', '/api/v1/enrol', { token: enrolmentToken });
  const box = await mqtt.connectAsync(central.mqttUrl, { protocolVersion: 4, clientId: BOX, username: login.username, password: login.password, reconnectPeriod: 0, connectTimeout: 10_000 });
  t.teardown(() => box.endAsync(true));
  const received: { topic: string; id: string }[] = [];
  box.on('message', (topic, payload) => received.push({ topic, id: (JSON.parse(payload.toString()) as { id: string }).id }));
  await box.subscribeAsync(`cl/v1/${BOX}/cmd/+`, { qos: 1 });

  const { id } = await central.api('POST', `/api/v1/boxes/${BOX}/commands`, { name: 'block', params: { cic: 5 } });
  await waitFor('the command at the box', () => received.find((m) => m.id === id), 10_000);
  const sent = await central.api('GET', `/api/v1/commands/${id}`);
  t.match(sent, { state: 'sent', timedOutAt: null });
  t.equal(sent.deadlineAt - sent.createdAt, 2_000, 'the deadline is 2 s after it was sent');

  // For a timeout this short the sweep runs as often as it lasts (2 s): timed out within 2 s of the deadline.
  const timedOut = await waitFor('the command timed out', async (seen) => {
    const cmd = seen(await central.api('GET', `/api/v1/commands/${id}`));
    return cmd.state === 'timed-out' ? cmd : null;
  }, 10_000, { intervalMs: 200 });
  const lateMs = timedOut.timedOutAt - timedOut.deadlineAt;
  t.ok(lateMs >= 0 && lateMs <= 4_000, `timed out ${lateMs} ms past the deadline (not before it, and within two sweeps)`);
  t.match(timedOut, { completedAt: null, outcome: null });
  const metrics = (await central.request('GET', '/metrics', undefined, null)).body as string;
  t.match(metrics, /^countyline_central_commands_timed_out_total 1$/m, 'counted in /metrics');
  t.match(central.log(), `command block (${id}) timed out: box ${BOX} did not answer within 2 s`);

  // The box did run it, and says so late.
  const answer = { v: SCHEMA_VERSION, seq: 1, ts: Date.now(), bdSeq: 1, id, name: 'block', ok: true, result: { cic: 5 }, error: null };
  await box.publishAsync(`cl/v1/${BOX}/cmd-result`, JSON.stringify(answer), { qos: 1 });
  const late = await waitFor('the late answer stored', async (seen) => {
    const cmd = seen(await central.api('GET', `/api/v1/commands/${id}`));
    return cmd.state === 'done' ? cmd : null;
  }, 10_000, { intervalMs: 200 });
  t.match(late, { outcome: { ok: true, result: { cic: 5 } }, timedOutAt: timedOut.timedOutAt });
  t.ok(late.completedAt >= timedOut.timedOutAt);

  // SIGTERM with the sweep running: central stops cleanly.
  await central.stopProcess();
  t.match(await central.proc.exited, { code: 0, signal: null });
  t.match(central.log(), /"msg":"central stopped"/);
});
