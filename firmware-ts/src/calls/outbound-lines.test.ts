import { pino } from 'pino';
import t, { type Test } from 'tap';
import { inProcessRig, type InProcessRigOptions } from '../../test-support/in-process-rig.js';
import { CountylineError } from '../errors.js';
import { AnalogLines } from '../signalling/analog/analog-lines.js';
import type { AnalogOutboundSettings } from '../signalling/analog/analog-outbound-leg.js';
import type { LineEnd } from './line-leg.js';
import type { OutboundLeg } from './outbound-leg.js';
import { OutboundLines, type PlaceRequest } from './outbound-lines.js';
import { IsupOutboundLeg } from '../signalling/isup/isup-outbound-leg.js';
import { PriStack } from '../signalling/pri/pri-stack.js';

// Calls out against the card simulator: its FXO ports' exchange side (dial tone, the digits it
// keeps, ringback, answer with a polarity reversal, open-loop hang-up) and its far-end ISUP
// exchange (ACM, ANM, REL), through the real card driver, on one fake clock.

const silent = pino({ level: 'silent' });
type IsupOptions = NonNullable<InProcessRigOptions['isup']>;

async function rig(t: Test, o: { isup?: boolean | IsupOptions; pri?: boolean; fxo?: Partial<AnalogOutboundSettings> } = {}) {
  const r = inProcessRig(t, { stepMs: 10, trunks: {}, ...(o.isup && { isup: o.isup === true ? {} : o.isup }) });
  const analog = new AnalogLines({ card: r.card, trunks: r.trunks, clock: r.clock, logger: silent });
  t.teardown(() => analog.stop());
  // A PRI stack never started: its D-channel stays down (PRI calls out are in pri-outbound-leg.test.ts and the libpri bench).
  const pri = o.pri ? new PriStack({ card: r.card, clock: r.clock, logger: silent, link: 0, span: 0 }) : null;
  if (pri) t.teardown(() => pri.stop());
  const lines = new OutboundLines({ card: r.card, clock: r.clock, logger: silent, analog, trunks: r.trunks, isup: o.isup ? r.stack : null, pri, calling: '12345', ...(o.fxo && { fxo: o.fxo }) });
  await r.up();
  await r.run(1500); // every FXO line reported: battery on each
  const place = (request: PlaceRequest) => r.settle(lines.place(request));
  return { r, analog, lines, place, fxo: (port: number) => r.sim.state().fxo[port]! };
}

/** Everything a leg says, in order. */
function record(leg: OutboundLeg) {
  const heard: string[] = [];
  const ends: LineEnd[] = [];
  leg.on('progress', (what) => heard.push(what));
  leg.on('answered', (signal) => heard.push(`answered:${signal}`));
  leg.on('digit', (d) => heard.push(`digit:${d}`));
  leg.on('ended', (end) => {
    heard.push('ended');
    ends.push(end);
  });
  return { heard, ends };
}

t.test('FXO: the highest idle port is seized, the number dialled; answered once dialled; the far end hangs up', async (t) => {
  const { r, place, fxo, analog } = await rig(t);
  const leg = await place({ number: '13800138000', prefer: 'fxo', only: true });
  t.same(leg.line, { kind: 'fxo', port: 4 }, 'port 4 of 0-4: calls out take the other end of the hunt group');
  const { heard, ends } = record(leg);
  t.match(fxo(4), { offHook: true, call: 'seized', dialled: '13800138000', tone: 'ringback' }, 'the far end has the number and rings it');
  t.ok(await r.until(() => heard.includes('answered:dialling-complete'), 2000));
  t.same(heard, ['dialled', 'answered:dialling-complete']);
  t.equal(leg.answeredBy, 'dialling-complete');
  // The callee picks up; the line reverses its polarity: not a hang-up on a call we placed.
  r.sim.answerLine(4, {});
  t.ok(await r.until(() => heard.includes('far-end-answered'), 500));
  r.sim.pressKeys({ port: 4 }, '1');
  t.ok(await r.until(() => heard.includes('digit:1'), 500), "the callee's key reaches the leg");
  t.same(ends, [], 'the call is up');
  r.sim.hangUpLine(4);
  t.ok(await r.until(() => ends.length === 1, 2000));
  t.match(ends[0], { by: 'caller' });
  t.notOk(ends[0]!.answerFailed);
  t.ok(await r.until(() => fxo(4).offHook === false && analog.view().find((l) => l.port === 4)?.state === 'idle', 2000), 'on-hook and idle again');
});

