import t from 'tap';
import { DEFAULT_LOOP_START_SETTINGS as S, IllegalLineMoveError, LoopStartLine, type LineOutput } from './loop-start.js';

// One loop-start line driven as the card would drive it, on a clock of plain numbers (ms).

/** A line with its own clock: `at(ms)` moves time on, running the line's timers on the way. */
function line(port = 2) {
  const l = new LoopStartLine(port, S, 0);
  let now = 0;
  const out: LineOutput[] = [];
  const at = (ms: number) => {
    for (let d = l.nextDeadline(); d !== null && d <= ms; d = l.nextDeadline()) {
      now = d;
      out.push(...l.tick(now));
    }
    now = ms;
    return now;
  };
  /** Rings 1 s on, 4 s off from `start`, `count` bursts. */
  const ring = (start: number, count: number, onBurst?: (k: number, end: number) => void) => {
    for (let k = 0; k < count; k++) {
      out.push(...l.ring(true, at(start + k * 5000)));
      out.push(...l.ring(false, at(start + k * 5000 + 1000)));
      onBurst?.(k, start + k * 5000 + 1000);
    }
  };
  return { l, out, at, ring, types: () => out.map((o) => o.type) };
}

const fsk = { number: '13900000000', name: '张三', method: 'fsk' as const };

t.test('FSK caller ID after the first ring: the call is offered with it, then answered', async (t) => {
  const { l, out, at, ring, types } = line();
  ring(1000, 1, (_, end) => out.push(...l.callerIdHeard(fsk, at(end + 600))));
  t.same(out, [{ type: 'incoming', callerId: fsk }], 'offered as the caller ID comes, before the second ring');
  t.equal(l.state, 'ringing');
  out.push(...l.answer(at(3000)));
  t.same(out.at(-1), { type: 'hook', offHook: true }, 'answer is going off-hook');
  out.push(...l.loopCurrent(at(3100)));
  t.equal(l.state, 'connected');
  t.same(types(), ['incoming', 'hook', 'answered']);
});

t.test('no caller ID: offered when the wait after the first ring runs out', async (t) => {
  const { l, out, at, ring } = line();
  ring(0, 1);
  at(1000 + S.callerIdWaitMs - 1);
  t.same(out, [], 'not yet');
  at(1000 + S.callerIdWaitMs);
  t.same(out, [{ type: 'incoming', callerId: null }]);
  t.equal(l.state, 'ringing');
});

t.test('DTMF caller ID before the first ring: offered at the ring', async (t) => {
  const { l, out, at } = line();
  out.push(...l.callerIdHeard({ number: '12345', name: '', method: 'dtmf' }, at(100)));
  t.same(out, [], 'nothing while idle');
  out.push(...l.ring(true, at(1500)));
  t.same(out, [{ type: 'incoming', callerId: { number: '12345', name: '', method: 'dtmf' } }]);
});

t.test('DTMF caller ID long before a ring belongs to no call', async (t) => {
  const { l, out, at } = line();
  out.push(...l.callerIdHeard({ number: '12345', name: '', method: 'dtmf' }, at(100)));
  out.push(...l.ring(true, at(100 + S.dtmfCallerIdMs + 1)));
  out.push(...l.ring(false, at(100 + S.dtmfCallerIdMs + 1001)));
  at(100 + S.dtmfCallerIdMs + 1001 + S.callerIdWaitMs);
  t.same(out, [{ type: 'incoming', callerId: null }]);
});

t.test('the caller hangs up while it rings: caller-gone after the ring gap, and the line is idle', async (t) => {
  const { l, out, at, ring, types } = line();
  ring(0, 3);
  const lastRingEnd = 11_000;
  at(lastRingEnd + S.ringGapMs - 1);
  t.equal(l.state, 'ringing', 'the 4 s pauses of the cadence are no hang-up');
  at(lastRingEnd + S.ringGapMs);
  t.same(types(), ['incoming', 'caller-gone', 'idle']);
  t.match(out[1], { rings: 3 });
  t.equal(l.state, 'idle');
});

