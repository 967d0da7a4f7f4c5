import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { parseAlarmFile } from './alarm-file.js';
import { AlarmStore } from './alarm-store.js';
import type { AlarmRecord } from './alarm-types.js';

/** A fresh folder, removed when the test ends. */
async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cl-alarms-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A pino logger whose lines are kept, parsed, for the test to look at. */
function captureLogger() {
  const lines: Array<Record<string, unknown> & { level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const ERROR = 50;

/** A loaded store on `file`, with its events recorded. */
async function open(t: Test, file: string, opts: { clock?: FakeClock; historyLimit?: number } = {}) {
  const clock = opts.clock ?? new FakeClock(1_000_000);
  const { logger, lines } = captureLogger();
  const store = new AlarmStore({ file, clock, logger, historyLimit: opts.historyLimit });
  const events: Array<[string, AlarmRecord]> = [];
  for (const name of ['raised', 'updated', 'cleared'] as const) store.on(name, (a) => events.push([name, a]));
  await store.load();
  t.teardown(() => store.close());
  return { store, clock, lines, events };
}

async function onDisk(file: string) {
  return parseAlarmFile(await readFile(file, 'utf8'));
}

t.test('a raise creates an active record and says so once', async (t) => {
  const dir = await tempDir(t);
  const { store, events, clock } = await open(t, join(dir, 'alarms.json'));
  const a = store.raise('span/0', 'span-red', 'critical', 'LOS');
  t.match(a, { source: 'span/0', type: 'span-red', severity: 'critical', state: 'active', cause: 'LOS', count: 1, clearedAt: null });
  t.equal(a.raisedAt, clock.now());
  t.equal(a.lastRaisedAt, clock.now());
  t.same(events, [['raised', a]]);
  t.same(store.get('span/0', 'span-red'), a);
  t.same(store.active(), [a]);
  t.equal(store.isRestored(a.id), false);

  events[0]![1].cause = 'changed by a listener';
  (store.get('span/0', 'span-red') as AlarmRecord).count = 99;
  t.same(store.get('span/0', 'span-red'), a, 'what the store hands out are copies');
});

t.test('a repeat updates the one active record and counts', async (t) => {
  const dir = await tempDir(t);
  const { store, events, clock } = await open(t, join(dir, 'alarms.json'));
  const first = store.raise('span/0', 'span-red', 'major', 'LOF');
  clock.advance(5000);
  const second = store.raise('span/0', 'span-red', 'critical', 'LOS');
  t.equal(second.id, first.id);
  t.match(second, { count: 2, severity: 'critical', cause: 'LOS', raisedAt: first.raisedAt, lastRaisedAt: first.raisedAt + 5000 });
  store.raise('span/0', 'span-red', 'critical', 'LOS');
  t.equal(store.get('span/0', 'span-red')?.count, 3);
  t.same(events.map(([e]) => e), ['raised', 'updated', 'updated']);
  t.same(events[1]?.[1], second);
  t.equal(store.active().length, 1, 'no duplicate');

  store.raise('span/1', 'span-red', 'critical', 'LOS');
  store.raise('span/0', 'span-yellow', 'major', 'RAI');
  t.equal(store.active().length, 3, 'another source or type is another alarm');
});

t.test('a clear moves the alarm to history; clearing nothing is a no-op', async (t) => {
  const dir = await tempDir(t);
  const { store, events, clock } = await open(t, join(dir, 'alarms.json'));
  const raised = store.raise('fxo/3', 'fxo-unplugged', 'major', 'no battery for 1 s');
  clock.advance(60_000);
  const cleared = store.clear('fxo/3', 'fxo-unplugged');
  t.match(cleared, { id: raised.id, state: 'cleared', clearedAt: clock.now(), count: 1 });
  t.same(events.at(-1), ['cleared', cleared]);
  t.equal(store.get('fxo/3', 'fxo-unplugged'), null);
  t.same(store.active(), []);
  t.same(store.all(), [cleared]);

  t.equal(store.clear('fxo/3', 'fxo-unplugged'), null);
  t.equal(store.clear('fxo/4', 'fxo-unplugged'), null);
  t.equal(events.length, 2, 'no event for a no-op clear');
});

t.test('a raise after a clear is a new record; the old one stays in history', async (t) => {
  const dir = await tempDir(t);
  const { store, events, clock } = await open(t, join(dir, 'alarms.json'));
  const first = store.raise('card', 'card-link', 'critical', 'no heartbeat');
  store.raise('card', 'card-link', 'critical', 'no heartbeat');
  clock.advance(1000);
  const old = store.clear('card', 'card-link');
  const again = store.raise('card', 'card-link', 'critical', 'port closed');
  t.not(again.id, first.id);
  t.match(again, { count: 1, state: 'active', raisedAt: clock.now() });
  t.same(events.at(-1), ['raised', again]);
  t.same(store.all(), [again, old], 'active first, then history');
  t.match(store.cleared()[0], { id: first.id, count: 2, state: 'cleared' });
});

t.test('all() lists active alarms, then history newest first', async (t) => {
  const dir = await tempDir(t);
  const { store, clock } = await open(t, join(dir, 'alarms.json'));
  for (const port of [0, 1, 2, 3]) {
    store.raise(`fxo/${port}`, 'fxo-unplugged', 'major', '');
    clock.advance(10);
  }
  store.clear('fxo/1', 'fxo-unplugged');
  clock.advance(10);
  store.clear('fxo/0', 'fxo-unplugged');
  t.same(
    store.all().map((a) => `${a.source} ${a.state}`),
    ['fxo/2 active', 'fxo/3 active', 'fxo/0 cleared', 'fxo/1 cleared'],
  );
});

t.test('a restart keeps alarms: restored ones are confirmed silently, the rest cleared by clearRestored', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'alarms.json');
  const before = await open(t, file);
  const red = before.store.raise('span/0', 'span-red', 'critical', 'LOS');
  before.store.raise('span/0', 'span-red', 'critical', 'LOS');
  const unplugged = before.store.raise('fxo/2', 'fxo-unplugged', 'major', 'no battery');
  const tca = before.store.raise('span/0', 'tca-es-15min', 'minor', 'ES 120 > 100');
  before.store.raise('fxo/1', 'fxo-unplugged', 'major', 'no battery');
  const oldClear = before.store.clear('fxo/1', 'fxo-unplugged')!;
  await before.store.close();

  // The box restarts, with its clock at the same reading as before (no RTC on some boards).
  const after = await open(t, file);
  t.same(after.store.active().map((a) => a.id).sort(), [red.id, unplugged.id, tca.id].sort());
  t.same(after.store.cleared(), [oldClear]);
  t.ok(after.store.isRestored(red.id));
  t.match(after.store.get('span/0', 'span-red'), { count: 2, state: 'active' });

  const confirmed = after.store.raise('span/0', 'span-red', 'critical', 'LOS');
  t.equal(confirmed.count, 2, 'confirming a restored alarm does not count');
  t.equal(confirmed.id, red.id);
  t.same(after.events, [], 'nor does it raise it again');
  t.notOk(after.store.isRestored(red.id));

  const clearedTca = after.store.clearRestored((a) => a.type.startsWith('tca-'));
  t.same(clearedTca.map((a) => a.id), [tca.id], 'the predicate picks which');
  const cleared = after.store.clearRestored();
  t.same(cleared.map((a) => a.id), [unplugged.id], 'only what was not raised again is cleared');
  t.match(cleared[0], { state: 'cleared', clearedAt: after.clock.now() });
  t.same(after.events.map(([e, a]) => `${e} ${a.source}`), ['cleared span/0', 'cleared fxo/2']);
  t.same(after.store.clearRestored(), [], 'a second call has nothing left to clear');

  after.store.raise('span/0', 'span-red', 'critical', 'LOS');
  t.equal(after.store.get('span/0', 'span-red')?.count, 3, 'after confirmation, repeats count again');
  t.same(after.events.at(-1)?.[0], 'updated');

  const fresh = after.store.raise('span/1', 'span-blue', 'critical', 'AIS');
  t.notOk([red.id, unplugged.id, tca.id, oldClear.id].includes(fresh.id), 'ids stay unique across the restart');

  await after.store.close();
  const third = await open(t, file);
  t.same(third.store.all(), after.store.all(), 'the file holds what the store held');
});

