import { EventEmitter } from 'node:events';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { hasHanzi } from './hanzi-pinyin.js';
import { PROMPT_LANGS, synthesise, type PromptLang, type SynthOptions, type SynthResult } from './prompt-synth.js';

/** The bulletin as callers hear it. */
export interface BulletinRecording {
  /** The words spoken. */
  text: string;
  lang: PromptLang;
  /** `<dataDir>/bulletin.<lang>.alaw`: raw A-law, 8 kHz. Read it whole when a call starts playing it. */
  file: string;
  seconds: number;
}

export interface BulletinAudioOptions extends SynthOptions {
  dataDir: string;
  logger: Logger;
  /** How text is spoken into a file; default espeak-ng and sox (synthesise). A hook for tests. */
  synthesise?: (text: string, lang: PromptLang, file: string, o: SynthOptions) => Promise<SynthResult>;
}

const SUPERSEDED = Symbol('superseded');

interface BulletinAudioEvents {
  /** The recording changed (made, or removed): `current()` tells which. */
  changed: [];
}

/**
 * The spoken copy of the box's bulletin, made on the box when its text is set (a second or
 * two for a paragraph), so the next caller hears it.
 *
 * The language is the text's: Chinese characters in it, the Chinese voice; none, English.
 * The file is replaced whole (written beside, then renamed over), so a call that began
 * playing the old one reads a whole file; the other language's file, if any, is removed.
 * Texts set while one is being spoken wait, and only the latest of them is spoken.
 *
 * The firmware (firmware.ts) shows the board's bulletin here at start and on each change of
 * it, and answers a `bulletin-set` command once the text is spoken, or with why it could not
 * be (prompt-tool-missing, prompt-synth-failed, prompt-synth-timeout).
 */
export class BulletinAudio extends EventEmitter<BulletinAudioEvents> {
  private recording: BulletinRecording | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  /** Bumped by each show(); a queued show() that is no longer the latest does nothing. */
  private generation = 0;
  /** What the latest show() resolves with; a superseded one resolves with it too. */
  private latest: Promise<BulletinRecording | null> = Promise.resolve(null);

  constructor(private readonly o: BulletinAudioOptions) {
    super();
  }

  /** The recording callers hear now, or null when there is no bulletin (or it could not be spoken). */
  current(): BulletinRecording | null {
    return this.recording ? { ...this.recording } : null;
  }

  /**
   * Speaks `text` as the bulletin (null or blank: there is none, and its file is removed).
   * Resolves with the recording once it is in place, or with the one that superseded it when
   * a later show() came first; rejects when speaking failed, and then callers hear no
   * bulletin rather than the one before, whose words no longer hold.
   */
  show(text: string | null): Promise<BulletinRecording | null> {
    const mine = ++this.generation;
    const step = this.chain.then<BulletinRecording | null | typeof SUPERSEDED>(() => (mine === this.generation ? this.make(text?.trim() || null) : SUPERSEDED));
    this.chain = step.catch(() => undefined);
    const result = step.then((r) => (r === SUPERSEDED ? this.latest : r));
    this.latest = result;
    return result;
  }

  /** Waits for the text being spoken. */
  async close(): Promise<void> {
    await this.chain;
  }

  private async make(text: string | null): Promise<BulletinRecording | null> {
    if (text === this.recording?.text) return this.current();
    if (text === null) {
      await this.removeFiles(PROMPT_LANGS);
      return this.replace(null);
    }
    const lang: PromptLang = hasHanzi(text) ? 'zh' : 'en';
    const file = join(this.o.dataDir, `bulletin.${lang}.alaw`);
    const started = Date.now();
    try {
      const made = await (this.o.synthesise ?? synthesise)(text, lang, file, this.o);
      await this.removeFiles(PROMPT_LANGS.filter((l) => l !== lang));
      this.o.logger.info({ lang, seconds: made.seconds, tookMs: Date.now() - started, file }, 'bulletin spoken');
      return this.replace({ text, lang, file, seconds: made.seconds });
    } catch (err) {
      this.o.logger.error({ err: (err as Error).message, lang }, 'bulletin could not be spoken; callers hear none');
      await this.removeFiles(PROMPT_LANGS);
      this.replace(null);
      throw err;
    }
  }

  private replace(recording: BulletinRecording | null): BulletinRecording | null {
    const changed = this.recording?.text !== recording?.text || this.recording?.file !== recording?.file;
    this.recording = recording;
    if (changed) this.emit('changed');
    return this.current();
  }

  private async removeFiles(langs: readonly PromptLang[]): Promise<void> {
    for (const lang of langs) {
      await unlink(join(this.o.dataDir, `bulletin.${lang}.alaw`)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') this.o.logger.warn({ err: err.message, lang }, 'could not remove an old bulletin recording');
      });
    }
  }
}