t.test('the far end hangs up: battery loss, polarity reversal, or busy tone; the line goes on-hook', async (t) => {
  for (const [signal, report] of [
    ['battery-loss', (l: LoopStartLine, now: number) => l.supervision('battery-loss', now)],
    ['polarity-reversal', (l: LoopStartLine, now: number) => l.supervision('polarity-reversal', now)],
    ['busy-tone', (l: LoopStartLine, now: number) => l.tone('busy', now)],
  ] as const) {
    const { l, out, at, ring } = line();
    ring(0, 1);
    at(4000);
    out.push(...l.answer(at(4000)), ...l.loopCurrent(at(4050)));
    out.length = 0;
    out.push(...report(l, at(60_000)));
    t.same(out, [{ type: 'hook', offHook: false }, { type: 'far-end-hangup', signal }], signal);
    t.equal(l.state, 'releasing');
    at(60_000 + S.releaseGuardMs);
    t.equal(l.state, 'idle', `${signal}: idle after the release guard`);
    t.same(out.at(-1), { type: 'idle' });
  }
});

t.test('the caller hangs up in a ring pause as the box answers: dial tone ends the call, the line goes on-hook', async (t) => {
  const { l, out, at, ring } = line();
  ring(0, 1, (_, end) => out.push(...l.callerIdHeard(fsk, at(end + 500))));
  // The caller is gone at 2 s; the box cannot know until the cadence's pause runs out.
  out.push(...l.answer(at(2500)));
  t.same(out.at(-1), { type: 'hook', offHook: true }, 'the box answers a line it still takes for ringing');
  out.push(...l.loopCurrent(at(2550)));
  out.length = 0;
  out.push(...l.tone('dial', at(2700)));
  t.same(out, [{ type: 'hook', offHook: false }, { type: 'far-end-hangup', signal: 'dial-tone' }], 'the exchange offers dial tone: nobody is on the line');
  at(2700 + S.releaseGuardMs);
  t.equal(l.state, 'idle');
});

t.test('a new call rings as the box releases the last one: it is offered once the line is idle', async (t) => {
  const { l, out, at, ring } = line();
  ring(0, 1, (_, end) => out.push(...l.callerIdHeard(fsk, at(end + 500))));
  out.push(...l.answer(at(2000)), ...l.loopCurrent(at(2050)));
  out.push(...l.supervision('battery-loss', at(30_000)));
  t.equal(l.state, 'releasing');
  out.length = 0;
  // The exchange rings the line again 70 ms after the box went on-hook.
  out.push(...l.ring(true, at(30_070)));
  t.same(out, [], 'nothing yet: the line is still releasing when the ring starts');
  at(30_000 + S.releaseGuardMs);
  t.equal(l.state, 'ringing', 'the ring is taken up as the line comes back');
  out.push(...l.ring(false, at(31_070)));
  const next = { number: '13700000001', name: '', method: 'fsk' as const };
  out.push(...l.callerIdHeard(next, at(31_570)));
  t.same(out, [{ type: 'idle' }, { type: 'incoming', callerId: next }], 'the new call is offered with its caller ID');
});

t.test('a polarity reversal is no hang-up where the line is set so', async (t) => {
  const l = new LoopStartLine(0, { ...S, polarityDisconnect: false }, 0);
  l.ring(true, 0);
  l.answer(100);
  l.loopCurrent(150);
  t.same(l.supervision('polarity-reversal', 10_000), []);
  t.equal(l.state, 'connected');
});

t.test('no loop current after answering: back on-hook, said so', async (t) => {
  const { l, out, at } = line();
  out.push(...l.ring(true, at(0)));
  out.push(...l.answer(at(500)));
  at(500 + S.loopCurrentWaitMs);
  t.same(out.slice(-2), [{ type: 'hook', offHook: false }, { type: 'no-loop-current' }]);
  t.equal(l.state, 'releasing');
});

t.test('a line is never left off-hook: past the longest call the box hangs up', async (t) => {
  const { l, out, at } = line();
  out.push(...l.ring(true, at(0)));
  out.push(...l.answer(at(500)), ...l.loopCurrent(at(600)));
  at(500 + S.maxOffHookMs - 1);
  t.equal(l.state, 'connected');
  at(500 + S.maxOffHookMs);
  t.same(out.slice(-2), [{ type: 'hook', offHook: false }, { type: 'off-hook-too-long', ms: S.maxOffHookMs }]);
  at(500 + S.maxOffHookMs + S.releaseGuardMs);
  t.equal(l.state, 'idle');
});

