import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { toneFrame } from '../media/tones.js';
import { CallbackStore } from '../queue/callback-store.js';
import { kpiDay } from '../queue/kpi.js';
import { OfficeHours } from '../queue/office-hours.js';
import { CountylineError } from '../errors.js';
import type { CallbackTaker } from './call-manager.js';
import { ANN, BO, PHONE, T0, setup, silent, testPrompts } from '../../test-support/call-doubles.js';

t.test('an E1 call: ACM when offered, ANM when the agent answers, REL when the agent hangs up; one CDR', async (t) => {
  const s = await setup(t, [ANN]);
  const line = s.e1();
  const id = s.calls.incoming(line);
  await s.flush();
  t.same(line.did, ['media 41000', 'alert'], 'audio connected, then ACM as the phone starts to ring');
  t.equal(s.phones.calls.length, 1);
  t.match(s.phones.calls[0]!.request, { agent: 'ann', callerNumber: '13800000001', localMedia: s.media.local });
  t.ok(s.phones.calls[0]!.request.ringTimeoutMs > 20_000, "the queue's ring timeout decides, the phone's own is a backstop past it");
  t.match(s.calls.active(), [{ id, state: 'offering', agent: 'ann', agentName: '安娜', calling: '13800000001', called: '12345' }]);
  s.clock.advance(4000);
  s.phones.calls[0]!.fire('answered', PHONE);
  t.same(line.did.slice(2), ['answer'], 'ANM only now');
  t.same(s.media.did, ['phone 192.0.2.10:30000']);
  t.match(s.queue.agent('ann'), { state: 'in-call' });
  s.clock.advance(60_000);
  s.phones.calls[0]!.fire('ended', { by: 'agent', reason: 'hangup' });
  t.same(line.did.at(-1), 'release 16', 'REL normal clearing');
  await s.flush();
  t.equal(s.calls.active().length, 0);
  t.equal(s.ended.length, 1);
  const expected = {
    id,
    line: { kind: 'e1', span: 0, timeslot: 5, cic: 5 },
    calling: '13800000001',
    called: '12345',
    agent: 'ann',
    arrivedAt: T0,
    offeredAt: T0,
    answeredAt: T0 + 4000,
    endedAt: T0 + 64_000,
    result: 'answered',
    reason: null,
    hungUpBy: 'agent',
    cause: 16,
    queue: { id: 'office', enteredAt: T0, leftAt: T0 + 4000, position: 1 },
  };
  t.same(s.ended[0], expected);
  t.same(await s.onDisk(), [expected], 'the CDR was on disk when it was reported');
  t.notOk(s.phones.busy.has('ann'), 'the agent is free again');
  t.match(s.queue.agent('ann'), { state: 'idle', callsAnswered: 1 });
});

t.test('the caller hangs up while the phone rings: CANCEL to the phone, abandoned', async (t) => {
  const s = await setup(t, [ANN]);
  const line = s.e1();
  s.calls.incoming(line);
  await s.flush();
  s.clock.advance(7000);
  line.fire('ended', { by: 'caller', cause: 16, reason: null });
  t.ok(s.phones.calls[0]!.hungUp, 'the ringing phone is hung up');
  await s.flush();
  t.match(s.ended, [{ result: 'abandoned', hungUpBy: 'caller', cause: 16, agent: 'ann', answeredAt: null, endedAt: T0 + 7000, queue: { leftAt: T0 + 7000 } }]);
  t.notOk(line.did.includes('release 16'), 'no REL of our own: the exchange released');
  t.notOk(s.phones.busy.has('ann'));
  t.match(s.queue.agent('ann'), { state: 'idle' });
  t.equal(s.queue.acd.counters.abandoned, 1);
});

