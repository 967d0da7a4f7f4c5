import t from 'tap';
import { hasHanzi } from './hanzi-pinyin.js';
import { PROMPT_LANGS } from './prompt-synth.js';
import { MAX_SPOKEN_NUMBER, positionAnnouncement, promptText, promptTexts, waitAnnouncement } from './prompt-texts.js';

t.test('the set has every prompt the caller side needs, in both languages, and the same names in each', async (t) => {
  const en = promptTexts('en').map((p) => p.name);
  const zh = promptTexts('zh').map((p) => p.name);
  t.same(zh, en);
  for (const name of ['welcome', 'position-before', 'position-after', 'wait-before', 'wait-minutes', 'please-hold', 'after-hours', 'callback-offer', 'leave-message', 'goodbye'] as const) {
    t.ok(en.includes(name), `${name} is in the set`);
  }
  t.equal(en.filter((n) => n.startsWith('number-')).length, MAX_SPOKEN_NUMBER);
  for (const lang of PROMPT_LANGS) {
    for (const p of promptTexts(lang)) {
      t.not(p.text.trim(), '', `${lang}/${p.name} has words`);
      if (lang === 'zh' && !p.name.startsWith('number-')) t.ok(hasHanzi(p.text), `zh/${p.name} is Chinese: ${p.text}`);
      if (lang === 'en') t.notOk(hasHanzi(p.text), `en/${p.name} is not Chinese`);
    }
  }
  t.match(promptText('callback-offer', 'en'), /press 1/);
  t.match(promptText('callback-offer', 'zh'), /请按1/);
  t.equal(promptText('number-42', 'zh'), '42');
  t.throws(() => promptText('number-100' as never, 'en'), RangeError);
  t.throws(() => promptText('welcom' as never, 'en'), RangeError);
});

t.test('announcements are the prompts spoken in turn around the number', async (t) => {
  t.same(positionAnnouncement(3), ['position-before', 'number-3', 'position-after']);
  t.throws(() => positionAnnouncement(0), RangeError);
  t.throws(() => positionAnnouncement(MAX_SPOKEN_NUMBER + 1), RangeError);
  t.same(waitAnnouncement(59), ['wait-under-a-minute']);
  t.same(waitAnnouncement(60), ['wait-before', 'number-1', 'wait-minute'], 'one minute, singular');
  t.same(waitAnnouncement(61), ['wait-before', 'number-2', 'wait-minutes'], 'a started minute counts: the wait is not understated');
  t.same(waitAnnouncement(300), ['wait-before', 'number-5', 'wait-minutes']);
  t.throws(() => waitAnnouncement(Number.NaN), RangeError);
});
