import type { CircuitView } from '../signalling/isup/isup-stack.js';
import { clockTime } from './format-trunks.js';
import { text, type Lang } from './i18n.js';

/** What the firmware reports for each call of `countyline call`. */
export interface CallSummary {
  cic: number | null;
  result: 'completed' | 'failed';
  reason: string | null;
  cause: number | null;
  repeats: number;
  answered: boolean;
  durationMs: number;
}

export function formatCircuits(rows: CircuitView[], lang: Lang): string {
  const lines = [text(lang, 'circuitsHeader')];
  for (const r of rows) {
    const call = r.callPhase ? `${r.call}/${r.callPhase}` : r.call;
    const release = r.lastRelease ? `cause ${r.lastRelease.cause} ${clockTime(r.lastRelease.at)}` : '-';
    lines.push(
      `${String(r.cic).padEnd(5)} ${`${r.span}/${r.timeslot}`.padEnd(8)} ${call.padEnd(10)} ${`${r.maintenance}/${r.hardware}`.padEnd(18)} ${text(lang, r.controlledBy === 'us' ? 'us' : 'peer').padEnd(8)} ${release}`,
    );
  }
  return lines.join('\n');
}

export function formatCall(o: CallSummary, index: number, total: number, lang: Lang): string {
  const head = `[${String(index + 1).padStart(String(total).length)}/${total}]`;
  const cic = o.cic === null ? '-' : `CIC ${o.cic}`;
  const repeat = o.repeats > 0 ? ` (repeated ${o.repeats}x)` : '';
  const result = o.result === 'completed' ? text(lang, 'completed') : text(lang, 'failed');
  return `${head} ${cic.padEnd(8)} ${result} ${(o.durationMs / 1000).toFixed(1)} s${repeat}${o.reason ? `  ${o.reason}` : ''}`;
}
