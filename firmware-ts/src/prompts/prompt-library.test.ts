import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { buildPrompts } from './prompt-build.js';
import { BUILT_PROMPTS_DIR, PromptLibrary, promptPath } from './prompt-library.js';
import type { PromptText } from './prompt-texts.js';

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'prompt-library-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('the built set lives in the firmware package, laid out <lang>/<name>.alaw', async (t) => {
  t.match(BUILT_PROMPTS_DIR, /firmware-ts\/prompts\/$/);
  t.equal(promptPath('/p', 'welcome', 'zh'), '/p/zh/welcome.alaw');
});

t.test('buildPrompts speaks what is missing or changed, and nothing on a second run', async (t) => {
  const outDir = await tempDir(t);
  const spoken: PromptText[] = [];
  const first = await buildPrompts({ outDir, names: ['goodbye', 'number-7'], onBuilt: (p) => spoken.push(p) });
  t.same(first, { built: 4, upToDate: 0 });
  t.same(spoken.map((p) => `${p.lang}/${p.name}`).sort(), ['en/goodbye', 'en/number-7', 'zh/goodbye', 'zh/number-7']);
  for (const file of ['en/goodbye.alaw', 'zh/goodbye.alaw', 'en/number-7.alaw', 'zh/number-7.alaw']) {
    const { size } = await stat(join(outDir, file));
    t.ok(size > 8000 * 0.3 && size < 8000 * 4, `${file}: ${size / 8000} s of audio`);
  }
  t.same(await buildPrompts({ outDir, names: ['goodbye', 'number-7'] }), { built: 0, upToDate: 4 }, 'all up to date');

  // A deleted file, and one whose words changed since it was spoken (the manifest says so), are spoken again.
  await rm(join(outDir, 'en', 'goodbye.alaw'));
  const manifestFile = join(outDir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, string>;
  t.same(Object.keys(manifest).sort(), ['en/goodbye', 'en/number-7', 'zh/goodbye', 'zh/number-7']);
  manifest['zh/number-7'] = 'spoken from other words';
  await writeFile(manifestFile, JSON.stringify(manifest));
  const again: string[] = [];
  t.same(await buildPrompts({ outDir, names: ['goodbye', 'number-7'], onBuilt: (p) => again.push(`${p.lang}/${p.name}`) }), { built: 2, upToDate: 2 });
  t.same(again.sort(), ['en/goodbye', 'zh/number-7']);
});

t.test('a build that fails half way keeps what it spoke, and says why', async (t) => {
  const outDir = await tempDir(t);
  await t.rejects(buildPrompts({ outDir, names: ['goodbye'], langs: ['en'], env: { ...process.env, PATH: '' } }), { code: 'prompt-tool-missing' });
  t.same(await buildPrompts({ outDir, names: ['goodbye'], langs: ['en'] }), { built: 1, upToDate: 0 });
});

t.test('a recorded prompt in the override folder is played instead of the spoken one, from the next read', async (t) => {
  const builtDir = await tempDir(t);
  const overrideDir = await tempDir(t);
  await mkdir(join(builtDir, 'zh'), { recursive: true });
  await writeFile(promptPath(builtDir, 'welcome', 'zh'), Buffer.alloc(800, 0x11));
  await writeFile(promptPath(builtDir, 'goodbye', 'zh'), Buffer.alloc(400, 0x22));
  const library = new PromptLibrary({ builtDir, overrideDir });
  t.equal(library.file('welcome', 'zh'), promptPath(builtDir, 'welcome', 'zh'));
  t.notOk(library.isRecorded('welcome', 'zh'));
  t.same(await library.read('welcome', 'zh'), Buffer.alloc(800, 0x11));

  await mkdir(join(overrideDir, 'zh'), { recursive: true });
  await writeFile(promptPath(overrideDir, 'welcome', 'zh'), Buffer.alloc(1600, 0x33));
  t.equal(library.file('welcome', 'zh'), promptPath(overrideDir, 'welcome', 'zh'));
  t.ok(library.isRecorded('welcome', 'zh'));
  t.same(await library.read('welcome', 'zh'), Buffer.alloc(1600, 0x33), 'the recording');
  t.same(await library.read('goodbye', 'zh'), Buffer.alloc(400, 0x22), 'a prompt not recorded is still the spoken one');
  t.same(await library.readAll(['welcome', 'goodbye'], 'zh'), Buffer.concat([Buffer.alloc(1600, 0x33), Buffer.alloc(400, 0x22)]), 'an announcement is its prompts in turn');
  await t.rejects(library.read('goodbye', 'en'), { code: 'ENOENT' }, 'neither file: ENOENT');
  t.equal(new PromptLibrary({ builtDir }).file('welcome', 'zh'), promptPath(builtDir, 'welcome', 'zh'), 'no override folder: the spoken set');
});
