import { useContext, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t, time } from '../i18n.js';
import { Failure, failureText, roleAtLeast, useData, UserContext } from '../live.js';
import { OnlineBadge } from './badges.js';

/** Each box with the bulletin its latest birth reports (a box sends a new birth when its bulletin changes). */
async function loadBoxes() {
  const { boxes } = await api('GET', '/boxes');
  const details = await Promise.all(boxes.map((b) => api('GET', `/boxes/${encodeURIComponent(b.id)}`)));
  return details.map((d) => ({ ...d, bulletin: d.birth?.bulletin ?? null }));
}

/** Type a bulletin, choose boxes, send (one bulletin-set command per box); and what each box plays now. */
export function BulletinsView() {
  const user = useContext(UserContext);
  const { data, error } = useData(loadBoxes, [], (name) => ['status', 'birth', 'command'].includes(name));
  const [text, setText] = useState('');
  const [until, setUntil] = useState('');
  const [chosen, setChosen] = useState(new Set());
  const [result, setResult] = useState(null);
  const [sendError, setSendError] = useState(null);
  const [busy, setBusy] = useState(false);
  const toggle = (id) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };
  const send = async (e) => {
    e.preventDefault();
    setResult(null);
    setSendError(null);
    if (chosen.size === 0) {
      setSendError({ status: 400, code: 'local', message: t('bulletins.noBoxes'), local: true });
      return;
    }
    setBusy(true);
    try {
      const body = { text: text.trim(), until: until ? new Date(until).getTime() : null, boxes: [...chosen] };
      setResult(await api('POST', '/bulletins', body));
    } catch (err) {
      setSendError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <section data-view="bulletins">
      <h2>${t('bulletins.title')}</h2>
      <${Failure} error=${error} />
      <form class="bulletin" onSubmit=${send}>
        <label>${t('bulletins.text')}<textarea name="text" required maxlength="500" rows="3" value=${text} onInput=${(e) => setText(e.currentTarget.value)}></textarea></label>
        <label>${t('bulletins.until')}<input name="until" type="datetime-local" value=${until} onInput=${(e) => setUntil(e.currentTarget.value)} /></label>
        <fieldset>
          <legend>${t('bulletins.boxes')}</legend>
          <label><input type="checkbox" name="all" checked=${data && data.length > 0 && chosen.size === data.length} onChange=${(e) => setChosen(e.currentTarget.checked ? new Set(data.map((b) => b.id)) : new Set())} /> ${t('bulletins.all')}</label>
          ${data?.map((b) => html`<label class="box-choice" key=${b.id}><input type="checkbox" name="box" value=${b.id} checked=${chosen.has(b.id)} onChange=${() => toggle(b.id)} /> ${b.id} <${OnlineBadge} box=${b} /></label>`)}
        </fieldset>
        <button type="submit" disabled=${busy || !roleAtLeast(user, 'operator')}>${t('bulletins.send')}</button>
        ${!roleAtLeast(user, 'operator') && user ? html`<p class="muted">${t('commands.viewerOnly')}</p>` : null}
        ${sendError?.local ? html`<p class="failure" role="alert">${sendError.message}</p>` : html`<${Failure} error=${sendError} />`}
        ${result
          ? html`<div class="sent" role="status">
              <p>${t('bulletins.sent', result.commands.filter((c) => c.id !== null).length)}</p>
              <ul>${result.commands.filter((c) => c.error !== null).map((c) => html`<li class="failure">${c.boxId}: ${failureText({ status: 409, code: c.error, message: c.error })}</li>`)}</ul>
            </div>`
          : null}
      </form>
      <h3>${t('bulletins.current')}</h3>
      <table class="grid bulletins">
        <thead><tr><th>${t('col.box')}</th><th>${t('col.status')}</th><th>${t('bulletins.text')}</th><th></th></tr></thead>
        <tbody>
          ${data?.map(
            (b) => html`
              <tr key=${b.id} data-box=${b.id}>
                <td>${b.id}</td>
                <td><${OnlineBadge} box=${b} /></td>
                <td class="bulletin-text">${b.bulletin ? b.bulletin.text : html`<span class="muted">${t('bulletins.noneSet')}</span>`}</td>
                <td>${b.bulletin ? html`${t('bulletins.setAt', time(b.bulletin.setAt))}, ${b.bulletin.until === null ? t('bulletins.forever') : t('bulletins.untilAt', time(b.bulletin.until))}` : null}</td>
              </tr>
            `,
          )}
        </tbody>
      </table>
    </section>
  `;
}
