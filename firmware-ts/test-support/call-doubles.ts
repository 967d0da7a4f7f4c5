import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, TypedEmitter } from '@countyline/e1-gateway';
import { pino } from 'pino';
import type { Test } from 'tap';
import { PromptPlayer } from '../src/media/prompt-player.js';
import { toneFrame } from '../src/media/tones.js';
import { CallbackStore } from '../src/queue/callback-store.js';
import { OfficeQueue, type OfficeQueueSettings } from '../src/queue/office-queue.js';
import { CallManager, type CallbackTaker, type CallManagerDeps, type CallSettings } from '../src/calls/call-manager.js';
import type { AgentCallEvents, AgentCallLeg, AgentCallRequest, AgentPhones, AgentRef, CallMedia, CallMediaFactory, PhoneMedia } from '../src/calls/call-ports.js';
import { NO_PROMPTS, type CallerPrompts } from '../src/calls/caller-prompts.js';
import type { Cdr } from '../src/calls/cdr.js';
import { CdrStore } from '../src/calls/cdr-store.js';
import type { LineLeg, LineLegEvents } from '../src/calls/line-leg.js';

// The call model's tests (calls/call-manager*.test.ts) run it against stand-ins for its ports
// (a line, the phones, the media path), each a
// record of what the model asked of it: the real ISUP, analog and SIP sides have their own
// tests and meet the model in the bench tests.

export const silent = pino({ level: 'silent' });

export class Line extends TypedEmitter<LineLegEvents> implements LineLeg {
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

export class Phone extends TypedEmitter<AgentCallEvents> implements AgentCallLeg {
  hungUp = false;
  constructor(readonly request: AgentCallRequest) {
    super();
  }
  hangUp(): void {
    if (this.hungUp) return;
    this.hungUp = true;
    // As SIP does: the CANCEL or BYE is answered, then the call is over.
    queueMicrotask(() => this.emit('ended', { by: 'box', reason: 'hangup' }));
  }
  fire<K extends keyof AgentCallEvents>(event: K, ...args: Parameters<AgentCallEvents[K]>): void {
    this.emit(event, ...args);
  }
}

export class Phones implements AgentPhones {
  readonly calls: Phone[] = [];
  readonly busy = new Set<string>();
  readonly down = new Set<string>();
  private listeners: ((user: string, up: boolean) => void)[] = [];
  constructor(public agents: AgentRef[]) {}
  list() {
    return this.agents.map((a) => ({ ...a, wrapUpMs: 0 }));
  }
  phoneUp(user: string): boolean {
    return !this.down.has(user);
  }
  onPhoneChange(listener: (user: string, up: boolean) => void): () => void {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  }
  /** The phone stops answering keep-alives (or answers again). */
  phoneGone(user: string, gone = true): void {
    if (gone) this.down.add(user);
    else this.down.delete(user);
    for (const l of this.listeners) l(user, !gone);
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

export class Media implements CallMedia, CallMediaFactory {
  readonly did: string[] = [];
  readonly local = { address: '127.0.0.1', port: 20000 };
  private playing: { timer: ReturnType<FakeClock['setTimeout']>; done: (played: boolean) => void } | null = null;
  private digits: ((digit: string) => void)[] = [];
  /** The recording under way: the caller's audio as the tests send it, and how it ends. */
  private recording: { maxOctets: number; frames: Buffer[]; octets: number; done: (audio: Buffer) => void } | null = null;
  constructor(private readonly clock: FakeClock) {}
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
    this.quiet();
    this.did.push(`play ${tone}`);
  }
  /**
   * Prompts in these tests are their own names as octets, then silence; each plays as long as
   * real audio of its length. Prompts played one after the other show as "a + b".
   */
  playAudio(alaw: Buffer): Promise<boolean> {
    this.quiet();
    this.did.push(`say ${alaw.toString('latin1').split(/\0+/).filter(Boolean).join(' + ')}`);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.playing = null;
        resolve(true);
      }, PromptPlayer.durationMs(alaw));
      this.playing = { timer, done: resolve };
    });
  }
  quiet(): void {
    if (!this.playing) return;
    this.clock.clearTimeout(this.playing.timer);
    this.playing.done(false);
    this.playing = null;
  }
  record(maxMs: number): Promise<Buffer> {
    this.stopRecording();
    this.did.push('record');
    return new Promise((done) => (this.recording = { maxOctets: maxMs * 8, frames: [], octets: 0, done }));
  }
  stopRecording(dropLastMs = 0): void {
    const r = this.recording;
    if (!r) return;
    this.recording = null;
    const all = Buffer.concat(r.frames);
    r.done(all.subarray(0, Math.max(0, all.length - dropLastMs * 8)));
  }
  get recordingNow(): boolean {
    return this.recording !== null;
  }
  /** The caller speaks for `ms` (a 1 kHz tone, or silence), as the line's frames arrive at the media path. */
  speak(ms: number, o: { silent?: boolean } = {}): void {
    for (let sent = 0; sent < ms && this.recording; sent += 20) {
      const r = this.recording;
      const frame = o.silent ? Buffer.alloc(160, 0xd5) : toneFrame({ name: 'voice', dbm0: -10, cadence: [{ frequency: 1000, ms: 1000 }] }, sent / 20);
      const room = r.maxOctets - r.octets;
      r.frames.push(frame.subarray(0, room));
      r.octets += Math.min(room, frame.length);
      if (r.octets === r.maxOctets) this.stopRecording();
    }
  }
  onDigit(listener: (digit: string) => void): void {
    this.digits.push(listener);
  }
  /** The caller presses a key (heard in-band). */
  key(digit: string): void {
    for (const l of this.digits) l(digit);
  }
  close(): void {
    this.quiet();
    this.stopRecording();
    this.did.push('close');
  }
}

