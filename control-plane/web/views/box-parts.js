import { html } from '../html.js';
import { alarmType, t, time, word } from '../i18n.js';

/** The spans with their alarm state and cause, and the G.826 threshold crossings active on each. */
export function Spans({ spans, alarms }) {
  if (spans.length === 0) return html`<p class="quiet">${t('box.noSpans')}</p>`;
  return html`
    <table class="grid spans">
      <thead><tr><th>${t('col.span')}</th><th>${t('col.spanAlarm')}</th><th>${t('col.defects')}</th><th>${t('col.alarmCauses')}</th><th>${t('col.alarmSince')}</th><th>${t('col.g826')}</th></tr></thead>
      <tbody>
        ${spans.map((s) => {
          const tca = alarms.filter((a) => a.source === `span/${s.span}` && a.type.startsWith('tca-'));
          return html`
            <tr key=${s.span} data-span=${s.span} data-alarm=${s.alarm}>
              <td>${s.span}</td>
              <td><span class=${`badge span-${s.alarm}`}>${word('span', s.alarm)}</span></td>
              <td>${s.causes.length ? s.causes.join(' + ') : '—'}</td>
              <td>${s.alarmCauses?.length ? s.alarmCauses.join(' + ') : '—'}</td>
              <td>${s.alarmSince ? time(s.alarmSince) : '—'}</td>
              <td>${tca.length === 0 ? t('g826.ok') : tca.map((a) => html`<div>${alarmType(a.type)}: ${a.cause}</div>`)}</td>
            </tr>
          `;
        })}
      </tbody>
    </table>
    <${G826} spans=${spans} />
  `;
}

const G826_COUNTERS = ['es', 'ses', 'uas', 'bbe', 'slips', 'lcv', 'eBits'];

/** Each span's G.826 counts this quarter hour and today, as the box last reported them. */
function G826({ spans }) {
  const rows = spans.flatMap((s) => (s.g826 ? [['current15min', s], ['day', s]] : []));
  if (rows.length === 0) return html`<p class="note">${t('g826.none')}</p>`;
  return html`
    <table class="grid g826">
      <thead><tr><th>${t('col.span')}</th><th>${t('col.period')}</th>${G826_COUNTERS.map((c) => html`<th class="num">${t(`g826.${c}`)}</th>`)}</tr></thead>
      <tbody>
        ${rows.map(([period, s]) => {
          const counts = s.g826[period];
          return html`<tr key=${`${s.span}-${period}`} data-g826=${`${s.span}-${period}`}><td>${s.span}</td><td>${t(`g826.${period}`, counts ? time(counts.start) : '—')}</td>${G826_COUNTERS.map((c) => html`<td class="num">${counts ? counts[c] : '—'}</td>`)}</tr>`;
        })}
      </tbody>
    </table>
  `;
}

/** One cell per CIC: its call state, any block, and which side controls it (Q.764 glare). */
export function CircuitGrid({ counts, circuits, at }) {
  if (!counts || counts.total === 0) return html`<p class="quiet">${t('box.noCircuits')}</p>`;
  return html`
    <p class="summary">${t('box.circuitCounts', counts.total, counts.idle, counts.busy, counts.blocked)}</p>
    <div class="circuits">
      ${circuits.map(
        (c) => html`
          <div key=${c.cic} class=${`circuit call-${c.call} block-${c.block}`} data-cic=${c.cic} title=${`${t('col.span')} ${c.span} / ${t('col.timeslot')} ${c.timeslot}`}>
            <b>${c.cic}</b>
            <span>${word('call', c.call)}</span>
            <span>${t('col.block')}: ${word('block', c.block)}</span>
            <span>${t('col.controlledBy')}: ${word('ctrl', c.controlledBy)}</span>
          </div>
        `,
      )}
    </div>
    <p class="note">${t('box.circuitsAsOf', time(at))}</p>
  `;
}

export function FxoPorts({ ports }) {
  if (ports.length === 0) return html`<p class="quiet">${t('box.noFxo')}</p>`;
  return html`
    <table class="grid fxo">
      <thead><tr><th>${t('col.port')}</th><th>${t('col.line')}</th><th class="num">${t('col.voltage')}</th><th>${t('col.hook')}</th></tr></thead>
      <tbody>
        ${ports.map(
          (p) => html`
            <tr key=${p.port} data-port=${p.port} data-line=${p.line}>
              <td>${p.port}</td>
              <td><span class=${`badge line-${p.line}`}>${word('line', p.line)}</span></td>
              <td class="num">${p.voltage === null ? '—' : `${p.voltage.toFixed(1)} V`}</td>
              <td>${p.hook ? word('hook', p.hook) : '—'}</td>
            </tr>
          `,
        )}
      </tbody>
    </table>
  `;
}

const seconds = (ms) => (ms === null ? '—' : t('seconds', Math.round(ms / 1000)));

