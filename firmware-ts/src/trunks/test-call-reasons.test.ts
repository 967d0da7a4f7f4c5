import { CardRequestError, FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t from 'tap';
import { CardNotReadyError, type CardDriver } from '../card/card-driver.js';
import type { FxoView } from '../card/card-state.js';
import { CardLoopbackTest, DialToneTest, testReason, type TestVerdict } from './circuit-tests.js';
import { TestCallScheduler, type TestOutcome } from './test-call-scheduler.js';

// Each reason a test call fails or is skipped for carries a code and arguments beside the
// English text (which stays as it was), so that the CLI can word it in Chinese.

const silent = pino({ level: 'silent' });

/** A card of one span and three FXO ports, as much of it as the scheduler and the tests read. */
function stubCard(fxo: Partial<FxoView>[] = []) {
  const ports = new Map(fxo.map((p, port) => [port, { port, hook: 'on', ringing: false, line: 'present', ...p } as FxoView]));
  return {
    current: 'up',
    state: { inventory: { spans: 1, fxoPorts: 3 }, links: new Map([[0, { span: 0, timeslot: 16 }]]), fxo: ports },
    command: async () => ({ type: 'ack' }),
    commandOrReport: async () => true,
    on: () => {},
    off: () => {},
  };
}

function scheduler(card: ReturnType<typeof stubCard>, over: { fxo?: () => Promise<TestVerdict>; e1?: () => Promise<TestVerdict>; spanInAlarm?: boolean; busy?: boolean } = {}) {
  return new TestCallScheduler(
    {
      card: card as unknown as CardDriver,
      clock: new FakeClock(0),
      logger: silent,
      fxoTest: { run: over.fxo ?? (async () => ({ ok: true })) },
      e1Test: { run: over.e1 ?? (async () => ({ ok: true })) },
      spanInAlarm: () => over.spanInAlarm ?? false,
      isBusy: () => over.busy ?? false,
    },
    { schedule: { mode: 'off' }, failuresToBlock: 2, maxBlockedPerPass: 2, utcOffsetHours: 8 },
  );
}

const one = async (s: TestCallScheduler, circuit: string): Promise<TestOutcome> => (await s.run([circuit]))[0]!;

t.test('skips and failures found by the scheduler', async (t) => {
  const card = stubCard([{ hook: 'off' }, { line: 'unplugged' }]);
  t.match(await one(scheduler(card), 'fxo/7'), { result: 'skipped', reason: 'no such circuit fxo/7', reasonCode: 'no-such-circuit', reasonArgs: ['fxo/7'] });
  t.match(await one(scheduler(card), 'fxo/0'), { result: 'skipped', reason: 'line in use', reasonCode: 'line-in-use', reasonArgs: [] });
  t.match(await one(scheduler(card), 'fxo/1'), { result: 'fail', reason: 'no line on the port (no battery voltage)', reasonCode: 'no-line', reasonArgs: [] });
  t.match(await one(scheduler(card, { busy: true }), 'fxo/2'), { result: 'skipped', reason: 'busy with a call', reasonCode: 'busy', reasonArgs: [] });
  t.match(await one(scheduler(card, { spanInAlarm: true }), 'e1/0/5'), { result: 'skipped', reason: 'span 0 is in alarm', reasonCode: 'span-in-alarm', reasonArgs: [0] });
  t.match(await one(scheduler({ ...card, current: 'lost' }), 'fxo/2'), { result: 'skipped', reason: 'the card is not up', reasonCode: 'card-not-up', reasonArgs: [] });
  const passed = await one(scheduler(card), 'fxo/2');
  t.match(passed, { result: 'pass', reason: null });
  t.notOk('reasonCode' in passed, 'a pass has no reason code');
});

t.test('a verdict with a code passes it on; one without keeps its English only', async (t) => {
  const card = stubCard();
  const coded = scheduler(card, { e1: async () => ({ ok: false, reason: 'no 2000 Hz tone back within 2 s', ...testReason('no-tone-back', 2000, 2) }) });
  t.match(await one(coded, 'e1/0/1'), { result: 'fail', reason: 'no 2000 Hz tone back within 2 s', reasonCode: 'no-tone-back', reasonArgs: [2000, 2] });
  const plain = await one(scheduler(card, { e1: async () => ({ ok: false, reason: 'CIC 1 is blocked' }) }), 'e1/0/1');
  t.match(plain, { result: 'fail', reason: 'CIC 1 is blocked' });
  t.notOk('reasonCode' in plain);
});

t.test('the card failing mid-test is worded by what it did', async (t) => {
  const card = stubCard();
  const throwing = (err: Error) => scheduler(card, { fxo: async () => Promise.reject(err) });
  t.match(await one(throwing(new CardNotReadyError('card on /dev/ttyS1 is not up (lost); fxoHook not sent')), 'fxo/0'), {
    result: 'fail',
    reason: 'card on /dev/ttyS1 is not up (lost); fxoHook not sent',
    reasonCode: 'card-not-up',
  });
  t.match(await one(throwing(new CardRequestError('timeout', 'fxoHook: no answer after 3 tries')), 'fxo/0'), { reason: 'fxoHook: no answer after 3 tries', reasonCode: 'card-no-answer' });
  t.match(await one(throwing(new CardRequestError('nak', 'fxoHook refused: busy', 'busy')), 'fxo/0'), { reason: 'fxoHook refused: busy', reasonCode: 'card-refused' });
  t.match(await one(throwing(new CardRequestError('closed', 'link closed')), 'fxo/0'), { reasonCode: 'card-not-up' });
  const odd = await one(throwing(new TypeError('something unexpected')), 'fxo/0');
  t.match(odd, { result: 'fail', reason: 'something unexpected' });
  t.notOk('reasonCode' in odd, 'an unexpected error stays as thrown');
});

t.test('the dial tone and loopback tests give their timeouts as arguments', async (t) => {
  const clock = new FakeClock(0);
  const card = stubCard() as unknown as CardDriver;
  const dial = new DialToneTest(card, clock, 3000).run(0);
  const loop = new CardLoopbackTest(card, clock, 2000).run(0, 5);
  await new Promise((r) => setImmediate(r));
  clock.advance(3000);
  t.same(await dial, { ok: false, reason: 'no dial tone within 3 s', reasonCode: 'no-dial-tone', reasonArgs: [3] });
  t.same(await loop, { ok: false, reason: 'no 2000 Hz tone back within 2 s', reasonCode: 'no-tone-back', reasonArgs: [2000, 2] });
});