t.test('a phone that rings out or is busy: the call goes to the next agent, and round again while the caller waits', async (t) => {
  const s = await setup(t, [ANN, BO]);
  const line = s.e1();
  s.calls.incoming(line);
  await s.flush();
  t.equal(s.phones.calls[0]!.request.agent, 'ann');
  s.clock.advance(20_000);
  await s.flush();
  t.ok(s.phones.calls[0]!.hungUp, "the queue's ring timeout: CANCEL to ann");
  t.equal(s.phones.calls.length, 2);
  t.equal(s.phones.calls[1]!.request.agent, 'bo', 'offered to the other agent');
  t.equal(line.did.filter((d) => d === 'alert').length, 1, 'one ACM for the whole call');
  s.phones.calls[1]!.fire('ended', { by: 'agent', reason: 'busy', status: 486 });
  await s.flush();
  t.equal(s.phones.calls.length, 3, 'both tried: the caller still waits, and ann is offered again');
  t.equal(s.phones.calls[2]!.request.agent, 'ann');
  s.phones.calls[2]!.fire('answered', PHONE);
  line.fire('ended', { by: 'caller', cause: 16, reason: null });
  await s.flush();
  t.match(s.ended, [{ result: 'answered', agent: 'ann', offeredAt: T0, answeredAt: T0 + 20_000 }]);
});

t.test('an agent whose phone dies while ringing does not hold the call: it goes to the next at once', async (t) => {
  const s = await setup(t, [ANN, BO]);
  const line = s.e1();
  s.calls.incoming(line);
  await s.flush();
  t.equal(s.phones.calls[0]!.request.agent, 'ann');
  s.clock.advance(3000);
  s.phones.phoneGone('ann');
  await s.flush();
  t.ok(s.phones.calls[0]!.hungUp, 'the dead phone is given up');
  t.equal(s.phones.calls[1]?.request.agent, 'bo', 'bo rings 3 s into the call, not after the 20 s ring timeout');
  t.match(s.queue.agent('ann'), { phoneUp: false, state: 'idle' });
  s.phones.calls[1]!.fire('answered', PHONE);
  t.match(s.calls.active(), [{ state: 'connected', agent: 'bo' }]);
});

t.test('nobody logged in with a phone up: an analog line is answered for the announcement, then released; no-agent', async (t) => {
  const s = await setup(t, [ANN], {}, { queue: { agentsStart: 'logged-out' } });
  const line = s.fxo();
  s.calls.incoming(line);
  await s.flush();
  t.same(line.did, ['media 41000', 'answer'], 'off-hook: an analog caller hears nothing before it');
  t.same(s.media.did, ['play special-information']);
  s.clock.advance(4000);
  t.equal(line.did.at(-1), 'release 17');
  await s.flush();
  t.match(s.ended, [{ line: { kind: 'fxo', port: 2 }, calling: '13900000002', called: '', result: 'no-agent', agent: null, offeredAt: null, answeredAt: null }]);
  t.notOk('queue' in s.ended[0]!, 'never queued');
});

t.test('the caller hangs up during the announcement: still no-agent, by the caller', async (t) => {
  const s = await setup(t, []);
  const line = s.e1();
  s.calls.incoming(line);
  await s.flush();
  s.clock.advance(1000);
  line.fire('ended', { by: 'caller', cause: 16, reason: null });
  await s.flush();
  t.match(s.ended, [{ result: 'no-agent', hungUpBy: 'caller' }]);
  s.clock.advance(10_000);
  t.notOk(line.did.includes('release 17'), 'the announcement timer was stopped');
});

t.test('test line: with no agent the box answers with the test tone until the caller hangs up', async (t) => {
  const s = await setup(t, [], { noAgent: 'test-line', testLineAnswerMs: 200 });
  const line = s.e1();
  s.calls.incoming(line);
  await s.flush();
  t.same(line.did, ['media 41000', 'alert']);
  s.clock.advance(200);
  t.same(line.did.at(-1), 'answer');
  t.same(s.media.did, ['play test-tone']);
  s.clock.advance(30_000);
  line.fire('ended', { by: 'caller', cause: 16, reason: null });
  await s.flush();
  t.match(s.ended, [{ result: 'test-line', answeredAt: T0 + 200, hungUpBy: 'caller' }]);
});

t.test('the line fails under an offered call: failed, with the reason, and the phone is hung up', async (t) => {
  const s = await setup(t, [ANN]);
  const line = s.e1();
  s.calls.incoming(line);
  await s.flush();
  line.fire('ended', { by: 'line', cause: 41, reason: 'circuit reset by the exchange' });
  await s.flush();
  t.ok(s.phones.calls[0]!.hungUp);
  t.match(s.ended, [{ result: 'failed', reason: 'circuit reset by the exchange', hungUpBy: null }]);
});

