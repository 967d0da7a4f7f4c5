import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { parseAlarmFile, serializeAlarmFile } from './alarm-file.js';
import { AlarmStore } from './alarm-store.js';
import { alarmCause, type AlarmRecord } from './alarm-types.js';

// The cause code beside the English cause: kept by the store and its file, optional for
// files written before it existed.

const silent = pino({ level: 'silent' });

async function store(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'cl-cause-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'alarms.json');
  const s = new AlarmStore({ file, clock: new FakeClock(1_000_000), logger: silent });
  await s.load();
  return { s, file };
}

const record: AlarmRecord = {
  id: '1-1',
  source: 'fxo/3',
  type: 'fxo-unplugged',
  severity: 'major',
  state: 'active',
  raisedAt: 1,
  clearedAt: null,
  lastRaisedAt: 1,
  cause: 'no battery voltage',
  count: 1,
};

t.test('a raise with a code keeps it beside the English cause, and on disk', async (t) => {
  const { s, file } = await store(t);
  const a = s.raise('fxo/3', 'fxo-unplugged', 'major', 'no battery voltage', alarmCause('no-battery'));
  t.match(a, { cause: 'no battery voltage', causeCode: 'no-battery', causeArgs: [] });
  s.raise('span/0', 'tca-slips-15min', 'minor', 'SLIPS 5 >= 4', alarmCause('threshold-crossed', 'slips', 5, 4));
  await s.flush();
  const saved = parseAlarmFile(await readFile(file, 'utf8'));
  t.match(saved.active, [
    { source: 'fxo/3', cause: 'no battery voltage', causeCode: 'no-battery', causeArgs: [] },
    { source: 'span/0', cause: 'SLIPS 5 >= 4', causeCode: 'threshold-crossed', causeArgs: ['slips', 5, 4] },
  ]);
});

t.test('a raise again with another code, or none, replaces the code', async (t) => {
  const { s } = await store(t);
  s.raise('circuit/fxo/1', 'test-call-failed', 'major', 'no dial tone within 3 s', alarmCause('no-dial-tone', 3));
  const again = s.raise('circuit/fxo/1', 'test-call-failed', 'major', 'line in use', alarmCause('line-in-use'));
  t.match(again, { cause: 'line in use', causeCode: 'line-in-use', causeArgs: [] });
  const plain = s.raise('circuit/fxo/1', 'test-call-failed', 'major', 'something new');
  t.equal(plain.cause, 'something new');
  t.notOk('causeCode' in plain, 'no stale code under a new English cause');
  t.notOk('causeArgs' in plain);
});

t.test('alarm files from before the codes still load; a malformed code is left out', async (t) => {
  const file = (active: unknown[]) => serializeAlarmFile({ version: 1, nextSeq: 2, active: active as AlarmRecord[], history: [] });
  const old = parseAlarmFile(file([record]));
  t.same(old.active, [record], 'no code fields appear');
  const coded = parseAlarmFile(file([{ ...record, causeCode: 'no-battery', causeArgs: [] }]));
  t.match(coded.active[0], { causeCode: 'no-battery', causeArgs: [] });
  for (const bad of [{ causeCode: 7, causeArgs: [] }, { causeCode: 'no-battery', causeArgs: 'x' }, { causeCode: 'no-dial-tone', causeArgs: [{}] }, { causeCode: 'no-battery' }]) {
    const read = parseAlarmFile(file([{ ...record, ...bad }]));
    t.same(read.active, [record], `${JSON.stringify(bad)}: the record loads, without the code`);
  }
});