t.test('we hang up: on-hook, then idle', async (t) => {
  const { l, out, at } = line();
  out.push(...l.ring(true, at(0)), ...l.answer(at(100)), ...l.loopCurrent(at(150)));
  out.length = 0;
  out.push(...l.hangUp(at(30_000)));
  t.same(out, [{ type: 'hook', offHook: false }]);
  at(30_000 + S.releaseGuardMs);
  t.equal(l.state, 'idle');
  t.same(l.hangUp(at(31_000)), [], 'hanging up an idle line does nothing');
});

t.test('seizing: off-hook, dial tone, then the digits', async (t) => {
  const { l, out, at } = line();
  out.push(...l.seize('95598', at(10_000)));
  t.same(out, [{ type: 'hook', offHook: true }]);
  out.push(...l.tone('dial', at(10_200)));
  t.same(out.slice(1), [{ type: 'dial', digits: '95598' }, { type: 'seized', digits: '95598' }]);
  t.equal(l.state, 'outgoing');
  out.push(...l.tone('busy', at(40_000)));
  t.same(out.slice(-2), [{ type: 'hook', offHook: false }, { type: 'far-end-hangup', signal: 'busy-tone' }], 'the callee hung up');
});

t.test('seizing: no dial tone, the seizure fails and the line goes back on-hook', async (t) => {
  const { l, out, at } = line();
  out.push(...l.seize('1', at(10_000)));
  at(10_000 + S.dialToneWaitMs);
  t.same(out.slice(1), [{ type: 'hook', offHook: false }, { type: 'seize-failed', reason: 'no-dial-tone' }]);
});

t.test('loop-start glare: no seizure while the line rings or just rang; a ring as we seize wins', async (t) => {
  const { l, out, at } = line();
  out.push(...l.ring(true, at(0)));
  t.same(l.seize('1', at(500)), [{ type: 'seize-failed', reason: 'ringing' }], 'ringing');
  out.push(...l.ring(false, at(1000)));
  at(1000 + S.ringGapMs); // the caller gave up
  t.equal(l.state, 'idle');
  t.same(l.seize('1', at(1000 + S.ringGapMs + 10)), [{ type: 'seize-failed', reason: 'ringing' }], 'just rang: the exchange may ring again');

  const other = line(3);
  other.out.push(...other.l.seize('1', other.at(20_000)));
  other.out.push(...other.l.ring(true, other.at(20_050)));
  t.same(other.out, [{ type: 'hook', offHook: true }, { type: 'glare' }, { type: 'incoming', callerId: null }, { type: 'answered' }], 'the incoming call is connected: we were off-hook as it rang');
  t.equal(other.l.state, 'connected');
  t.same(other.l.tone('dial', other.at(20_100)), [], 'no dialling into the caller');
});

t.test('a seizure of a line in use or unplugged is refused', async (t) => {
  const { l, at } = line();
  l.seize('1', at(10_000));
  t.same(l.seize('2', at(10_001)), [{ type: 'seize-failed', reason: 'line-busy' }]);
  const u = line(4);
  u.l.plugged(false, u.at(10_000));
  t.same(u.l.seize('1', u.at(10_001)), [{ type: 'seize-failed', reason: 'unplugged' }]);
});

t.test('the line unplugged mid-call: on-hook, line-lost; plugged back: idle', async (t) => {
  const { l, out, at } = line();
  out.push(...l.ring(true, at(0)), ...l.answer(at(100)), ...l.loopCurrent(at(150)));
  out.length = 0;
  out.push(...l.plugged(false, at(5000)));
  t.same(out, [{ type: 'hook', offHook: false }, { type: 'line-lost' }]);
  t.equal(l.state, 'unplugged');
  t.same(l.ring(true, at(6000)), [], 'no rings on a line that is not there');
  t.same(l.plugged(true, at(7000)), [{ type: 'idle' }]);
  t.equal(l.state, 'idle');
});