t.test('late FSK caller ID is what the CDR keeps; hold mutes the line side', async (t) => {
  const s = await setup(t, [ANN]);
  const line = s.fxo('');
  s.calls.incoming(line);
  line.fire('caller-id', '13700000003');
  await s.flush();
  t.equal(s.phones.calls[0]!.request.callerNumber, '13700000003');
  s.phones.calls[0]!.fire('answered', PHONE);
  s.phones.calls[0]!.fire('hold', true);
  s.phones.calls[0]!.fire('hold', false);
  t.same(s.media.did, ['phone 192.0.2.10:30000', 'hold true', 'hold false']);
  line.fire('ended', { by: 'caller', cause: null, reason: null });
  await s.flush();
  t.match(s.ended, [{ calling: '13700000003', result: 'answered', hungUpBy: 'caller' }]);
  t.ok(s.phones.calls[0]!.hungUp, 'BYE to the phone');
});

t.test('a busy agent is not offered a second call: the second caller waits; stop() ends every call with a CDR on disk', async (t) => {
  const s = await setup(t, [ANN]);
  const first = s.e1('1');
  const second = s.e1('2');
  s.calls.incoming(first);
  await s.flush();
  s.phones.calls[0]!.fire('answered', PHONE);
  s.calls.incoming(second);
  await s.flush();
  t.equal(s.phones.calls.length, 1, 'ann is on the first call');
  t.match(s.calls.active(), [{ calling: '1', state: 'connected' }, { calling: '2', state: 'queued' }]);
  await s.calls.stop();
  t.equal(s.calls.active().length, 0);
  t.same(
    (await s.onDisk()).map((c) => [c.calling, c.result, c.hungUpBy]),
    [
      ['1', 'answered', 'box'],
      ['2', 'failed', 'box'],
    ],
  );
  t.equal(first.did.at(-1), 'release 41');
});

t.test('welcome, bulletin, then the queue with place and wait announced, ringback between; numbers never go backwards', async (t) => {
  const prompts = testPrompts({ welcome: true, bulletin: { ms: 10_000 } });
  const s = await setup(t, [ANN], { announceEveryMs: 30_000 }, { prompts });
  // ann is talking with a first caller, so the second waits.
  s.calls.incoming(s.e1('1'));
  await s.flush();
  s.clock.advance(2000);
  await s.flush();
  s.clock.advance(10_000);
  await s.flush();
  s.phones.calls[0]!.fire('answered', PHONE);
  s.media.did.length = 0;
  const line = s.e1('2');
  s.calls.incoming(line);
  await s.flush();
  t.same(line.did, ['media 41000', 'answer'], 'the line is answered for the welcome');
  t.match(s.calls.active()[1], { state: 'greeting' });
  s.clock.advance(2000);
  await s.flush();
  s.clock.advance(10_000);
  await s.flush();
  t.same(s.media.did.slice(0, 3), ['say welcome', 'say bulletin', 'say hold #1 180s'], 'welcome, bulletin, then "please hold, you are number 1, about 3 minutes"');
  t.match(s.calls.active()[1], { state: 'queued' });
  s.clock.advance(3000);
  await s.flush();
  t.equal(s.media.did.at(-1), 'play ringback', 'ringback after the announcement');
  s.clock.advance(30_000);
  await s.flush();
  t.equal(s.media.did.at(-1), 'say #1 180s', 'announced again, without "please hold"');
  line.fire('ended', { by: 'caller', cause: 16, reason: null });
  await s.flush();
  t.match(s.ended.at(-1), { calling: '2', result: 'abandoned', bulletin: { heardMs: 10_000, skipped: false }, queue: { position: 1 } });
});

