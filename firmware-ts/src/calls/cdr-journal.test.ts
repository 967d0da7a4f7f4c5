import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { CdrJournal, type JournalRecord } from './cdr-journal.js';

interface Rec extends JournalRecord {
  n: number;
  calling?: string;
}

const silent = pino({ level: 'silent' });

async function tempFile(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'countyline-cdr-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'data', 'cdr.jsonl');
}

async function open(t: Test, file: string, keepRecent?: number) {
  const journal = await CdrJournal.open<Rec>({ file, logger: silent, ...(keepRecent === undefined ? {} : { keepRecent }) });
  t.teardown(() => journal.close());
  return journal;
}

/** The file's lines, each parsed, read without the journal. */
async function lines(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8');
  t.ok(text === '' || text.endsWith('\n'), 'the file ends on a whole line');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
}

t.test('records appended are in the file once acknowledged, and read back on reopen', async (t) => {
  const file = await tempFile(t);
  const journal = await open(t, file);
  t.equal(await journal.append({ id: 'a', n: 1, calling: '张三 13900000000' }), 'kept');
  t.equal(await journal.append({ id: 'b', n: 2 }), 'kept');
  t.same(await lines(file), [{ id: 'a', n: 1, calling: '张三 13900000000' }, { id: 'b', n: 2 }], 'on disk when append resolved, UTF-8 intact');
  await journal.close();
  const again = await open(t, file);
  t.same(again.recent(), [{ id: 'a', n: 1, calling: '张三 13900000000' }, { id: 'b', n: 2 }]);
  t.equal(again.stats.records, 2);
  t.ok(again.has('a') && !again.has('c'));
});

t.test('an id already kept is not written again, before or after a restart', async (t) => {
  const file = await tempFile(t);
  const journal = await open(t, file);
  await journal.append({ id: 'x', n: 1 });
  t.equal(await journal.append({ id: 'x', n: 1 }), 'duplicate');
  const [first, second] = await Promise.all([journal.append({ id: 'y', n: 2 }), journal.append({ id: 'y', n: 2 })]);
  t.same([first, second], ['kept', 'duplicate'], 'also while the first is still being written');
  await journal.close();
  const again = await open(t, file);
  t.equal(await again.append({ id: 'x', n: 1 }), 'duplicate', 'after a restart too');
  t.equal((await lines(file)).length, 2);
  t.equal(again.stats.duplicates, 1);
});

t.test('a torn last line (a write a crash cut short) is cut off at open; appends go on after it', async (t) => {
  const file = await tempFile(t);
  const journal = await open(t, file);
  await journal.append({ id: 'a', n: 1 });
  await journal.close();
  await appendFile(file, '{"id":"b","n":');
  const again = await open(t, file);
  t.equal(again.stats.tornOctets, 14);
  t.same(again.recent().map((r) => r.id), ['a']);
  await again.append({ id: 'c', n: 3 });
  t.same(await lines(file), [{ id: 'a', n: 1 }, { id: 'c', n: 3 }]);
});

t.test('a bad line inside the file is skipped, counted and left where it is', async (t) => {
  const file = await tempFile(t);
  const journal = await open(t, file);
  await journal.close();
  await writeFile(file, '{"id":"a","n":1}\nnot json\n{"n":2}\n{"id":"c","n":3}\n');
  const again = await open(t, file);
  t.equal(again.stats.badLines, 2, 'not JSON, and a record without an id');
  t.same(again.recent().map((r) => r.id), ['a', 'c']);
  t.match(await readFile(file, 'utf8'), /not json/, 'nothing is thrown away');
});

t.test('appends made together go out in fewer writes, every one acknowledged', async (t) => {
  const file = await tempFile(t);
  const journal = await open(t, file);
  const results = await Promise.all(Array.from({ length: 50 }, (_, n) => journal.append({ id: `r${n}`, n })));
  t.ok(results.every((r) => r === 'kept'));
  t.ok(journal.stats.writes < 50, `${journal.stats.writes} writes (and fsyncs) for 50 records`);
  t.same((await lines(file)).map((r) => (r as Rec).n), Array.from({ length: 50 }, (_, n) => n), 'in the order appended');
});

t.test('recent() keeps the latest records only', async (t) => {
  const file = await tempFile(t);
  const journal = await open(t, file, 3);
  for (let n = 0; n < 5; n++) await journal.append({ id: `r${n}`, n });
  t.same(journal.recent().map((r) => r.n), [2, 3, 4]);
  t.same(journal.recent(2).map((r) => r.n), [3, 4]);
  t.same(journal.recent(0), [], 'none asked, none given');
});

t.test('a record without an id, or an append after close, is refused', async (t) => {
  const file = await tempFile(t);
  const journal = await open(t, file);
  await t.rejects(journal.append({ id: '', n: 1 }), /non-empty string id/);
  await journal.close();
  await t.rejects(journal.append({ id: 'a', n: 1 }), /closed/);
});
