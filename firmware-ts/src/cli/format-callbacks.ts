import { SHORT_ID_LENGTH } from '../queue/callback-records.js';
import type { Callback } from '../queue/callback-store.js';
import { clockTime } from './clock-time.js';
import { heads, stateText, text, type Lang } from './i18n.js';
import { renderTable } from './table.js';

/**
 * `countyline callbacks`: the callback requests, oldest first, times in the box's local time.
 * `tries` counts the calls the box placed; a caller who asked more than once says so beside
 * the time they first asked; `message` says whether they left a voice message (its file is
 * in `--json`).
 */
export function formatCallbacks(callbacks: readonly Callback[], lang: Lang, now = Date.now(), utcOffsetHours = 8): string {
  if (callbacks.length === 0) return text(lang, 'noCallbacks');
  const rows = callbacks.map((c) => [
    c.id.slice(0, SHORT_ID_LENGTH),
    c.number,
    clockTime(c.requestedAt, utcOffsetHours, now) + (c.requests > 1 ? ` (${text(lang, 'askedTimes', c.requests)})` : ''),
    stateText(lang, 'callbackReason', c.reason),
    c.message !== undefined ? text(lang, 'hasMessage') : '-',
    String(c.attempts.length),
    state(c, lang),
  ]);
  const waiting = callbacks.filter((c) => c.state === 'pending').length;
  return [text(lang, 'callbacks', callbacks.length, waiting), renderTable(heads(lang, 'callbackId', 'callbackNumber', 'requested', 'reason', 'voiceMessage', 'tries', 'state'), rows)].join('\n');
}

function state(c: Callback, lang: Lang): string {
  if (c.state === 'done') return c.doneBy ? stateText(lang, 'callbackDone', c.doneBy) : '-';
  const last = c.attempts.at(-1);
  return last ? text(lang, 'callbackLastTry', stateText(lang, 'callbackAttempt', last.outcome)) : text(lang, 'callbackWaiting');
}