/** A prompt of `ms` of audio whose octets start with `name`. */
export function prompt(name: string, ms = 20): Buffer {
  const b = Buffer.alloc((ms / 20) * 160);
  b.write(name);
  return b;
}

/** Prompts as a box with a welcome, a bulletin when `bulletin` holds one, and waiting announcements has them. */
export function testPrompts(o: { welcome?: boolean; bulletin?: { ms: number } | null } = {}): CallerPrompts & { bulletinNow: { ms: number } | null } {
  const p = {
    bulletinNow: o.bulletin ?? null,
    welcome: async () => (o.welcome ? prompt('welcome', 2000) : null),
    bulletin: async () => (p.bulletinNow ? prompt('bulletin', p.bulletinNow.ms) : null),
    waiting: async (pos: { position: number; expectedWaitMs: number }, joining: boolean) => prompt(`${joining ? 'hold ' : ''}#${pos.position} ${Math.round(pos.expectedWaitMs / 1000)}s`, 3000),
    callbackOffer: async () => prompt('press 1', 2000),
    callbackTaken: async () => prompt('callback taken', 3000),
    leaveMessage: async () => prompt('leave a message', 4000),
    afterHours: async () => prompt('after hours', 2000),
    goodbye: async () => prompt('goodbye', 1000),
  };
  return p;
}

export const T0 = Date.UTC(2026, 11, 1, 2, 0, 0);

export async function setup(
  t: Test,
  agents: AgentRef[],
  settings: Partial<CallSettings> = {},
  o: { prompts?: CallerPrompts; queue?: Partial<OfficeQueueSettings>; callbacks?: boolean | CallbackTaker; hours?: CallManagerDeps['hours']; messageMaxMs?: number; centre?: CallManagerDeps['centre'] } = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'countyline-calls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const clock = new FakeClock(T0);
  const file = join(dir, 'cdr.jsonl');
  const cdrs = await CdrStore.open({ file, logger: silent, clock, keepRecent: 50 });
  t.teardown(() => cdrs.close());
  const phones = new Phones(agents);
  const media = new Media(clock);
  const store = o.callbacks === true ? await CallbackStore.open({ file: join(dir, 'callbacks.jsonl'), clock, logger: silent }) : undefined;
  if (store) t.teardown(() => store.close());
  const callbacks: CallbackTaker | undefined = store ?? (typeof o.callbacks === 'object' ? o.callbacks : undefined);
  const queue = new OfficeQueue({
    clock,
    logger: silent,
    agents: phones,
    settings: { strategy: 'longest-idle', ringTimeoutMs: 20_000, maxWaitMs: 0, repeatAbandonersAhead: true, agentsStart: 'available', ...o.queue },
  });
  t.teardown(() => queue.stop());
  const calls = new CallManager({
    clock,
    logger: silent,
    agents: phones,
    queue,
    prompts: o.prompts ?? NO_PROMPTS,
    media,
    cdrs,
    settings: { noAgent: 'announce', testLineAnswerMs: 200, announceEveryMs: 0, repeatWindowMs: 30 * 60_000, ...settings },
    ...(callbacks && { callbacks }),
    ...(o.hours && { hours: o.hours }),
    ...(o.centre && { centre: o.centre }),
    ...(o.messageMaxMs !== undefined && { messages: { dir: join(dir, 'messages'), maxMs: o.messageMaxMs } }),
  });
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
  return { clock, phones, media, queue, calls, ended, flush, e1, fxo, onDisk, callbacks: store!, dir };
}

export const ANN = { user: 'ann', name: '安娜' };
export const BO = { user: 'bo', name: 'Bo' };
export const PHONE: PhoneMedia = { address: '192.0.2.10', port: 30000, telephoneEvent: 101 };

