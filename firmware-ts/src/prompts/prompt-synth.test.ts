import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { CountylineError } from '../errors.js';
import { ALAW_SILENCE, alawToLinear } from '../media/alaw.js';
import { DEFAULT_WORDS_PER_MINUTE, synthesise, VOICES, voiceText } from './prompt-synth.js';

// These run the real espeak-ng and sox: the box speaks its prompts with them. Missing, they
// fail here first, with the package to install (scripts/setup-debian.sh installs both).
const which = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
const ESPEAK = which('espeak-ng');
const SOX = which('sox');

t.test('espeak-ng and sox are installed (apt-get install espeak-ng sox, or npm run setup)', async (t) => {
  t.not(ESPEAK, '', 'espeak-ng on the PATH');
  t.not(SOX, '', 'sox on the PATH');
});

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'prompt-synth-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Seconds of speech espeak-ng makes for a text in a voice, from its own WAV (22050 Hz, 16 bit), measured by sox. */
function espeakSeconds(text: string, voice: string): number {
  const wav = execFileSync('espeak-ng', ['--stdout', '-v', voice, '-s', String(DEFAULT_WORDS_PER_MINUTE), '--stdin'], { input: `${text}\n` });
  return soxLength(['-t', 'wav', '-'], wav);
}

/** What sox makes of a file read as raw A-law at 8 kHz: its length in seconds. */
function soxSecondsAsAlaw(file: string): number {
  return soxLength(['-t', 'raw', '-r', '8000', '-c', '1', '-e', 'a-law', file]);
}

/** The length sox counts reading the samples (espeak-ng's WAV on a pipe has no length in its header). */
function soxLength(input: string[], stdin?: Buffer): number {
  const stat = spawnSync('sox', [...input, '-n', 'stat'], { input: stdin, encoding: 'utf8' });
  return Number(/Length \(seconds\):\s+([\d.]+)/.exec(stat.stderr)![1]);
}

t.test('English text becomes 8 kHz A-law as long as espeak-ng spoke it, peaking 6 dB under full scale', async (t) => {
  const dir = await tempDir(t);
  const text = 'Thank you for calling the county service hotline.';
  const made = await synthesise(text, 'en', join(dir, 'welcome.alaw'));
  const octets = await readFile(made.file);
  t.equal(made.octets, octets.length);
  t.equal(made.seconds, octets.length / 8000);
  // espeak-ng speaks at 22050 Hz in 16 bits: the same speech at 8000 one-octet samples is this long, to within a frame.
  const spoken = espeakSeconds(text, VOICES.en);
  t.ok(spoken > 1.5 && spoken < 6, `espeak-ng spoke ${spoken} s`);
  t.ok(Math.abs(made.seconds - spoken) < 0.02, `${made.seconds} s of A-law for ${spoken} s of speech`);
  t.ok(Math.abs(soxSecondsAsAlaw(made.file) - spoken) < 0.02, 'sox reads it back as raw A-law of the same length');
  // A-law, not µ-law or linear: pauses are the A-law idle octet, and decoded as A-law the peak is where sox set it.
  const counts = new Map<number, number>();
  for (const o of octets) counts.set(o, (counts.get(o) ?? 0) + 1);
  const [commonest] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
  t.equal(commonest, ALAW_SILENCE, 'the commonest octet is A-law silence (0xD5)');
  t.same([...octets.subarray(0, 80)], Array(80).fill(ALAW_SILENCE), 'speech starts after a clean pause, no dither noise');
  const peak = Math.max(...[...octets].map((o) => Math.abs(alawToLinear(o))));
  t.ok(peak > 32768 * 0.4 && peak < 32768 * 0.6, `peak ${peak} near half of full scale (-6 dB)`);
});

t.test('Chinese is spoken from pinyin with tones, not with its tone numbers read out as English', async (t) => {
  const text = '您好，欢迎致电县便民服务热线。';
  const pinyin = voiceText(text, 'zh');
  t.equal(pinyin, 'nin2 hao3, huan1 ying2 zhi4 dian4 xian4 bian4 min2 fu2 wu4 re4 xian4.');
  // The phonemes espeak-ng speaks it with: in our voice all Mandarin, with tone contours (35 rising, 214 dipping)...
  const ours = execFileSync('espeak-ng', ['-q', '-x', '-v', VOICES.zh, '--stdin'], { input: pinyin, encoding: 'utf8' });
  t.notMatch(ours, /\(en\)/, `no switch to English in ${ours}`);
  t.match(ours, /n'i35n_\| X'Au214/, 'nin2 hao3 with a rising and a dipping tone');
  // ...while the plain Mandarin voice switches to English for the Latin letters and says "two", "three".
  const plain = execFileSync('espeak-ng', ['-q', '-x', '-v', 'cmn', '--stdin'], { input: pinyin, encoding: 'utf8' });
  t.match(plain, /\(en\).*t'u:.*Tr'i:/s, `the plain voice reads the tone numbers: ${plain}`);

  const dir = await tempDir(t);
  const made = await synthesise(text, 'zh', join(dir, 'welcome.alaw'));
  // 13 syllables at a telephone pace; read with "two", "three" after each, it is a third longer.
  t.ok(made.seconds > 13 * 0.15 && made.seconds < 13 * 0.45, `${made.seconds} s for 13 syllables`);
  const readAloud = espeakSeconds(pinyin, 'cmn');
  t.ok(made.seconds < 0.85 * readAloud, `${made.seconds} s, against ${readAloud} s with the tone numbers read out`);
  t.ok(Math.abs(made.seconds - espeakSeconds(pinyin, VOICES.zh)) < 0.02, 'the audio is what the pinyin voice speaks for the pinyin');
});