/** The callback requests waiting at the box, longest first (the box lists at most 256; `pending` counts all). */
export function Callbacks({ callbacks, pending }) {
  if (!callbacks) return html`<p class="quiet">${t('box.noCallbackList')}</p>`;
  if (callbacks.length === 0) return html`<p class="quiet" data-callbacks="0">${t('box.noCallbacks')}</p>`;
  return html`
    <p data-callbacks=${pending}>${t('box.callbacksPending', pending)}</p>
    <table class="grid callbacks">
      <thead><tr><th>${t('col.calling')}</th><th>${t('col.reason')}</th><th>${t('col.requestedAt')}</th><th class="num">${t('col.requests')}</th><th class="num">${t('col.attempts')}</th><th>${t('col.lastAttempt')}</th><th>${t('col.message')}</th></tr></thead>
      <tbody>
        ${callbacks.map(
          (c) => html`<tr key=${c.id} data-callback=${c.number}><td>${c.number}</td><td>${word('cbReason', c.reason)}</td><td>${time(c.requestedAt)}</td><td class="num">${c.requests}</td><td class="num">${c.attempts}</td><td>${c.lastAttemptAt === null ? '—' : `${time(c.lastAttemptAt)} ${word('cbOutcome', c.lastOutcome)}`}</td><td>${t(c.message ? 'yes' : 'no')}</td></tr>`,
        )}
      </tbody>
    </table>
  `;
}

/** The callers waiting at the box, first in line first (`GET /boxes/:id/queue`). */
export function Queue({ queue }) {
  if (!queue) return html`<p class="quiet">${t('box.noQueue')}</p>`;
  if (queue.waiting === 0) return html`<p class="quiet" data-waiting="0">${t('box.noneWaiting')}</p>`;
  return html`
    <p data-waiting=${queue.waiting}>${t('box.waiting', queue.waiting, seconds(queue.longestWaitMs))}</p>
    <table class="grid callers">
      <thead><tr><th class="num">${t('col.position')}</th><th>${t('col.calling')}</th><th>${t('col.callerState')}</th><th class="num">${t('col.waited')}</th><th>${t('col.agent')}</th></tr></thead>
      <tbody>
        ${queue.callers.map(
          (c) => html`<tr key=${`${c.position}-${c.calling}`}><td class="num">${c.position}</td><td>${c.calling || '—'}</td><td>${word('caller', c.state)}</td><td class="num">${seconds(c.waitedMs)}</td><td>${c.agent ?? '—'}</td></tr>`,
        )}
      </tbody>
    </table>
  `;
}

/** The agents: their phones (registered, reachable) and, where the box has a queue, their status and what they are doing. */
export function Agents({ agents, office, at }) {
  if (!agents || agents.length === 0) return html`<p class="quiet">${t('box.noAgents')}</p>`;
  const yn = (v) => (v === undefined ? '—' : t(v ? 'yes' : 'no'));
  const inOffice = new Map((office ?? []).map((a) => [a.id, a]));
  return html`
    <table class="grid agents">
      <thead><tr><th>${t('col.agent')}</th><th>${t('col.name')}</th><th>${t('col.agentStatus')}</th><th>${t('col.agentState')}</th><th>${t('col.registered')}</th><th>${t('col.reachable')}</th><th class="num">${t('col.answered')}</th></tr></thead>
      <tbody>
        ${agents.map((a) => {
          const q = inOffice.get(a.user);
          return html`<tr key=${a.user} data-agent=${a.user}><td>${a.user}</td><td>${a.name}</td><td>${q ? word('agentStatus', q.status) : '—'}</td><td>${q ? word('agentState', q.state) : '—'}</td><td>${yn(a.registered)}</td><td>${yn(a.reachable)}</td><td class="num">${q ? q.callsAnswered : '—'}</td></tr>`;
        })}
      </tbody>
    </table>
    <p class="note">${t('box.agentsAsOf', time(at))}</p>
  `;
}

export function Cdrs({ cdrs }) {
  if (cdrs.length === 0) return html`<p class="quiet">${t('box.noCdrs')}</p>`;
  return html`
    <table class="grid cdrs">
      <thead><tr><th>${t('col.arrived')}</th><th>${t('col.calling')}</th><th>${t('col.called')}</th><th>${t('col.agent')}</th><th>${t('col.result')}</th><th class="num">${t('col.wait')}</th><th class="num">${t('col.talk')}</th></tr></thead>
      <tbody>
        ${cdrs.map((c) => {
          const waitFrom = c.queue?.enteredAt ?? c.offeredAt;
          return html`
            <tr key=${c.id} data-cdr=${c.id}>
              <td>${time(c.arrivedAt)}</td>
              <td>${c.calling}</td>
              <td>${c.called}</td>
              <td>${c.agent ?? '—'}</td>
              <td>${word('result', c.result)}</td>
              <td class="num">${seconds(waitFrom === null || waitFrom === undefined ? null : (c.answeredAt ?? c.endedAt) - waitFrom)}</td>
              <td class="num">${seconds(c.answeredAt === null ? null : c.endedAt - c.answeredAt)}</td>
            </tr>
          `;
        })}
      </tbody>
    </table>
  `;
}
