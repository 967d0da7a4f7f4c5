import { PromptPlayer } from '../media/prompt-player.js';
import type { CallerPrompts } from './caller-prompts.js';
import type { Call, CallOps } from './call-record.js';
import type { CallState } from './call-state.js';

/** The key that skips the bulletin. */
const SKIP_KEY = '0';

/**
 * What a caller hears before the queue: the welcome, then the bulletin in force (key 0 skips
 * it). How long they heard the bulletin, and whether they skipped it, go in the CDR.
 */
export class Greeting {
  /** `next`: the caller goes on to the queue. */
  constructor(
    private readonly ops: CallOps,
    private readonly prompts: CallerPrompts,
    private readonly next: (call: Call) => void,
  ) {}

  /** The welcome, then the bulletin (key 0 skips it), then the queue. */
  async play(call: Call): Promise<void> {
    const { ops } = this;
    const [welcome, bulletin] = await Promise.all([this.prompts.welcome(), this.prompts.bulletin()]);
    if (call.state !== 'arrived') return;
    if (!welcome && !bulletin) return this.next(call);
    ops.move(call, 'greet');
    ops.answerLine(call);
    if (welcome && !(await call.media!.playAudio(welcome))) return;
    // The call may have ended while the welcome played.
    if ((call.state as CallState) !== 'greeting') return;
    if (bulletin) {
      call.bulletin = { startedAt: ops.clock.now(), heardMs: null, skipped: false };
      call.onKey = (digit) => {
        if (digit !== SKIP_KEY || !call.bulletin) return;
        call.bulletin.skipped = true;
        ops.logger.info({ call: call.id, heardMs: ops.clock.now() - call.bulletin.startedAt }, 'caller skipped the bulletin');
        call.media!.quiet();
      };
      ops.logger.info({ call: call.id, ms: PromptPlayer.durationMs(bulletin) }, 'playing the bulletin');
      await call.media!.playAudio(bulletin);
      call.onKey = null;
      // Played out or skipped: the caller goes on to the queue. Hung up: the call's end counted it.
      if ((call.state as CallState) !== 'greeting') return;
      heardBulletin(call, ops.clock.now());
    }
    this.next(call);
  }
}

/** Fixes how long the caller heard the bulletin (it is over, or the call is: `now`). */
export function heardBulletin(call: Call, now: number): void {
  if (call.bulletin && call.bulletin.heardMs === null) call.bulletin.heardMs = now - call.bulletin.startedAt;
}
