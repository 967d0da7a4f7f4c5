export * from './prompt-synth.js';
export * from './prompt-texts.js';
export * from './prompt-library.js';
export * from './prompt-build.js';
export * from './bulletin-audio.js';
export { hanziToPinyin, hasHanzi } from './hanzi-pinyin.js';
