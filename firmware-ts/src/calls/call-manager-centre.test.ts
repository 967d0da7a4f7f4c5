import t, { type Test } from 'tap';
import { kpiDay } from '../queue/kpi.js';
import { OfficeHours } from '../queue/office-hours.js';
import { ANN, PHONE, Phone, T0, setup, testPrompts } from '../../test-support/call-doubles.js';
import type { AgentCallRequest, CentreReason, CentreTrunk } from './call-ports.js';

// Calls nobody in the office can take go to the city centre's SIP trunk (config `queue.centre`),
// and come back to the office's own way (callback request, announcement) when it does not answer.

const CENTRE_URI = 'sip:12345@10.20.0.5';
const CENTRE_RING_MS = 30_000;

/** The trunk as the call model sees it: each call a phone the test answers, refuses or lets ring. */
class Centre implements CentreTrunk {
  readonly uri = CENTRE_URI;
  readonly calls: Phone[] = [];
  unreachable = false;
  call(request: Omit<AgentCallRequest, 'agent'>): Phone {
    if (this.unreachable) throw new Error('the host has not been found (DNS)');
    const phone = new Phone({ agent: 'centre', ...request });
    this.calls.push(phone);
    return phone;
  }
}

/** Lets the callback file's writes (an fsync each) and what follows them run until `done()` holds; 2 s at most. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** T0 is Tuesday 10:00 in China; the office opens at 14:00 on Tuesdays. */
const closedUntil2pm = () => OfficeHours.fromConfig({ mon: ['08:30-17:30'], tue: ['14:00-17:30'], closedDates: [], openDates: {} }, 8);

async function office(t: Test, when: CentreReason[], o: { hours?: boolean; agents?: boolean; maxWaitMs?: number } = {}) {
  const centre = new Centre();
  const s = await setup(t, o.agents === false ? [] : [ANN], {}, {
    prompts: testPrompts(),
    callbacks: true,
    ...(o.hours && { hours: closedUntil2pm() }),
    ...(o.maxWaitMs && { queue: { maxWaitMs: o.maxWaitMs } }),
    centre: { trunk: centre, when, ringTimeoutMs: CENTRE_RING_MS },
  });
  const kpis = async () => kpiDay(await s.onDisk(), '2026-12-01', 8 * 3_600_000).totals.counts;
  return { ...s, centre, kpis };
}

t.test('after hours, the centre answers: the caller talks to it; the CDR says forwarded, and no callback request is left', async (t) => {
  const s = await office(t, ['after-hours'], { hours: true });
  const line = s.e1('13800000002');
  const id = s.calls.incoming(line);
  await s.flush();
  t.equal(s.centre.calls.length, 1, 'the centre is called');
  t.match(s.centre.calls[0]!.request, { callerNumber: '13800000002', localMedia: s.media.local, ringTimeoutMs: CENTRE_RING_MS });
  t.same(line.did, ['media 41000', 'alert'], 'the E1 caller hears ringing from their exchange (ACM), not yet charged');
  t.same(s.media.did, [], 'no after-hours message while the centre rings');
  t.match(s.calls.active(), [{ id, state: 'forwarding', agent: null }]);
  t.equal(s.phones.calls.length, 0, 'no office phone rings');

  s.clock.advance(4000);
  s.centre.calls[0]!.fire('answered', PHONE);
  t.same(line.did.at(-1), 'answer', 'answered (ANM) when the centre answers');
  t.same(s.media.did, ['phone 192.0.2.10:30000'], "the caller's audio goes to the centre");
  t.match(s.calls.active(), [{ id, state: 'connected', answeredAt: T0 + 4000 }]);

  s.clock.advance(60_000);
  line.fire('ended', { by: 'caller', cause: 16, reason: null });
  await s.flush();
  t.ok(s.centre.calls[0]!.hungUp, 'the caller hung up: BYE to the centre');
  t.match(s.ended, [{ id, result: 'forwarded', agent: null, answeredAt: T0 + 4000, hungUpBy: 'caller', centre: { reason: 'after-hours', outcome: 'answered' } }]);
  t.notOk('callback' in s.ended[0]!);
  t.same(s.callbacks.list({ all: true }), [], 'no callback request: the centre took the call');
  t.match(await s.kpis(), { offered: 1, forwarded: 1, answered: 0, callbacksCaptured: 0, noAgent: 0 }, 'counted as forwarded, not as answered by the office');
});

