import t from 'tap';
import { formatVersion, VERSION_TEXT } from './format-version.js';
import type { VersionInfo } from './release-info.js';

// What a technician reads from `countyline version`, in both languages.

const release = (version: string, builtAt: string) => ({ version, commit: 'aaaa1111bbbb2222cccc3333dddd4444eeee5555', dirty: false, builtAt, node: '20.20.2' });

const onBox: VersionInfo = {
  running: { kind: 'release', dir: '/opt/countyline/releases/0.1.0+gaaaa1111bbbb', release: release('0.1.0+gaaaa1111bbbb', '2026-12-01T10:15:00.000Z') },
  kept: {
    dir: '/opt/countyline/releases',
    releases: [
      { version: '0.1.0+g0000ffff0000', release: release('0.1.0+g0000ffff0000', '2026-11-02T08:00:00.000Z') },
      { version: '0.1.0+gaaaa1111bbbb', release: release('0.1.0+gaaaa1111bbbb', '2026-12-01T10:15:00.000Z') },
    ],
    current: '0.1.0+gaaaa1111bbbb',
    previous: '0.1.0+g0000ffff0000',
    upgradePending: '0.1.0+gaaaa1111bbbb',
  },
};

t.test('on a box: the release that runs, the kept ones with current and previous marked, the pending upgrade', async (t) => {
  t.equal(
    formatVersion(onBox, 'en'),
    [
      'running release 0.1.0+gaaaa1111bbbb (commit aaaa1111bbbb, built 2026-12-01 10:15 UTC, Node 20.20.2)',
      '  from /opt/countyline/releases/0.1.0+gaaaa1111bbbb',
      'releases kept in /opt/countyline/releases:',
      '  0.1.0+g0000ffff0000  previous, built 2026-11-02 08:00 UTC',
      '  0.1.0+gaaaa1111bbbb  current, built 2026-12-01 10:15 UTC',
      'upgrade pending: 0.1.0+gaaaa1111bbbb is being tried and not yet confirmed',
    ].join('\n'),
  );
  t.equal(
    formatVersion(onBox, 'zh'),
    [
      '运行中的版本 0.1.0+gaaaa1111bbbb (提交 aaaa1111bbbb, 构建于 2026-12-01 10:15 UTC, Node 20.20.2)',
      '  位于 /opt/countyline/releases/0.1.0+gaaaa1111bbbb',
      '保留的版本 (/opt/countyline/releases):',
      '  0.1.0+g0000ffff0000  上一版, 构建于 2026-11-02 08:00 UTC',
      '  0.1.0+gaaaa1111bbbb  当前, 构建于 2026-12-01 10:15 UTC',
      '升级待确认: 正在试用 0.1.0+gaaaa1111bbbb, 尚未确认',
    ].join('\n'),
  );
});

t.test('in a checkout with changes, nothing kept, and a current link to a release that is gone', async (t) => {
  const checkout = { kind: 'checkout', dir: '/work/countyline', version: '0.1.0', commit: '5179af8271ac69e412badf9abf2b4cd37aa1f3d2', dirty: true, node: '20.20.2' } as const;
  const info: VersionInfo = {
    running: checkout,
    kept: { dir: '/opt/countyline/releases', releases: [], current: '0.1.0+gdeadbeef0000', previous: null, upgradePending: null },
  };
  t.equal(
    formatVersion(info, 'en'),
    [
      'running a checkout of 0.1.0, commit 5179af8271ac, Node 20.20.2, with changes that are not committed',
      '  from /work/countyline',
      'no releases kept (/opt/countyline/releases is empty or missing)',
      'current points at 0.1.0+gdeadbeef0000, which is not kept',
      'no upgrade pending',
    ].join('\n'),
  );
  const noGit = formatVersion({ ...info, running: { ...checkout, commit: null, dirty: null } }, 'zh');
  t.match(noGit, /^运行的是源码目录 0\.1\.0, 提交未知 \(无 git\), Node 20\.20\.2\n/);
});

t.test('every line has Chinese, with no English word in it but the names it shows', async (t) => {
  const allowed = new Set(['Node', 'UTC', 'git', 'RELEASE.json', 'x']);
  for (const [key, words] of Object.entries(VERSION_TEXT)) {
    const say = (f: unknown) => (f as (...a: string[]) => string)('x', 'x', 'x', 'x');
    const zh = say(words.zh);
    t.match(zh, /[\u4e00-\u9fff]/, `${key} is Chinese`);
    const english = (zh.match(/[A-Za-z][A-Za-z.]*/g) ?? []).filter((w) => !allowed.has(w));
    t.same(english, [], `${key}: no English in ${JSON.stringify(zh)}`);
    t.not(say(words.en), zh, `${key} differs between the languages`);
  }
});
