import type { ResultOf } from '../control/control-methods.js';
import { heads, stateText, text, type Lang } from './i18n.js';
import { renderTable } from './table.js';

/** `countyline queue`: the callers waiting, best placed first, then every agent. */
export function formatQueue(view: ResultOf<'queue'>, lang: Lang, now = Date.now()): string {
  const seconds = (ms: number) => text(lang, 'seconds', (ms / 1000).toFixed(0));
  const yesNo = (b: boolean) => text(lang, b ? 'yes' : 'no');
  const callers = view.callers.map((c) => [String(c.position), c.calling || text(lang, 'unknownNumber'), stateText(lang, 'callState', c.state), c.agent ?? '-', seconds(c.waitedMs)]);
  const agents = view.agents.map((a) => [
    a.id,
    a.name,
    stateText(lang, 'agentStatus', a.status),
    stateText(lang, 'agentState', a.state),
    seconds(Math.max(0, now - a.stateSince)),
    yesNo(a.phoneUp),
    String(a.callsAnswered),
  ]);
  return [
    text(lang, 'queueWaiting', view.waiting, seconds(view.longestWaitMs)),
    ...(callers.length > 0 ? [renderTable(heads(lang, 'position', 'calling', 'state', 'agent', 'waited'), callers)] : []),
    '',
    ...(agents.length > 0 ? [renderTable(heads(lang, 'agentUser', 'agentName', 'agentStatus', 'agentState', 'since', 'phoneUp', 'answeredCalls'), agents)] : [text(lang, 'noAgents')]),
  ].join('\n');
}