t.test('a caller who hangs up during the bulletin is deflected; one who skips it with 0 goes to the queue', async (t) => {
  const prompts = testPrompts({ bulletin: { ms: 20_000 } });
  const s = await setup(t, [ANN], {}, { prompts });
  const gone = s.fxo('13600000001');
  s.calls.incoming(gone);
  await s.flush();
  t.same(s.media.did, ['say bulletin'], 'the bulletin plays first (no welcome set)');
  s.clock.advance(6000);
  gone.fire('ended', { by: 'caller', cause: null, reason: null });
  await s.flush();
  t.match(s.ended, [{ result: 'deflected', hungUpBy: 'caller', bulletin: { heardMs: 6000, skipped: false }, offeredAt: null }]);
  t.notOk('queue' in s.ended[0]!, 'never reached the queue');
  t.equal(s.queue.acd.counters.abandoned, 0, 'the queue counts no abandon');

  const skipper = s.fxo('13600000002');
  s.calls.incoming(skipper);
  await s.flush();
  s.clock.advance(1500);
  skipper.fire('digit', '5');
  await s.flush();
  t.match(s.calls.active(), [{ state: 'greeting' }], 'keys other than 0 do nothing');
  skipper.fire('digit', '0');
  await s.flush();
  t.match(s.calls.active(), [{ state: 'offering', agent: 'ann' }], 'skipped: offered to ann at once');
  skipper.fire('ended', { by: 'caller', cause: null, reason: null });
  await s.flush();
  t.match(s.ended.at(-1), { result: 'abandoned', bulletin: { heardMs: 1500, skipped: true }, queue: { enteredAt: T0 + 7500 } });
});

t.test('a repeat caller who abandoned goes ahead of the others; the CDR says repeat', async (t) => {
  const s = await setup(t, [ANN]);
  s.calls.incoming(s.e1('100'));
  await s.flush();
  s.phones.calls[0]!.fire('answered', PHONE);
  const a = s.e1('200');
  s.calls.incoming(a);
  await s.flush();
  a.fire('ended', { by: 'caller', cause: 16, reason: null });
  await s.flush();
  s.calls.incoming(s.e1('300'));
  s.calls.incoming(s.e1('200'));
  await s.flush();
  // ann hangs up the first call: the next offer goes to the repeat caller who had abandoned.
  s.phones.calls[0]!.fire('ended', { by: 'agent', reason: 'hangup' });
  await s.flush();
  t.equal(s.phones.calls[1]!.request.callerNumber, '200', 'the abandoner of a minute ago goes first');
  t.match(s.calls.active().find((c) => c.calling === '200'), { state: 'offering' });
  await s.calls.stop();
  const cdrs = await s.onDisk();
  t.same(cdrs.filter((c) => c.calling === '200').map((c) => c.repeat ?? false), [false, true]);
});

t.test('ring-all rings every free agent; the first answer takes the call, the others are cancelled', async (t) => {
  const s = await setup(t, [ANN, BO], {}, { queue: { strategy: 'ring-all' } });
  const line = s.e1();
  s.calls.incoming(line);
  await s.flush();
  t.same(s.phones.calls.map((p) => p.request.agent).sort(), ['ann', 'bo']);
  s.phones.calls.find((p) => p.request.agent === 'bo')!.fire('answered', PHONE);
  await s.flush();
  t.ok(s.phones.calls.find((p) => p.request.agent === 'ann')!.hungUp, "ann's phone stops ringing");
  t.match(s.calls.active(), [{ state: 'connected', agent: 'bo' }]);
});

t.test('the longest wait: the caller is told nobody can take the call, and the CDR says overflowed', async (t) => {
  const s = await setup(t, [ANN], {}, { queue: { maxWaitMs: 60_000 } });
  s.calls.incoming(s.e1('1'));
  await s.flush();
  s.phones.calls[0]!.fire('answered', PHONE);
  const line = s.e1('2');
  s.calls.incoming(line);
  await s.flush();
  s.clock.advance(60_000);
  await s.flush();
  t.equal(s.media.did.at(-1), 'play special-information');
  s.clock.advance(4000);
  await s.flush();
  t.match(s.ended, [{ calling: '2', result: 'overflowed', hungUpBy: 'box', queue: { enteredAt: T0, leftAt: T0 + 60_000 } }]);
});

// --- callback requests ---------------------------------------------------------------------

/** Lets the callback file's writes (an fsync each) and what follows them run, until `done()` holds; 2 s at most. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** One agent talking with a first caller, so the next waits; announcements every 30 s. */
async function busyOffice(t: Test, o: { maxWaitMs?: number } = {}) {
  const s = await setup(t, [ANN], { announceEveryMs: 30_000 }, { prompts: testPrompts(), callbacks: true, queue: { maxWaitMs: o.maxWaitMs ?? 0 } });
  s.calls.incoming(s.e1('13800000001'));
  await s.flush();
  s.phones.calls[0]!.fire('answered', PHONE);
  s.media.did.length = 0;
  return s;
}

