import { useContext, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t, time, word } from '../i18n.js';
import { Failure, roleAtLeast, useData, UserContext } from '../live.js';

const SENT_KEY = 'countyline.commands';

/** The ids of the commands sent from this tab, newest first (kept with the token, in sessionStorage). */
function sentIds() {
  try {
    return JSON.parse(sessionStorage.getItem(SENT_KEY) ?? '[]');
  } catch {
    return [];
  }
}

/** The parameters in a few words: the circuit, or the CIC. */
function paramsText(c) {
  if (typeof c.params.circuit === 'string') return c.params.circuit;
  if (typeof c.params.cic === 'number') return `CIC ${c.params.cic}`;
  return JSON.stringify(c.params);
}

/** The box's answer: each test call's result, a circuit's block state, or the error; anything else as JSON. */
function outcomeText(c) {
  if (!c.outcome) return '—';
  const { ok, result, error } = c.outcome;
  if (!ok) return error ? `${error.code}: ${error.message}` : t('state.failed');
  if (Array.isArray(result?.outcomes)) return result.outcomes.map((o) => `${o.circuit}: ${word('test', o.result)}${o.reason ? ` (${o.reason})` : ''}`).join('; ');
  if (result?.circuit && typeof result.circuit === 'object') {
    const circuit = result.circuit;
    const exchange = typeof result.exchange === 'string' ? `; ${t('commands.exchange', word('exchange', result.exchange))}` : '';
    return `CIC ${circuit.cic}: ${t('col.block')} ${word('block', circuit.block)}${exchange}`;
  }
  return JSON.stringify(result);
}

function CommandForm({ boxId, name, field, label, placeholder, pattern, onSent }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState(null);
  const send = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const params = field === 'cic' ? { cic: Number(value) } : { circuit: value.trim() };
      const { id } = await api('POST', `/boxes/${encodeURIComponent(boxId)}/commands`, { name, params });
      onSent(id);
    } catch (err) {
      setError(err);
    }
  };
  return html`
    <form class="command" data-command=${name} onSubmit=${send}>
      <label>${label} <input name=${field} required pattern=${pattern} placeholder=${placeholder} value=${value} onInput=${(e) => setValue(e.currentTarget.value)} /></label>
      <button type="submit" disabled=${!boxId}>${t('commands.send')}</button>
      <${Failure} error=${error} />
    </form>
  `;
}

/** Test call, block and unblock on a connected box, and the answers to the commands sent from here. */
export function CommandsView() {
  const user = useContext(UserContext);
  const boxes = useData(() => api('GET', '/boxes'), [], (name) => name === 'status');
  const [boxId, setBoxId] = useState('');
  const [ids, setIds] = useState(sentIds());
  const commands = useData(() => Promise.all(ids.map((id) => api('GET', `/commands/${encodeURIComponent(id)}`).catch(() => null))), [ids.join()], (name) => name === 'command');
  const sent = (id) => {
    const next = [id, ...ids].slice(0, 50);
    sessionStorage.setItem(SENT_KEY, JSON.stringify(next));
    setIds(next);
  };
  const online = boxes.data?.boxes.filter((b) => b.online) ?? [];
  const chosen = boxId || online[0]?.id || '';
  return html`
    <section data-view="commands">
      <h2>${t('commands.title')}</h2>
      <${Failure} error=${boxes.error} />
      ${!roleAtLeast(user, 'operator') && user ? html`<p class="muted">${t('commands.viewerOnly')}</p>` : null}
      <label>${t('commands.box')}
        <select name="box" value=${chosen} onChange=${(e) => setBoxId(e.currentTarget.value)}>
          ${boxes.data?.boxes.map((b) => html`<option value=${b.id} disabled=${!b.online}>${b.id} (${t(b.online ? 'online' : 'offline')})</option>`)}
        </select>
      </label>
      <div class="commands">
        <div><h4>${t('commands.testCall')}</h4><${CommandForm} boxId=${chosen} name="test-call" field="circuit" label=${t('commands.circuit')} placeholder="fxo/0" pattern="(fxo/[0-9]+|e1/[0-9]+/[0-9]+)" onSent=${sent} /></div>
        <div><h4>${t('commands.block')}</h4><${CommandForm} boxId=${chosen} name="block" field="cic" label=${t('commands.cic')} placeholder="1" pattern="[0-9]+" onSent=${sent} /></div>
        <div><h4>${t('commands.unblock')}</h4><${CommandForm} boxId=${chosen} name="unblock" field="cic" label=${t('commands.cic')} placeholder="1" pattern="[0-9]+" onSent=${sent} /></div>
      </div>
      <h3>${t('commands.sent')}</h3>
      ${ids.length === 0
        ? html`<p class="quiet">${t('commands.none')}</p>`
        : html`
            <table class="grid commands-sent">
              <thead><tr><th>${t('col.sentAt')}</th><th>${t('col.box')}</th><th>${t('col.command')}</th><th>${t('col.params')}</th><th>${t('col.state')}</th><th>${t('col.outcome')}</th></tr></thead>
              <tbody>
                ${(commands.data ?? []).filter(Boolean).map(
                  (c) => html`
                    <tr key=${c.id} data-command-id=${c.id} data-name=${c.name} data-state=${c.state}>
                      <td>${time(c.createdAt)}</td>
                      <td>${c.boxId}</td>
                      <td>${word('cmd', c.name)}</td>
                      <td>${paramsText(c)}</td>
                      <td><span class=${`badge state-${c.state}`}>${t(`state.${c.state}`)}</span></td>
                      <td class="outcome">${outcomeText(c)}</td>
                    </tr>
                  `,
                )}
              </tbody>
            </table>
          `}
    </section>
  `;
}
