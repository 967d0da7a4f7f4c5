import { createRequire } from 'node:module';

type PinyinPro = typeof import('pinyin-pro');
let pinyinPro: PinyinPro | null = null;

/**
 * pinyin-pro, loaded on first use: its dictionary costs about 0.2 s and 15 MB to load, and
 * every `countyline` command imports the firmware, while only speaking Chinese needs it.
 */
function pinyinLib(): PinyinPro {
  pinyinPro ??= createRequire(import.meta.url)('pinyin-pro') as PinyinPro;
  return pinyinPro;
}

/**
 * Chinese text as espeak-ng's `cmn-latn-pinyin` voice reads it best: every run of Chinese
 * characters written as pinyin with tone numbers (`银行` → `yin2 hang2`), everything else
 * left as it is.
 *
 * Why not hand espeak-ng the characters: its `cmn` dictionary maps each character to one
 * reading, so words whose reading depends on the word come out wrong (`银行` as yin xing,
 * `县长` as xian chang, `重庆` as zhong qing). pinyin-pro segments the text into words first
 * and applies the sandhi of 一 and 不. And why the `cmn-latn-pinyin` voice: the plain
 * `cmn`/`zh` voice reads Latin letters as English, so it reads `nin2` as "nin two".
 *
 * Full-width punctuation becomes its ASCII twin followed by a space, so espeak-ng pauses at
 * it as it does at `,` and `.`. Digits stay digits: the Chinese voices read them as Chinese
 * numbers (3 → san1). `ü` is written `v` (`lv4`), which espeak-ng accepts and which keeps the
 * text ASCII.
 */
export function hanziToPinyin(text: string): string {
  const spaced = text.replace(HANZI_RUN, (run) => ` ${pinyinLib().pinyin(run, { toneType: 'num', v: true })} `).replace(FULL_WIDTH, (c) => `${PUNCTUATION[c]!} `);
  return spaced
    .replace(/[ \t]+/g, ' ')
    .replace(/ ([,.:;!?)])/g, '$1')
    .trim();
}

/** Whether the text has Chinese characters in it (CJK Unified Ideographs and Extension A). */
export function hasHanzi(text: string): boolean {
  return HANZI_TEST.test(text);
}

const HANZI_RUN = /[\u3400-\u4dbf\u4e00-\u9fff]+/g;
const HANZI_TEST = /[\u3400-\u4dbf\u4e00-\u9fff]/;
const PUNCTUATION: Record<string, string> = {
  '，': ',',
  '、': ',',
  '。': '.',
  '：': ':',
  '；': ';',
  '！': '!',
  '？': '?',
  '（': '(',
  '）': ')',
  '“': '"',
  '”': '"',
};
const FULL_WIDTH = new RegExp(`[${Object.keys(PUNCTUATION).join('')}]`, 'g');
