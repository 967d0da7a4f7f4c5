import type { AgentRow } from '../control/view-schemas.js';
import { heads, text, type Lang } from './i18n.js';
import { renderTable } from './table.js';

/** `countyline agents`: one row per configured agent. */
export function formatAgents(rows: AgentRow[], lang: Lang): string {
  if (rows.length === 0) return text(lang, 'noAgents');
  const yesNo = (b: boolean) => text(lang, b ? 'yes' : 'no');
  const cells = rows.map((r) => [r.user, r.name, yesNo(r.registered), r.contact ?? '-', r.registered ? yesNo(r.reachable) : '-', yesNo(r.busy)]);
  return renderTable(heads(lang, 'agentUser', 'agentName', 'registered', 'contact', 'reachable', 'busy'), cells);
}
