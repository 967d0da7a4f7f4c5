import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, TypedEmitter } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { CallManager, type CallSettings } from './call-manager.js';
import type { AgentCallEvents, AgentCallLeg, AgentCallRequest, AgentPhones, AgentRef, CallMedia, CallMediaFactory, PhoneMedia } from './call-ports.js';
import type { Cdr } from './cdr.js';
import { CdrStore } from './cdr-store.js';
import type { LineLeg, LineLegEvents } from './line-leg.js';

// The call model against stand-ins for its ports (a line, the phones, the media path), each a
// record of what the model asked of it: the real ISUP, analog and SIP sides have their own
// tests and meet the model in the bench tests.

const silent = pino({ level: 'silent' });

class Line extends TypedEmitter<LineLegEvents> implements LineLeg {
  readonly did: string[] = [];
  constructor(
    readonly line: LineLeg['line'],
    readonly calling: string,
    readonly called: string,
    readonly arrivedAt: number,
    readonly earlyMedia: boolean,
  ) {
    super();
  }
  alert(): void {
    this.did.push('alert');
  }
  answer(): void {
    this.did.push('answer');
  }
  release(cause: number): void {
    this.did.push(`release ${cause}`);
  }
  connectMedia(port: number): Promise<void> {
    this.did.push(`media ${port}`);
    return Promise.resolve();
  }
  fire<K extends keyof LineLegEvents>(event: K, ...args: Parameters<LineLegEvents[K]>): void {
    this.emit(event, ...args);
  }
}

class Phone extends TypedEmitter<AgentCallEvents> implements AgentCallLeg {
  hungUp = false;
  constructor(readonly request: AgentCallRequest) {
    super();
  }
  hangUp(): void {
    this.hungUp = true;
    // As SIP does: the CANCEL or BYE is answered, then the call is over.
    queueMicrotask(() => this.emit('ended', { by: 'box', reason: 'hangup' }));
  }
  fire<K extends keyof AgentCallEvents>(event: K, ...args: Parameters<AgentCallEvents[K]>): void {
    this.emit(event, ...args);
  }
}

class Phones implements AgentPhones {
  readonly calls: Phone[] = [];
  readonly busy = new Set<string>();
  constructor(public agents: AgentRef[]) {}
  available(): AgentRef[] {
    return this.agents.filter((a) => !this.busy.has(a.user));
  }
  setBusy(user: string, busy: boolean): void {
    if (busy) this.busy.add(user);
    else this.busy.delete(user);
  }
  call(request: AgentCallRequest): Phone {
    const phone = new Phone(request);
    this.calls.push(phone);
    return phone;
  }
}

class Media implements CallMedia, CallMediaFactory {
  readonly did: string[] = [];
  readonly local = { address: '127.0.0.1', port: 20000 };
  open(leg: LineLeg): Promise<CallMedia> {
    return leg.connectMedia(41000).then(() => this);
  }
  connectPhone(phone: PhoneMedia): void {
    this.did.push(`phone ${phone.address}:${phone.port}`);
  }
  hold(on: boolean): void {
    this.did.push(`hold ${on}`);
  }
  play(tone: string): void {
    this.did.push(`play ${tone}`);
  }
  close(): void {
    this.did.push('close');
  }
}

const T0 = Date.UTC(2026, 11, 1, 2, 0, 0);

async function setup(t: Test, agents: AgentRef[], settings: Partial<CallSettings> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'countyline-calls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const clock = new FakeClock(T0);
  const file = join(dir, 'cdr.jsonl');
  const cdrs = await CdrStore.open({ file, logger: silent, clock, keepRecent: 50 });
  t.teardown(() => cdrs.close());
  const phones = new Phones(agents);
  const media = new Media();
  const calls = new CallManager({ clock, logger: silent, agents: phones, media, cdrs, settings: { ringTimeoutMs: 20_000, noAgent: 'announce', testLineAnswerMs: 200, ...settings } });
  const ended: Cdr[] = [];
  calls.on('call-ended', (cdr) => ended.push(cdr));
  // The media path's promise, then the CDR writes under way (an fsync each).
  const flush = async () => {
    await new Promise((r) => setImmediate(r));
    await calls.written();
  };
  const e1 = (calling = '13800000001') => new Line({ kind: 'e1', span: 0, timeslot: 5, cic: 5 }, calling, '12345', clock.now(), true);
  const fxo = (calling = '13900000002') => new Line({ kind: 'fxo', port: 2 }, calling, '', clock.now(), false);
  /** The CDR file's records, read as a stranger would read it. */
  const onDisk = async () => (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Cdr);
  return { clock, phones, media, calls, ended, flush, e1, fxo, onDisk };
}