t.test('FXO, rule polarity: answered at the reversal only; without one the box hangs up with no answer', async (t) => {
  const { r, place, fxo } = await rig(t, { fxo: { answer: 'polarity', noAnswerMs: 5000 } });
  const first = await place({ number: '95598', prefer: 'fxo' });
  const a = record(first);
  await r.run(2000);
  t.same(a.heard, ['dialled'], 'dialled, not yet answered');
  r.sim.answerLine(4, {});
  t.ok(await r.until(() => a.heard.includes('answered:polarity-reversal'), 500));
  first.release(16);
  t.ok(await r.until(() => fxo(4).offHook === false, 500), 'release puts the line on-hook');
  t.same(a.ends, [], 'nothing ends a call the box released');
  await r.run(1000);

  const second = await place({ number: '95598', prefer: 'fxo' });
  t.same(second.line, { kind: 'fxo', port: 4 }, 'the port is free again');
  const b = record(second);
  t.ok(await r.until(() => b.ends.length === 1, 8000));
  t.match(b.ends[0], { by: 'line', cause: 19, reasonCode: 'no-answer', answerFailed: true });
  t.ok(await r.until(() => fxo(4).offHook === false, 500));
});

t.test('FXO: a busy port is passed over; no plugged line is a clear error in English and Chinese', async (t) => {
  const { r, place, lines, fxo } = await rig(t);
  const a = await place({ number: '111', prefer: 'fxo', only: true });
  const b = await place({ number: '222', prefer: 'fxo', only: true });
  t.same([a.line, b.line], [{ kind: 'fxo', port: 4 }, { kind: 'fxo', port: 3 }]);
  t.equal(fxo(3).dialled, '222');
  t.same(lines.idleFxoPorts(), [2, 1, 0]);
  a.release(16);
  b.release(16);
  for (const port of [0, 1, 2, 3, 4]) r.sim.setLinePlugged(port, false);
  await r.run(3000);
  const err = await place({ number: '333', prefer: 'fxo', only: true }).catch((e: unknown) => e);
  t.ok(err instanceof CountylineError);
  t.match(err, { code: 'no-line-free', args: { number: '333', lines: [{ kind: 'fxo', why: 'unplugged' }] } });
  t.equal((err as CountylineError).text('en'), 'no line free to call 333: FXO lines: no line plugged in. See countyline status and countyline circuits.');
  t.equal((err as CountylineError).text('zh'), '没有空闲线路可呼叫 333: 模拟外线: 未接外线。请查看 countyline status 与 countyline circuits。');
  await t.rejects(place({ number: '12a' }), { code: 'dial-number-invalid' });
});

t.test('E1: IAM with the number on the circuit the selection gives, ACM, ANM; held until the box releases (REL, RLC)', async (t) => {
  const { r, place } = await rig(t, { isup: true });
  const mark = r.tap.mark();
  const leg = await place({ number: '13800138000' });
  t.same(leg.line, { kind: 'e1', span: 0, timeslot: 1, cic: 1 }, 'CIC 1: the box controls the odd CICs and takes its own first');
  const { heard, ends } = record(leg);
  const iam = r.tap.of('box', 'IAM').at(-1)!;
  t.match(iam, { cic: 1, calledPartyNumber: { digits: '13800138000' }, callingPartyNumber: { digits: '12345' } });
  t.ok(await r.until(() => heard.includes('answered:anm'), 2000));
  t.same(heard, ['alerting', 'answered:anm']);
  await r.run(30_000);
  t.same(r.tap.trace('box', mark), ['IAM 1'], 'no REL of its own: the call is held for the person');
  leg.release(16);
  t.ok(await r.until(() => r.tap.trace('exchange', mark).includes('RLC 1'), 2000));
  t.same(r.tap.trace('box', mark), ['IAM 1', 'REL 1']);
  t.same(r.tap.trace('exchange', mark), ['ACM 1', 'ANM 1', 'RLC 1']);
  t.same(ends, []);
  t.equal(r.circuit(1).call, 'idle');
});

