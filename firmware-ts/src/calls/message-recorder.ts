import type { CallState } from './call-state.js';
import type { CallerPrompts } from './caller-prompts.js';
import type { CallbackTaker } from './callback-requests.js';
import type { Call, CallOps } from './call-record.js';
import { END_MESSAGE_KEY, KEY_TAIL_MS, MESSAGE_BEEP, saveMessage, worthKeeping, type VoiceMessageSettings } from './voice-message.js';

/**
 * A caller whose callback request was taken leaves a voice message after the beep (config
 * `queue.voiceMessage`); it is kept beside the request. What a message is and how it is
 * written is voice-message.ts; this is the part the caller goes through.
 */
export class MessageRecorder {
  constructor(
    private readonly ops: CallOps,
    private readonly prompts: CallerPrompts,
    private readonly callbacks: CallbackTaker | undefined,
  ) {}

  /**
   * "Leave a message after the tone", the beep, and the caller's audio recorded until they
   * hang up, press #, or `maxMs`; kept for request `id` unless it is too short or silent.
   * Resolves false when the caller was not asked (no prompt file, or the call ended first).
   */
  async record(call: Call, id: string, s: VoiceMessageSettings): Promise<boolean> {
    const { ops } = this;
    const ask = await this.prompts.leaveMessage();
    // Without the words the beep means nothing to the caller: no message is asked for.
    if (!ask || call.state !== 'announcing') return false;
    // Early media carries the box's audio back to the caller, but an exchange may through-
    // connect the caller's voice toward the box only at answer: an E1 call is answered for
    // its message (and charged from here, like any answered call).
    ops.answerLine(call);
    const media = call.media!;
    if (!(await media.playAudio(ask)) || !(await media.playAudio(MESSAGE_BEEP))) return false;
    if ((call.state as CallState) !== 'announcing') return false;
    const at = ops.clock.now();
    const recording = media.record(s.maxMs);
    call.onKey = (digit) => digit === END_MESSAGE_KEY && media.stopRecording(KEY_TAIL_MS);
    // The length counts audio; a line whose frames stopped still ends by the clock.
    call.timer = ops.clock.setTimeout(() => {
      call.timer = null;
      media.stopRecording();
    }, s.maxMs + 2000);
    const audio = await recording;
    call.onKey = null;
    ops.clearTimer(call);
    this.keep(call, id, at, audio, s);
    return true;
  }

  /** Writes the message and notes it on the request, in the background (stop() waits for it). */
  private keep(call: Call, id: string, at: number, audio: Buffer, s: VoiceMessageSettings): void {
    const { logger } = this.ops;
    const ms = audio.length / 8;
    if (!worthKeeping(audio)) {
      logger.info({ call: call.id, callback: id, ms }, 'no voice message: too short, or silence');
      return;
    }
    const kept = saveMessage(s.dir, id, at, audio)
      .then((file) => this.callbacks!.message(id, { callId: call.id, message: file }).then(() => file))
      .then(
        (file) => logger.info({ call: call.id, callback: id, file, ms }, 'voice message kept'),
        (err: Error) => logger.error({ call: call.id, callback: id, err: err.message }, 'voice message not kept'),
      );
    this.ops.track(kept);
  }
}
