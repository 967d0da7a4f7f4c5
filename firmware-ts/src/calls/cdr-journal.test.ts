import { appendFile, mkdtemp, open as fsOpen, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
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

/** The file's lines, each parsed, read without the journal; it must end on a whole line. */
async function lines(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8');
  if (text !== '' && !text.endsWith('\n')) throw new Error(`${file} ends in a torn line`);
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
}

/**
 * Opens the file for the journal through a watch: every write and datasync is noted in
 * `calls`; `failNext` makes the next datasync (or write) fail; `shortWrites` makes each
 * write take at most that many octets.
 */
function watchedOpen() {
  const calls: string[] = [];
  const faults = { failNext: null as 'write' | 'datasync' | null, shortWrites: 0 };
  const openFile = async (path: string, flags: string, mode: number): Promise<FileHandle> => {
    const real = await fsOpen(path, flags, mode);
    return new Proxy(real, {
      get(target, key) {
        if (key === 'write')
          return async (buffer: Uint8Array, offset: number, length: number) => {
            calls.push('write');
            if (faults.failNext === 'write') {
              faults.failNext = null;
              throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
            }
            return target.write(buffer, offset, faults.shortWrites > 0 ? Math.min(length, faults.shortWrites) : length);
          };
        if (key === 'datasync')
          return async () => {
            calls.push('datasync');
            if (faults.failNext === 'datasync') {
              faults.failNext = null;
              throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
            }
            return target.datasync();
          };
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  return { calls, faults, openFile };
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

t.test('an append resolves only after its write and its fsync', async (t) => {
  const file = await tempFile(t);
  const { calls, openFile } = watchedOpen();
  const journal = await CdrJournal.open<Rec>({ file, logger: silent, openFile });
  t.teardown(() => journal.close());
  await journal.append({ id: 'a', n: 1 }).then(() => calls.push('resolved'));
  t.same(calls, ['write', 'datasync', 'resolved']);
});

t.test('a failed fsync keeps nothing of its write, fails a repeat of the same id, and stops the journal until reopened', async (t) => {
  const file = await tempFile(t);
  const { faults, openFile } = watchedOpen();
  const journal = await CdrJournal.open<Rec>({ file, logger: silent, openFile });
  t.teardown(() => journal.close());
  await journal.append({ id: 'a', n: 1 });
  faults.failNext = 'datasync';
  const first = journal.append({ id: 'b', n: 2 });
  const repeat = journal.append({ id: 'b', n: 2 });
  await t.rejects(first, /EIO/);
  await t.rejects(repeat, /EIO/, 'the repeat is not told duplicate for a record that was never kept');
  t.notOk(journal.has('b'));
  await t.rejects(journal.append({ id: 'c', n: 3 }), /stopped after a failed write.*reopen/);
  await journal.close();
  const again = await open(t, file);
  t.same(again.recent().map((r) => r.id), ['a'], 'only what was acknowledged');
  t.equal(await again.append({ id: 'b', n: 2 }), 'kept', 'and the record can be appended again');
  t.same((await lines(file)).map((r) => (r as Rec).id), ['a', 'b']);
});

t.test('a failed write (a full disk) is cut back: the file still ends on a whole record', async (t) => {
  const file = await tempFile(t);
  const { faults, openFile } = watchedOpen();
  const journal = await CdrJournal.open<Rec>({ file, logger: silent, openFile });
  t.teardown(() => journal.close());
  await journal.append({ id: 'a', n: 1 });
  faults.failNext = 'write';
  await t.rejects(journal.append({ id: 'b', n: 2 }), /ENOSPC/);
  t.same((await lines(file)).map((r) => (r as Rec).id), ['a']);
});

t.test('short writes are carried on until the whole record is in', async (t) => {
  const file = await tempFile(t);
  const { calls, faults, openFile } = watchedOpen();
  const journal = await CdrJournal.open<Rec>({ file, logger: silent, openFile });
  t.teardown(() => journal.close());
  faults.shortWrites = 7;
  t.equal(await journal.append({ id: 'long', n: 1, calling: '13900000000' }), 'kept');
  t.ok(calls.filter((c) => c === 'write').length > 3, 'several writes');
  t.same(await lines(file), [{ id: 'long', n: 1, calling: '13900000000' }]);
});

t.test('a line that is not UTF-8 is a bad line; recent() gives copies', async (t) => {
  const file = await tempFile(t);
  await (await open(t, file)).close();
  await writeFile(file, Buffer.concat([Buffer.from('{"id":"a","n":1}\n{"id":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","n":2}\n')]));
  const journal = await open(t, file);
  t.equal(journal.stats.badLines, 1);
  const [copy] = journal.recent();
  copy!.n = 99;
  t.equal(journal.recent()[0]!.n, 1, 'changing what recent() gave changes nothing kept');
});

t.test('scan() reads every record in the file, past what recent() keeps and across its 64 KiB pieces', async (t) => {
  const file = await tempFile(t);
  const first = await open(t, file, 2);
  // About 300 KiB of records: lines cross the pieces' edges.
  for (let i = 0; i < 3000; i++) await first.append({ id: `r${i}`, n: i, calling: 'x'.repeat(i % 150) });
  t.equal(first.recent().length, 2, 'memory holds two');
  const all = await first.scan(() => true);
  t.equal(all.length, 3000);
  t.same(all.map((r) => r.n), Array.from({ length: 3000 }, (_, i) => i), 'every record once, oldest first');
  t.same((await first.scan((r) => r.n % 1000 === 7)).map((r) => r.id), ['r7', 'r1007', 'r2007'], 'those the filter takes');
  await first.close();
  // A bad line and a torn tail on disk: reopened, the scan skips the one and never sees the other.
  await appendFile(file, 'not json\n{"id":"torn","n":');
  const again = await open(t, file, 2);
  t.equal((await again.scan(() => true)).length, 3000);
});