const ANN = { user: 'ann', name: '安娜' };
const BO = { user: 'bo', name: 'Bo' };
const PHONE: PhoneMedia = { address: '192.0.2.10', port: 30000, telephoneEvent: 101 };

t.test('an E1 call: ACM when offered, ANM when the agent answers, REL when the agent hangs up; one CDR', async (t) => {
  const s = await setup(t, [ANN]);
  const line = s.e1();
  const id = s.calls.incoming(line);
  await s.flush();
  t.same(line.did, ['media 41000', 'alert'], 'audio connected, then ACM as the phone starts to ring');
  t.equal(s.phones.calls.length, 1);
  t.match(s.phones.calls[0]!.request, { agent: 'ann', callerNumber: '13800000001', localMedia: s.media.local, ringTimeoutMs: 20_000 });
  t.match(s.calls.active(), [{ id, state: 'offering', agent: 'ann', agentName: '安娜', calling: '13800000001', called: '12345' }]);
  s.clock.advance(4000);
  s.phones.calls[0]!.fire('answered', PHONE);
  t.same(line.did.slice(2), ['answer'], 'ANM only now');
  t.same(s.media.did, ['phone 192.0.2.10:30000']);
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
  };
  t.same(s.ended[0], expected);
  t.same(await s.onDisk(), [expected], 'the CDR was on disk when it was reported');
  t.notOk(s.phones.busy.has('ann'), 'the agent is free again');
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
  t.match(s.ended, [{ result: 'abandoned', hungUpBy: 'caller', cause: 16, agent: 'ann', answeredAt: null, endedAt: T0 + 7000 }]);
  t.notOk(line.did.includes('release 16'), 'no REL of our own: the exchange released');
  t.notOk(s.phones.busy.has('ann'));
});

t.test('a phone that rings out or is busy: the call goes to the next agent, each offered once', async (t) => {
  const s = await setup(t, [ANN, BO]);
  const line = s.e1();
  s.calls.incoming(line);
  await s.flush();
  t.equal(s.phones.calls[0]!.request.agent, 'ann');
  s.clock.advance(20_000);
  s.phones.calls[0]!.fire('ended', { by: 'box', reason: 'no-answer' });
  t.equal(s.phones.calls.length, 2);
  t.equal(s.phones.calls[1]!.request.agent, 'bo', 'offered to the other agent');
  t.equal(line.did.filter((d) => d === 'alert').length, 1, 'one ACM for the whole call');
  s.phones.calls[1]!.fire('ended', { by: 'agent', reason: 'busy', status: 486 });
  t.equal(s.phones.calls.length, 2, 'not offered to ann again');
  t.same(s.media.did, ['play special-information'], 'nobody left: the caller hears the announcement');
  t.match(s.calls.active(), [{ state: 'announcing' }]);
  s.clock.advance(4000);
  t.equal(line.did.at(-1), 'release 17', 'then REL, user busy');
  await s.flush();
  t.match(s.ended, [{ result: 'no-agent', hungUpBy: 'box', cause: 17, agent: 'bo', answeredAt: null, offeredAt: T0 }]);
});

t.test('no agent registered: an analog line is answered for the announcement, then released; no-agent', async (t) => {
  const s = await setup(t, []);
  const line = s.fxo();
  s.calls.incoming(line);
  await s.flush();
  t.same(line.did, ['media 41000', 'answer'], 'off-hook: an analog caller hears nothing before it');
  t.same(s.media.did, ['play special-information']);
  s.clock.advance(4000);
  t.equal(line.did.at(-1), 'release 17');
  await s.flush();
  t.match(s.ended, [{ line: { kind: 'fxo', port: 2 }, calling: '13900000002', called: '', result: 'no-agent', agent: null, offeredAt: null, answeredAt: null }]);
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

t.test('a busy agent is not offered a second call; stop() ends every call with a CDR on disk', async (t) => {
  const s = await setup(t, [ANN]);
  const first = s.e1('1');
  const second = s.e1('2');
  s.calls.incoming(first);
  await s.flush();
  s.phones.calls[0]!.fire('answered', PHONE);
  s.calls.incoming(second);
  await s.flush();
  t.equal(s.phones.calls.length, 1, 'ann is on the first call');
  t.match(s.calls.active(), [{ calling: '1', state: 'connected' }, { calling: '2', state: 'announcing' }]);
  await s.calls.stop();
  t.equal(s.calls.active().length, 0);
  t.same(
    (await s.onDisk()).map((c) => [c.calling, c.result, c.hungUpBy]),
    [
      ['1', 'answered', 'box'],
      ['2', 'no-agent', 'box'],
    ],
  );
  t.equal(first.did.at(-1), 'release 41');
});
