import { readFileSync } from 'node:fs';
import { appendFile, mkdtemp, open as fsOpen, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { CountylineError } from '../errors.js';
import { CallbackStore, type CallbackRequest } from './callback-store.js';

const T0 = Date.UTC(2026, 9, 8, 1, 0, 0); // 09:00 at the box
const FXO1 = { kind: 'fxo', port: 1 } as const;
const E1 = { kind: 'e1', span: 0, timeslot: 5, cic: 5 } as const;

/** A store on a fresh folder; `reopen` opens the same file again, as after a restart. */
async function setup(t: Test, opts: { openFile?: (path: string, flags: string, mode: number) => Promise<FileHandle> } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'callbacks-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'data', 'callbacks.jsonl');
  const clock = new FakeClock(T0);
  const logs: { msg: string; [k: string]: unknown }[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(JSON.parse(chunk.toString()) as { msg: string });
        done();
      },
    }),
  );
  const reopen = async () => {
    const store = await CallbackStore.open({ file, clock, logger, ...opts });
    t.teardown(() => store.close());
    return store;
  };
  return { file, clock, logs, reopen, store: await reopen() };
}

const ask = (number: string, callId: string, more: Partial<CallbackRequest> = {}): CallbackRequest => ({ number, line: FXO1, reason: 'key', callId, ...more });

/** The file's lines, parsed without the store. */
async function lines(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function rejection(p: Promise<unknown>): Promise<CountylineError> {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof CountylineError)) throw new Error(`expected a CountylineError, got ${String(err)}`);
  return err;
}

t.test('a request is in the file when request() resolves, and everything survives a restart', async (t) => {
  const { file, clock, store, reopen } = await setup(t);
  const cb = await store.request(ask('13900000001', 'cdr-1', { reason: 'after-hours', line: E1, message: 'vm-cdr-1.wav' }));
  t.match(cb, { number: '13900000001', line: E1, reason: 'after-hours', callId: 'cdr-1', requestedAt: T0, requests: 1, message: 'vm-cdr-1.wav', attempts: [], state: 'pending', doneAt: null, doneBy: null });
  t.match(await lines(file), [{ type: 'requested', callback: cb.id, number: '13900000001', callId: 'cdr-1', at: T0 }], 'written before the promise resolved');

  clock.advance(60_000);
  await store.attempt(cb.id, { outcome: 'no-answer', callId: 'cdr-out-1', agent: 'lihua' });
  clock.advance(600_000);
  await store.attempt(cb.id, { outcome: 'answered', callId: 'cdr-out-2', agent: 'lihua' });
  const done = await store.done(cb.id, 'callback');
  t.match(done, { state: 'done', doneAt: T0 + 660_000, doneBy: 'callback', attempts: [{ outcome: 'no-answer', agent: 'lihua' }, { outcome: 'answered' }] });
  await store.close();

  const again = await reopen();
  t.same(again.get(cb.id), done, 'the same request after a restart');
  t.same(again.pending(), []);
});

t.test('a torn last line (a write a crash cut short) is dropped; the requests before it and after it are kept', async (t) => {
  const { file, store, reopen } = await setup(t);
  const first = await store.request(ask('13900000001', 'cdr-1'));
  await store.close();
  await appendFile(file, '{"type":"requested","callback":"x","number":"139');
  const again = await reopen();
  t.same(
    again.pending().map((c) => c.id),
    [first.id],
  );
  const second = await again.request(ask('13900000002', 'cdr-2'));
  t.same(
    (await lines(file)).map((l) => l.callback),
    [first.id, second.id],
    'the file ends on whole lines',
  );
});

t.test('a line that is not a callback event is logged and skipped, never a crash', async (t) => {
  const { file, logs, store, reopen } = await setup(t);
  const kept = await store.request(ask('13900000001', 'cdr-1'));
  await store.close();
  await appendFile(
    file,
    [
      'not json',
      JSON.stringify({ id: 'a/requested/c', type: 'requested', callback: 'a', at: T0, number: 'anonymous', line: FXO1, reason: 'key', callId: 'c' }),
      JSON.stringify({ id: 'b/attempt/c', type: 'attempt', callback: 'nobody', at: T0, outcome: 'busy', callId: 'c' }),
      JSON.stringify({ id: 'z', type: 'reminder', callback: kept.id, at: T0 }),
      '',
    ].join('\n'),
  );
  const again = await reopen();
  t.same(
    again.list({ all: true }).map((c) => c.id),
    [kept.id],
  );
  t.equal(logs.filter((l) => /callback file|not a record/.test(l.msg)).length, 4, 'each bad line logged: not JSON, a bad number, an attempt for no request, an unknown type');
  t.match(await readFile(file, 'utf8'), /not json/, 'and left in the file for a person to look at');
});

