import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { keptReleases, runningRelease, type ReleaseRecord } from './release-info.js';

// `countyline version` reads what runs from the files around the CLI and what is kept from
// /opt/countyline under COUNTYLINE_ROOT; these build both layouts in a temp folder.

function tempRoot(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'countyline-release-info-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const record = (version: string, builtAt: string): ReleaseRecord => ({ version, commit: `${version.slice(-4)}0000000000000000000000000000000000000`, dirty: false, builtAt, node: '20.20.2' });

/** A release tree as the image build lays it out, with the firmware package in it. */
function releaseTree(dir: string, r: ReleaseRecord | null): string {
  const pkg = join(dir, 'app', 'node_modules', '@countyline', 'firmware');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@countyline/firmware', version: '0.1.0' }));
  if (r) writeFileSync(join(dir, 'RELEASE.json'), JSON.stringify(r));
  return pkg;
}

t.test('in a release tree, RELEASE.json says what runs', async (t) => {
  const root = tempRoot(t);
  const r = record('0.1.0+gaaaa', '2026-12-01T10:00:00.000Z');
  const pkg = releaseTree(join(root, 'opt', 'countyline', 'releases', r.version), r);
  // As the box runs it: through the `current` symlink, which the real path resolves.
  symlinkSync(join('releases', r.version), join(root, 'opt', 'countyline', 'current'));
  const running = runningRelease(join(root, 'opt', 'countyline', 'current', 'app', 'node_modules', '@countyline', 'firmware'), () => {
    throw new Error('a release must not ask git');
  });
  t.same(running, { kind: 'release', dir: join(root, 'opt', 'countyline', 'releases', r.version), release: r });
  t.ok(pkg);
});

t.test('anywhere else it is a checkout: the package version, and the commit from git when there is one', async (t) => {
  const root = tempRoot(t);
  const pkg = join(root, 'firmware-ts');
  mkdirSync(pkg);
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ version: '0.1.0' }));
  const answers: Record<string, string> = { 'rev-parse HEAD': '5179af8271ac69e412badf9abf2b4cd37aa1f3d2', 'status --porcelain': ' M firmware-ts/src/cli/cli.ts' };
  const running = runningRelease(pkg, (args) => answers[args.join(' ')] ?? null);
  t.same(running, { kind: 'checkout', dir: root, version: '0.1.0', commit: '5179af8271ac69e412badf9abf2b4cd37aa1f3d2', dirty: true, node: process.versions.node });
  t.match(runningRelease(pkg, () => null), { kind: 'checkout', commit: null, dirty: null }, 'no git: the commit is unknown, not an error');
  // A tree without RELEASE.json is not taken for a release.
  const bare = releaseTree(join(root, 'bare'), null);
  t.match(runningRelease(bare, () => null), { kind: 'checkout' });
});

t.test('the kept releases, current, previous and a pending upgrade, under COUNTYLINE_ROOT', async (t) => {
  const root = tempRoot(t);
  const base = join(root, 'opt', 'countyline');
  const older = record('0.1.0+gbbbb', '2026-11-01T08:00:00.000Z');
  const newer = record('0.1.0+gaaaa', '2026-12-01T10:00:00.000Z');
  for (const r of [newer, older]) releaseTree(join(base, 'releases', r.version), r);
  releaseTree(join(base, 'releases', 'broken'), null);
  symlinkSync(join(base, 'releases', newer.version), join(base, 'current'));
  symlinkSync(`releases/${older.version}/`, join(base, 'previous'));
  writeFileSync(join(base, 'upgrade-pending'), `${newer.version}\n`);
  const kept = keptReleases({ COUNTYLINE_ROOT: root });
  t.equal(kept.dir, join(base, 'releases'));
  t.same(
    kept.releases.map((r) => [r.version, r.release?.builtAt ?? null]),
    [
      ['broken', null],
      [older.version, older.builtAt],
      [newer.version, newer.builtAt],
    ],
    'oldest build first; a release without RELEASE.json is listed, unread',
  );
  t.equal(kept.current, newer.version, 'an absolute link');
  t.equal(kept.previous, older.version, 'a relative link with a trailing slash');
  t.equal(kept.upgradePending, newer.version);
});

t.test('a box with nothing kept yet (or a bench machine)', async (t) => {
  const root = tempRoot(t);
  t.same(keptReleases({ COUNTYLINE_ROOT: root }), { dir: join(root, 'opt', 'countyline', 'releases'), releases: [], current: null, previous: null, upgradePending: null });
});
