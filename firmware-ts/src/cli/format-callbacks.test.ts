import t from 'tap';
import type { Callback } from '../queue/callback-store.js';
import { formatCallbacks } from './format-callbacks.js';
import { displayWidth } from './text-width.js';

const NOW = Date.UTC(2026, 9, 8, 2, 0, 0); // 10:00 at the box (UTC+8)

const base: Callback = {
  id: '3f2a9c1d-5b6e-4c2a-9d1e-7f00aa11bb22',
  number: '13900000001',
  line: { kind: 'fxo', port: 1 },
  reason: 'after-hours',
  callId: 'cdr-1',
  requestedAt: NOW - 3_600_000,
  requests: 1,
  lastRequestedAt: NOW - 3_600_000,
  attempts: [],
  state: 'pending',
  doneAt: null,
  doneBy: null,
};

const callbacks: Callback[] = [
  { ...base, id: '0e11aa22-0000-4000-8000-000000000001', requestedAt: NOW - 2 * 86_400_000, reason: 'overflow', state: 'done', doneAt: NOW - 86_400_000, doneBy: 'expired' },
  { ...base, requests: 3, lastRequestedAt: NOW - 600_000, message: '3f2a9c1d-1760000000000.alaw', attempts: [{ at: NOW - 300_000, outcome: 'no-answer', callId: 'cdr-9', agent: 'lihua' }] },
  { ...base, id: '7c0ffee0-0000-4000-8000-000000000002', number: '+8657112345678', reason: 'key', requestedAt: NOW - 60_000, lastRequestedAt: NOW - 60_000 },
];

/** The display column where each cell of a line starts (cells are two or more spaces apart). */
const cellStarts = (line: string) => [...line.matchAll(/\S+(?: \S+)*/g)].map((m) => displayWidth(line.slice(0, m.index)));

t.test('the table in English: short ids, local times, how often the caller asked, whether they left a message, and how the tries went', async (t) => {
  t.equal(
    formatCallbacks(callbacks, 'en', NOW),
    [
      'callback requests: 3 (2 waiting)',
      'id        number          requested            reason                message  tries  state',
      '0e11aa22  13900000001     10-06 10:00          queue overflow        -        0      expired',
      '3f2a9c1d  13900000001     09:00:00 (asked 3x)  after hours           yes      1      waiting, last try: no answer',
      '7c0ffee0  +8657112345678  09:59:00             caller pressed a key  -        0      waiting',
    ].join('\n'),
  );
});

t.test('the table in Chinese: every word in Chinese, columns lined up by display width', async (t) => {
  const out = formatCallbacks(callbacks, 'zh', NOW);
  t.equal(
    out,
    [
      '回拨请求: 3 个 (待回拨 2 个)',
      '编号      回拨号码        留号时间              原因      留言  回拨次数  状态',
      '0e11aa22  13900000001     10-06 10:00           排队溢出  -     0         已过期',
      '3f2a9c1d  13900000001     09:00:00 (来电 3 次)  下班时间  有    1         待回拨, 上次: 无人接听',
      '7c0ffee0  +8657112345678  09:59:00              按键留号  -     0         待回拨',
    ].join('\n'),
  );
  const [head, ...rows] = out.split('\n').slice(1);
  for (const row of rows) t.same(cellStarts(row), cellStarts(head!), `${row} lines up with the head`);
});

t.test('times follow the box time zone given; every done state and try outcome has its words', async (t) => {
  const one = (c: Partial<Callback>, lang: 'en' | 'zh' = 'en') => formatCallbacks([{ ...base, ...c }], lang, NOW, 0).split('\n')[2]!;
  t.match(one({}), /^3f2a9c1d +13900000001 +01:00:00 /, 'UTC box: 01:00');
  t.match(one({ state: 'done', doneAt: NOW, doneBy: 'callback' }), / 0 +called back$/);
  t.match(one({ state: 'done', doneAt: NOW, doneBy: 'staff' }, 'zh'), / 0 +人工办结$/);
  t.match(one({ reason: 'no-agent', attempts: [{ at: NOW, outcome: 'busy', callId: 'c1' }, { at: NOW, outcome: 'failed', callId: 'c2' }] }), /no agent logged in +- +2 +waiting, last try: FAILED$/);
  t.match(one({ attempts: [{ at: NOW, outcome: 'busy', callId: 'c1' }] }, 'zh'), /待回拨, 上次: 占线$/);
});

t.test('no requests: one line saying so', async (t) => {
  t.equal(formatCallbacks([], 'en', NOW), 'no callback requests');
  t.equal(formatCallbacks([], 'zh', NOW), '没有回拨请求');
});
