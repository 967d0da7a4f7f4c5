import t from 'tap';
import { FakeClock } from '../clock.js';
import type { CardMessage } from '../protocol/index.js';
import { SimFxoPort } from './sim-fxo-port.js';
import { Timers } from './sim-timers.js';

function setup(start = 0) {
  const clock = new FakeClock(start);
  const sent: { at: number; message: CardMessage }[] = [];
  const port = new SimFxoPort({ index: 3, timers: new Timers(clock), clock, send: (message) => sent.push({ at: clock.now(), message }) });
  const of = <T extends CardMessage['type']>(type: T) =>
    sent.filter((s) => s.message.type === type).map((s) => ({ at: s.at, ...(s.message as Extract<CardMessage, { type: T }>) }));
  return { clock, port, sent, of };
}

t.test('an idle plugged line reads -48 V with no loop current', async (t) => {
  const { port } = setup();
  t.same(port.status(), { type: 'fxoStatus', port: 3, voltage: -48, loopCurrent: 0, offHook: false, ringing: false, polarity: 'normal' });
});

t.test('off-hook: -8 V, 25 mA, dial tone after 200 ms; on-hook ends it', async (t) => {
  const { clock, port, of } = setup();
  port.setHook(true);
  t.same(of('fxoStatus').at(-1), { at: 0, type: 'fxoStatus', port: 3, voltage: -8, loopCurrent: 25, offHook: true, ringing: false, polarity: 'normal' });
  clock.advance(199);
  t.equal(of('fxoTone').length, 0);
  clock.advance(1);
  t.same(of('fxoTone'), [{ at: 200, type: 'fxoTone', port: 3, tone: 'dial' }]);
  port.setHook(false);
  t.same(of('fxoTone').at(-1), { at: 200, type: 'fxoTone', port: 3, tone: 'none' });
  t.equal(of('fxoStatus').at(-1)?.voltage, -48);
});

t.test('unplugged: 0 V and no dial tone off-hook; plugging in brings it', async (t) => {
  const { clock, port, of } = setup();
  port.setPlugged(false);
  t.equal(of('fxoStatus').at(-1)?.voltage, 0);
  port.setHook(true);
  clock.advance(1000);
  t.equal(of('fxoTone').length, 0);
  t.equal(port.status().loopCurrent, 0);
  port.setPlugged(true);
  clock.advance(200);
  t.same(
    of('fxoTone').map((m) => m.tone),
    ['dial'],
  );
});

t.test('dialling ends dial tone; digits on-hook are refused', async (t) => {
  const { clock, port, of } = setup();
  t.equal(port.sendDigits(), 'not-ready');
  port.setHook(true);
  clock.advance(300);
  t.equal(port.sendDigits(), 'ok');
  t.same(
    of('fxoTone').map((m) => m.tone),
    ['dial', 'none'],
  );
});

t.test('ring cadence 1 s on / 4 s off, caller ID 500 ms after the first ring', async (t) => {
  const start = new Date(2024, 2, 7, 9, 5).getTime(); // 7 March, 09:05 local
  const { clock, port, of } = setup(start);
  port.ring({ callerId: '13800138000', name: 'Li Lei' });
  t.equal(port.status().ringing, true);
  clock.advance(10_500);
  t.same(
    of('fxoRing').map((r) => [r.at - start, r.on]),
    [
      [0, true],
      [1000, false],
      [5000, true],
      [6000, false],
      [10000, true],
    ],
  );
  t.same(of('fxoCallerId'), [{ at: start + 1500, type: 'fxoCallerId', port: 3, number: '13800138000', name: 'Li Lei', time: '03070905', method: 'fsk' }]);
  t.equal(port.status().ringing, true, 'still ringing between bursts');
});

t.test('answering stops the ring at once and connects the call', async (t) => {
  const { clock, port, of } = setup();
  port.ring({ callerId: '1' });
  clock.advance(500);
  port.setHook(true);
  t.same(
    of('fxoRing').map((r) => r.on),
    [true, false],
  );
  t.same(of('fxoStatus').at(-1), { at: 500, type: 'fxoStatus', port: 3, voltage: -8, loopCurrent: 25, offHook: true, ringing: false, polarity: 'normal' });
  clock.advance(10_000);
  t.equal(of('fxoCallerId').length, 0, 'answered before caller ID went out');
  t.equal(of('fxoTone').length, 0, 'no dial tone on an answered call');
  t.equal(port.state, 'connected');
});

t.test('ringing gives up after maxRings', async (t) => {
  const { clock, port, of } = setup();
  port.ring({ maxRings: 3 });
  clock.advance(60_000);
  t.equal(of('fxoRing').filter((r) => r.on).length, 3);
  t.equal(port.status().ringing, false);
  t.equal(of('fxoStatus').at(-1)?.at, 11_000, 'stops at the end of the third ring');
  t.equal(of('fxoCallerId').length, 0, 'no number given, no caller ID');
});

t.test('the default is 10 rings', async (t) => {
  const { clock, port, of } = setup();
  port.ring();
  clock.advance(120_000);
  t.equal(of('fxoRing').filter((r) => r.on).length, 10);
});

