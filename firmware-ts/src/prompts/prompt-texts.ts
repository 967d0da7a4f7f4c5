import type { PromptLang } from './prompt-synth.js';

/**
 * What the box says to callers, in English and Chinese: the one place to change a wording.
 * `npm run prompts` (scripts/build-prompts.mjs) speaks each into
 * `firmware-ts/prompts/<lang>/<name>.alaw`; a recorded file of the same name in the override
 * folder is played instead (see PromptLibrary).
 *
 * Sentences that carry a number are cut around it, the way recorded prompt sets are: the
 * fixed part is one prompt and the number another (`number-7`), so a recorded set can
 * replace them all. The sequences below say which prompts make up each announcement.
 */
const FIXED = {
  welcome: {
    en: 'Thank you for calling the county service hotline.',
    zh: '您好，欢迎致电县便民服务热线。',
  },
  'position-before': {
    en: 'You are number',
    zh: '您现在排在第',
  },
  'position-after': {
    en: 'in the queue.',
    zh: '位。',
  },
  'wait-before': {
    en: 'Your expected wait is about',
    zh: '预计等待时间约',
  },
  'wait-minute': {
    en: 'minute.',
    zh: '分钟。',
  },
  'wait-minutes': {
    en: 'minutes.',
    zh: '分钟。',
  },
  'wait-under-a-minute': {
    en: 'Your expected wait is less than a minute.',
    zh: '预计等待时间不到一分钟。',
  },
  'please-hold': {
    en: 'All our staff are busy. Please hold, and the next available person will take your call.',
    zh: '工作人员正忙，请稍候，我们将尽快为您接通。',
  },
  'after-hours': {
    en: 'Our office is closed now.',
    zh: '您好，现在是非工作时间。',
  },
  'callback-offer': {
    en: 'To leave your number and be called back, press 1.',
    zh: '如需留下号码等待回电，请按1。',
  },
  'callback-taken': {
    en: 'Thank you. We have your number and will call you back.',
    zh: '谢谢，我们已记下您的号码，稍后将给您回电。',
  },
  'leave-message': {
    en: 'If you like, leave a message after the tone: say your name and what your call is about, then hang up, or press the hash key.',
    zh: '如需留言，请在提示音后说出您的姓名和来电事由，说完后挂机或按井号键。',
  },
  'bulletin-skip': {
    en: 'To skip this notice and wait for a person, press 0.',
    zh: '跳过此公告并等待人工服务，请按0。',
  },
  goodbye: {
    en: 'Thank you for calling. Goodbye.',
    zh: '感谢您的来电，再见。',
  },
} as const satisfies Record<string, Record<PromptLang, string>>;

/** The largest number spoken from the prompt set (positions in a queue, minutes of wait). */
export const MAX_SPOKEN_NUMBER = 99;

export type FixedPromptName = keyof typeof FIXED;
export type NumberPromptName = `number-${number}`;
export type PromptName = FixedPromptName | NumberPromptName;

export interface PromptText {
  name: PromptName;
  lang: PromptLang;
  text: string;
}

/** Every prompt of the set in one language: the fixed ones, then `number-1` to `number-99`. */
export function promptTexts(lang: PromptLang): PromptText[] {
  const fixed = (Object.keys(FIXED) as FixedPromptName[]).map((name) => ({ name, lang, text: FIXED[name][lang] }));
  // Digits are read as numbers by both voices (7 → seven, qi1; 21 → twenty-one, er4 shi2 yi1).
  const numbers = Array.from({ length: MAX_SPOKEN_NUMBER }, (_, i) => ({ name: numberPrompt(i + 1), lang, text: String(i + 1) }));
  return [...fixed, ...numbers];
}

/** The text of one prompt. */
export function promptText(name: PromptName, lang: PromptLang): string {
  if (Object.hasOwn(FIXED, name)) return FIXED[name as FixedPromptName][lang];
  const n = /^number-(\d+)$/.exec(name);
  if (n && Number(n[1]) >= 1 && Number(n[1]) <= MAX_SPOKEN_NUMBER) return n[1]!;
  throw new RangeError(`no prompt named ${JSON.stringify(name)}`);
}

export function numberPrompt(n: number): NumberPromptName {
  if (!Number.isInteger(n) || n < 1 || n > MAX_SPOKEN_NUMBER) throw new RangeError(`only 1 to ${MAX_SPOKEN_NUMBER} are in the prompt set, not ${n}`);
  return `number-${n}`;
}

/**
 * "You are number 3 in the queue." A position past MAX_SPOKEN_NUMBER throws: the caller
 * (the queue) decides what to say then; no office this box serves queues that many.
 */
export function positionAnnouncement(position: number): PromptName[] {
  return ['position-before', numberPrompt(position), 'position-after'];
}

/** "Your expected wait is about 4 minutes." Under a minute has its own sentence; whole minutes, rounded up, otherwise. */
export function waitAnnouncement(seconds: number): PromptName[] {
  if (!(seconds >= 0)) throw new RangeError(`a wait of ${seconds} s`);
  if (seconds < 60) return ['wait-under-a-minute'];
  const minutes = Math.ceil(seconds / 60);
  return ['wait-before', numberPrompt(minutes), minutes === 1 ? 'wait-minute' : 'wait-minutes'];
}