t.test('a waiting caller hears the callback offer; pressing 1 leaves the number, they hear so, and the call ends as callback', async (t) => {
  const s = await busyOffice(t);
  const line = s.e1('13800000002');
  const id = s.calls.incoming(line);
  await s.flush();
  t.same(s.media.did, ['say hold #1 180s + press 1'], 'place and wait, then "to leave your number and be called back, press 1"');
  s.clock.advance(5000);
  await s.flush();
  line.fire('digit', '2');
  t.match(s.calls.active()[1], { state: 'queued' }, 'another key does nothing');
  s.clock.advance(2000);
  line.fire('digit', '1');
  t.match(s.calls.active()[1], { state: 'announcing' }, 'out of the queue at once');
  t.equal(s.queue.acd.position(id), null, 'the ACD no longer has the caller');
  await until(() => s.media.did.at(-1) === 'say callback taken', 'the confirmation');
  t.equal(s.callbacks.pending().length, 1, 'on disk before the caller is told');
  s.clock.advance(3000);
  await s.flush();
  t.equal(line.did.at(-1), 'release 16', 'released after "we will call you back"');
  await s.flush();
  const [request] = s.callbacks.pending();
  t.match(request, { number: '13800000002', reason: 'key', callId: id, line: { kind: 'e1', cic: 5 }, requestedAt: T0 + 7000, requests: 1, state: 'pending' });
  t.match(s.ended, [{ id, result: 'callback', callback: request!.id, hungUpBy: 'box', cause: 16, queue: { enteredAt: T0, leftAt: T0 + 7000 } }]);
  t.same((await s.onDisk()).at(-1)?.callback, request!.id, 'the CDR on disk names the request');
});

t.test('pressing 1 while an agent rings: the phone stops ringing and the agent is free; the same number asking again makes no second request', async (t) => {
  const s = await setup(t, [ANN], { announceEveryMs: 30_000 }, { prompts: testPrompts(), callbacks: true });
  const first = s.e1('13800000002');
  s.calls.incoming(first);
  await s.flush();
  t.match(s.calls.active(), [{ state: 'offering', agent: 'ann' }]);
  first.fire('digit', '1');
  t.ok(s.phones.calls[0]!.hungUp, "ann's phone is cancelled");
  await until(() => first.did.includes('answer') && s.media.did.at(-1) === 'say callback taken', 'the confirmation');
  s.clock.advance(3000);
  await s.flush();
  t.match(s.queue.agent('ann'), { state: 'idle' }, 'ann is free for the next caller');

  // The same caller, an hour later (not a repeat by the 30-minute window), waits behind another and asks again.
  s.clock.advance(3_600_000);
  s.calls.incoming(s.e1('13800000005'));
  await s.flush();
  s.phones.calls[1]!.fire('answered', PHONE);
  const again = s.e1('13800000002');
  s.calls.incoming(again);
  await s.flush();
  t.match(s.calls.active()[1], { calling: '13800000002', state: 'queued' });
  again.fire('digit', '1');
  await until(() => s.media.did.at(-1) === 'say callback taken', 'the second confirmation');
  s.clock.advance(3000);
  await s.flush();
  t.equal(s.ended.length, 2);
  const all = s.callbacks.list({ all: true });
  t.equal(all[0]!.lastRequestedAt, T0 + 3_600_000 + 3000);
  t.equal(all.length, 1, 'one request for the number');
  t.match(all[0], { requests: 2, state: 'pending', reason: 'key' });
  t.same(
    s.ended.map((c) => [c.result, c.callback]),
    [
      ['callback', all[0]!.id],
      ['callback', all[0]!.id],
    ],
  );
});

t.test('a caller with no number is not offered a callback, and 1 does nothing', async (t) => {
  const s = await busyOffice(t);
  const line = s.fxo('');
  s.calls.incoming(line);
  await s.flush();
  t.same(s.media.did, ['say hold #1 180s'], 'no offer');
  s.clock.advance(3000);
  line.fire('digit', '1');
  await s.flush();
  t.match(s.calls.active()[1], { state: 'queued' }, 'still waiting');
  t.same(s.callbacks.list({ all: true }), []);
});

