// The bench job's one-line status per box: what central says (online, worst alarm) and what
// the box says over its control socket (trunks, agents, queue, today's KPIs), in English or
// Chinese. Asked directly on the socket rather than by a `countyline` process per look, which
// would cost a second of CPU each on a small machine.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { running } from './bench-rig.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { socketConnection } = await import(join(root, 'firmware-ts', 'dist', 'control', 'control-client.js'));

const SEVERITY_ZH = { critical: '严重', major: '主要', minor: '次要', warning: '警告' };
const pct = (share) => (share === null || share === undefined || Number.isNaN(share) ? '-' : `${Math.round(share * 100)}%`);

/** Calls a control method of the office's firmware over its socket (what `countyline <method> --json` prints). */
export function askBox(office, method, params = {}) {
  return socketConnection(office.rig.socketPath, office.rig.configPath).call(method, params, { timeoutMs: 5000 });
}

/** What one look found: { central, status, queue, kpi }, each null when it could not be read. */
export async function lookAt(office, centralBox) {
  const ask = (method) => askBox(office, method).catch(() => null);
  const [status, queue, kpi] = await Promise.all([ask('status'), ask('queue'), ask('kpi')]);
  return { central: centralBox ?? null, status, queue, kpi };
}

/** The line for one box; `zh` picks Chinese. */
export function statusLine(office, look, zh) {
  const { county } = office;
  const t = (en, cn) => (zh ? cn : en);
  const parts = [];
  const c = look.central;
  parts.push(c ? (c.online ? t('online', '在线') : t('OFFLINE', '离线')) + (c.worstAlarm ? t(` alarm ${c.worstAlarm}`, ` 告警 ${SEVERITY_ZH[c.worstAlarm] ?? c.worstAlarm}`) : '') : t('central ?', '中心 ?'));
  const s = look.status;
  if (!s) {
    parts.push(t('firmware not answering', '固件无应答'));
  } else {
    if (s.card.link !== 'up') parts.push(t(`card ${s.card.link}`, `板卡 ${s.card.link}`));
    for (const span of s.spans) parts.push(t(`span ${span.span} `, `E1 ${span.span} `) + (span.causes.length ? span.causes.join('+') : t('ok', '正常')) + (span.alarm === 'none' ? '' : ` ${span.alarm.toUpperCase()}`));
    if (s.isup) {
      const n = s.isup.circuits;
      const busy = n.incoming + n.outgoing + n.reserved;
      const blocked = n.blocked;
      parts.push((s.isup.ready ? t(`ss7 ${busy}/${n.total} busy`, `七号信令 ${busy}/${n.total} 占用`) : t('ss7 down', '七号信令 中断')) + (blocked ? t(`, ${blocked} blocked`, `, ${blocked} 闭塞`) : ''));
    }
    if (s.fxo.length) parts.push(`${t('fxo', '模拟线')} ${s.fxo.map((p) => (p.line === 'present' ? (p.ringing ? t('ring', '振铃') : p.hook === 'off' ? t('busy', '占用') : t('idle', '空闲')) : t('UNPLUGGED', '未接线'))).join(' ')}`);
  }
  const q = look.queue;
  if (q) {
    const up = q.agents.filter((a) => a.phoneUp).length;
    const talking = q.agents.filter((a) => a.state === 'in-call').length;
    parts.push(t(`agents ${up}/${q.agents.length} up, ${talking} talking, ${q.waiting} waiting`, `坐席 ${up}/${q.agents.length} 在线, ${talking} 通话, ${q.waiting} 排队`));
  }
  const k = look.kpi?.day.totals;
  if (k) {
    parts.push(t(`today ${k.counts.offered} calls, ${k.counts.answered} answered (${pct(k.rates.answerRate)}, in 15 s ${pct(k.rates.sl15)})`, `今日 ${k.counts.offered} 呼入, ${k.counts.answered} 接通 (${pct(k.rates.answerRate)}, 15 秒 ${pct(k.rates.sl15)})`));
  }
  return `${zh ? county.label.zh : county.label.en}: ${parts.join(' | ')}`;
}

/** The time of day for a printed line, HH:MM:SS local. */
export const clock = () => new Date().toTimeString().slice(0, 8);

/**
 * Every `everyMs`, a line per box of `job` (bench-job.mjs) whose status changed since its last
 * line, through `print`. Returns { stop() }.
 */
export function startStatusLines(job, { zh, everyMs, print = (line) => console.log(line) }) {
  const printed = new Map();
  let stopped = false;
  let timer = null;
  const show = async () => {
    try {
      const { boxes } = await job.central.api('GET', '/api/v1/boxes');
      for (const o of job.offices) {
        if (stopped || !running(o.rig.firmware)) continue;
        const line = statusLine(o, await lookAt(o, boxes.find((b) => b.id === o.county.box.id)), zh);
        if (printed.get(o) !== line && !stopped) {
          print(`${clock()}  ${line}`);
          printed.set(o, line);
        }
      }
    } catch (err) {
      if (!stopped) print(`${clock()}  status: ${err.message}`);
    }
    if (!stopped) timer = setTimeout(show, everyMs);
  };
  void show();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