t.test('characters read differently in different words are read as the word needs', async (t) => {
  t.equal(voiceText('银行', 'zh'), 'yin2 hang2', 'hang, not xing');
  t.equal(voiceText('县长', 'zh'), 'xian4 zhang3', 'zhang, not chang');
  t.equal(voiceText('一个', 'zh'), 'yi2 ge4', 'the sandhi of 一');
  t.equal(voiceText('今天14点到18点停水！', 'zh'), 'jin1 tian1 14 dian3 dao4 18 dian3 ting2 shui3!', 'digits left for the voice to read as Chinese numbers');
});

t.test('a bulletin of a hundred characters is spoken within seconds', async (t) => {
  const dir = await tempDir(t);
  const text = '城关镇供水公告：因主管道抢修，今天下午两点至晚上八点，城关镇东街、西街及新华路一带停水，请提前储水。恢复供水时间如有变化，将另行通知。咨询请拨打本热线，谢谢您的理解与配合。';
  const started = Date.now();
  const made = await synthesise(text, 'zh', join(dir, 'bulletin.zh.alaw'));
  const took = Date.now() - started;
  t.ok(took < 5000, `spoken in ${took} ms`);
  t.ok(made.seconds > 15 && made.seconds < 45, `${made.seconds} s of speech for ${text.length} characters`);
});

t.test('a file spoken again is replaced whole, and nothing is left beside it', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'prompt.alaw');
  await writeFile(file, Buffer.alloc(16000, 0x2a));
  const made = await synthesise('Goodbye.', 'en', file);
  const octets = await readFile(file);
  t.equal(octets.length, made.octets);
  t.not(octets[0], 0x2a, 'the old octets are gone');
  t.same(await readdir(dir), ['prompt.alaw']);
});

t.test('espeak-ng or sox missing: an error that names the package to install, and no file', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'prompt.alaw');
  await t.rejects(synthesise('Hello.', 'en', file, { env: { ...process.env, PATH: '' } }), { name: 'CountylineError', code: 'prompt-tool-missing', args: { program: 'espeak-ng', install: 'apt-get install -y espeak-ng' } });
  // Only espeak-ng on the PATH: sox is the one reported.
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await symlink(ESPEAK, join(bin, 'espeak-ng'));
  const err = await synthesise('Hello.', 'en', file, { env: { ...process.env, PATH: bin } }).catch((e: unknown) => e);
  t.ok(err instanceof CountylineError, 'a CountylineError');
  t.match(err, { code: 'prompt-tool-missing', args: { program: 'sox', install: 'apt-get install -y sox' } });
  t.match((err as CountylineError).text('zh'), /未安装 sox/);
  t.same(await readdir(dir), ['bin'], 'no audio file, no temporary file');
});

t.test('a program that fails or hangs gives a coded error, and is not left running', async (t) => {
  const dir = await tempDir(t);
  const bin = join(dir, 'bin');
  await mkdir(bin);
  const fake = join(bin, 'espeak-ng');
  await writeFile(fake, '#!/bin/sh\necho "espeak-ng: voice does not exist" >&2\nexit 1\n');
  await chmod(fake, 0o755);
  // The stand-in espeak-ng first on the PATH, the real sox after it.
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
  await t.rejects(synthesise('Hello.', 'en', join(dir, 'a.alaw'), { env }), { code: 'prompt-synth-failed', args: { program: 'espeak-ng', detail: /voice does not exist/ } });

  const pidFile = join(dir, 'pid');
  await writeFile(fake, `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 30\n`);
  const started = Date.now();
  await t.rejects(synthesise('Hello.', 'en', join(dir, 'b.alaw'), { env, timeoutMs: 500 }), { code: 'prompt-synth-timeout', args: { seconds: 0.5 } });
  t.ok(Date.now() - started < 5000, 'gave up at the timeout');
  const pid = Number(await readFile(pidFile, 'utf8'));
  t.ok(await gone(pid, 5000), `the hung espeak-ng (pid ${pid}) was killed`);
  t.same((await readdir(dir)).sort(), ['bin', 'pid'], 'no audio file, no temporary file');
});

t.test('empty text is refused before anything runs', async (t) => {
  const dir = await tempDir(t);
  await t.rejects(synthesise('  ', 'en', join(dir, 'a.alaw')), RangeError);
  await t.rejects(synthesise('', 'zh', join(dir, 'a.alaw')), RangeError);
});

/** Whether the process is gone (or a zombie) within the deadline. */
async function gone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    try {
      const state = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(' ')[2];
      if (state === 'Z') return true;
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