t.test('after hours: the caller hears the office is closed, their number is kept, "we will call you back", release', async (t) => {
  // T0 is Tuesday 10:00 in China; the office opens at 14:00 on Tuesdays.
  const hours = OfficeHours.fromConfig({ mon: ['08:30-17:30'], tue: ['14:00-17:30'], closedDates: [], openDates: {} }, 8);
  const s = await setup(t, [ANN], {}, { prompts: testPrompts(), callbacks: true, hours });
  const line = s.e1('13800000002');
  const id = s.calls.incoming(line);
  await s.flush();
  t.same(line.did, ['media 41000', 'alert'], 'heard as early media on E1: the call is never answered, so never charged');
  t.same(s.media.did, ['say after hours']);
  t.equal(s.phones.calls.length, 0, 'no agent is rung, though ann is logged in');
  s.clock.advance(2000);
  await until(() => s.media.did.length === 2, 'the second prompt');
  t.equal(s.media.did[1], 'say callback taken');
  s.clock.advance(3000);
  await s.flush();
  t.equal(line.did.at(-1), 'release 16');
  await s.flush();
  const [request] = s.callbacks.pending();
  t.match(request, { number: '13800000002', reason: 'after-hours', callId: id });
  t.match(s.ended, [{ id, result: 'callback', callback: request!.id, agent: null, offeredAt: null }]);
  t.notOk('queue' in s.ended[0]!, 'never queued');

  // A withheld number after hours: "closed", "goodbye", no request; nobody could take it.
  const hidden = s.fxo('');
  s.calls.incoming(hidden);
  await s.flush();
  t.same(hidden.did, ['media 41000', 'answer'], 'an analog line is answered for the message');
  s.clock.advance(2000);
  await until(() => s.media.did.at(-1) === 'say goodbye', 'goodbye');
  s.clock.advance(1000);
  await s.flush();
  t.match(s.ended.at(-1), { calling: '', result: 'no-agent' });
  t.notOk('callback' in s.ended.at(-1)!);
  t.equal(s.callbacks.list({ all: true }).length, 1);

  // At 14:00 the office is open: a call goes to ann.
  s.clock.advance(4 * 3_600_000);
  s.calls.incoming(s.e1('13800000003'));
  await s.flush();
  t.equal(s.phones.calls.length, 1, 'in hours, the agent is rung');
});

t.test('nobody logged in, or the longest wait: the number is kept without asking; the CDR says callback and the KPIs count it', async (t) => {
  const s = await busyOffice(t, { maxWaitMs: 60_000 });
  const waited = s.e1('13800000002');
  s.calls.incoming(waited);
  await s.flush();
  s.clock.advance(60_000);
  await s.flush();
  t.equal(s.media.did.at(-1), 'play special-information', 'told nobody can take the call');
  s.clock.advance(4000);
  await until(() => s.media.did.at(-1) === 'say callback taken', 'the confirmation');
  s.clock.advance(3000);
  await s.flush();
  t.equal(waited.did.at(-1), 'release 17');

  // Everyone logs out: the next caller is told, and kept for a callback too.
  s.phones.calls[0]!.fire('ended', { by: 'agent', reason: 'hangup' });
  s.queue.setStatus('ann', 'logout');
  const nobody = s.fxo('13900000009');
  s.calls.incoming(nobody);
  await s.flush();
  s.clock.advance(4000);
  await until(() => s.media.did.at(-1) === 'say callback taken', 'the confirmation');
  s.clock.advance(3000);
  await s.flush();

  const requests = s.callbacks.pending();
  t.same(
    requests.map((r) => [r.number, r.reason]),
    [
      ['13800000002', 'overflow'],
      ['13900000009', 'no-agent'],
    ],
  );
  t.same(
    s.ended.map((c) => [c.calling, c.result, c.callback ?? null]),
    [
      ['13800000002', 'callback', requests[0]!.id],
      ['13800000001', 'answered', null],
      ['13900000009', 'callback', requests[1]!.id],
    ],
  );
  const { counts } = kpiDay(await s.onDisk(), '2026-12-01', 8 * 3_600_000).totals;
  t.match(counts, { offered: 3, answered: 1, callbacksCaptured: 2, overflowed: 0, noAgent: 0 }, 'each call counted once: a kept number is a captured callback');
});

