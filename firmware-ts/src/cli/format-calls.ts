import type { CallView } from '../calls/call-manager.js';
import type { CallLine, Cdr } from '../calls/cdr.js';
import { clockTime } from './clock-time.js';
import { cdrReasonText, heads, stateText, text, type Lang } from './i18n.js';
import { renderTable } from './table.js';

/** `countyline calls`: the calls in progress, then the latest finished ones, newest last. */
export function formatCalls(calls: { active: CallView[]; recent: Cdr[] }, lang: Lang, now = Date.now()): string {
  const number = (n: string) => n || text(lang, 'unknownNumber');
  const seconds = (ms: number) => text(lang, 'seconds', (ms / 1000).toFixed(1));
  const active = calls.active.map((c) => [
    clockTime(c.arrivedAt, 8, now),
    lineName(c.line),
    number(c.calling),
    c.called || '-',
    stateText(lang, 'callState', c.state),
    c.agent ? `${c.agentName ?? c.agent} (${c.agent})` : '-',
    seconds(now - c.arrivedAt),
  ]);
  const recent = calls.recent.map((c) => [
    clockTime(c.arrivedAt, 8, now),
    lineName(c.line),
    // A callback the box placed shows the number it called.
    c.direction === 'out' ? `→ ${c.called}` : number(c.calling),
    c.agent ?? '-',
    stateText(lang, 'cdrResult', c.result) + (c.reason ? `: ${cdrReasonText(c, lang)}` : ''),
    seconds((c.answeredAt ?? c.endedAt) - c.arrivedAt),
    c.answeredAt === null ? '-' : seconds(c.endedAt - c.answeredAt),
    c.hungUpBy ? stateText(lang, 'hungUpBy', c.hungUpBy) : '-',
    c.cause === null ? '-' : String(c.cause),
  ]);
  return [
    text(lang, 'callsInProgress', active.length),
    ...(active.length > 0 ? [renderTable(heads(lang, 'arrived', 'line', 'calling', 'called', 'state', 'agent', 'waited'), active)] : []),
    '',
    text(lang, 'recentCalls', recent.length),
    ...(recent.length > 0 ? [renderTable(heads(lang, 'arrived', 'line', 'calling', 'agent', 'result', 'waited', 'talked', 'hungUpBy', 'cause'), recent)] : []),
  ].join('\n');
}

/** `fxo/2`, `e1/0/5 CIC 5`: the names `countyline test-call` takes. */
function lineName(line: CallLine): string {
  return line.kind === 'fxo' ? `fxo/${line.port}` : `e1/${line.span}/${line.timeslot} CIC ${line.cic}`;
}