t.test('a restored alarm raised with another severity is confirmed and reported as updated', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'alarms.json');
  const before = await open(t, file);
  before.store.raise('span/0', 'span-red', 'major', 'LOF');
  await before.store.close();
  const after = await open(t, file);
  const a = after.store.raise('span/0', 'span-red', 'critical', 'LOS');
  t.match(a, { severity: 'critical', cause: 'LOS', count: 1 });
  t.same(after.events, [['updated', a]]);
  t.notOk(after.store.isRestored(a.id));
});

t.test('clearing a restored alarm directly works like any clear', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'alarms.json');
  const before = await open(t, file);
  before.store.raise('card', 'card-link', 'critical', 'no heartbeat');
  await before.store.close();
  const after = await open(t, file);
  t.match(after.store.clear('card', 'card-link'), { state: 'cleared' });
  t.same(after.store.clearRestored(), []);
});

t.test('a corrupt file is moved aside and the store starts empty', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'alarms.json');
  const damaged = [
    '{"version":1,"nextSeq":3,"active":[{"id":"1-1","sour', // torn write
    JSON.stringify({ version: 1, nextSeq: 1, active: [{ id: 'x' }], history: [] }), // wrong shape
  ];
  for (const [i, text] of damaged.entries()) {
    await writeFile(file, text);
    const clock = new FakeClock(2_000_000 + i);
    const s = await open(t, file, { clock });
    t.same(s.store.all(), []);
    t.equal(await readFile(`${file}.corrupt-${clock.now()}`, 'utf8'), text, 'the bad file is kept aside, unchanged');
    t.match(s.lines.find((l) => l.level === ERROR), { msg: /unusable: moved aside/, aside: `${file}.corrupt-${clock.now()}` });
    await t.rejects(readFile(file), { code: 'ENOENT' });
    s.store.raise('card', 'card-link', 'critical', 'x');
    await s.store.flush();
    t.equal((await onDisk(file)).active.length, 1, 'a new file is started');
    await s.store.close();
    await rm(file);
  }
});

