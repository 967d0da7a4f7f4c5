import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { CountylineError } from '../errors.js';
import { BulletinAudio, type BulletinAudioOptions } from './bulletin-audio.js';
import { synthesise } from './prompt-synth.js';

async function audio(t: Test, o: Partial<BulletinAudioOptions> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'bulletin-audio-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const a = new BulletinAudio({ dataDir, logger: pino({ level: 'silent' }), ...o });
  t.teardown(() => a.close());
  let changes = 0;
  a.on('changed', () => changes++);
  return { a, dataDir, changes: () => changes };
}

t.test('a Chinese bulletin is spoken into bulletin.zh.alaw within seconds; an English one replaces it', async (t) => {
  const { a, dataDir, changes } = await audio(t);
  t.equal(a.current(), null);
  const text = '城关镇今天下午两点至六点停水，请提前储水。';
  const started = Date.now();
  const zh = await a.show(text);
  t.ok(Date.now() - started < 5000, `spoken in ${Date.now() - started} ms`);
  t.match(zh, { text, lang: 'zh', file: join(dataDir, 'bulletin.zh.alaw') });
  t.same(a.current(), zh);
  t.equal((await stat(zh!.file)).size, zh!.seconds * 8000);
  t.ok(zh!.seconds > 3 && zh!.seconds < 12, `${zh!.seconds} s for ${text.length} characters`);
  t.equal(changes(), 1);

  const en = await a.show('Water is off in Chengguan until six this evening.');
  t.match(en, { lang: 'en', file: join(dataDir, 'bulletin.en.alaw') });
  t.same(await readdir(dataDir), ['bulletin.en.alaw'], 'the Chinese recording is gone with its text');
  t.equal(changes(), 2);

  t.same(await a.show('Water is off in Chengguan until six this evening.'), en, 'the same text again: nothing to do');
  t.equal(changes(), 2);

  t.equal(await a.show(null), null, 'cleared');
  t.equal(a.current(), null);
  t.same(await readdir(dataDir), [], 'no recording left');
  t.equal(changes(), 3);
});

t.test('texts set while one is being spoken: only the latest is spoken after it', async (t) => {
  const spoken: string[] = [];
  let firstStarted!: () => void;
  const started = new Promise<void>((r) => (firstStarted = r));
  let releaseFirst!: () => void;
  const held = new Promise<void>((r) => (releaseFirst = r));
  const { a } = await audio(t, {
    synthesise: async (text, lang, file, o) => {
      spoken.push(text);
      if (text === 'First notice.') {
        firstStarted();
        await held;
      }
      return synthesise(text, lang, file, o);
    },
  });
  const first = a.show('First notice.');
  await started;
  const second = a.show('Second notice.');
  const third = a.show('Third notice.');
  releaseFirst();
  t.match(await first, { text: 'First notice.' });
  t.match(await second, { text: 'Third notice.' }, 'a superseded text resolves with what superseded it');
  t.match(await third, { text: 'Third notice.' });
  t.same(spoken, ['First notice.', 'Third notice.'], 'the second was never spoken');
  t.match(a.current(), { text: 'Third notice.', lang: 'en' });
});

t.test('espeak-ng missing: show() rejects with the coded error, and there is no recording', async (t) => {
  const { a, dataDir } = await audio(t, { env: { ...process.env, PATH: '' } });
  await t.rejects(a.show('新公告'), { code: 'prompt-tool-missing', args: { program: 'espeak-ng' } });
  t.equal(a.current(), null);
  t.same(await readdir(dataDir), []);
});

t.test('a new text that cannot be spoken: the error is told, and callers no longer hear the old words', async (t) => {
  let fail = false;
  const { a, dataDir, changes } = await audio(t, {
    synthesise: (text, lang, file, o) => (fail ? Promise.reject(new CountylineError('prompt-synth-timeout', { seconds: 15 })) : synthesise(text, lang, file, o)),
  });
  await a.show('Old notice.');
  t.same(await readdir(dataDir), ['bulletin.en.alaw']);
  fail = true;
  await t.rejects(a.show('New notice.'), { code: 'prompt-synth-timeout' });
  t.equal(a.current(), null, 'no recording in force');
  t.same(await readdir(dataDir), [], 'the old recording is removed');
  t.equal(changes(), 2);
  fail = false;
  t.match(await a.show('New notice.'), { text: 'New notice.' }, 'the same text again, once it can be spoken');
});