t.test('E1: the exchange releases an answered call: ended by the far end with its cause', async (t) => {
  const { r, place } = await rig(t, { isup: true });
  r.exchange.setTraffic({ holdSeconds: 1 }); // the callee hangs up after a second or so
  const leg = await place({ number: '95598' });
  const { heard, ends } = record(leg);
  t.ok(await r.until(() => heard.includes('answered:anm'), 2000));
  t.ok(await r.until(() => ends.length === 1, 30_000));
  t.same(r.tap.trace('exchange').filter((m) => m.startsWith('REL')), ['REL 1']);
  t.match(ends[0], { by: 'caller', cause: 16 });
  t.notOk(ends[0]!.answerFailed);
});

t.test('E1 not ready (signalling link down): the call falls back to an FXO line; with only E1 it is refused', async (t) => {
  const { r, place } = await rig(t, { isup: true });
  r.sim.setSpanDefects(0, { los: true });
  t.ok(await r.until(() => !r.stack.transport.isUp, 5000));
  await t.rejects(place({ number: '95598', prefer: 'e1', only: true }), { code: 'no-line-free', args: { lines: [{ kind: 'e1', why: 'link-down' }] } });
  const leg = await place({ number: '95598' });
  t.same(leg.line, { kind: 'fxo', port: 4 });
  leg.release(16);
});

t.test('PRI with its D-channel down: E1 is tried first and the call falls back to FXO; with only E1 the error says why', async (t) => {
  const { r, place } = await rig(t, { pri: true });
  const err = await place({ number: '95598', prefer: 'e1', only: true }).catch((e: unknown) => e);
  t.match(err, { code: 'no-line-free', args: { lines: [{ kind: 'e1', why: 'd-channel-down' }] } });
  t.equal((err as CountylineError).text('en'), 'no line free to call 95598: E1 circuits: the PRI D-channel is down. See countyline status and countyline circuits.');
  t.equal((err as CountylineError).text('zh'), '没有空闲线路可呼叫 95598: E1 电路: PRI D 信道中断。请查看 countyline status 与 countyline circuits。');
  const leg = await place({ number: '95598' });
  t.same(leg.line, { kind: 'fxo', port: 4 }, 'the FXO line takes the call');
  leg.release(16);
  for (const port of [0, 1, 2, 3, 4]) r.sim.setLinePlugged(port, false);
  await r.run(3000);
  await t.rejects(place({ number: '95598' }), { code: 'no-line-free', args: { lines: [{ kind: 'e1', why: 'd-channel-down' }, { kind: 'fxo', why: 'unplugged' }] } }, 'no SS7, but PRI: E1 tried first, then FXO');
});

t.test('E1: a dual seizure lost (Q.764 2.9.1.4 b) repeats the call on another circuit, and its line and audio follow', async (t) => {
  // Hunting from CIC 30 down, the first attempt lands on a CIC the exchange controls.
  const { r } = await rig(t, { isup: { selection: 'opposite-order', huntDirection: 'high-to-low' } });
  r.exchange.setGlareRatio(1);
  // The audio is connected as the IAM leaves, before the exchange's crossing IAM is in (the
  // in-memory line delivers it within the same turn of the event loop as `place` resolves).
  const leg = new IsupOutboundLeg(r.stack, r.card, r.clock, '95598');
  const started = leg.start();
  t.same(leg.line, { kind: 'e1', span: 0, timeslot: 31, cic: 30 }, 'CIC 30 (timeslot 31: timeslot 16 carries the signalling)');
  const connected = leg.connectMedia(40_002);
  await started;
  const { heard, ends } = record(leg);
  t.ok(await r.until(() => heard.includes('answered:anm'), 3000));
  await r.settle(connected);
  t.same(r.glares, [
    { cic: 30, outcome: 'lost' },
    { cic: 29, outcome: 'won' },
  ]);
  t.same(leg.line, { kind: 'e1', span: 0, timeslot: 30, cic: 29 }, 'the call is on CIC 29 now');
  const connects = r.sent.filter((m) => m.type === 'tsConnect').map((m) => m.type === 'tsConnect' && `ts ${m.timeslot} -> ${m.mediaPort}`);
  t.same(connects, ['ts 31 -> 40002', 'ts 31 -> 0', 'ts 30 -> 40002'], 'the audio moved with the call');
  t.same(ends, []);
  leg.release(16);
  t.ok(await r.until(() => r.circuit(29).call === 'idle', 3000));
});