t.test('far-end hangup during a call: open loop 600 ms, then battery and busy tone', async (t) => {
  const { clock, port, of } = setup();
  port.ring({});
  clock.advance(2000);
  port.setHook(true);
  port.farEndHangup();
  t.same(of('fxoStatus').at(-1), { at: 2000, type: 'fxoStatus', port: 3, voltage: 0, loopCurrent: 0, offHook: true, ringing: false, polarity: 'normal' });
  clock.advance(599);
  t.equal(of('fxoTone').length, 0);
  clock.advance(1);
  t.same(of('fxoStatus').at(-1), { at: 2600, type: 'fxoStatus', port: 3, voltage: -8, loopCurrent: 25, offHook: true, ringing: false, polarity: 'normal' });
  t.same(of('fxoTone'), [{ at: 2600, type: 'fxoTone', port: 3, tone: 'busy' }]);
  port.setHook(false);
  t.same(
    of('fxoTone').map((m) => m.tone),
    ['busy', 'none'],
  );
  t.throws(() => port.farEndHangup(), /no call to hang up/);
});

t.test('far-end hangup while ringing stops the ring', async (t) => {
  const { clock, port, of } = setup();
  port.ring({});
  clock.advance(2000);
  port.farEndHangup();
  clock.advance(30_000);
  t.same(
    of('fxoRing').map((r) => r.on),
    [true, false],
  );
  t.equal(port.state, 'idle');
});

t.test('ringing is refused on an unplugged, off-hook or ringing line', async (t) => {
  const { port } = setup();
  port.ring();
  t.throws(() => port.ring(), { code: 'conflict', message: /already ringing/ });
  port.farEndHangup();
  port.setHook(true);
  t.throws(() => port.ring(), { code: 'conflict', message: /off-hook/ });
  port.setHook(false);
  port.setPlugged(false);
  t.throws(() => port.ring(), { code: 'conflict', message: /unplugged/ });
});

t.test('polarity reversal flips the voltage and is reported as an edge', async (t) => {
  const { port, of } = setup();
  port.setPolarity();
  t.same(of('fxoPolarity').map((p) => p.polarity), ['reversed']);
  t.same(of('fxoStatus').at(-1), { at: 0, type: 'fxoStatus', port: 3, voltage: 48, loopCurrent: 0, offHook: false, ringing: false, polarity: 'reversed' });
  port.setPolarity(true);
  t.equal(of('fxoPolarity').length, 1, 'already reversed: nothing to report');
  port.setPolarity(false);
  t.equal(port.voltage, -48);
});

t.test('card reset puts the hook down and stops ringing; the line stays unplugged', async (t) => {
  const { clock, port, of } = setup();
  port.ring({});
  clock.advance(100);
  port.resetCard();
  t.equal(port.state, 'idle');
  t.same(
    of('fxoRing').map((r) => r.on),
    [true],
    'the card is rebooting: it does not report the bell going quiet',
  );
  port.setPlugged(false);
  port.setHook(true);
  port.resetCard();
  t.same(port.snapshot(), { port: 3, voltage: 0, loopCurrent: 0, offHook: false, ringing: false, polarity: 'normal', plugged: false, tone: 'none', call: 'idle', rings: 1, dialled: '' });
  clock.advance(60_000);
  t.equal(clock.pending(), 0);
});

t.test('a call out: the exchange keeps the digits, rings them (ringback), and answers with a polarity reversal', async (t) => {
  const { clock, port, of } = setup();
  t.throws(() => port.answer(), /has no call of the box to answer \(idle\)/);
  port.setHook(true);
  clock.advance(300);
  t.throws(() => port.answer(), /nothing was dialled yet/);
  t.equal(port.sendDigits('1380'), 'ok');
  t.equal(port.sendDigits('0138000'), 'ok');
  t.equal(port.snapshot().dialled, '13800138000');
  t.same(
    of('fxoTone').map((m) => m.tone),
    ['dial', 'ringback'],
  );
  port.answer();
  t.equal(port.snapshot().call, 'connected');
  t.same(
    of('fxoTone').map((m) => m.tone),
    ['dial', 'ringback', 'none'],
  );
  t.same(
    of('fxoPolarity').map((m) => m.polarity),
    ['reversed'],
  );
  t.equal(port.status().voltage, 8, 'off-hook loop with the polarity reversed');
  port.setHook(false);
  t.same(
    of('fxoPolarity').map((m) => m.polarity),
    ['reversed', 'normal'],
    'the answer signal is taken back when the call ends',
  );
  t.equal(port.snapshot().dialled, '13800138000', 'the digits stay readable after the call');
  port.setHook(true);
  t.equal(port.snapshot().dialled, '', 'a new seizure forgets them');
});

t.test('an answer without reversal, for a line that gives none; the far end hangs up as on any call', async (t) => {
  const { clock, port, of } = setup();
  port.setHook(true);
  clock.advance(300);
  port.sendDigits('95598');
  port.answer({ reversePolarity: false });
  t.equal(of('fxoPolarity').length, 0);
  port.farEndHangup();
  t.equal(port.snapshot().call, 'open-loop');
  t.equal(port.status().voltage, 0);
  clock.advance(600);
  t.equal(port.snapshot().tone, 'busy');
});
