import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { writeFileAtomic } from '../storage/atomic-file.js';
import { AlarmFileError, parseAlarmFile, readAlarmFile, serializeAlarmFile, type AlarmFileContent } from './alarm-file.js';
import type { AlarmRecord } from './alarm-types.js';

/** A fresh folder, removed when the test ends. */
async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cl-alarms-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const red: AlarmRecord = {
  id: '1000-1',
  source: 'span/0',
  type: 'span-red',
  severity: 'critical',
  state: 'active',
  raisedAt: 1000,
  clearedAt: null,
  lastRaisedAt: 1500,
  cause: 'LOS',
  count: 2,
};
const unplugged: AlarmRecord = { ...red, id: '900-0', source: 'fxo/3', type: 'fxo-unplugged', severity: 'major', state: 'cleared', clearedAt: 950, count: 1 };
const content: AlarmFileContent = { version: 1, nextSeq: 2, active: [red], history: [unplugged] };

t.test('a file round-trips through serialize and parse', async (t) => {
  t.same(parseAlarmFile(serializeAlarmFile(content)), content);
});

t.test('stray keys in a record are dropped', async (t) => {
  const parsed = parseAlarmFile(JSON.stringify({ ...content, active: [{ ...red, extra: 1 }] }));
  t.notOk('extra' in (parsed.active[0] ?? {}));
});

t.test('every kind of damage is refused, saying where', async (t) => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['truncated', null, /not valid JSON/],
    ['a list', [], /not a JSON object/],
    ['unknown version', { ...content, version: 2 }, /unknown version 2/],
    ['no nextSeq', { ...content, nextSeq: undefined }, /nextSeq/],
    ['active not a list', { ...content, active: {} }, /active: not a list/],
    ['history missing', { ...content, history: undefined }, /history: not a list/],
    ['bad severity', { ...content, active: [{ ...red, severity: 'fatal' }] }, /active\.0\.severity: unknown "fatal"/],
    ['cleared record in active', { ...content, active: [{ ...red, state: 'cleared', clearedAt: 2 }] }, /active\.0\.state/],
    ['active record in history', { ...content, history: [red] }, /history\.0\.state/],
    ['cleared without clearedAt', { ...content, history: [{ ...unplugged, clearedAt: null }] }, /history\.0\.clearedAt/],
    ['count zero', { ...content, active: [{ ...red, count: 0 }] }, /active\.0\.count/],
    ['source not a string', { ...content, active: [{ ...red, source: 5 }] }, /active\.0\.source/],
    ['raisedAt missing', { ...content, active: [{ ...red, raisedAt: undefined }] }, /active\.0\.raisedAt/],
    ['two active for one key', { ...content, active: [red, { ...red, id: 'other' }] }, /span\/0 span-red is listed twice/],
  ];
  for (const [name, raw, reason] of cases) {
    const text = raw === null ? serializeAlarmFile(content).slice(0, 40) : JSON.stringify(raw);
    const err = t.throws(() => parseAlarmFile(text, 'alarms.json'), name) as AlarmFileError;
    t.type(err, AlarmFileError, name);
    t.match(err.message, reason, name);
    t.match(err.message, /^alarms\.json: /, name);
  }
});

t.test('reading: no file is null, an unreadable one is an AlarmFileError', async (t) => {
  const dir = await tempDir(t);
  t.equal(await readAlarmFile(join(dir, 'none.json')), null);
  await t.rejects(readAlarmFile(dir), { name: 'AlarmFileError', message: /cannot read it \(EISDIR\)/ });
  await writeFile(join(dir, 'a.json'), serializeAlarmFile(content));
  t.same(await readAlarmFile(join(dir, 'a.json')), content);
});

t.test('an atomic write replaces the file, creates its folder and leaves no temp file', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'deep', 'er', 'alarms.json');
  await writeFileAtomic(path, 'one');
  await writeFileAtomic(path, 'two');
  t.equal(await readFile(path, 'utf8'), 'two');
  t.same(await readdir(join(dir, 'deep', 'er')), ['alarms.json']);
});

t.test('a write that cannot create its folder rejects and leaves the old file alone', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'plain'), 'a regular file');
  await t.rejects(writeFileAtomic(join(dir, 'plain', 'alarms.json'), 'x'), { code: /ENOTDIR|EEXIST/ });
  t.equal(await readFile(join(dir, 'plain'), 'utf8'), 'a regular file');
});