t.test('the same number asking again while pending is the same request, asked once more', async (t) => {
  const { clock, store, reopen } = await setup(t);
  const first = await store.request(ask('13900000001', 'cdr-1', { reason: 'overflow', message: 'vm-1.wav' }));
  clock.advance(120_000);
  const again = await store.request(ask('13900000001', 'cdr-2', { reason: 'key', line: E1 }));
  t.equal(again.id, first.id);
  t.match(again, { requests: 2, requestedAt: T0, lastRequestedAt: T0 + 120_000, reason: 'overflow', line: FXO1, message: 'vm-1.wav' }, 'the first request stays what it was');
  const retried = await store.request(ask('13900000001', 'cdr-2'));
  t.equal(retried.requests, 2, 'the same call asking twice (a retry after a crash) counts once');
  const [a, b] = await Promise.all([store.request(ask('13900000009', 'cdr-3')), store.request(ask('13900000009', 'cdr-4'))]);
  t.equal(a.id, b.id, 'two calls asking at once make one request');
  t.equal(b.requests, 2);
  t.equal(store.pending().length, 2, 'one pending request per number');

  await store.done(first.id, 'staff');
  const fresh = await store.request(ask('13900000001', 'cdr-5'));
  t.not(fresh.id, first.id, 'once done, the number asking again is a new request');
  t.equal(fresh.requests, 1);
  await store.close();
  const reopened = await reopen();
  t.same(
    reopened.list({ all: true }).map((c) => [c.number, c.requests, c.state]),
    [
      ['13900000001', 2, 'done'],
      ['13900000009', 2, 'pending'],
      ['13900000001', 1, 'pending'],
    ],
    'the counts survive a restart',
  );
});

