import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PromptLang } from './prompt-synth.js';
import type { PromptName } from './prompt-texts.js';

/**
 * Where `npm run prompts` puts the spoken prompt set: `firmware-ts/prompts/<lang>/<name>.alaw`
 * (this file is in `src/prompts/` or `dist/prompts/`; two folders up is the package).
 */
export const BUILT_PROMPTS_DIR = fileURLToPath(new URL('../../prompts/', import.meta.url));

export interface PromptLibraryOptions {
  /** The synthesised set; default BUILT_PROMPTS_DIR. */
  builtDir?: string;
  /**
   * Recorded prompts, laid out the same way (`<lang>/<name>.alaw`, raw A-law at 8 kHz); one
   * here is played instead of the synthesised one of the same name. E.g. `<dataDir>/prompts`.
   */
  overrideDir?: string;
}

/**
 * The prompt files the box plays, each looked up when it is asked for, so a recording
 * dropped into the override folder is played from the next call on without a restart.
 */
export class PromptLibrary {
  readonly builtDir: string;
  readonly overrideDir: string | undefined;

  constructor(o: PromptLibraryOptions = {}) {
    this.builtDir = o.builtDir ?? BUILT_PROMPTS_DIR;
    this.overrideDir = o.overrideDir;
  }

  /** The file played for a prompt: the recorded one if there is one, else the synthesised one (which may be missing). */
  file(name: PromptName, lang: PromptLang): string {
    if (this.overrideDir !== undefined) {
      const recorded = promptPath(this.overrideDir, name, lang);
      if (existsSync(recorded)) return recorded;
    }
    return promptPath(this.builtDir, name, lang);
  }

  /** Whether the prompt's file is the recorded one. */
  isRecorded(name: PromptName, lang: PromptLang): boolean {
    return this.overrideDir !== undefined && this.file(name, lang) === promptPath(this.overrideDir, name, lang);
  }

  /** The A-law octets of a prompt; rejects with ENOENT when neither file exists. */
  read(name: PromptName, lang: PromptLang): Promise<Buffer> {
    return readFile(this.file(name, lang));
  }

  /** The octets of several prompts one after another: an announcement such as positionAnnouncement(3). */
  async readAll(names: readonly PromptName[], lang: PromptLang): Promise<Buffer> {
    return Buffer.concat(await Promise.all(names.map((n) => this.read(n, lang))));
  }
}

/** `<dir>/<lang>/<name>.alaw` */
export function promptPath(dir: string, name: PromptName, lang: PromptLang): string {
  return join(dir, lang, `${name}.alaw`);
}
