// The page's language: zh-CN unless the operator chose English, remembered in localStorage.
import { DICTIONARY } from './dictionary.js';

const STORAGE_KEY = 'countyline.lang';
export const LANGS = ['zh-CN', 'en'];

let current = LANGS.includes(localStorage.getItem(STORAGE_KEY)) ? localStorage.getItem(STORAGE_KEY) : 'zh-CN';
document.documentElement.lang = current;

export function lang() {
  return current;
}

export function setLang(next) {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
}

/** The text for `key` in the current language; a missing key shows as itself, so it is seen and fixed. */
export function t(key, ...args) {
  const entry = DICTIONARY[current][key] ?? DICTIONARY.en[key];
  if (entry === undefined) return key;
  return typeof entry === 'function' ? entry(...args) : entry;
}

/** `prefix.value` translated when the dictionary has it, else the value as the box sent it. */
export function word(prefix, value) {
  const key = `${prefix}.${value}`;
  return DICTIONARY[current][key] === undefined ? String(value) : t(key);
}

/** An alarm type in words: central's and the box's known types, G.826 threshold crossings (`tca-<counter>-<period>`). */
export function alarmType(type) {
  const tca = /^tca-([a-z0-9]+)-(.+)$/.exec(type);
  if (tca) return t('type.tca', tca[1], tca[2]);
  return word('type', type);
}

export function time(ms) {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toLocaleString(current, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function clock(ms) {
  return new Date(ms).toLocaleTimeString(current, { hour: '2-digit', minute: '2-digit', hour12: false });
}

/** A share 0..1 as "97.5 %"; a dash when there was nothing to divide. */
export function percent(share) {
  if (share === null || share === undefined || Number.isNaN(share)) return '—';
  return `${(Math.round(share * 1000) / 10).toLocaleString(current)} %`;
}
