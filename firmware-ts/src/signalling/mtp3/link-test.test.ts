import { FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t from 'tap';
import type { LinkTestMessage } from './link-test-codec.js';
import { LinkTest, type LinkTestFailure } from './link-test.js';

// The Q.707 2.2 procedure on its own, on a FakeClock, with what it sends written down.

const T1 = 8000;
const T2 = 60_000;
const SLC = 3;

function harness() {
  const clock = new FakeClock(1_000_000);
  const sent: { at: number; type: string; pattern: Uint8Array; slc: number }[] = [];
  const events: string[] = [];
  const test = new LinkTest({
    clock,
    logger: pino({ level: 'silent' }),
    settings: { timeoutMs: T1, periodMs: T2 },
    slc: SLC,
    send: (m: LinkTestMessage, slc) => {
      sent.push({ at: clock.now(), type: m.type, pattern: m.pattern, slc });
      return true;
    },
  });
  test.on('available', (up) => events.push(up ? 'available' : 'unavailable'));
  test.on('restart', (failure: LinkTestFailure) => events.push(`restart ${failure}`));
  const sltms = () => sent.filter((s) => s.type === 'SLTM');
  /** The exchange answers the latest SLTM. */
  const answer = (change: { slc?: number; pattern?: Uint8Array } = {}) => {
    const last = sltms().at(-1)!;
    test.onMessage({ type: 'SLTA', pattern: change.pattern ?? last.pattern }, change.slc ?? last.slc);
  };
  return { clock, sent, events, test, sltms, answer };
}

t.test('an SLTM as the link comes into service; its SLTA makes the link available; then one every T2', async (t) => {
  const h = harness();
  t.equal(h.test.state, 'off');
  h.test.linkInService();
  t.equal(h.test.state, 'pending');
  t.match(h.sltms(), [{ at: 1_000_000, slc: SLC }], 'at once, with our SLC');
  t.notOk(h.test.available, 'not available before the SLTA');
  h.clock.advance(300);
  h.answer();
  t.equal(h.test.state, 'passed');
  t.same(h.events, ['available']);
  t.match(h.test.view(), { state: 'passed', lastTestAt: 1_000_300, lastResult: 'passed', lastFailure: null, restarts: 0 });
  h.clock.advance(T2 - 1);
  t.equal(h.sltms().length, 1);
  h.clock.advance(1);
  t.equal(h.sltms().length, 2, 'the next test T2 after the last passed');
  t.not(Buffer.from(h.sltms()[1]!.pattern).toString(), Buffer.from(h.sltms()[0]!.pattern).toString(), 'with a pattern of its own');
  h.answer();
  t.same(h.events, ['available'], 'a periodic pass changes nothing');
});

t.test('no SLTA within T1: the test is repeated at once; a second failure restarts the link', async (t) => {
  const h = harness();
  h.test.linkInService();
  h.clock.advance(T1 - 1);
  t.equal(h.sltms().length, 1);
  h.clock.advance(1);
  t.same(h.sltms().map((s) => s.at - 1_000_000), [0, T1], 'repeated the moment T1 ran out');
  t.match(h.test.view(), { state: 'pending', lastResult: 'failed', lastFailure: 'no-answer' });
  t.same(h.events, []);
  h.clock.advance(T1);
  t.same(h.events, ['restart no-answer']);
  t.match(h.test.view(), { state: 'failed', restarts: 1 });
  h.clock.advance(10 * T2);
  t.equal(h.sltms().length, 2, 'no test runs on a link being restarted');
  h.test.linkOutOfService();
  t.equal(h.test.state, 'failed', 'still shown failed while the link is down');
  h.test.linkInService();
  t.equal(h.sltms().length, 3, 'back in service: tested again');
  h.answer();
  t.match(h.test.view(), { state: 'passed', restarts: 1 });
  t.same(h.events, ['restart no-answer', 'available']);
});

t.test('one failure then a pass: no restart, and the count of failures starts again', async (t) => {
  const h = harness();
  h.test.linkInService();
  h.answer();
  h.clock.advance(T2 + T1);
  t.equal(h.sltms().length, 3, 'the periodic test failed and was repeated');
  h.answer();
  h.clock.advance(T2 + T1);
  h.answer();
  t.same(h.events, ['available'], 'two failures, but not in a row');
});

t.test('periodic tests that fail twice take an available link away and restart it', async (t) => {
  const h = harness();
  h.test.linkInService();
  h.answer();
  h.clock.advance(T2 + 2 * T1);
  t.same(h.events, ['available', 'unavailable', 'restart no-answer']);
  t.notOk(h.test.available);
});

t.test('an SLTA with another pattern or another SLC fails the test at once (Q.707 2.2 a, c)', async (t) => {
  const h = harness();
  h.test.linkInService();
  h.clock.advance(100);
  h.answer({ pattern: Uint8Array.from([1, 2, 3]) });
  t.match(h.test.view(), { state: 'pending', lastFailure: 'wrong-pattern', lastTestAt: 1_000_100 });
  t.equal(h.sltms().length, 2, 'repeated at once, not after T1');
  h.clock.advance(100);
  h.answer({ slc: SLC + 1 });
  t.same(h.events, ['restart wrong-slc']);
});

t.test('an SLTA that comes after its T1, during the repeat, is late, not wrong', async (t) => {
  const h = harness();
  h.test.linkInService();
  const first = h.sltms()[0]!;
  h.clock.advance(T1 + 200);
  h.test.onMessage({ type: 'SLTA', pattern: first.pattern }, SLC);
  t.equal(h.test.state, 'pending', 'the repeat still waits for its own SLTA');
  t.equal(h.sltms().length, 2);
  h.answer();
  t.equal(h.test.state, 'passed');
  t.same(h.events, ['available']);
});

t.test('an SLTM is answered at once with its pattern and its SLC, whatever our own test is doing', async (t) => {
  const h = harness();
  const pattern = Uint8Array.from([0xca, 0xfe]);
  h.test.onMessage({ type: 'SLTM', pattern }, SLC);
  h.test.linkInService();
  h.test.onMessage({ type: 'SLTM', pattern }, 9);
  t.same(
    h.sent.filter((s) => s.type === 'SLTA').map((s) => ({ at: s.at, slc: s.slc, pattern: [...s.pattern] })),
    [
      { at: 1_000_000, slc: SLC, pattern: [0xca, 0xfe] },
      { at: 1_000_000, slc: 9, pattern: [0xca, 0xfe] },
    ],
    'also before our own test passed, and with the SLC it named',
  );
  t.equal(h.test.state, 'pending', 'answering does not pass our own test');
});

t.test('the link going out of service stops the test and takes availability away; stop() leaves no timer', async (t) => {
  const h = harness();
  h.test.linkInService();
  h.answer();
  h.test.linkOutOfService();
  t.equal(h.test.state, 'off');
  t.same(h.events, ['available', 'unavailable']);
  h.clock.advance(10 * T2);
  t.equal(h.sltms().length, 1, 'no test on a link out of service');
  h.test.linkInService();
  h.test.stop();
  h.clock.advance(10 * T2);
  t.equal(h.sltms().length, 2);
  t.same(h.events, ['available', 'unavailable'], 'no restart after stop()');
});