t.test('after hours, the centre is busy: the office keeps the call (closed message, number kept); the CDR says how the centre answered', async (t) => {
  const s = await office(t, ['after-hours'], { hours: true });
  const line = s.e1('13800000002');
  const id = s.calls.incoming(line);
  await s.flush();
  s.centre.calls[0]!.fire('ended', { by: 'agent', reason: 'busy', status: 486 });
  await s.flush();
  t.same(s.media.did, ['say after hours'], 'then the after-hours message');
  t.match(s.calls.active(), [{ id, state: 'announcing' }]);
  s.clock.advance(2000);
  await until(() => s.media.did.length === 2, 'the second prompt');
  s.clock.advance(3000);
  await until(() => s.ended.length === 1, 'the CDR');
  t.equal(line.did.at(-1), 'release 16');
  const [request] = s.callbacks.pending();
  t.match(request, { number: '13800000002', reason: 'after-hours', callId: id });
  t.match(s.ended, [{ id, result: 'callback', centre: { reason: 'after-hours', outcome: 'busy' } }]);
});

t.test('nobody staffed: the centre answers, then hangs up first; the line is released and the call was forwarded', async (t) => {
  const s = await office(t, ['no-agent'], { agents: false });
  const line = s.fxo('13900000002');
  s.calls.incoming(line);
  await s.flush();
  t.equal(s.centre.calls.length, 1);
  t.same(line.did, ['media 41000', 'alert'], 'not answered while the centre rings (an analog line just rings on)');
  s.centre.calls[0]!.fire('answered', PHONE);
  t.equal(line.did.at(-1), 'answer');
  s.clock.advance(30_000);
  s.centre.calls[0]!.fire('ended', { by: 'agent', reason: 'hangup' });
  await s.flush();
  t.equal(line.did.at(-1), 'release 16');
  t.match(s.ended, [{ result: 'forwarded', hungUpBy: 'agent', centre: { reason: 'no-agent', outcome: 'answered' } }]);
});

t.test('the longest wait, the centre lets it ring out: the caller is told nobody can take it and their number is kept', async (t) => {
  const s = await office(t, ['overflow'], { maxWaitMs: 60_000 });
  s.calls.incoming(s.e1('1'));
  await s.flush();
  s.phones.calls[0]!.fire('answered', PHONE);
  const line = s.e1('13800000002');
  const id = s.calls.incoming(line);
  await s.flush();
  t.equal(s.centre.calls.length, 0, 'waiting: the centre is not called yet');
  s.clock.advance(60_000);
  await s.flush();
  t.equal(s.centre.calls.length, 1, 'overflowed: the centre is called');
  t.match(s.calls.active()[1], { id, state: 'forwarding' });
  s.clock.advance(CENTRE_RING_MS);
  s.centre.calls[0]!.fire('ended', { by: 'box', reason: 'no-answer' });
  await s.flush();
  t.equal(s.media.did.at(-1), 'play special-information', 'then the announcement');
  s.clock.advance(4000);
  await until(() => s.media.did.at(-1) === 'say callback taken', '"we will call you back"');
  s.clock.advance(3000);
  await until(() => s.ended.some((c) => c.id === id), 'the CDR');
  t.match(s.ended.find((c) => c.id === id), { result: 'callback', centre: { reason: 'overflow', outcome: 'no-answer' }, queue: { enteredAt: T0, leftAt: T0 + 60_000 } });
});

t.test('the centre unreachable, or not set up for the reason: the office way at once', async (t) => {
  const s = await office(t, ['no-agent'], { hours: true });
  s.calls.incoming(s.e1('13800000002'));
  await s.flush();
  t.equal(s.centre.calls.length, 0, 'after hours is not in `when`: the centre is not called');
  t.same(s.media.did, ['say after hours']);

  const u = await office(t, ['after-hours'], { hours: true });
  u.centre.unreachable = true;
  const id = u.calls.incoming(u.e1('13800000003'));
  await u.flush();
  t.same(u.media.did, ['say after hours'], 'the trunk could not be called: the after-hours message at once');
  u.clock.advance(2000);
  await until(() => u.media.did.length === 2, 'the second prompt');
  u.clock.advance(3000);
  await until(() => u.ended.length === 1, 'the CDR');
  t.match(u.ended, [{ id, result: 'callback', centre: { reason: 'after-hours', outcome: 'failed' } }]);
});

t.test('the caller hangs up while the centre rings: CANCEL to the centre, abandoned', async (t) => {
  const s = await office(t, ['after-hours'], { hours: true });
  const line = s.e1('13800000002');
  s.calls.incoming(line);
  await s.flush();
  s.clock.advance(8000);
  line.fire('ended', { by: 'caller', cause: 16, reason: null });
  await s.flush();
  t.ok(s.centre.calls[0]!.hungUp);
  t.match(s.ended, [{ result: 'abandoned', hungUpBy: 'caller', centre: { reason: 'after-hours', outcome: 'hangup' } }]);
  t.same(s.callbacks.list({ all: true }), [], 'no request: the caller left before the office had to keep their number');
});
