import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../storage/atomic-file.js';
import { promptPath } from './prompt-library.js';
import { DEFAULT_WORDS_PER_MINUTE, PROMPT_LANGS, synthesise, VOICES, voiceText, type PromptLang, type SynthOptions } from './prompt-synth.js';
import { promptTexts, type PromptName, type PromptText } from './prompt-texts.js';

export interface BuildPromptsOptions extends SynthOptions {
  /** Where the set goes, `<outDir>/<lang>/<name>.alaw`. */
  outDir: string;
  langs?: readonly PromptLang[];
  /** Only these prompts (default: the whole set). */
  names?: readonly PromptName[];
  /** Programs run at once; default 2. */
  concurrency?: number;
  /** Told of each prompt once it is spoken. */
  onBuilt?: (prompt: PromptText, seconds: number) => void;
}

export interface BuildPromptsResult {
  built: number;
  upToDate: number;
}

/**
 * Speaks every prompt of the set that is missing or whose words (or voice, or pace) changed
 * since it was last spoken, as recorded in `<outDir>/manifest.json`. Run again, it does
 * nothing, so set-up can call it every time.
 */
export async function buildPrompts(o: BuildPromptsOptions): Promise<BuildPromptsResult> {
  const manifestFile = join(o.outDir, 'manifest.json');
  const manifest = await readManifest(manifestFile);
  const wpm = o.wordsPerMinute ?? DEFAULT_WORDS_PER_MINUTE;
  const todo: { prompt: PromptText; key: string; file: string }[] = [];
  let upToDate = 0;
  for (const lang of o.langs ?? PROMPT_LANGS) {
    for (const prompt of promptTexts(lang)) {
      if (o.names && !o.names.includes(prompt.name)) continue;
      const file = promptPath(o.outDir, prompt.name, lang);
      const key = promptKey(prompt, wpm);
      if (manifest[relative(prompt)] === key && existsSync(file)) upToDate++;
      else todo.push({ prompt, key, file });
    }
  }
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < todo.length) {
      const { prompt, key, file } = todo[next++]!;
      try {
        const made = await synthesise(prompt.text, prompt.lang, file, o);
        manifest[relative(prompt)] = key;
        o.onBuilt?.(prompt, made.seconds);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 2) }, worker));
  // What was spoken before a failure stays recorded, so the next run does only the rest.
  if (todo.length > 0) await writeFileAtomic(manifestFile, `${JSON.stringify(sortKeys(manifest), null, 1)}\n`);
  if (failure) throw failure.err;
  return { built: todo.length, upToDate };
}

/** What a prompt's audio depends on; a change in any of it means speaking it again. */
function promptKey(prompt: PromptText, wpm: number): string {
  return createHash('sha256').update(JSON.stringify([VOICES[prompt.lang], wpm, voiceText(prompt.text, prompt.lang)])).digest('hex').slice(0, 16);
}

function relative(prompt: PromptText): string {
  return `${prompt.lang}/${prompt.name}`;
}

async function readManifest(file: string): Promise<Record<string, string>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