t.test('a caller with no number who waits the longest wait stays overflowed, with no request', async (t) => {
  const s = await busyOffice(t, { maxWaitMs: 60_000 });
  const line = s.fxo('');
  s.calls.incoming(line);
  await s.flush();
  s.clock.advance(64_000);
  await s.flush();
  t.equal(line.did.at(-1), 'release 17');
  t.match(s.ended, [{ calling: '', result: 'overflowed' }]);
  t.notOk('callback' in s.ended[0]!);
  t.same(s.callbacks.list({ all: true }), []);
});

t.test('a request the disk refuses: the caller who pressed 1 hears the special information tone, and the call failed with the reason', async (t) => {
  const refusing: CallbackTaker = { request: () => Promise.reject(new CountylineError('cannot-write', { file: 'callbacks.jsonl', detail: 'ENOSPC' })), message: () => Promise.reject(new Error('no request')) };
  const s = await setup(t, [ANN], { announceEveryMs: 30_000 }, { prompts: testPrompts(), callbacks: refusing });
  s.calls.incoming(s.e1('13800000001'));
  await s.flush();
  s.phones.calls[0]!.fire('answered', PHONE);
  const line = s.e1('13800000002');
  s.calls.incoming(line);
  await s.flush();
  line.fire('digit', '1');
  await until(() => s.media.did.at(-1) === 'play special-information', 'the tone');
  t.notOk(s.media.did.includes('say callback taken'), 'not told their number was kept');
  s.clock.advance(4000);
  t.equal(line.did.at(-1), 'release 17');
  await s.flush();
  t.match(s.ended, [{ calling: '13800000002', result: 'failed', reason: 'the callback request could not be written to disk', hungUpBy: 'box' }]);
  t.notOk('callback' in s.ended[0]!);
});

// --- voice messages -----------------------------------------------------------------------

/** Nobody logged in and voice messages on: each caller leaves a callback request and is asked for a message. */
async function messageOffice(t: Test, maxMs = 60_000) {
  return setup(t, [], {}, { prompts: testPrompts(), callbacks: true, messageMaxMs: maxMs });
}

/** From the call's arrival to the beep's end: the tone, "we will call you back", "leave a message", the beep. */
async function toTheBeep(s: Awaited<ReturnType<typeof messageOffice>>): Promise<void> {
  await s.flush();
  s.clock.advance(4000);
  await until(() => s.media.did.at(-1) === 'say callback taken', 'the confirmation');
  s.clock.advance(3000);
  await until(() => s.media.did.at(-1) === 'say leave a message', '"leave a message"');
  s.clock.advance(4000);
  await until(() => s.media.did.at(-2) === 'say leave a message', 'the beep');
  t.notOk(s.media.recordingNow, 'nothing is recorded while the beep plays');
  s.clock.advance(400);
  await until(() => s.media.recordingNow, 'the recording');
}

async function messageFile(s: Awaited<ReturnType<typeof messageOffice>>, name: string): Promise<Buffer> {
  return readFile(join(s.dir, 'messages', name));
}

t.test('a voice message: the caller speaks after the beep and hangs up; the message is kept on the request, the CDR says callback', async (t) => {
  const s = await messageOffice(t);
  const line = s.fxo('13900000009');
  const id = s.calls.incoming(line);
  await toTheBeep(s);
  const at = s.clock.now();
  s.media.speak(3000);
  s.clock.advance(3000);
  line.fire('ended', { by: 'caller', cause: 16, reason: null });
  await s.flush();
  t.notOk(s.media.did.includes('say goodbye'), 'nobody to say goodbye to');
  const [request] = s.callbacks.pending();
  t.match(s.ended, [{ id, result: 'callback', callback: request!.id, hungUpBy: 'caller' }]);
  t.equal(request!.message, `${request!.id}-${at}.alaw`, 'the file is named for the request and when the message began');
  const audio = await messageFile(s, request!.message!);
  t.equal(audio.length, 3 * 8000, 'three seconds of A-law, as the caller spoke them');
  t.same(audio.subarray(0, 160), toneFrame({ name: 'voice', dbm0: -10, cadence: [{ frequency: 1000, ms: 1000 }] }, 0), 'the line audio itself');
  // The store reads the message back from callbacks.jsonl.
  await s.callbacks.close();
  const again = await CallbackStore.open({ file: join(s.dir, 'callbacks.jsonl'), clock: s.clock, logger: silent });
  t.teardown(() => again.close());
  t.equal(again.get(request!.id)?.message, request!.message);
});

