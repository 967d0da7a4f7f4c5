import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { BulletinRecording } from '../prompts/bulletin-audio.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
import type { PromptLang } from '../prompts/prompt-synth.js';
import { MAX_SPOKEN_NUMBER, positionAnnouncement, waitAnnouncement, type PromptName } from '../prompts/prompt-texts.js';
import type { CallerPosition } from '../queue/acd.js';

/** What the call model plays to a caller, as A-law ready for the line; null: nothing to play. */
export interface CallerPrompts {
  /** The welcome, when it is on. */
  welcome(): Promise<Buffer | null>;
  /** The bulletin in force, after "to skip this notice, press 0"; null when there is none. */
  bulletin(): Promise<Buffer | null>;
  /** "All our staff are busy…" (on joining), then the caller's place and expected wait. */
  waiting(position: CallerPosition, joining: boolean): Promise<Buffer | null>;
  /** "To leave your number and be called back, press 1." */
  callbackOffer(): Promise<Buffer | null>;
  /** "Thank you. We have your number and will call you back." */
  callbackTaken(): Promise<Buffer | null>;
  /** "Leave a message after the tone: your name and what it is about, then hang up or press #." */
  leaveMessage(): Promise<Buffer | null>;
  /** "Our office is closed now." */
  afterHours(): Promise<Buffer | null>;
  /** "Thank you for calling. Goodbye." */
  goodbye(): Promise<Buffer | null>;
}

export interface CallerPromptDeps {
  library: PromptLibrary;
  lang: PromptLang;
  welcome: boolean;
  /** The bulletin's recording in force now (BulletinAudio.current). */
  bulletin: () => BulletinRecording | null;
  logger: Logger;
}

/**
 * The prompts callers hear, read from the prompt library (recorded files first, then the
 * synthesised set) on each use, so a replaced file is heard from the next call on. A prompt
 * whose file is missing is logged once and left out: the caller still reaches the queue.
 */
export function callerPrompts(d: CallerPromptDeps): CallerPrompts {
  const missing = new Set<string>();
  const read = async (names: readonly PromptName[]): Promise<Buffer | null> => {
    const parts: Buffer[] = [];
    for (const name of names) {
      try {
        parts.push(await d.library.read(name, d.lang));
      } catch (err) {
        const file = d.library.file(name, d.lang);
        if (!missing.has(file)) d.logger.error({ prompt: name, lang: d.lang, file, err: (err as Error).message }, 'prompt file missing: callers do not hear it (run npm run prompts, or record it)');
        missing.add(file);
      }
    }
    return parts.length > 0 ? Buffer.concat(parts) : null;
  };
  return {
    welcome: () => (d.welcome ? read(['welcome']) : Promise.resolve(null)),
    async bulletin() {
      const recording = d.bulletin();
      if (!recording) return null;
      let spoken: Buffer;
      try {
        spoken = await readFile(recording.file);
      } catch (err) {
        d.logger.error({ file: recording.file, err: (err as Error).message }, 'the bulletin recording cannot be read: callers do not hear it');
        return null;
      }
      const skip = await read(['bulletin-skip']);
      return skip ? Buffer.concat([skip, spoken]) : spoken;
    },
    waiting(position, joining) {
      const names: PromptName[] = joining ? ['please-hold'] : [];
      // Past the numbers of the prompt set the place is not said; the wait still is.
      if (position.position <= MAX_SPOKEN_NUMBER) names.push(...positionAnnouncement(position.position));
      const minutes = Math.ceil(position.expectedWaitMs / 60_000);
      if (minutes <= MAX_SPOKEN_NUMBER) names.push(...waitAnnouncement(position.expectedWaitMs / 1000));
      return read(names);
    },
    callbackOffer: () => read(['callback-offer']),
    callbackTaken: () => read(['callback-taken']),
    leaveMessage: () => read(['leave-message']),
    afterHours: () => read(['after-hours']),
    goodbye: () => read(['goodbye']),
  };
}

/** A box that plays no prompts (tests of the call flow alone). */
export const NO_PROMPTS: CallerPrompts = {
  welcome: async () => null,
  bulletin: async () => null,
  waiting: async () => null,
  callbackOffer: async () => null,
  callbackTaken: async () => null,
  leaveMessage: async () => null,
  afterHours: async () => null,
  goodbye: async () => null,
};
