import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, TypedEmitter } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { FakeTime } from '../../test-support/fake-time.js';
import { CountylineError } from '../errors.js';
import { CallbackStore } from '../queue/callback-store.js';
import { OFFICE_QUEUE, OfficeQueue } from '../queue/office-queue.js';
import { CallbackDialer, dialString, type PhoneFirstMedia } from './callback-dialer.js';
import type { PhoneMedia } from './call-ports.js';
import { Phones } from '../../test-support/call-doubles.js';
import type { Cdr } from './cdr.js';
import type { LineEnd, LineLeg, LineLegEvents } from './line-leg.js';
import type { AnswerSignal, OutboundLeg, OutboundLegEvents } from './outbound-leg.js';
import type { PlaceRequest } from './outbound-lines.js';

// The dialer against stand-ins for the phones, the lines and the media path (each a record of
// what it was asked), with the real ACD, office queue and callback store, on a fake clock.

const silent = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 11, 1, 2, 0, 0);
const RETRY = 600_000;

class OutLeg extends TypedEmitter<LineLegEvents & OutboundLegEvents> implements OutboundLeg {
  readonly direction = 'out';
  readonly did: string[] = [];
  answeredBy: AnswerSignal | null = null;
  readonly line = { kind: 'fxo' as const, port: 3 };
  readonly calling = '';
  readonly earlyMedia = true;
  constructor(
    readonly called: string,
    readonly arrivedAt: number,
  ) {
    super();
  }
  alert(): void {}
  answer(): void {}
  release(cause: number): void {
    this.did.push(`release ${cause}`);
  }
  connectMedia(port: number): Promise<void> {
    this.did.push(`media ${port}`);
    return Promise.resolve();
  }
  farEndAnswers(): void {
    this.answeredBy = 'polarity-reversal';
    this.emit('answered', 'polarity-reversal');
  }
  ends(end: LineEnd): void {
    this.emit('ended', end);
  }
}

class Lines {
  readonly placed: PlaceRequest[] = [];
  readonly legs: OutLeg[] = [];
  free = true;
  constructor(private readonly clock: FakeClock) {}
  place(request: PlaceRequest): Promise<OutboundLeg> {
    this.placed.push(request);
    if (!this.free) return Promise.reject(new CountylineError('no-line-free', { number: request.number, lines: [{ kind: 'fxo', why: 'busy' }] }));
    const leg = new OutLeg(request.number, this.clock.now());
    this.legs.push(leg);
    return Promise.resolve(leg);
  }
}

class Media {
  readonly did: string[] = [];
  open(): Promise<PhoneFirstMedia> {
    const did = this.did;
    did.push('open');
    return Promise.resolve({
      local: { address: '127.0.0.1', port: 20000 },
      attach: (leg: LineLeg) => {
        did.push(`attach ${leg.line.kind}/${(leg.line as { port: number }).port}`);
        return leg.connectMedia(41000);
      },
      connectPhone: (p: PhoneMedia) => did.push(`phone ${p.port}`),
      hold: () => {},
      play: (tone: string) => did.push(`play ${tone}`),
      playAudio: () => Promise.resolve(true),
      quiet: () => {},
      record: () => Promise.resolve(Buffer.alloc(0)),
      stopRecording: () => {},
      onDigit: () => {},
      close: () => did.push('close'),
    });
  }
  openPhoneFirst = () => this.open();
}

const PHONE: PhoneMedia = { address: '127.0.0.1', port: 30000, telephoneEvent: null };

async function setup(t: Test, o: { open?: () => boolean; maxAttempts?: number; agents?: string[] } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'countyline-dialer-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const clock = new FakeClock(T0);
  const time = new FakeTime(clock, 100);
  const phones = new Phones((o.agents ?? ['a1']).map((user) => ({ user, name: user })));
  const queue = new OfficeQueue({ clock, logger: silent, agents: phones, settings: { strategy: 'longest-idle', ringTimeoutMs: 20_000, maxWaitMs: 0, repeatAbandonersAhead: true, agentsStart: 'available' } });
  t.teardown(() => queue.stop());
  const store = await CallbackStore.open({ file: join(dir, 'callbacks.jsonl'), clock, logger: silent });
  t.teardown(() => store.close());
  const cdrs: Cdr[] = [];
  const lines = new Lines(clock);
  const media = new Media();
  const dialer = new CallbackDialer({
    clock,
    logger: silent,
    queue,
    agents: phones,
    callbacks: store,
    lines,
    media,
    cdrs: { append: (cdr) => (cdrs.push(cdr), Promise.resolve()) },
    ...(o.open && { hours: { isOpen: () => o.open!() } }),
    settings: { retryMs: RETRY, maxAttempts: o.maxAttempts ?? 3, agentRingMs: 20_000, farEndRingMs: 45_000, everyMs: 5_000 },
  });
  t.teardown(() => dialer.stop());
  const request = (number = '13900000123') => store.request({ number, line: { kind: 'fxo', port: 0 }, reason: 'after-hours', callId: `in-${number}` });
  const agentState = (id = 'a1') => queue.agents().find((a) => a.id === id)!.state;
  return { clock, time, phones, queue, store, cdrs, lines, media, dialer, request, agentState };
}

