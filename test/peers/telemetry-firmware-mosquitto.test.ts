// The whole firmware (in process, on the card simulator) with a `central` section, against
// Debian's mosquitto: what central would see, checked against the contract's schemas.
import { Value } from '@sinclair/typebox/value';
import { connect, type MqttClient } from 'mqtt';
import t, { type Test } from 'tap';
import { BoxPayloads, parseTopic, type BoxKind } from '../../firmware-ts/src/telemetry/index.js';
import { inProcessFirmware, type InProcessFirmware } from '../../firmware-ts/test-support/in-process-firmware.js';
import { startMosquitto, type Mosquitto } from '../../firmware-ts/test-support/mosquitto.js';

interface Seen {
  kind: string;
  body: Record<string, unknown>;
}

async function observer(t: Test, broker: Mosquitto) {
  const seen: Seen[] = [];
  const invalid: string[] = [];
  const client: MqttClient = connect(broker.url, { protocolVersion: 4, clientId: 'central-observer', reconnectPeriod: 100 });
  t.teardown(() => client.endAsync(true));
  client.on('message', (topic, payload) => {
    const parsed = parseTopic(topic);
    if (parsed?.direction !== 'from-box') return;
    const body = JSON.parse(payload.toString()) as Record<string, unknown>;
    const error = Value.Errors(BoxPayloads[parsed.kind], body).First();
    if (error) invalid.push(`${parsed.kind} ${error.path}: ${error.message}`);
    seen.push({ kind: parsed.kind, body });
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => client.subscribe('cl/v1/box-1/#', { qos: 1 }, (err) => (err ? reject(err) : resolve())));
    client.once('error', reject);
  });
  return { seen, invalid, client, of: (kind: BoxKind) => seen.filter((m) => m.kind === kind) };
}

/** Waits in real time (sockets, disk) while the firmware's fake clock moves on with it. */
async function until(r: InProcessFirmware, what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await r.rig.until(() => false, 20);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

t.test('a firmware with a central section: birth, alarms, commands, status', async (t) => {
  const broker = await startMosquitto(t);
  const central = await observer(t, broker);
  const r = await inProcessFirmware(t, { config: { hostName: 'county-7', central: { url: broker.url, boxId: 'box-1', password: 'pw' } } });

  await until(r, 'the birth', () => central.of('birth').length > 0);
  const birth = central.of('birth')[0]!.body;
  t.match(birth, {
    software: { version: /^\d+\.\d+\.\d+/, node: process.version },
    inventory: { hostName: 'county-7', card: { link: 'up', inventory: { fxoPorts: Number } } },
    spans: [{ span: 0, alarm: 'none' }],
    fxo: [{ port: 0, line: String }],
    circuits: { total: 0, list: [] },
    agents: null,
    queue: null,
  });
  t.match(central.of('status')[0]?.body, { online: true }, 'the status came first');
  t.ok(central.seen.findIndex((m) => m.kind === 'status') < central.seen.findIndex((m) => m.kind === 'birth'));

  t.test('LOS on the span: the alarm and a trunk snapshot go out', async (t) => {
    r.rig.sim.setSpanDefects(0, { los: true });
    await until(r, 'the LOS alarm', () => central.of('alarm').some((m) => m.body.change === 'raised'));
    t.match(central.of('alarm').find((m) => m.body.change === 'raised')!.body, { alarm: { source: 'span/0', severity: 'critical', state: 'active' } });
    await until(r, 'a trunk snapshot with the red span', () => central.of('trunks').some((m) => (m.body.spans as { alarm: string }[])[0]!.alarm === 'red'));
    r.rig.sim.setSpanDefects(0, { los: false });
    await until(r, 'the alarm cleared', () => central.of('alarm').some((m) => m.body.change === 'cleared'), 60_000);
  });

  t.test('a test call commanded by central runs, answers on cmd-result, and is reported as an event', async (t) => {
    central.client.publish('cl/v1/box-1/cmd/test-call', JSON.stringify({ v: 1, id: 'tc-1', ts: Date.now(), circuit: 'fxo/0' }), { qos: 1 });
    await until(r, 'the answer', () => central.of('cmd-result').some((m) => m.body.id === 'tc-1'));
    t.match(central.of('cmd-result').find((m) => m.body.id === 'tc-1')!.body, { name: 'test-call', ok: true, result: { outcomes: [{ circuit: 'fxo/0', result: /pass|fail/ }] }, error: null });
    t.match(central.of('event').find((m) => m.body.type === 'test-call')?.body, { data: { circuit: 'fxo/0' } });

    central.client.publish('cl/v1/box-1/cmd/block', JSON.stringify({ v: 1, id: 'bl-1', ts: Date.now(), cic: 1 }), { qos: 1 });
    await until(r, 'the block answer', () => central.of('cmd-result').some((m) => m.body.id === 'bl-1'));
    t.match(central.of('cmd-result').find((m) => m.body.id === 'bl-1')!.body, { ok: false, error: { code: 'no-isup' } }, 'no ISUP on this box');
  });

  t.test('countyline status --json shows the link to central', async (t) => {
    await until(r, 'the outbox empty', () => r.fw.status().central.outbox.messages === 0);
    const status = await r.connection.call('status', {});
    t.match(status.central, { state: 'connected', outbox: { messages: 0, dropped: 0 }, lastPubackAt: Number });
  });

  t.test('a quarter hour passes: its KPI interval goes out, calls or none', async (t) => {
    const QUARTER = 15 * 60_000;
    const now = r.rig.clock.now();
    const start = now - (now % QUARTER);
    // Fake time to the end of the interval and its 5 s of grace, in half-second steps.
    await r.rig.until(() => false, start + QUARTER + 6000 - now, 500);
    await until(r, 'the KPI interval', () => central.of('kpi').length > 0);
    t.match(central.of('kpi')[0]!.body, { intervalStart: start, intervalMs: QUARTER, offered: 0, answered: 0 });
  });

  t.test('every message in order, each once, each matching its schema', async (t) => {
    t.same(central.invalid, []);
    const seqs = central.seen.filter((m) => m.kind !== 'status').map((m) => m.body.seq as number);
    t.same(
      seqs,
      seqs.map((_, i) => seqs[0]! + i),
      'seq one more each time',
    );
  });
});
