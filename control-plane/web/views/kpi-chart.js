import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from '../html.js';
import { clock, lang, percent, t, time } from '../i18n.js';
import { DEFAULT_HANDLE_SECONDS, staffing, TARGET_ANSWERED, TARGET_IN_15S } from '../kpi.js';

const pct = (_u, v) => (v === null || v === undefined ? '—' : `${v.toFixed(1)} %`);

/**
 * The measured answer rates per interval against the 95 % and 80 % lines, and the calls
 * offered on a second axis. Every label comes from the dictionary (uPlot's legend and axes
 * included), so the chart follows the language switch.
 */
function Chart({ intervals }) {
  const box = useRef(null);
  useEffect(() => {
    const xs = intervals.map((k) => k.intervalStart / 1000);
    const share = (f) => intervals.map((k) => (k.offered > 0 ? (100 * k[f]) / k.offered : null));
    const flat = (v) => xs.map(() => v * 100);
    const plot = new uPlot(
      {
        width: Math.max(box.current.clientWidth, 480),
        height: 280,
        scales: { x: { time: true }, '%': { range: [0, 100] }, n: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        series: [
          { label: t('chart.time'), value: (_u, v) => (v === null ? '—' : time(v * 1000)) },
          { label: t('chart.answered'), scale: '%', stroke: '#1f5fa8', width: 2, value: pct, spanGaps: false },
          { label: t('chart.sl15'), scale: '%', stroke: '#2d8a3e', width: 2, value: pct, spanGaps: false },
          { label: t('chart.line95'), scale: '%', stroke: '#c0392b', dash: [6, 4], points: { show: false }, value: pct },
          { label: t('chart.line80'), scale: '%', stroke: '#e67e22', dash: [6, 4], points: { show: false }, value: pct },
          { label: t('chart.offered'), scale: 'n', stroke: '#888', fill: 'rgba(136,136,136,0.12)', paths: uPlot.paths.bars({ size: [0.6, 30] }), value: (_u, v) => (v === null ? '—' : String(v)) },
        ],
        axes: [
          { label: t('chart.time'), values: (_u, ticks) => ticks.map((v) => clock(v * 1000)) },
          { scale: '%', label: t('chart.percent'), values: (_u, ticks) => ticks.map((v) => `${v}`) },
          { scale: 'n', side: 1, label: t('chart.calls'), grid: { show: false }, values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? `${v}` : '')) },
        ],
      },
      [xs, share('answered'), share('answeredIn15s'), flat(TARGET_ANSWERED), flat(TARGET_IN_15S), intervals.map((k) => k.offered)],
      box.current,
    );
    return () => plot.destroy();
  }, [intervals, lang()]);
  return html`<div class="chart" ref=${box}></div>`;
}

/** Per interval: Erlang C's agents for 80 % in 15 s, beside the service level measured. */
function Staffing({ intervals, cdrs }) {
  const rows = staffing(intervals, cdrs).filter((r) => r.offered > 0);
  return html`
    <div class="staffing">
      <h4>${t('staffing.title')}</h4>
      <table class="grid">
        <thead>
          <tr><th>${t('col.interval')}</th><th class="num">${t('col.offered')}</th><th class="num">${t('col.aht')}</th><th class="num">${t('col.agentsNeeded')}</th><th class="num">${t('col.measured15')}</th><th class="num">${t('col.measuredAnswer')}</th></tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) => html`
              <tr key=${r.intervalStart} data-interval=${r.intervalStart}>
                <td>${clock(r.intervalStart)}</td>
                <td class="num">${r.offered}</td>
                <td class="num">${t('seconds', Math.round(r.handleSeconds))}</td>
                <td class="num advice">${r.agents}</td>
                <td class=${`num ${r.in15sRate !== null && r.in15sRate < TARGET_IN_15S ? 'below' : ''}`}>${percent(r.in15sRate)}</td>
                <td class=${`num ${r.answerRate !== null && r.answerRate < TARGET_ANSWERED ? 'below' : ''}`}>${percent(r.answerRate)}</td>
              </tr>
            `,
          )}
        </tbody>
      </table>
      <p class="note">${t('staffing.note', DEFAULT_HANDLE_SECONDS)}</p>
    </div>
  `;
}

export function KpiSection({ intervals, cdrs }) {
  return html`
    <h3>${t('box.kpis')}</h3>
    ${intervals.length === 0
      ? html`<p class="quiet">${t('box.noKpis')}</p>`
      : html`<div class="kpis"><${Chart} intervals=${intervals} /><${Staffing} intervals=${intervals} cdrs=${cdrs} /></div>`}
  `;
}
