import { html } from '../html.js';
import { api } from '../api.js';
import { t, time } from '../i18n.js';
import { Failure, useData } from '../live.js';
import { AlarmTable } from './alarms.js';
import { OnlineBadge, SeverityBadge } from './badges.js';
import { Agents, Callbacks, Cdrs, CircuitGrid, FxoPorts, Queue, Spans } from './box-parts.js';
import { KpiSection } from './kpi-chart.js';

const DAY_MS = 86_400_000;
const RECENT_CALLS = 25;

function BoxChooser() {
  const { data, error } = useData(() => api('GET', '/boxes'), [], (name) => name === 'status');
  return html`
    <section data-view="box">
      <h2>${t('box.choose')}</h2>
      <${Failure} error=${error} />
      <ul class="choose">${data?.boxes.map((b) => html`<li><a href=${`#/box/${encodeURIComponent(b.id)}`}>${b.id}</a> ${b.name} <${OnlineBadge} box=${b} /></li>`)}</ul>
    </section>
  `;
}

async function loadState(id) {
  const path = `/boxes/${encodeURIComponent(id)}`;
  const [box, trunks, circuits, queue, alarms] = await Promise.all([
    api('GET', path),
    api('GET', `${path}/trunks`),
    api('GET', `${path}/circuits`),
    api('GET', `${path}/queue`),
    api('GET', `/alarms?state=active&box=${encodeURIComponent(id)}&limit=1000`),
  ]);
  return { box, trunks, circuits, queue, alarms: alarms.alarms };
}

async function loadTraffic(id) {
  const from = Date.now() - DAY_MS;
  const [kpis, cdrs] = await Promise.all([api('GET', `/boxes/${encodeURIComponent(id)}/kpis?from=${from}`), api('GET', `/cdrs?box=${encodeURIComponent(id)}&from=${from}&limit=1000`)]);
  return { intervals: [...kpis.intervals].sort((a, b) => a.intervalStart - b.intervalStart), cdrs: cdrs.cdrs };
}

export function BoxView({ id }) {
  return id ? html`<${BoxDetail} key=${id} id=${id} />` : html`<${BoxChooser} />`;
}

/** One box: spans, circuits, FXO ports, the callers waiting, agents, its active alarms, KPIs with staffing advice, recent calls. */
function BoxDetail({ id }) {
  const mine = (_name, data) => data?.boxId === id;
  const state = useData(() => loadState(id), [id], (name, data) => mine(name, data) && ['status', 'alarm', 'birth', 'trunks'].includes(name));
  const traffic = useData(() => loadTraffic(id), [id], (name, data) => mine(name, data) && ['kpi', 'cdr'].includes(name));
  const s = state.data;
  return html`
    <section data-view="box" data-box=${id}>
      <h2>${id}${s ? html` · ${s.box.name} <${OnlineBadge} box=${s.box} /> <${SeverityBadge} severity=${s.box.worstAlarm} />` : null}</h2>
      <${Failure} error=${state.error} />
      ${!s
        ? html`<p>${t('loading')}</p>`
        : html`
            ${s.box.birth === null ? html`<p class="quiet">${t('box.noBirth')}</p>` : html`<p class="note">${t('box.reportedAt', time(s.trunks.at))}</p>`}
            <h3>${t('alarms.active')}</h3>
            ${s.alarms.length === 0 ? html`<p class="quiet">${t('alarms.noneActive')}</p>` : html`<${AlarmTable} alarms=${s.alarms} onChange=${state.reload} />`}
            <h3>${t('box.spans')}</h3>
            <${Spans} spans=${s.trunks.spans} alarms=${s.alarms} />
            <h3>${t('box.circuits')}</h3>
            <${CircuitGrid} counts=${s.trunks.circuits} circuits=${s.circuits.circuits} at=${s.circuits.at} />
            <h3>${t('box.fxo')}</h3>
            <${FxoPorts} ports=${s.trunks.fxo} />
            <h3>${t('box.queue')}</h3>
            <${Queue} queue=${s.queue.queue} />
            <h3>${t('box.agents')}</h3>
            <${Agents} agents=${s.queue.agents} office=${s.queue.queue?.agents} at=${s.queue.at} />
            <h3>${t('box.callbacks')}</h3>
            <${Callbacks} callbacks=${s.queue.callbacks} pending=${s.queue.callbacksPending} />
          `}
      <${Failure} error=${traffic.error} />
      ${traffic.data
        ? html`
            <${KpiSection} intervals=${traffic.data.intervals} cdrs=${traffic.data.cdrs} />
            <h3>${t('box.cdrs')}</h3>
            <${Cdrs} cdrs=${traffic.data.cdrs.slice(0, RECENT_CALLS)} />
          `
        : null}
    </section>
  `;
}