t.test('moves the table does not have are refused, naming the port and the state', async (t) => {
  const l = new LoopStartLine(5, S, 0);
  t.throws(() => l.answer(0), new IllegalLineMoveError(5, 'idle', 'answer'));
  t.throws(() => l.answer(0), { message: 'FXO port 5: a line that is idle cannot take answer' });
});

t.test('FSK caller ID after the call was offered without it comes as its own event', async (t) => {
  const { l, out, at, ring } = line();
  ring(0, 1);
  at(1000 + S.callerIdWaitMs);
  out.push(...l.callerIdHeard(fsk, at(4000)));
  t.same(out, [{ type: 'incoming', callerId: null }, { type: 'caller-id', callerId: fsk }]);
  t.same(l.callerIdHeard(fsk, at(4100)), [], 'once');
});

t.test('on a call we placed the first polarity reversal is the answer, the second the hang-up', async (t) => {
  const { l, out, at } = line();
  l.seize('95598', at(10_000));
  l.tone('dial', at(10_200));
  out.push(...l.supervision('polarity-reversal', at(15_000)));
  t.same(out, [{ type: 'far-end-answered' }]);
  t.equal(l.state, 'outgoing');
  out.push(...l.supervision('polarity-reversal', at(60_000)));
  t.same(out.slice(1), [{ type: 'hook', offHook: false }, { type: 'far-end-hangup', signal: 'polarity-reversal' }]);
});

t.test('a reversal right after we answer is the exchange answering, not a hang-up', async (t) => {
  const { l, at } = line();
  l.ring(true, at(0));
  l.answer(at(100));
  l.loopCurrent(at(150));
  t.same(l.supervision('polarity-reversal', at(100 + S.polarityAnswerGuardMs - 1)), []);
  t.equal(l.state, 'connected');
  t.match(l.supervision('polarity-reversal', at(30_000)), [{ type: 'hook' }, { type: 'far-end-hangup' }]);
});

t.test('seizing: busy tone instead of dial tone, or our own hang-up, ends the seizure at once', async (t) => {
  const a = line();
  a.l.seize('1', a.at(10_000));
  t.same(a.l.tone('busy', a.at(10_300)), [{ type: 'hook', offHook: false }, { type: 'seize-failed', reason: 'no-dial-tone' }]);
  const b = line(3);
  b.l.seize('1', b.at(10_000));
  t.same(b.l.hangUp(b.at(10_100)), [{ type: 'hook', offHook: false }, { type: 'seize-failed', reason: 'cancelled' }]);
});

t.test('the card refuses off-hook or the digits: the answer or seizure fails, the line goes back', async (t) => {
  const a = line();
  a.l.ring(true, a.at(0));
  a.l.answer(a.at(100));
  t.same(a.l.hookFailed(a.at(200)), [{ type: 'hook', offHook: false }, { type: 'hook-failed' }]);
  const b = line(3);
  b.l.seize('1', b.at(10_000));
  t.same(b.l.hookFailed(b.at(10_050)), [{ type: 'hook', offHook: false }, { type: 'seize-failed', reason: 'hook-failed' }]);
  const c = line(4);
  c.l.seize('95598', c.at(10_000));
  c.l.tone('dial', c.at(10_200));
  const call = c.l.callNumber;
  t.same(c.l.dialFailed(call - 1, c.at(10_300)), [], 'an answer about an earlier call changes nothing');
  t.same(c.l.dialFailed(call, c.at(10_300)), [{ type: 'hook', offHook: false }, { type: 'seize-failed', reason: 'dial-failed' }]);
});

t.test('a card reset ends the call on the line: line-lost, idle, no timer left', async (t) => {
  const { l, at } = line();
  l.ring(true, at(0));
  l.answer(at(100));
  l.loopCurrent(at(150));
  t.same(l.cardReset(at(5000), false), [{ type: 'line-lost' }], 'the relay dropped with the reset: no command');
  t.equal(l.state, 'idle');
  t.equal(l.nextDeadline(), null);
  const lost = line(3);
  lost.l.seize('1', lost.at(10_000));
  t.same(lost.l.cardReset(lost.at(10_100), true), [{ type: 'hook', offHook: false }, { type: 'line-lost' }], 'a lost card is told on-hook');
  const idle = line(4);
  t.same(idle.l.cardReset(idle.at(10), true), [], 'nothing to say on an idle line');
});