t.test('a callback rings the agent first, then calls the number, bridges them, and leaves one outbound CDR', async (t) => {
  const r = await setup(t);
  const cb = await r.request();
  const ended: Cdr[] = [];
  r.dialer.on('call-ended', (cdr) => ended.push(cdr));
  r.dialer.start();
  await r.time.run(5_000);
  t.equal(r.phones.calls.length, 1, "the agent's phone rings");
  t.equal(r.phones.calls[0]!.request.callerNumber, '13900000123', 'showing the number to call back');
  t.same(r.lines.placed, [], 'no line is seized before the agent answers');
  t.equal(r.agentState(), 'ringing', 'the agent is held in the queue');
  r.phones.calls[0]!.fire('answered', PHONE);
  await r.time.run(200);
  t.same(r.lines.placed, [{ number: '13900000123' }], 'the number is called once the agent answered');
  t.same(r.media.did, ['open', 'attach fxo/3', 'phone 30000'], 'the line is connected and bridged to the agent, who hears its ringback');
  t.equal(r.agentState(), 'in-call');
  const answeredAt = r.clock.now();
  r.lines.legs[0]!.farEndAnswers();
  await r.dialer.written();
  const done = r.store.get(cb.id)!;
  t.equal(done.state, 'done');
  t.equal(done.doneBy, 'callback');
  t.match(done.attempts, [{ outcome: 'answered', agent: 'a1' }]);
  t.same(r.cdrs, [], 'no CDR while the call is up');
  await r.time.run(60_000);
  r.phones.calls[0]!.fire('ended', { by: 'agent', reason: 'hangup' });
  await r.time.run(200);
  await r.dialer.written();
  t.same(r.lines.legs[0]!.did, ['media 41000', 'release 16'], 'the agent hanging up releases the line');
  t.equal(r.cdrs.length, 1, 'one CDR');
  t.same(ended, r.cdrs, 'told once it is on disk');
  t.match(r.cdrs[0], { direction: 'out', callback: cb.id, agent: 'a1', called: '13900000123', line: { kind: 'fxo', port: 3 }, result: 'answered', hungUpBy: 'agent', cause: 16 });
  t.equal(r.cdrs[0]!.answeredAt, answeredAt, 'answered when the far end answered');
  t.equal(r.agentState(), 'idle', 'the agent is free again');
  t.notOk(r.phones.busy.has('a1'));
  t.equal(r.media.did.at(-1), 'close');
  await r.time.run(30_000);
  t.equal(r.phones.calls.length, 1, 'a done request is not called again');
});

t.test('callers come first, and nothing is placed while the office is closed', async (t) => {
  let open = false;
  const r = await setup(t, { open: () => open });
  await r.request();
  r.dialer.start();
  await r.time.run(20_000);
  t.equal(r.phones.calls.length, 0, 'closed: no callback');
  open = true;
  r.queue.acd.setStatus('a1', 'on-break');
  await r.time.run(10_000);
  t.equal(r.phones.calls.length, 0, 'no agent available: no callback');
  r.queue.acd.enter('caller', OFFICE_QUEUE);
  r.queue.acd.setStatus('a1', 'available');
  await r.time.run(10_000);
  t.equal(r.agentState(), 'ringing', 'the caller is offered the agent');
  t.equal(r.phones.calls.length, 0, 'and the callback waits');
  r.queue.acd.agentAnswered('a1', 'caller');
  r.queue.acd.callEnded('caller');
  await r.time.run(1_000);
  t.equal(r.phones.calls.length, 1, 'with the caller answered and no one waiting, the agent is rung for the callback at once');
});

t.test('busy and no answer are noted and retried after the gap, up to the most attempts; the agent is freed each time', async (t) => {
  const r = await setup(t, { maxAttempts: 2 });
  const cb = await r.request();
  r.dialer.start();
  await r.time.run(5_000);
  r.phones.calls[0]!.fire('answered', PHONE);
  await r.time.run(200);
  r.lines.legs[0]!.ends({ by: 'caller', cause: 17, reason: null });
  await r.time.run(200);
  await r.dialer.written();
  t.ok(r.phones.calls[0]!.hungUp, "the agent's phone is hung up");
  t.equal(r.agentState(), 'idle');
  t.match(r.cdrs, [{ direction: 'out', callback: cb.id, result: 'abandoned', hungUpBy: 'caller', cause: 17, answeredAt: null }]);
  t.match(r.store.get(cb.id)!, { state: 'pending', attempts: [{ outcome: 'busy' }] });
  await r.time.run(RETRY - 10_000, 1_000);
  t.equal(r.phones.calls.length, 1, 'not tried again within the retry gap');
  await r.time.run(20_000, 1_000);
  t.equal(r.phones.calls.length, 2, 'tried again after it');
  r.phones.calls[1]!.fire('answered', PHONE);
  await r.time.run(45_000 + 1_000, 1_000);
  await r.dialer.written();
  t.same(r.lines.legs[1]!.did, ['media 41000', 'release 16'], 'the number rang unanswered: released');
  t.match(r.store.get(cb.id)!.attempts, [{ outcome: 'busy' }, { outcome: 'no-answer' }]);
  t.equal(r.cdrs.length, 2);
  await r.time.run(RETRY + 20_000, 5_000);
  t.equal(r.phones.calls.length, 2, 'no third attempt past the most attempts');
  t.equal(r.store.get(cb.id)!.state, 'pending', 'the request stays for staff to see');
});

