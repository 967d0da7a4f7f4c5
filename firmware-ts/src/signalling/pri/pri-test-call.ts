import type { Clock } from '@countyline/e1-gateway';
import type { CardDriver } from '../../card/card-driver.js';
import { nextEvent, testReason, type E1CircuitTest, type TestVerdict } from '../../trunks/circuit-tests.js';
import type { PriStack } from './pri-stack.js';
import type { Q931CallEnded } from './q931-calls-types.js';

const NORMAL_CLEARING = 16;
/** The continuity tone of Q.724 7, as the ISUP continuity check sends it. */
const TEST_TONE_HZ = 2000;

export interface PriTestCallOptions {
  pri: PriStack;
  card: CardDriver;
  clock: Clock;
  /** The exchange's test line (config `pri.testCall.number`); empty: the card's loopback test only. */
  number: string;
  /** Our number in the SETUP (config `pri.callingNumber`); empty: none. */
  calling: string;
  /** The test line loops the B-channel back: the test tone must come back over it. */
  loopAround: boolean;
  answerTimeoutMs: number;
  toneTimeoutMs: number;
  /** Spans that are not the PRI's, and a PRI with no test line: the card's loopback test. */
  local: E1CircuitTest;
}

type Answer = { kind: 'answered' } | { kind: 'ended'; end: Q931CallEnded } | { kind: 'timeout' } | { kind: 'aborted' };

/**
 * The test call of a PRI B-channel. Q.931 has no continuity check, so with a test line
 * configured the box calls it on that channel (SETUP, channel exclusive): the exchange taking
 * the channel and the line answering prove the channel's signalling; on a loop-around test
 * line the 2000 Hz tone sent into the channel must come back, which proves its audio. With no
 * test line the card loops the timeslot back itself (the card and its E1 framer only).
 *
 * Either way the channel is taken for the test first, so no call is put on it meanwhile, and
 * a busy channel, or one the exchange or the span blocked, is skipped rather than failed.
 */
export class PriTestCall implements E1CircuitTest {
  constructor(private readonly o: PriTestCallOptions) {}

  async run(span: number, timeslot: number, signal?: AbortSignal): Promise<TestVerdict> {
    const { pri } = this.o;
    if (span !== pri.span) return this.o.local.run(span, timeslot, signal);
    const channel = timeslot;
    if (!pri.channels.group.has(channel)) return { ok: false, skipped: true, reason: `no B-channel is provisioned on span ${span} timeslot ${timeslot}`, ...testReason('no-cic', span, timeslot) };
    if (this.o.number && !pri.isUp) return { ok: false, skipped: true, reason: 'signalling link out of service', ...testReason('signalling-down') };
    const taken = pri.channels.reserveForTest(channel);
    if (!taken.ok) return { ok: false, skipped: true, reason: `B-channel ${channel} is ${taken.reason}`, ...testReason(taken.reason === 'busy' ? 'cic-busy' : 'cic-blocked', channel) };
    if (!this.o.number) {
      try {
        return await this.o.local.run(span, timeslot, signal);
      } finally {
        pri.channels.release(channel);
      }
    }
    // From here Q.931 call control holds the channel, and frees it when the call is over.
    return this.callTestLine(channel, signal);
  }

  private async callTestLine(channel: number, signal?: AbortSignal): Promise<TestVerdict> {
    const { pri, clock } = this.o;
    const calls = pri.calls;
    let callId = -1;
    let settle: (a: Answer) => void = () => {};
    const answer = new Promise<Answer>((resolve) => (settle = resolve));
    const onAnswered = (e: { callId: number }) => e.callId === callId && settle({ kind: 'answered' });
    const onEnded = (end: Q931CallEnded) => end.callId === callId && settle({ kind: 'ended', end });
    const onAbort = () => settle({ kind: 'aborted' });
    calls.on('answered', onAnswered);
    calls.on('call-ended', onEnded);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = clock.setTimeout(() => settle({ kind: 'timeout' }), this.o.answerTimeoutMs);
    try {
      callId = calls.place({ called: this.o.number, calling: this.o.calling, channel, exclusive: true, repeat: false });
      if (signal?.aborted) onAbort();
      let got = await answer;
      clock.clearTimeout(timer);
      if (got.kind === 'answered' && this.o.loopAround) {
        const ended = new Promise<Answer>((resolve) => (settle = resolve));
        const verdict = await this.toneBack(channel, ended, signal);
        if (!verdict.ok) {
          calls.release(callId, NORMAL_CLEARING);
          return verdict;
        }
        got = { kind: 'answered' };
      }
      switch (got.kind) {
        case 'answered':
          calls.release(callId, NORMAL_CLEARING);
          return { ok: true };
        case 'ended':
          return { ok: false, reason: `the exchange cleared the call to its test line (cause ${got.end.cause}: ${got.end.reason})`, ...testReason('test-line-refused', got.end.cause) };
        case 'timeout': {
          calls.release(callId, NORMAL_CLEARING);
          const seconds = this.o.answerTimeoutMs / 1000;
          return { ok: false, reason: `the test line did not answer within ${seconds} s`, ...testReason('test-line-no-answer', seconds) };
        }
        default: // aborted
          calls.release(callId, NORMAL_CLEARING);
          return { ok: false, reason: 'the firmware stopped during the test', ...testReason('stopped') };
      }
    } finally {
      clock.clearTimeout(timer);
      calls.off('answered', onAnswered);
      calls.off('call-ended', onEnded);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The test tone into the answered channel; it must come back before the call ends. */
  private async toneBack(channel: number, ended: Promise<Answer>, signal?: AbortSignal): Promise<TestVerdict> {
    const { card, clock, pri } = this.o;
    const span = pri.span;
    const heard = nextEvent(card, clock, 'tone-detect', (m) => m.span === span && m.timeslot === channel && m.present && m.frequency === TEST_TONE_HZ, this.o.toneTimeoutMs, signal);
    const seconds = this.o.toneTimeoutMs / 1000;
    try {
      await card.command({ type: 'tsTone', span, timeslot: channel, frequency: TEST_TONE_HZ });
      const back = await Promise.race([heard.promise, ended.then(() => null)]);
      if (back) return { ok: true };
      if (signal?.aborted) return { ok: false, reason: 'the firmware stopped during the test', ...testReason('stopped') };
      return { ok: false, reason: `no ${TEST_TONE_HZ} Hz tone back within ${seconds} s`, ...testReason('no-tone-back', TEST_TONE_HZ, seconds) };
    } catch (err) {
      // The test-call scheduler words a card that is not up or does not answer.
      return { ok: false, reason: (err as Error).message };
    } finally {
      heard.cancel();
      await card.commandOrReport({ type: 'tsTone', span, timeslot: channel, frequency: 0 }, `end of the test call on B-channel ${channel}`);
    }
  }
}