t.test('# ends the message: the key left out, "goodbye", then release by the box', async (t) => {
  const s = await messageOffice(t);
  const line = s.e1('13800000002');
  s.calls.incoming(line);
  await toTheBeep(s);
  s.media.speak(2000);
  s.clock.advance(2000);
  s.media.key('#');
  t.notOk(s.media.recordingNow, 'the recording ends at the key');
  t.same(line.did, ['media 41000', 'alert', 'answer'], 'early media for the announcements, answered for the message');
  await until(() => s.media.did.at(-1) === 'say goodbye', 'goodbye');
  t.notOk(line.did.some((d) => d.startsWith('release')), 'not released before goodbye');
  s.clock.advance(1000);
  await s.flush();
  t.equal(line.did.at(-1), 'release 17');
  const [request] = s.callbacks.pending();
  t.match(s.ended, [{ result: 'callback', callback: request!.id, hungUpBy: 'box' }]);
  t.equal((await messageFile(s, request!.message!)).length, 1800 * 8, 'two seconds less the key tone');
});

t.test('a message under a second, or only silence, is not kept; the request stands without one', async (t) => {
  const s = await messageOffice(t);
  const short = s.fxo('13900000001');
  s.calls.incoming(short);
  await toTheBeep(s);
  s.media.speak(600);
  s.clock.advance(600);
  short.fire('ended', { by: 'caller', cause: 16, reason: null });
  await s.flush();

  const quiet = s.fxo('13900000002');
  s.calls.incoming(quiet);
  await toTheBeep(s);
  s.media.speak(5000, { silent: true });
  s.clock.advance(5000);
  quiet.fire('digit', '#');
  await until(() => s.media.did.at(-1) === 'say goodbye', 'goodbye');
  s.clock.advance(1000);
  await s.flush();

  t.same(
    s.callbacks.pending().map((r) => [r.number, r.message ?? null]),
    [
      ['13900000001', null],
      ['13900000002', null],
    ],
  );
  t.same(s.ended.map((c) => c.result), ['callback', 'callback']);
  await t.rejects(readdir(join(s.dir, 'messages')), { code: 'ENOENT' }, 'no file written');
});

t.test('the longest message: the recording ends at queue.voiceMessageMaxMs of audio, the caller hears goodbye', async (t) => {
  const s = await messageOffice(t, 5000);
  const line = s.fxo('13900000009');
  s.calls.incoming(line);
  await toTheBeep(s);
  s.media.speak(8000);
  t.notOk(s.media.recordingNow, 'full at five seconds');
  await until(() => s.media.did.at(-1) === 'say goodbye', 'goodbye');
  s.clock.advance(1000);
  await s.flush();
  t.equal(line.did.at(-1), 'release 17');
  const [request] = s.callbacks.pending();
  t.equal((await messageFile(s, request!.message!)).length, 5 * 8000);

  // A line whose audio stops coming: the clock ends the recording a little after the longest message.
  const mute = s.fxo('13900000008');
  s.calls.incoming(mute);
  await toTheBeep(s);
  s.clock.advance(6999);
  t.ok(s.media.recordingNow);
  s.clock.advance(1);
  await until(() => s.media.did.at(-1) === 'say goodbye', 'goodbye');
});

t.test('voice messages off: "we will call you back" and release, as before', async (t) => {
  const s = await setup(t, [], {}, { prompts: testPrompts(), callbacks: true });
  const line = s.fxo('13900000009');
  s.calls.incoming(line);
  await s.flush();
  s.clock.advance(4000);
  await until(() => s.media.did.at(-1) === 'say callback taken', 'the confirmation');
  s.clock.advance(3000);
  await s.flush();
  t.equal(line.did.at(-1), 'release 17');
  t.notOk(s.media.did.includes('record'));
});
