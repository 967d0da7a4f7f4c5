import type { CallSummary } from '../control/view-schemas.js';
import type { CircuitView } from '../signalling/isup/isup-stack.js';
import { clockTime } from './clock-time.js';
import { callReasonText, heads, stateText, text, type Lang } from './i18n.js';
import { renderTable } from './table.js';
import { padDisplay } from './text-width.js';

/** What the firmware reports for each call of `countyline call` (its schema is the wire's). */
export type { CallSummary };

/** `countyline circuits`: one row per CIC. */
export function formatCircuits(rows: CircuitView[], lang: Lang, now = Date.now()): string {
  const cells = rows.map((r) => {
    const call = stateText(lang, 'call', r.call);
    return [
      String(r.cic),
      `${r.span}/${r.timeslot}`,
      r.unequipped
        ? text(lang, 'unequippedAtExchange')
        : r.callPhase
          ? `${call}/${stateText(lang, 'callPhase', r.callPhase)}`
          : r.continuity
            ? `${call}/${stateText(lang, 'continuity', r.continuity)}`
            : call,
      stateText(lang, 'block', r.maintenance),
      stateText(lang, 'block', r.hardware),
      stateText(lang, 'controlledBy', r.controlledBy),
      r.lastRelease ? text(lang, 'releaseCause', r.lastRelease.cause, clockTime(r.lastRelease.at, 8, now)) : '-',
    ];
  });
  return renderTable(heads(lang, 'cic', 'spanTimeslot', 'call', 'maintenanceBlock', 'hardwareBlock', 'control', 'lastRelease'), cells);
}

/** One line per call of `countyline call`, printed as each one ends. */
export function formatCall(o: CallSummary, index: number, total: number, lang: Lang): string {
  const head = `[${String(index + 1).padStart(String(total).length)}/${total}]`;
  const cic = o.cic === null ? '-' : `CIC ${o.cic}`;
  const repeat = o.repeats > 0 ? ` (${text(lang, 'repeated', o.repeats)})` : '';
  const result = stateText(lang, 'callResult', o.result);
  const reason = callReasonText(o, lang);
  const seconds = text(lang, 'seconds', (o.durationMs / 1000).toFixed(1));
  return `${head} ${cic.padEnd(8)} ${padDisplay(result, 9)} ${seconds}${repeat}${reason ? `  ${reason}` : ''}`;
}
