import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CountylineError } from '../errors.js';
import { FRAME_OCTETS } from '../media/media-channel.js';
import { hanziToPinyin } from './hanzi-pinyin.js';

/**
 * Text to speech for callers: espeak-ng speaks the text as a WAV on its stdout, sox turns
 * that into what the media path plays, raw G.711 A-law at 8000 samples a second, one
 * channel, no header: the octets go to the line 160 at a time (`FRAME_OCTETS`), as the tone
 * player's frames do.
 *
 *   espeak-ng --stdout -v <voice> -s <wpm> --stdin  <text on stdin>
 *     | sox -D -t wav - -t raw -r 8000 -c 1 -e a-law <file> gain -n <peak dB>
 *
 * sox resamples (espeak-ng speaks at 22050 Hz) with its band-limiting filter, sets the peak
 * level, and does not dither (`-D`), so a pause is the A-law idle octet 0xD5, not noise.
 */
export type PromptLang = 'en' | 'zh';
export const PROMPT_LANGS: readonly PromptLang[] = ['en', 'zh'];

/**
 * The espeak-ng voice per language. Chinese is `cmn-latn-pinyin`, fed pinyin with tone
 * numbers (see hanziToPinyin): the plain `cmn`/`zh` voice reads Latin letters as English and
 * so reads tone numbers aloud ("nin2" as "nin two").
 */
export const VOICES: Record<PromptLang, string> = { en: 'en-us', zh: 'cmn-latn-pinyin' };

/** The sample rate of the line: G.711, one octet a sample. */
export const PROMPT_RATE = 8000;

/**
 * Words a minute (espeak-ng's default is 175). A little slower than that: a narrowband line
 * and a caller who is anxious about a burst main both do better with a steadier pace.
 */
export const DEFAULT_WORDS_PER_MINUTE = 160;
/** Peak level after sox: 6 dB under the A-law overload point leaves headroom on the line. */
const PEAK_DB = -6;
/** A prompt of a few sentences takes well under a second; this is for a box that is stuck. */
export const DEFAULT_SYNTH_TIMEOUT_MS = 15_000;

export interface SynthOptions {
  timeoutMs?: number;
  wordsPerMinute?: number;
  /** The environment the two programs run in (their PATH in particular); default: this process's. */
  env?: NodeJS.ProcessEnv;
}

export interface SynthResult {
  file: string;
  /** Octets of A-law, one per sample. */
  octets: number;
  /** Length of the audio. */
  seconds: number;
}

/** What the two programs are, for the error a missing one gives: its Debian package. */
const TOOLS = {
  'espeak-ng': 'espeak-ng',
  sox: 'sox',
} as const;
type Tool = keyof typeof TOOLS;

/** The text as the voice of `lang` is given it. */
export function voiceText(text: string, lang: PromptLang): string {
  return lang === 'zh' ? hanziToPinyin(text) : text.trim();
}

let tmpCounter = 0;

/**
 * Speaks `text` into `file` as 8 kHz A-law, replacing any file there only once the new one
 * is complete (written beside it, then renamed over it), so a caller being played the old
 * one meanwhile, or a crash, never sees half a file. Creates the folder if needed.
 *
 * Fails with CountylineError `prompt-tool-missing` (espeak-ng or sox not installed),
 * `prompt-synth-failed` (one of them exited with an error, or no audio came out) or
 * `prompt-synth-timeout`.
 */
export async function synthesise(text: string, lang: PromptLang, file: string, o: SynthOptions = {}): Promise<SynthResult> {
  const spoken = voiceText(text, lang);
  if (spoken === '') throw new RangeError('synthesise: the text is empty; there is nothing to say');
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${++tmpCounter}.tmp`;
  try {
    await runPipeline(spoken, VOICES[lang], tmp, o);
    const { size } = await stat(tmp);
    if (size < FRAME_OCTETS) throw new CountylineError('prompt-synth-failed', { program: 'sox', detail: `${size} octets of audio for ${JSON.stringify(text.slice(0, 40))}` });
    await rename(tmp, file);
    return { file, octets: size, seconds: size / PROMPT_RATE };
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

function runPipeline(spoken: string, voice: string, out: string, o: SynthOptions): Promise<void> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_SYNTH_TIMEOUT_MS;
  const wpm = o.wordsPerMinute ?? DEFAULT_WORDS_PER_MINUTE;
  const env = o.env ?? process.env;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const children: ChildProcess[] = [];
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Never kill a child that did not start (no pid): Node passes the kill to a process
      // handle whose pid was never set, and that signal can reach our own process group.
      for (const c of children) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      reject(err);
    };
    const timer = setTimeout(() => fail(new CountylineError('prompt-synth-timeout', { seconds: timeoutMs / 1000 })), timeoutMs);

    const espeak = start('espeak-ng', ['--stdout', '-v', voice, '-s', String(wpm), '--stdin'], env, fail);
    const sox = start('sox', ['-D', '-t', 'wav', '-', '-t', 'raw', '-r', String(PROMPT_RATE), '-c', '1', '-e', 'a-law', out, 'gain', '-n', String(PEAK_DB)], env, fail);
    children.push(espeak.child, sox.child);
    // A program that died leaves the other's pipe broken; its own exit reports why.
    espeak.child.stdin!.on('error', () => undefined);
    espeak.child.stdout!.on('error', () => undefined);
    sox.child.stdin!.on('error', () => undefined);
    espeak.child.stdout!.pipe(sox.child.stdin!);
    espeak.child.stdin!.end(`${spoken}\n`);

    let exited = 0;
    for (const { child, tool, stderr } of [espeak, sox]) {
      child.on('close', (code, signal) => {
        if (code !== 0) {
          const why = stderr().trim().split('\n').slice(-3).join(' / ') || (signal ? `killed by ${signal}` : `exit status ${code}`);
          fail(new CountylineError('prompt-synth-failed', { program: tool, detail: why }));
          return;
        }
        if (++exited === 2 && !settled) {
          settled = true;
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
}

function start(tool: Tool, args: string[], env: NodeJS.ProcessEnv, fail: (err: Error) => void): { child: ChildProcess; tool: Tool; stderr: () => string } {
  const child = spawn(tool, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });
  child.on('error', (err: NodeJS.ErrnoException) => {
    fail(
      err.code === 'ENOENT'
        ? new CountylineError('prompt-tool-missing', { program: tool, install: `apt-get install -y ${TOOLS[tool]}` })
        : new CountylineError('prompt-synth-failed', { program: tool, detail: err.message }),
    );
  });
  return { child, tool, stderr: () => stderr };
}
