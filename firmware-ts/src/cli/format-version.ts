import type { Lang } from './i18n.js';
import type { KeptRelease, ReleaseRecord, Running, VersionInfo } from './release-info.js';

/** The words of `countyline version`, in English and Chinese (as the other commands' words in i18n.ts). */
export const VERSION_TEXT = {
  runningRelease: {
    en: (version: string, commit: string, built: string, node: string) => `running release ${version} (commit ${commit}, built ${built}, Node ${node})`,
    zh: (version: string, commit: string, built: string, node: string) => `运行中的版本 ${version} (提交 ${commit}, 构建于 ${built}, Node ${node})`,
  },
  runningCheckout: {
    en: (version: string, commit: string | null, node: string) => `running a checkout of ${version}, ${commit === null ? 'commit unknown (no git)' : `commit ${commit}`}, Node ${node}`,
    zh: (version: string, commit: string | null, node: string) => `运行的是源码目录 ${version}, ${commit === null ? '提交未知 (无 git)' : `提交 ${commit}`}, Node ${node}`,
  },
  uncommitted: { en: () => 'with changes that are not committed', zh: () => '含未提交的修改' },
  from: { en: (dir: string) => `from ${dir}`, zh: (dir: string) => `位于 ${dir}` },
  kept: { en: (dir: string) => `releases kept in ${dir}:`, zh: (dir: string) => `保留的版本 (${dir}):` },
  noneKept: { en: (dir: string) => `no releases kept (${dir} is empty or missing)`, zh: (dir: string) => `未保留任何版本 (${dir} 为空或不存在)` },
  current: { en: () => 'current', zh: () => '当前' },
  previous: { en: () => 'previous', zh: () => '上一版' },
  built: { en: (when: string) => `built ${when}`, zh: (when: string) => `构建于 ${when}` },
  noRecord: { en: () => 'no RELEASE.json', zh: () => '缺少 RELEASE.json' },
  pending: {
    en: (version: string) => `upgrade pending: ${version} is being tried and not yet confirmed`,
    zh: (version: string) => `升级待确认: 正在试用 ${version}, 尚未确认`,
  },
  noPending: { en: () => 'no upgrade pending', zh: () => '没有待确认的升级' },
  linkMissing: {
    en: (link: string, version: string) => `${link} points at ${version}, which is not kept`,
    zh: (link: string, version: string) => `${link} 指向的 ${version} 不在保留的版本中`,
  },
} satisfies Record<string, Record<Lang, (...args: any[]) => string>>;

/** `countyline version`: what runs, then what the box keeps. */
export function formatVersion(info: VersionInfo, lang: Lang): string {
  const t = VERSION_TEXT;
  const lines = [...runningLines(info.running, lang)];
  const { kept } = info;
  if (kept.releases.length === 0) lines.push(t.noneKept[lang](kept.dir));
  else {
    lines.push(t.kept[lang](kept.dir));
    const width = Math.max(...kept.releases.map((r) => r.version.length));
    for (const r of kept.releases) lines.push(`  ${r.version.padEnd(width)}  ${keptDetails(r, kept.current, kept.previous, lang)}`);
  }
  for (const [link, version] of [['current', kept.current], ['previous', kept.previous]] as const) {
    if (version !== null && !kept.releases.some((r) => r.version === version)) lines.push(t.linkMissing[lang](link, version));
  }
  lines.push(kept.upgradePending === null ? t.noPending[lang]() : t.pending[lang](kept.upgradePending));
  return lines.join('\n');
}

function runningLines(running: Running, lang: Lang): string[] {
  const t = VERSION_TEXT;
  if (running.kind === 'release') {
    const r = running.release;
    const first = t.runningRelease[lang](r.version, shortCommit(r.commit), builtTime(r), r.node);
    return [r.dirty ? `${first}, ${t.uncommitted[lang]()}` : first, `  ${t.from[lang](running.dir)}`];
  }
  const first = t.runningCheckout[lang](running.version, running.commit === null ? null : shortCommit(running.commit), running.node);
  return [running.dirty ? `${first}, ${t.uncommitted[lang]()}` : first, `  ${t.from[lang](running.dir)}`];
}

function keptDetails(r: KeptRelease, current: string | null, previous: string | null, lang: Lang): string {
  const t = VERSION_TEXT;
  const marks = [r.version === current ? t.current[lang]() : '', r.version === previous ? t.previous[lang]() : ''].filter((m) => m !== '');
  const built = r.release ? t.built[lang](builtTime(r.release)) : t.noRecord[lang]();
  return [...marks, built].join(', ');
}

/** `YYYY-MM-DD HH:MM UTC`: the commit's time, the same on every box. */
function builtTime(r: ReleaseRecord): string {
  return r.builtAt ? `${r.builtAt.slice(0, 16).replace('T', ' ')} UTC` : '?';
}

function shortCommit(commit: string): string {
  return commit.slice(0, 12);
}