t.test('an unreadable alarm file (a folder in its place) is moved aside too', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'alarms.json');
  await mkdir(file);
  const s = await open(t, file);
  t.same(s.store.all(), []);
  t.ok((await readdir(dir)).some((n) => n.startsWith('alarms.json.corrupt-')));
  t.match(s.lines.find((l) => l.level === ERROR), { reason: /EISDIR/ });
});

t.test('history keeps only the newest historyLimit cleared alarms', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'alarms.json');
  const s = await open(t, file, { historyLimit: 3 });
  for (let i = 0; i < 5; i++) {
    s.store.raise(`fxo/${i}`, 'fxo-unplugged', 'major', '');
    s.clock.advance(1000);
    s.store.clear(`fxo/${i}`, 'fxo-unplugged');
  }
  s.store.raise('card', 'card-link', 'critical', '');
  t.same(s.store.cleared().map((a) => a.source), ['fxo/4', 'fxo/3', 'fxo/2']);
  t.equal(s.store.active().length, 1, 'active alarms do not count against the limit');
  await s.store.close();
  t.equal((await onDisk(file)).history.length, 3);

  const smaller = await open(t, file, { historyLimit: 1 });
  t.same(smaller.store.cleared().map((a) => a.source), ['fxo/4'], 'a lower limit trims what is loaded');

  const none = await open(t, join(dir, 'b.json'), { historyLimit: 0 });
  none.store.raise('card', 'card-link', 'critical', '');
  none.store.clear('card', 'card-link');
  t.same(none.store.all(), []);
  t.throws(() => new AlarmStore({ file, clock: new FakeClock(), logger: pino({ level: 'silent' }), historyLimit: -1 }), RangeError);
});