t.test('no line free: the attempt fails with the reason and the agent is let go', async (t) => {
  const r = await setup(t);
  const cb = await r.request();
  r.lines.free = false;
  r.dialer.start();
  await r.time.run(5_000);
  r.phones.calls[0]!.fire('answered', PHONE);
  await r.time.run(200);
  await r.dialer.written();
  t.ok(r.phones.calls[0]!.hungUp);
  t.equal(r.agentState(), 'idle');
  t.match(r.cdrs, [{ direction: 'out', result: 'failed', reasonCode: 'callback-not-placed', line: { kind: 'fxo', port: 0 }, called: '13900000123' }]);
  t.match(r.cdrs[0]!.reason, /no line/);
  t.match(r.store.get(cb.id)!.attempts, [{ outcome: 'failed' }]);
});

t.test('an agent who does not answer places no call; the request waits and the agent is free', async (t) => {
  const r = await setup(t);
  const cb = await r.request();
  r.dialer.start();
  await r.time.run(5_000);
  r.phones.calls[0]!.fire('ended', { by: 'box', reason: 'no-answer' });
  await r.time.run(200);
  t.equal(r.agentState(), 'idle');
  t.same(r.lines.placed, []);
  t.same(r.cdrs, []);
  t.same(r.store.get(cb.id)!.attempts, []);
  await r.time.run(60_000, 1_000);
  t.equal(r.phones.calls.length, 1, 'not rung again at once');
  r.queue.acd.enter('caller', OFFICE_QUEUE);
  await r.time.run(100);
  t.equal(r.agentState(), 'ringing', 'the agent takes callers meanwhile');
});

t.test('stopping hangs up the callback under way and writes its CDR', async (t) => {
  const r = await setup(t);
  await r.request();
  r.dialer.start();
  await r.time.run(5_000);
  r.phones.calls[0]!.fire('answered', PHONE);
  await r.time.run(200);
  r.lines.legs[0]!.farEndAnswers();
  await r.time.run(200);
  await r.dialer.stop();
  t.same(r.lines.legs[0]!.did, ['media 41000', 'release 41']);
  t.ok(r.phones.calls[0]!.hungUp);
  t.match(r.cdrs, [{ result: 'answered', hungUpBy: 'box', cause: 41 }]);
});

t.test('who ends it: the far end hanging up, the agent giving up while it rings, the line failing', async (t) => {
  const r = await setup(t);
  const place = async (number: string) => {
    const cb = await r.request(number);
    r.dialer.kick();
    await r.time.run(5_000);
    const phone = r.phones.calls.at(-1)!;
    phone.fire('answered', PHONE);
    await r.time.run(200);
    return { cb, phone, leg: r.lines.legs.at(-1)! };
  };
  r.dialer.start();
  const one = await place('13900000001');
  one.leg.farEndAnswers();
  await r.time.run(30_000);
  one.leg.ends({ by: 'caller', cause: 16, reason: null });
  await r.time.run(200);
  await r.dialer.written();
  t.ok(one.phone.hungUp, "the far end hanging up hangs up the agent's phone");
  t.match(r.cdrs.at(-1), { callback: one.cb.id, result: 'answered', hungUpBy: 'caller', cause: 16 });

  const two = await place('13900000002');
  two.phone.fire('ended', { by: 'agent', reason: 'hangup' });
  await r.time.run(200);
  await r.dialer.written();
  t.same(two.leg.did, ['media 41000', 'release 16'], 'the agent giving up releases the line');
  t.match(r.cdrs.at(-1), { callback: two.cb.id, result: 'abandoned', hungUpBy: 'agent', answeredAt: null });
  t.match(r.store.get(two.cb.id)!, { state: 'pending', attempts: [{ outcome: 'no-answer' }] });

  const three = await place('13900000003');
  three.leg.ends({ by: 'line', cause: null, reason: 'the line was lost under the call', reasonCode: 'line-lost', reasonArgs: [] });
  await r.time.run(200);
  await r.dialer.written();
  t.match(r.cdrs.at(-1), { callback: three.cb.id, result: 'failed', reasonCode: 'line-lost', hungUpBy: null });
  t.match(r.store.get(three.cb.id)!.attempts, [{ outcome: 'failed' }]);
  t.equal(r.cdrs.length, 3, 'one CDR per call placed');
  t.equal(r.agentState(), 'idle');
});

t.test('an international number is dialled with the 00 prefix', async (t) => {
  t.equal(dialString('+8613900000123'), '008613900000123');
  t.equal(dialString('13900000123'), '13900000123');
});
