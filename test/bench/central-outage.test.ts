// Issue 9 "done when", second point: central stopped for five minutes of traffic, then
// started again, holds every CDR and alarm change exactly once and in order; the same when
// the box is SIGKILLed while it replays its outbox.
//
// Real processes: central (SQLite), socat, the card simulator with its SS7 exchange calling
// in, and the firmware answering as a test line (so every call ends in a CDR). While central
// is down, FXO line 3 is unplugged and plugged again now and then (alarm raises and clears).
// What the box kept is read from its own files and CLI; what central kept, from its API, and
// the order it stored messages in from its SQLite file, read here with SQL.
// COUNTYLINE_OUTAGE_SECONDS shortens the outage for a quick local run (default 300).
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { startRig, waitFor } from '../../scripts/lib/bench-rig.mjs';
import { startCentral, type Central } from '../../scripts/lib/central-rig.mjs';

const BOX = 'county-b-01';
const OUTAGE_MS = Number(process.env.COUNTYLINE_OUTAGE_SECONDS ?? 300) * 1000;
const UNPLUG_EVERY_MS = 20_000;

async function boxCdrIds(dataDir: string): Promise<string[]> {
  const text = await readFile(join(dataDir, 'cdr.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { id: string }).id);
}

async function centralCdrIds(central: Central): Promise<string[]> {
  const { cdrs } = await central.api('GET', `/api/v1/cdrs?box=${BOX}&limit=1000`);
  return (cdrs as { id: string }[]).map((c) => c.id);
}

/** The (seq, kind) of every message central stored for the box, in the order it stored them. */
function storedOrder(dataDir: string): { seq: number; kind: string }[] {
  const db = new Database(join(dataDir, 'data', 'central.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT seq, kind FROM messages WHERE box_id = ? ORDER BY rowid').all(BOX) as { seq: number; kind: string }[];
  } finally {
    db.close();
  }
}

t.test('central down for five minutes of traffic: every CDR and alarm change arrives once, in order, also with the box killed mid-replay', async (t) => {
  const centralDir = await mkdtemp(join(tmpdir(), 'countyline-outage-'));
  t.teardown(() => rm(centralDir, { recursive: true, force: true }));
  let central = await startCentral({ dir: centralDir });
  t.teardown(() => central.stop());
  const ports = { http: Number(new URL(central.httpUrl).port), mqtt: Number(new URL(central.mqttUrl).port) };
  await central.api('POST', '/api/v1/sites', { id: 'county-b', name: 'County B', county: 'County B' });
  const { enrolmentToken } = await central.api('POST', '/api/v1/boxes', { id: BOX, site: 'county-b', name: 'County B box 1' });

  const rig = await startRig({ firmware: false, isup: true });
  t.teardown(() => rig.stop());
  await rig.cli(['provision', '--central', central.httpUrl, '--token', enrolmentToken]);
  await rig.startFirmware();
  const dataDir = join(rig.dir, 'data');
  await waitFor('the box online', async (seen) => seen(await central.api('GET', `/api/v1/boxes/${BOX}`)).online, 20_000);
  await rig.waitStatus('SS7 ready', (s) => s.isup?.ready === true, 30_000);

  await rig.simPost('/traffic', { callsPerMinute: 60, holdSeconds: 3 });
  await waitFor('the first CDRs at central', async (seen) => seen((await centralCdrIds(central)).length) >= 3, 60_000);

  // The outage: central stopped, calls go on, line 3 comes and goes.
  await central.stopProcess();
  const outageEnds = Date.now() + OUTAGE_MS;
  let unplugged = false;
  while (Date.now() < outageEnds) {
    await new Promise((r) => setTimeout(r, Math.min(UNPLUG_EVERY_MS, Math.max(0, outageEnds - Date.now()))));
    unplugged = !unplugged;
    await rig.simPost('/fxo/3/line', { plugged: !unplugged });
  }
  if (unplugged) await rig.simPost('/fxo/3/line', { plugged: true });
  await rig.simPost('/traffic', { callsPerMinute: 0 });
  const waiting = await rig.waitStatus('the calls of the outage ended and their messages waiting in the outbox', (s) => s.central.outbox.messages > 0, 30_000);
  t.equal(waiting.central.state, 'connecting', 'the box knows central is away');
  const boxCdrsBefore = await boxCdrIds(dataDir);

  // Central back on the same ports and data; the box replays; it is killed part way through.
  central = await startCentral({ dir: centralDir, httpPort: ports.http, mqttPort: ports.mqtt, adminToken: central.adminToken });
  const storedBefore = storedOrder(centralDir).length;
  const killedAt = await waitFor(
    'the replay to start',
    async (seen) => {
      const n = seen(storedOrder(centralDir).length);
      return n > storedBefore + 5 ? n : null;
    },
    120_000,
    { intervalMs: 20 },
  );
  await rig.stopFirmware('SIGKILL');
  const boxCdrs = await boxCdrIds(dataDir);
  t.ok(boxCdrs.length >= boxCdrsBefore.length, 'the box kept its CDRs');
  t.ok(boxCdrs.length > OUTAGE_MS / 1000 / 2, `a real load: ${boxCdrs.length} calls, one a second through the outage`);
  t.ok((await centralCdrIds(central)).length < boxCdrs.length, `the box was killed with the replay part done (${killedAt} messages stored)`);

  await rig.startFirmware();
  await rig.waitStatus('the outbox empty and central connected', (s) => s.central.state === 'connected' && s.central.outbox.messages === 0, 120_000);

  const atCentral = await centralCdrIds(central);
  t.equal(new Set(atCentral).size, atCentral.length, 'no CDR twice at central');
  t.same([...atCentral].sort(), [...(await boxCdrIds(dataDir))].sort(), 'central holds every CDR the box kept');

  const boxAlarms = (await rig.json(['alarms', '--all'])).filter((a: any) => a.source === 'fxo/3' && a.type === 'fxo-unplugged');
  const { alarms } = await central.api('GET', `/api/v1/alarms?box=${BOX}&limit=1000`);
  const centralAlarms = (alarms as any[]).filter((a) => a.source === 'fxo/3' && a.type === 'fxo-unplugged');
  t.ok(boxAlarms.length >= Math.floor(OUTAGE_MS / UNPLUG_EVERY_MS / 2) - 1, `the line came and went (${boxAlarms.length} alarms on the box)`);
  const view = (a: any, id: string) => ({ id, state: a.state, raisedAt: a.raisedAt, clearedAt: a.clearedAt });
  t.same(
    centralAlarms.map((a) => view(a, a.boxAlarmId)).sort((x, y) => x.raisedAt - y.raisedAt),
    boxAlarms.map((a: any) => view(a, a.id)).sort((x: any, y: any) => x.raisedAt - y.raisedAt),
    'central holds each raise and clear of line 3, once',
  );

  const order = storedOrder(centralDir);
  const backwards = order.filter((m, i) => i > 0 && m.seq <= order[i - 1]!.seq);
  t.same(backwards, [], `central stored the box's ${order.length} messages in the order the box made them`);
  const metrics = (await central.request('GET', '/metrics')).body as string;
  t.comment(`messages sent again after the kill and kept once: ${metrics.match(/^countyline_central_duplicates_total.*$/gm)?.join(', ') ?? 'none'}`);
});
