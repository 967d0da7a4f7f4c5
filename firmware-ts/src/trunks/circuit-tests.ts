import type { Clock, MessageOf } from '@countyline/e1-gateway';
import type { CardDriver, CardDriverEvents } from '../card/card-driver.js';

/**
 * The single-circuit tests behind the scheduled test calls (逐条拨测).
 *
 * Circuits are named `fxo/<port>` and `e1/<span>/<timeslot>`. A verdict `skipped` is a test
 * that could not run (the ISUP continuity check with the signalling link down, say): it says
 * nothing about the circuit, and the scheduler neither counts it nor blocks for it.
 */
export type TestVerdict = { ok: true } | ({ ok: false; reason: string; skipped?: true } & TestReasonCoded);

/**
 * Why a test call failed or was skipped, as a code and its arguments, carried beside the
 * English `reason` (kept as it was for JSON readers and logs) so that each reader's language
 * can word it. The last five are the ISUP continuity check's (CCR).
 */
export interface TestReasons {
  'no-such-circuit': [circuit: string];
  'card-not-up': [];
  'card-no-answer': [];
  'card-refused': [];
  busy: [];
  'line-in-use': [];
  'no-line': [];
  'span-in-alarm': [span: number];
  'no-dial-tone': [seconds: number];
  'no-tone-back': [hertz: number, seconds: number];
  'no-cic': [span: number, timeslot: number];
  'signalling-down': [];
  'cic-busy': [cic: number];
  'cic-blocked': [cic: number];
  'no-tone-from-exchange': [hertz: number, seconds: number];
  /** PRI: the exchange cleared the call to its test line with this Q.850 cause. */
  'test-line-refused': [cause: number];
  /** PRI: the test line did not answer in time. */
  'test-line-no-answer': [seconds: number];
  /** The firmware stopped during the test: not a failure of the circuit. */
  stopped: [];
}
export type TestReasonCode = keyof TestReasons;
export type TestReasonArg = TestReasons[TestReasonCode][number];

/** Code and arguments that belong together; both absent where a reason has no code yet. */
export type TestReasonCoded =
  | { [K in TestReasonCode]: { reasonCode: K; reasonArgs: TestReasons[K] } }[TestReasonCode]
  | { reasonCode?: undefined; reasonArgs?: undefined };

/** Only the code fields of a verdict (nothing when it has no code). */
export function reasonFields(from: TestReasonCoded): TestReasonCoded {
  return from.reasonCode === undefined ? {} : ({ reasonCode: from.reasonCode, reasonArgs: from.reasonArgs } as TestReasonCoded);
}

/** `{ reasonCode, reasonArgs }` with the arguments checked against the code. */
export function testReason<K extends TestReasonCode>(code: K, ...args: TestReasons[K]): TestReasonCoded {
  return { reasonCode: code, reasonArgs: args } as TestReasonCoded;
}

/**
 * Tests one E1 circuit. Until ISUP signalling exists this is the card-level loopback test;
 * the ISUP work supplies a CCR/COT continuity check behind the same interface.
 */
export interface E1CircuitTest {
  /** `signal` aborts the test: it ends at once, its circuit put back to rest. */
  run(span: number, timeslot: number, signal?: AbortSignal): Promise<TestVerdict>;
}

/** Resolves with the first matching event, or null after `timeoutMs` or when `signal` aborts. */
export function nextEvent<K extends keyof CardDriverEvents & string>(
  card: CardDriver,
  clock: Clock,
  event: K,
  match: (...args: Parameters<CardDriverEvents[K]>) => boolean,
  timeoutMs: number,
  signal?: AbortSignal,
): { promise: Promise<Parameters<CardDriverEvents[K]> | null>; cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<Parameters<CardDriverEvents[K]> | null>((resolve) => {
    const listener = ((...args: Parameters<CardDriverEvents[K]>) => {
      if (!match(...args)) return;
      cancel();
      resolve(args);
    }) as CardDriverEvents[K];
    const giveUp = () => {
      cancel();
      resolve(null);
    };
    const timer = clock.setTimeout(giveUp, timeoutMs);
    card.on(event, listener);
    signal?.addEventListener('abort', giveUp, { once: true });
    cancel = () => {
      clock.clearTimeout(timer);
      card.off(event, listener);
      signal?.removeEventListener('abort', giveUp);
    };
    if (signal?.aborted) giveUp();
  });
  return { promise, cancel: () => cancel() };
}

/**
 * Card loopback continuity test: loop the timeslot back in the card, send 2000 Hz into it
 * (the continuity check tone of Q.724 §7) and expect the card's tone detector to hear it.
 */
export class CardLoopbackTest implements E1CircuitTest {
  constructor(
    private readonly card: CardDriver,
    private readonly clock: Clock,
    private readonly toneTimeoutMs = 2000,
    private readonly frequency = 2000,
  ) {}

  async run(span: number, timeslot: number, signal?: AbortSignal): Promise<TestVerdict> {
    const heard = nextEvent(
      this.card,
      this.clock,
      'tone-detect',
      (m: MessageOf<'tsToneDetect'>) => m.span === span && m.timeslot === timeslot && m.present && m.frequency === this.frequency,
      this.toneTimeoutMs,
      signal,
    );
    try {
      await this.card.command({ type: 'tsLoopback', span, timeslot, on: true });
      await this.card.command({ type: 'tsTone', span, timeslot, frequency: this.frequency });
      const got = await heard.promise;
      const seconds = this.toneTimeoutMs / 1000;
      return got ? { ok: true } : { ok: false, reason: `no ${this.frequency} Hz tone back within ${seconds} s`, ...testReason('no-tone-back', this.frequency, seconds) };
    } finally {
      heard.cancel();
      await this.card.commandOrReport({ type: 'tsTone', span, timeslot, frequency: 0 }, `end of the test call on e1/${span}/${timeslot}`);
      await this.card.commandOrReport({ type: 'tsLoopback', span, timeslot, on: false }, `end of the test call on e1/${span}/${timeslot}`);
    }
  }
}

/** FXO test call: off-hook, expect dial tone (China: 450 Hz continuous) in time, on-hook. */
export class DialToneTest {
  constructor(
    private readonly card: CardDriver,
    private readonly clock: Clock,
    private readonly dialToneTimeoutMs = 3000,
  ) {}

  /** `signal` aborts the test: it ends at once and the line goes back on-hook. */
  async run(port: number, signal?: AbortSignal): Promise<TestVerdict> {
    const tone = nextEvent(this.card, this.clock, 'fxo-tone', (m: MessageOf<'fxoTone'>) => m.port === port && m.tone === 'dial', this.dialToneTimeoutMs, signal);
    try {
      await this.card.command({ type: 'fxoHook', port, offHook: true });
      const got = await tone.promise;
      const seconds = this.dialToneTimeoutMs / 1000;
      return got ? { ok: true } : { ok: false, reason: `no dial tone within ${seconds} s`, ...testReason('no-dial-tone', seconds) };
    } finally {
      tone.cancel();
      await this.card.commandOrReport({ type: 'fxoHook', port, offHook: false }, `end of the test call on fxo/${port}`);
    }
  }
}