t.test('after a burst of 1000 raises and clears, flush leaves the file equal to the store', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'alarms.json');
  const s = await open(t, file, { historyLimit: 200 });
  let seed = 7;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const severities = ['critical', 'major', 'minor', 'warning'] as const;
  for (let i = 0; i < 1000; i++) {
    const source = `circuit/e1/0/${1 + random(30)}`;
    if (random(3) === 0) s.store.clear(source, 'test-call-failed');
    else s.store.raise(source, 'test-call-failed', severities[random(4)]!, `attempt ${i}`);
    s.clock.advance(random(50));
    // Half way, let writes start, so later changes land while a write is running.
    if (i % 100 === 50) await new Promise((r) => setImmediate(r));
  }
  await s.store.flush();
  const disk = await onDisk(file);
  t.same(disk.active, s.store.active());
  t.same(disk.history, s.store.cleared());
  t.equal(disk.history.length, 200);
  t.same(await readdir(dir), ['alarms.json'], 'no temp file left behind');
  t.same(s.lines.filter((l) => l.level === ERROR), []);
});

t.test('a failed save is logged, not thrown, and retried on the next change', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'data'), 'a regular file where the data folder should be');
  const file = join(dir, 'data', 'alarms.json');
  const s = await open(t, file);
  t.same(s.store.all(), [], 'loading from an impossible path starts empty');

  t.doesNotThrow(() => s.store.raise('card', 'card-link', 'critical', 'no heartbeat'));
  t.doesNotThrow(() => s.store.clear('card', 'card-link'));
  await s.store.flush();
  t.match(s.store.saveError, { code: /ENOTDIR|EEXIST/ });
  t.ok(s.lines.some((l) => l.level === ERROR && /cannot save alarm file/.test(l.msg)));

  // The technician fixes the folder; the next change saves everything.
  await rm(join(dir, 'data'));
  s.store.raise('span/0', 'span-red', 'critical', 'LOS');
  await s.store.flush();
  t.equal(s.store.saveError, null);
  const disk = await onDisk(file);
  t.equal(disk.active.length, 1);
  t.equal(disk.history.length, 1, 'the change that failed to save is in the file now');
});

t.test('the folder is created if missing', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'var', 'lib', 'countyline', 'alarms.json');
  const s = await open(t, file);
  s.store.raise('card', 'card-link', 'critical', '');
  await s.store.flush();
  t.equal((await onDisk(file)).active.length, 1);
});

t.test('misuse is refused: changes before load, load twice, an unknown severity', async (t) => {
  const dir = await tempDir(t);
  const store = new AlarmStore({ file: join(dir, 'a.json'), clock: new FakeClock(), logger: pino({ level: 'silent' }) });
  t.throws(() => store.raise('card', 'card-link', 'critical', ''), /call load\(\) before/);
  await store.load();
  await t.rejects(store.load(), /twice/);
  t.throws(() => store.raise('card', 'card-link', 'fatal' as 'critical', ''), TypeError);
});

t.test('a clear takes the time its source says the condition ended, else now', async (t) => {
  const dir = await tempDir(t);
  const { store, clock } = await open(t, join(dir, 'alarms.json'));
  store.raise('span/0', 'span-red', 'critical', 'LOS');
  store.raise('fxo/1', 'fxo-unplugged', 'major', 'no battery');
  clock.advance(5_000);
  t.equal(store.clear('span/0', 'span-red', clock.now() + 1)?.clearedAt, 1_005_001, 'the span declared clear at its deadline, a moment after the timer fired');
  t.equal(store.clear('fxo/1', 'fxo-unplugged')?.clearedAt, 1_005_000);
});
