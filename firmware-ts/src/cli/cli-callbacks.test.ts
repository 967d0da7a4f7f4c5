import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { cliOverDispatcher } from '../../test-support/cli-over-dispatcher.js';
import { CallbackStore } from '../queue/callback-store.js';

// `countyline callbacks` and `countyline callbacks done <id>` as a user runs them: the CLI,
// the control methods `callbacks` and `callback-done` with their schemas, and the real
// callback store on a temp dir. Answers and errors cross as JSON, as on the control socket.

const silent = pino({ level: 'silent' });
const NOW = Date.UTC(2026, 11, 1, 2, 0, 0); // 10:00 at the box (UTC+8)

async function setup(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'countyline-callbacks-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const clock = new FakeClock(NOW - 3_600_000);
  const store = await CallbackStore.open({ file: join(dir, 'data', 'callbacks.jsonl'), clock, logger: silent });
  t.teardown(() => store.close());
  const first = await store.request({ number: '13900000001', line: { kind: 'fxo', port: 1 }, reason: 'after-hours', callId: 'cdr-1' });
  clock.advance(1_800_000);
  const second = await store.request({ number: '13800000002', line: { kind: 'e1', span: 0, timeslot: 5, cic: 5 }, reason: 'key', callId: 'cdr-2' });
  await store.done(first.id, 'staff');
  clock.advance(60_000);
  const third = await store.request({ number: '13700000003', line: { kind: 'fxo', port: 2 }, reason: 'no-agent', callId: 'cdr-3' });
  await store.message(third.id, { callId: 'cdr-3', message: `${third.id}-${clock.now()}.alaw` });
  clock.advance(NOW - clock.now());

  // Only the callback methods are called here; the rest of the firmware is not needed.
  const run = await cliOverDispatcher({ callbacks: () => store, messagesDir: join(dir, 'data', 'messages') }, dir, { now: () => NOW });
  return { store, run, dir, ids: [first.id, second.id, third.id] as const };
}

t.test('countyline callbacks: the waiting requests, oldest first; --all adds the done ones after them; --json keeps the fields', async (t) => {
  const { run, ids, dir } = await setup(t);
  const waiting = await run('callbacks');
  t.equal(waiting.code, 0);
  t.equal(waiting.stderr, '');
  const lines = waiting.stdout.trimEnd().split('\n');
  t.equal(lines[0], 'callback requests: 2 (2 waiting)');
  t.match(lines[2], new RegExp(`^${ids[1].slice(0, 8)}  13800000002 .* 09:30:00 .* caller pressed a key +- .* waiting$`));
  t.match(lines[3], new RegExp(`^${ids[2].slice(0, 8)}  13700000003 .* no agent logged in +yes `), 'the caller who left a voice message');
  t.equal(lines.length, 4);

  const all = await run('callbacks', '--all');
  t.same(
    all.stdout.trimEnd().split('\n').slice(2).map((l) => l.slice(0, 8)),
    [ids[1], ids[2], ids[0]].map((id) => id.slice(0, 8)),
    'the done request comes after those still waiting',
  );
  t.match(all.stdout, /callback requests: 3 \(2 waiting\)/);
  t.match(all.stdout, /\n\S+ {2}13900000001 .* after hours .* closed by staff\n$/);

  const json = await run('callbacks', '--json');
  const parsed = JSON.parse(json.stdout) as { id: string; number: string; reason: string; state: string }[];
  t.match(parsed, [
    { id: ids[1], number: '13800000002', reason: 'key', state: 'pending', line: { kind: 'e1', cic: 5 }, callId: 'cdr-2', requests: 1, attempts: [] },
    { id: ids[2], number: '13700000003', reason: 'no-agent', state: 'pending' },
  ]);
  t.equal(parsed.length, 2);
  t.notOk('message' in parsed[0]!, 'no message: no field');
  t.equal((parsed[1] as { message?: string }).message, join(dir, 'data', 'messages', `${ids[2]}-${NOW - 3_600_000 + 1_860_000}.alaw`), 'the message as the path of its file');
});

t.test('countyline callbacks done <id>: by the short id; done once, and the errors in English and Chinese', async (t) => {
  const { run, store, ids } = await setup(t);
  const done = await run('callbacks', 'done', ids[1].slice(0, 8));
  t.equal(done.code, 0);
  t.equal(done.stdout, `callback request ${ids[1].slice(0, 8)} (13800000002) marked done\n`);
  t.match(store.get(ids[1]), { state: 'done', doneBy: 'staff', doneAt: NOW });
  t.same(
    store.pending().map((c) => c.id),
    [ids[2]],
  );

  const again = await run('callbacks', 'done', ids[1]);
  t.equal(again.code, 2);
  t.match(again.stderr, new RegExp(`^countyline: callback request ${ids[1]} is already done \\(closed by staff, .*\\); nothing was changed\\n$`));
  const againZh = await run('callbacks', 'done', ids[1], '--lang', 'zh');
  t.match(againZh.stderr, new RegExp(`^countyline: 回拨请求 ${ids[1]} 已办结 \\(人工办结, `));

  const unknown = await run('callbacks', 'done', 'ffffffff');
  t.equal(unknown.code, 2);
  t.equal(unknown.stderr, 'countyline: no callback request ffffffff on this box; see countyline callbacks for their ids\n');
  const unknownZh = await run('callbacks', 'done', 'ffffffff', '--lang', 'zh');
  t.equal(unknownZh.stderr, 'countyline: 本机没有回拨请求 ffffffff; 请用 countyline callbacks 查看编号\n');

  const json = await run('callbacks', 'done', ids[2], '--json');
  t.match(JSON.parse(json.stdout), { id: ids[2], state: 'done', doneBy: 'staff' });
});

t.test('countyline callbacks: bad usage is exit 2 with the usage text', async (t) => {
  const { run } = await setup(t);
  const missing = await run('callbacks', 'done');
  t.equal(missing.code, 2);
  t.match(missing.stderr, /^countyline: callbacks done needs a request's id \(its first 8 characters will do\)\n\nusage:/);
  t.match(missing.stderr, /callbacks done <id> +mark a callback request done/);
  const wrong = await run('callbacks', 'clear');
  t.equal(wrong.code, 2);
  t.match(wrong.stderr, /^countyline: unexpected argument clear after callbacks\n/);
  const extra = await run('callbacks', 'done', 'abc', 'def');
  t.equal(extra.code, 2);
  t.match(extra.stderr, /unexpected argument def after callbacks done/);
});
