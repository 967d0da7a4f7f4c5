// The checks at the end of a bench scenario (the `expect` list of scripts/lib/scenario-file.mjs),
// answered from central's API as an operator would see them: each box's CDRs of the calls
// that arrived during the run, its alarms raised during the run, its bulletin commands.
import { waitFor } from './bench-rig.mjs';

const SEVERITY_RANK = { warning: 0, minor: 1, major: 2, critical: 3 };
const NAMES = {
  calls: ['calls', '呼入'],
  answered: ['answered', '接通'],
  abandoned: ['abandoned', '放弃'],
  'heard-bulletin': ['callers who heard the bulletin', '听到公告的来电'],
  'answer-rate': ['answer rate', '接通率'],
  'busy-tone': ['callers who found all five lines busy', '遇五线全忙的来电'],
};

/**
 * Checks each expectation; resolves with [{ ok, text }] in the file's order. `ctx`: central,
 * startedAt (ms), bulletins (box id -> the POST /bulletins entries sent to it), fxoStats
 * (the FXO callers' counts), zh.
 */
export async function checkExpectations(expect, { central, startedAt, bulletins, fxoStats, zh }) {
  const t = (en, cn) => (zh ? cn : en);
  const cache = new Map();
  const once = (key, load) => {
    if (!cache.has(key)) cache.set(key, load());
    return cache.get(key);
  };
  const cdrs = (box) => once(`cdrs ${box}`, async () => (await central.api('GET', `/api/v1/cdrs?box=${box}&from=${startedAt}&limit=1000`)).cdrs);
  const alarms = (box) => once(`alarms ${box}`, async () => (await central.api('GET', `/api/v1/alarms?box=${box}&limit=1000`)).alarms.filter((a) => a.raisedAt >= startedAt));
  const range = (e, value, format = String) => {
    const ok = (e.min === undefined || value >= e.min) && (e.max === undefined || value <= e.max);
    const bounds = [e.min !== undefined && t(`at least ${format(e.min)}`, `至少 ${format(e.min)}`), e.max !== undefined && t(`at most ${format(e.max)}`, `至多 ${format(e.max)}`)].filter(Boolean).join(t(' and ', ' 且 '));
    return { ok, detail: `${format(value)} (${t('expected', '预期')} ${bounds})` };
  };
  const pct = (share) => `${Math.round(share * 100)}%`;

  const results = [];
  for (const e of expect) {
    const name = NAMES[e.check] ? t(NAMES[e.check][0], NAMES[e.check][1]) : e.check;
    let r;
    switch (e.check) {
      case 'online': {
        const box = await central.api('GET', `/api/v1/boxes/${e.box}`);
        r = { ok: box.online, detail: box.online ? t('online', '在线') : t('offline', '离线') };
        break;
      }
      case 'calls':
        r = range(e, (await cdrs(e.box)).length);
        break;
      case 'answered':
        r = range(e, (await cdrs(e.box)).filter((c) => c.result === 'answered').length);
        break;
      case 'abandoned':
        r = range(e, (await cdrs(e.box)).filter((c) => c.result === 'abandoned').length);
        break;
      case 'heard-bulletin':
        r = range(e, (await cdrs(e.box)).filter((c) => (c.bulletin?.heardMs ?? 0) > 0).length);
        break;
      case 'answer-rate': {
        const all = await cdrs(e.box);
        const answered = all.filter((c) => c.result === 'answered').length;
        r = all.length === 0 ? { ok: false, detail: t('no calls', '无呼入') } : range(e, answered / all.length, pct);
        if (all.length) r.detail += ` ${answered}/${all.length}`;
        break;
      }
      case 'alarm': {
        const hit = (await alarms(e.box)).find((a) => a.type === e.type && (e.cause === undefined || a.cause === e.cause));
        r = { ok: Boolean(hit), detail: hit ? t(`raised (${hit.severity}, ${hit.cause ?? 'no cause'})`, `已告警 (${hit.severity}, ${hit.cause ?? '无原因'})`) : t('never raised', '未出现') };
        break;
      }
      case 'no-alarm': {
        const worse = (await alarms(e.box)).filter((a) => SEVERITY_RANK[a.severity] >= SEVERITY_RANK[e.severity]);
        r = { ok: worse.length === 0, detail: worse.length === 0 ? t('none', '无') : worse.map((a) => `${a.type} ${a.severity}`).join(', ') };
        break;
      }
      case 'bulletin-done': {
        const sent = bulletins.get(e.box) ?? [];
        if (sent.length === 0) {
          r = { ok: false, detail: t('no bulletin was pushed to this box', '没有推送公告到这台主机') };
          break;
        }
        const states = [];
        for (const c of sent) {
          if (!c.id) {
            states.push(c.error);
            continue;
          }
          // The box answers once the text is spoken (espeak-ng): give it a little time.
          const cmd = await waitFor(`bulletin command ${c.id}`, async () => {
            const x = await central.api('GET', `/api/v1/commands/${c.id}`);
            return x.state !== 'sent' && x;
          }, 30_000, { intervalMs: 500 }).catch(() => ({ state: 'sent' }));
          states.push(cmd.state);
        }
        r = { ok: states.every((s) => s === 'done'), detail: states.join(', ') };
        break;
      }
      case 'busy-tone':
        r = range(e, fxoStats.busy);
        break;
      default:
        r = { ok: false, detail: 'unknown check' };
    }
    const what = e.check === 'alarm' ? `${t('alarm', '告警')} ${e.type}${e.cause ? `/${e.cause}` : ''}` : e.check === 'no-alarm' ? t(`no ${e.severity} alarm or worse`, `无 ${e.severity} 及以上告警`) : e.check === 'online' ? t('online in central', '在中心显示在线') : e.check === 'bulletin-done' ? t('bulletin spoken at the box', '公告已在主机播报') : name;
    results.push({ ok: r.ok, text: `${e.box}: ${what}: ${r.detail}` });
  }
  return results;
}
