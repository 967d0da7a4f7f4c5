import { html } from '../html.js';
import { t, time } from '../i18n.js';

export function SeverityBadge({ severity }) {
  if (!severity) return html`<span class="badge sev-none">${t('none')}</span>`;
  return html`<span class=${`badge sev-${severity}`} data-severity=${severity}>${t(`sev.${severity}`)}</span>`;
}

export function OnlineBadge({ box }) {
  if (box.onlineChangedAt === null) return html`<span class="badge never" data-online="never">${t('notConnected')}</span>`;
  return html`<span class=${`badge ${box.online ? 'online' : 'offline'}`} data-online=${String(box.online)} title=${`${t('col.since')} ${time(box.onlineChangedAt)}`}>${t(box.online ? 'online' : 'offline')}</span>`;
}