t.test('done twice, or for no such request, is a coded error and writes nothing', async (t) => {
  const { file, store } = await setup(t);
  const cb = await store.request(ask('13900000001', 'cdr-1'));
  await store.done(cb.id, 'staff');
  const linesBefore = (await lines(file)).length;

  const twice = await rejection(store.done(cb.id, 'callback'));
  t.equal(twice.code, 'callback-done');
  t.match(twice.message, /is already done \(closed by staff, 2026-10-08T01:00:00\.000Z\)/);
  t.match(twice.text('zh'), /已办结 \(人工办结/);
  t.equal((await rejection(store.attempt(cb.id, { outcome: 'busy', callId: 'cdr-out-1' }))).code, 'callback-done', 'no call back is noted on a request that is done');

  const unknown = await rejection(store.done('0b7c6f1e-0000-4000-8000-000000000000', 'staff'));
  t.equal(unknown.code, 'no-such-callback');
  t.match(unknown.text('zh'), /本机没有回拨请求 0b7c6f1e/);
  t.equal((await rejection(store.attempt('nope', { outcome: 'busy', callId: 'x' }))).code, 'no-such-callback');
  t.equal((await lines(file)).length, linesBefore);
});

t.test('ids: the short form the CLI shows finds the request; a shorter one does not', async (t) => {
  const { store } = await setup(t);
  const cb = await store.request(ask('13900000001', 'cdr-1'));
  t.equal(store.get(cb.id.slice(0, 8))?.id, cb.id);
  t.equal(store.get(cb.id.slice(0, 4)), null, 'fewer than 8 characters are not taken as a prefix');
  t.equal((await store.done(cb.id.slice(0, 8), 'staff')).state, 'done');
});

t.test('a short id that starts two requests is refused as ambiguous', async (t) => {
  const { file, store, reopen } = await setup(t);
  await store.close();
  const req = (callback: string, number: string) => JSON.stringify({ id: `${callback}/requested/c-${number}`, type: 'requested', callback, at: T0, number, line: FXO1, reason: 'key', callId: `c-${number}` });
  await writeFile(file, `${req('abcdef12-1111', '13900000001')}\n${req('abcdef12-2222', '13900000002')}\n`);
  const again = await reopen();
  const err = t.throws(() => again.get('abcdef12')) as CountylineError;
  t.equal(err.code, 'callback-ambiguous');
  t.equal(again.get('abcdef12-2222')?.number, '13900000002');
});

t.test('pending() and list(): oldest first; limits keep the next to call, or the latest', async (t) => {
  const { clock, store } = await setup(t);
  const ids: string[] = [];
  for (const n of ['1', '2', '3', '4']) {
    ids.push((await store.request(ask(`1390000000${n}`, `cdr-${n}`))).id);
    clock.advance(60_000);
  }
  await store.done(ids[1]!, 'expired');
  t.same(
    store.pending().map((c) => c.id),
    [ids[0], ids[2], ids[3]],
  );
  t.same(
    store.list().map((c) => c.id),
    [ids[0], ids[2], ids[3]],
    'list() without all: the pending ones',
  );
  t.same(
    store.list({ limit: 2 }).map((c) => c.id),
    [ids[0], ids[2]],
    'pending, limited: those waiting longest',
  );
  t.same(
    store.list({ all: true }).map((c) => c.id),
    ids,
  );
  t.same(
    store.list({ all: true, limit: 2 }).map((c) => c.id),
    [ids[2], ids[3]],
    'all, limited: the latest, still oldest first',
  );
  t.equal((t.throws(() => store.list({ limit: 0 })) as CountylineError).code, 'callback-invalid');
  const copy = store.pending()[0]!;
  copy.attempts.push({ at: 0, outcome: 'busy', callId: 'fake' });
  t.same(store.pending()[0]!.attempts, [], 'views are copies: a caller cannot change the store');
});

t.test('bad input is refused with a coded error naming the field, in English and Chinese', async (t) => {
  const { file, store } = await setup(t);
  const withheld = await rejection(store.request(ask('', 'cdr-1')));
  t.equal(withheld.code, 'callback-invalid');
  t.equal(withheld.message, `callback request: number is ""; it must be the caller's number: 3 to 32 digits, a leading + allowed`);
  t.equal(withheld.text('zh'), '回拨请求: number 为 ""; 应为 来电号码: 3 至 32 位数字, 可带前导 +');
  const field = async (p: Promise<unknown>) => ((await rejection(p)).args as { field: string }).field;
  t.equal(await field(store.request(ask('13900000001', 'cdr-1', { reason: 'bored' as never }))), 'reason');
  t.equal(await field(store.request(ask('13900000001', 'cdr-1', { line: { kind: 'fxo' } as never }))), 'line');
  t.equal(await field(store.request(ask('13900000001', '', {}))), 'callId');
  t.equal(await field(store.request(ask('13900000001', 'cdr-1', { message: '../../etc/passwd' }))), 'message', 'a voice message is a file name, never a path');
  const cb = await store.request(ask('+8613900000001', 'cdr-1'));
  t.equal(await field(store.attempt(cb.id, { outcome: 'hung-up' as never, callId: 'x' })), 'outcome');
  t.equal(await field(store.done(cb.id, 'robot' as never)), 'by');
  t.equal((await lines(file)).length, 1, 'only the good request was written');
});

t.test('a write the disk refuses is not made, and the store goes on once the disk takes writes again', async (t) => {
  const faults = { failNextSync: false };
  const openFile = async (path: string, flags: string, mode: number): Promise<FileHandle> => {
    const real = await fsOpen(path, flags, mode);
    return new Proxy(real, {
      get(target, key) {
        if (key === 'datasync')
          return async () => {
            if (faults.failNextSync) {
              faults.failNextSync = false;
              throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
            }
            return target.datasync();
          };
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  const { file, store, reopen } = await setup(t, { openFile });
  faults.failNextSync = true;
  const err = await rejection(store.request(ask('13900000001', 'cdr-1')));
  t.equal(err.code, 'cannot-write');
  t.match(err.message, /callbacks\.jsonl: EIO/);
  t.same(store.pending(), [], 'the request is not taken');
  const later = await store.request(ask('13900000002', 'cdr-2'));
  t.same(
    store.pending().map((c) => c.id),
    [later.id],
    'the next request is written',
  );
  t.same(
    (await lines(file)).map((l) => l.number),
    ['13900000002'],
  );
  await store.close();
  t.same(
    (await reopen()).pending().map((c) => c.number),
    ['13900000002'],
  );
});

t.test('a voice message left after the request was taken: on the request, in the file, kept across a restart; a path is refused', async (t) => {
  const { file, clock, store, reopen } = await setup(t);
  const cb = await store.request(ask('13900000001', 'cdr-1'));
  t.notOk('message' in cb);
  clock.advance(15_000);
  const withMessage = await store.message(cb.id, { callId: 'cdr-1', message: `${cb.id}-${T0 + 15_000}.alaw` });
  t.equal(withMessage.message, `${cb.id}-${T0 + 15_000}.alaw`);
  t.match((await lines(file)).at(-1), { type: 'message', callback: cb.id, callId: 'cdr-1', message: `${cb.id}-${T0 + 15_000}.alaw`, at: T0 + 15_000 });
  t.equal((await rejection(store.message(cb.id, { callId: 'cdr-1', message: '../cdr.jsonl' }))).code, 'callback-invalid', 'a file name, never a path');
  t.equal((await rejection(store.message('no-such-request', { callId: 'cdr-1', message: 'x.alaw' }))).code, 'no-such-callback');
  await store.close();
  const again = await reopen();
  t.equal(again.get(cb.id)?.message, `${cb.id}-${T0 + 15_000}.alaw`);
});

t.test("'changed' tells each change once it is on disk; nothing for a refused one", async (t) => {
  const { file, store } = await setup(t);
  const seen: string[] = [];
  // Read at the moment it is told: the change must already be in the file.
  const linesNow = () => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  store.on('changed', (cb) => seen.push(`${cb.number} ${cb.state} attempts=${cb.attempts.length} lines=${linesNow()}`));
  const cb = await store.request(ask('13900000007', 'cdr-7'));
  await store.attempt(cb.id, { outcome: 'no-answer', callId: 'cdr-out-7' });
  await store.done(cb.id, 'staff');
  await rejection(store.done(cb.id, 'staff'));
  t.same(seen, ['13900000007 pending attempts=0 lines=1', '13900000007 pending attempts=1 lines=2', '13900000007 done attempts=1 lines=3']);
});
