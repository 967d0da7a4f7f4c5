import { pino } from 'pino';
import t from 'tap';
import { CoalescingWriter } from './coalescing-writer.js';

/** A pino logger whose lines are kept, parsed, for the test to look at. */
function captureLogger() {
  const lines: Array<Record<string, unknown> & { level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/** A writer over a fake disk whose writes finish only when the test lets them. */
function setup(opts: { fail?: () => boolean } = {}) {
  const { logger, lines } = captureLogger();
  let state = 0;
  const saved: string[] = [];
  const pending: Array<() => void> = [];
  let manual = false;
  const writer = new CoalescingWriter({
    snapshot: () => String(state),
    write: (text) =>
      new Promise<void>((resolve, reject) => {
        const finish = () => {
          if (opts.fail?.()) reject(new Error('disk full'));
          else {
            saved.push(text);
            resolve();
          }
        };
        if (manual) pending.push(finish);
        else finish();
      }),
    logger,
    what: 'test state',
  });
  return {
    writer,
    lines,
    saved,
    set: (n: number) => {
      state = n;
      writer.changed();
    },
    holdWrites: () => (manual = true),
    releaseOne: () => pending.shift()?.(),
  };
}

t.test('a synchronous burst of changes is saved by one write of the last state', async (t) => {
  const s = setup();
  for (let i = 1; i <= 1000; i++) s.set(i);
  await s.writer.flush();
  t.same(s.saved, ['1000']);
  t.equal(s.writer.writeCount, 1);
});

t.test('changes during a slow write are saved by exactly one more write, without a flush', async (t) => {
  const s = setup();
  s.holdWrites();
  s.set(1);
  await tick();
  for (let i = 2; i <= 50; i++) s.set(i);
  for (let i = 0; i < 20 && s.saved.length < 2; i++) {
    s.releaseOne();
    await tick();
  }
  t.same(s.saved, ['1', '50']);
  t.equal(s.writer.writeCount, 2);
});

t.test('flush with nothing pending resolves at once', async (t) => {
  const s = setup();
  await s.writer.flush();
  t.equal(s.writer.writeCount, 0);
});

t.test('a failed write is logged, not thrown, and retried by the next change or flush', async (t) => {
  let failing = true;
  const s = setup({ fail: () => failing });
  s.set(1);
  await tick();
  t.equal(s.writer.writeCount, 1);
  t.same(s.saved, []);
  t.match(s.writer.lastError, { message: 'disk full' });
  t.match(s.lines.filter((l) => l.level === 50), [{ msg: /cannot save test state; will retry/, err: { message: 'disk full' } }]);

  failing = false;
  await s.writer.flush();
  t.same(s.saved, ['1'], 'flush (as on shutdown) saves what failed before');
  t.equal(s.writer.lastError, null);
  t.ok(s.lines.some((l) => /saved again/.test(l.msg)));

  failing = true;
  s.set(2);
  await s.writer.flush();
  t.same(s.saved, ['1'], 'a flush that cannot save resolves anyway');
  failing = false;
  s.set(3);
  await tick();
  t.same(s.saved, ['1', '3'], 'the next change saves the latest state');
});
