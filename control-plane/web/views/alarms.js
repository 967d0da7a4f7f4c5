import { useContext, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { alarmType, t, time } from '../i18n.js';
import { Failure, roleAtLeast, useData, UserContext } from '../live.js';
import { SeverityBadge } from './badges.js';

/** Acknowledge with a comment (operator and admin), or who acknowledged it. */
function AckCell({ alarm, onDone }) {
  const user = useContext(UserContext);
  const [comment, setComment] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  if (alarm.ackedAt !== null) {
    return html`<span class="acked" data-acked="true">${t('alarms.acked', alarm.ackedBy, time(alarm.ackedAt))}${alarm.ackComment ? html`${t('alarms.commentSeparator')}<q>${alarm.ackComment}</q>` : null}</span>`;
  }
  if (!roleAtLeast(user, 'operator')) return html`<span class="muted">${t('alarms.viewerNoAck')}</span>`;
  const ack = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api('POST', `/alarms/${alarm.id}/ack`, { comment });
      setError(null);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <form class="ack" onSubmit=${ack}>
      <input name="comment" maxlength="500" placeholder=${t('alarms.commentPlaceholder')} value=${comment} onInput=${(e) => setComment(e.currentTarget.value)} />
      <button type="submit" disabled=${busy}>${t('alarms.ack')}</button>
      <${Failure} error=${error} />
    </form>
  `;
}

export function AlarmTable({ alarms, history = false, onChange }) {
  return html`
    <table class="grid alarms" data-alarms=${history ? 'cleared' : 'active'}>
      <thead>
        <tr>
          <th>${t('col.severity')}</th><th>${t('col.box')}</th><th>${t('col.source')}</th><th>${t('col.type')}</th><th>${t('col.cause')}</th>
          <th>${t('col.raised')}</th>${history ? html`<th>${t('col.cleared')}</th>` : null}<th class="num">${t('col.count')}</th><th>${t('col.ack')}</th>
        </tr>
      </thead>
      <tbody>
        ${alarms.map(
          (a) => html`
            <tr key=${a.id} data-alarm=${a.id} data-type=${a.type} data-box=${a.boxId}>
              <td><${SeverityBadge} severity=${a.severity} /></td>
              <td><a href=${`#/box/${encodeURIComponent(a.boxId)}`}>${a.boxId}</a></td>
              <td>${a.source}</td>
              <td>${alarmType(a.type)}</td>
              <td>${a.cause}</td>
              <td>${time(a.raisedAt)}</td>
              ${history ? html`<td>${time(a.clearedAt)}</td>` : null}
              <td class="num">${a.count}</td>
              <td><${AckCell} alarm=${a} onDone=${onChange} /></td>
            </tr>
          `,
        )}
      </tbody>
    </table>
  `;
}

/** Active alarms (acknowledge with a comment) and the cleared ones, newest first. */
export function AlarmsView() {
  const active = useData(() => api('GET', '/alarms?state=active&limit=500'), [], (name) => name === 'alarm');
  const history = useData(() => api('GET', '/alarms?state=cleared&limit=100'), [], (name) => name === 'alarm');
  return html`
    <section data-view="alarms">
      <h2>${t('alarms.active')}</h2>
      <${Failure} error=${active.error} />
      ${!active.data ? html`<p>${t('loading')}</p>` : active.data.alarms.length === 0 ? html`<p class="quiet">${t('alarms.noneActive')}</p>` : html`<${AlarmTable} alarms=${active.data.alarms} onChange=${active.reload} />`}
      <h2>${t('alarms.history')}</h2>
      <${Failure} error=${history.error} />
      ${!history.data ? html`<p>${t('loading')}</p>` : history.data.alarms.length === 0 ? html`<p class="quiet">${t('alarms.noneHistory')}</p>` : html`<${AlarmTable} alarms=${history.data.alarms} history=${true} onChange=${history.reload} />`}
    </section>
  `;
}
