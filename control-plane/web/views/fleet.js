import { html } from '../html.js';
import { api } from '../api.js';
import { percent, t } from '../i18n.js';
import { startOfToday, totals } from '../kpi.js';
import { Failure, useData } from '../live.js';
import { OnlineBadge, SeverityBadge } from './badges.js';

async function loadFleet() {
  const [{ sites }, { boxes }] = await Promise.all([api('GET', '/sites'), api('GET', '/boxes')]);
  const from = startOfToday();
  const today = await Promise.all(boxes.map((b) => api('GET', `/boxes/${encodeURIComponent(b.id)}/kpis?from=${from}`).then((r) => totals(r.intervals))));
  const withKpis = boxes.map((b, i) => ({ ...b, today: today[i] }));
  // By county, then site, as the duty desk thinks of them.
  const counties = new Map();
  for (const site of sites) {
    const list = counties.get(site.county) ?? [];
    list.push(...withKpis.filter((b) => b.site === site.id).map((b) => ({ ...b, siteName: site.name })));
    counties.set(site.county, list);
  }
  return { counties: [...counties].filter(([, list]) => list.length > 0).sort(([a], [b]) => a.localeCompare(b)), total: boxes.length, online: boxes.filter((b) => b.online).length };
}

/** Every box by county: online, worst active alarm, today's answer rates, callers waiting now. */
export function FleetView() {
  // Every box's live snapshots (one every 2 s from a busy office) reload the fleet at most every 2 s.
  const { data, error } = useData(loadFleet, [], (name) => ['status', 'alarm', 'kpi', 'birth', 'trunks'].includes(name), 2000);
  return html`
    <section data-view="fleet">
      <h2>${t('fleet.title')}</h2>
      <${Failure} error=${error} />
      ${!data ? html`<p>${t('loading')}</p>` : data.total === 0 ? html`<p>${t('fleet.empty')}</p>` : html`<p class="summary">${t('fleet.boxes', data.total, data.online)}</p>`}
      ${data?.counties.map(
        ([county, boxes]) => html`
          <div class="county" key=${county}>
            <h3>${county}</h3>
            <table class="grid fleet">
              <thead>
                <tr>
                  <th>${t('col.box')}</th><th>${t('col.name')}</th><th>${t('col.status')}</th><th>${t('col.worstAlarm')}</th>
                  <th class="num">${t('col.offeredToday')}</th><th class="num">${t('col.answerRate')}</th><th class="num">${t('col.answer15')}</th><th class="num">${t('col.waiting')}</th>
                </tr>
              </thead>
              <tbody>
                ${boxes.map(
                  (b) => html`
                    <tr key=${b.id} data-box=${b.id}>
                      <td><a href=${`#/box/${encodeURIComponent(b.id)}`}>${b.id}</a></td>
                      <td>${b.name}</td>
                      <td><${OnlineBadge} box=${b} /></td>
                      <td><${SeverityBadge} severity=${b.worstAlarm} /></td>
                      <td class="num">${b.today.offered}</td>
                      <td class="num">${percent(b.today.answerRate)}</td>
                      <td class="num">${percent(b.today.in15sRate)}</td>
                      <td class="num" data-waiting=${b.waiting ?? ''}>${b.waiting ?? '—'}</td>
                    </tr>
                  `,
                )}
              </tbody>
            </table>
          </div>
        `,
      )}
    </section>
  `;
}
