import type { CallState } from './call-state.js';
import type { CallerPrompts } from './caller-prompts.js';
import type { CallbackRequests } from './callback-requests.js';
import { NORMAL_CLEARING, USER_BUSY, type Call, type CallOps } from './call-record.js';
import type { MessageRecorder } from './message-recorder.js';
import type { VoiceMessageSettings } from './voice-message.js';

/** What the calls nobody takes hear, and for how long. */
export interface NoAgentSettings {
  /** How long the special information tone plays before release. */
  announceMs: number;
  /** A test line answers after ringing this long. */
  testLineAnswerMs: number;
  /** Voice messages after a callback request is taken; undefined: none are recorded. */
  messages: VoiceMessageSettings | undefined;
}

/** What a call ended by an announcement counts as. */
type AnnouncedResult = 'no-agent' | 'overflowed' | 'callback';

/**
 * The calls nobody takes, to their release: the special information tone (nobody logged in,
 * or the caller waited the longest wait), the after-hours message, and the caller who
 * pressed 1; each with the caller's number kept as a callback request where it can be, "we
 * have your number" and a voice message when one was, and release. Also the test line, what
 * a box with no phones yet may answer with instead.
 */
export class NoAgentFlow {
  constructor(
    private readonly ops: CallOps,
    private readonly prompts: CallerPrompts,
    private readonly settings: NoAgentSettings,
    private readonly callbacks: CallbackRequests,
    private readonly recorder: MessageRecorder,
  ) {}

  /**
   * Nobody can take the call: the caller hears the special information tone, then release.
   * With a callback request taken meanwhile (the caller's number kept), they hear so before it.
   */
  announce(call: Call, result: 'no-agent' | 'overflowed' = 'no-agent'): void {
    const { ops } = this;
    ops.move(call, 'no-agent');
    call.announcing = result;
    call.onKey = null;
    ops.clearTimer(call);
    ops.logger.warn({ call: call.id, result }, 'no agent can take the call: announcing and releasing');
    this.openForAnnouncement(call);
    const taken = this.callbacks.take(call, result === 'overflowed' ? 'overflow' : 'no-agent');
    if (!taken) return this.toneAndRelease(call, result);
    call.media!.play('special-information');
    call.timer = ops.clock.setTimeout(() => {
      call.timer = null;
      void taken.then(async (id) => {
        if (call.state !== 'announcing') return;
        const said = id === null ? null : await this.prompts.callbackTaken();
        await this.confirmAndRelease(call, id, said, result, USER_BUSY);
      });
    }, this.settings.announceMs);
  }

  /**
   * The office is closed (office hours): "our office is closed now", the caller's number kept
   * as a callback request when the line gave one ("…we will call you back"), else "goodbye";
   * then release. Without prompt files: the special information tone.
   */
  afterHours(call: Call): void {
    const { ops } = this;
    ops.move(call, 'no-agent');
    call.announcing = 'no-agent';
    ops.logger.info({ call: call.id }, 'the office is closed: after-hours message');
    this.openForAnnouncement(call);
    const taken = this.callbacks.take(call, 'after-hours');
    void (async () => {
      const closed = await this.prompts.afterHours();
      if (call.state !== 'announcing') return;
      if (closed && !(await call.media!.playAudio(closed))) return;
      const id = taken ? await taken : null;
      if ((call.state as CallState) !== 'announcing') return;
      const last = await (id === null ? this.prompts.goodbye() : this.prompts.callbackTaken());
      if ((call.state as CallState) !== 'announcing') return;
      if (!closed && !last) return this.toneAndRelease(call, 'no-agent');
      await this.confirmAndRelease(call, id, last, 'no-agent', NORMAL_CLEARING);
    })();
  }

  /**
   * The waiting caller pressed 1 and has left the queue, their request `taken`: "we have your
   * number and will call you back", release. A request the disk refused: the special
   * information tone, and the call failed.
   */
  callbackLeft(call: Call, taken: Promise<string | null>): void {
    const { ops } = this;
    ops.move(call, 'callback');
    call.announcing = 'callback';
    call.onKey = null;
    ops.clearTimer(call);
    ops.answerLine(call);
    call.media!.quiet();
    void taken.then(async (id) => {
      if (call.state !== 'announcing') return;
      if (id === null) return this.toneAndRelease(call, 'callback');
      await this.confirmAndRelease(call, id, await this.prompts.callbackTaken(), 'callback');
    });
  }

  /** Test line (no phones yet): answer with a 1004 Hz tone until the caller hangs up. */
  testLine(call: Call): void {
    const { ops } = this;
    ops.move(call, 'test-line');
    ops.alert(call);
    call.timer = ops.clock.setTimeout(() => {
      call.timer = null;
      call.answeredAt = ops.clock.now();
      ops.answerLine(call);
      call.media!.play('test-tone');
    }, this.settings.testLineAnswerMs);
  }

  /** An announcement's audio reaches the caller: early media where the line has it, else the line is answered. */
  private openForAnnouncement(call: Call): void {
    // On an analog line the caller hears nothing until the line is taken off-hook.
    if (call.leg.earlyMedia && !call.lineAnswered) this.ops.alert(call);
    else this.ops.answerLine(call);
  }

  /** The special information tone for `announceMs`, then release as busy. */
  private toneAndRelease(call: Call, result: AnnouncedResult): void {
    const { ops } = this;
    call.media!.play('special-information');
    ops.clearTimer(call);
    call.timer = ops.clock.setTimeout(() => {
      call.timer = null;
      call.leg.release(USER_BUSY);
      ops.finish(call, { result, hungUpBy: 'box', cause: USER_BUSY, reason: null });
    }, this.settings.announceMs);
  }

  /** Plays `audio` (none: nothing), then releases the line, unless the call ended meanwhile. */
  private async sayAndRelease(call: Call, audio: Buffer | null, result: AnnouncedResult, cause = NORMAL_CLEARING): Promise<void> {
    if (audio && !(await call.media!.playAudio(audio))) return;
    if (call.state !== 'announcing') return;
    call.leg.release(cause);
    this.ops.finish(call, { result, hungUpBy: 'box', cause, reason: null });
  }

  /**
   * "We have your number" (`said`), then, with request `id` taken and voice messages on, the
   * caller's message and "goodbye"; then release. The call ending meanwhile ends it here.
   */
  private async confirmAndRelease(call: Call, id: string | null, said: Buffer | null, result: AnnouncedResult, cause = NORMAL_CLEARING): Promise<void> {
    const messages = this.settings.messages;
    if (id !== null && messages) {
      if (said && !(await call.media!.playAudio(said))) return;
      if (call.state !== 'announcing') return;
      const asked = await this.recorder.record(call, id, messages);
      if ((call.state as CallState) !== 'announcing') return;
      said = asked ? await this.prompts.goodbye() : null;
      if ((call.state as CallState) !== 'announcing') return;
    }
    await this.sayAndRelease(call, said, result, cause);
  }
}
