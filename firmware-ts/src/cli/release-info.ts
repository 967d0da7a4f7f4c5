import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** RELEASE.json at the top of a release tree, as images/build-image.mjs writes it. */
export interface ReleaseRecord {
  version: string;
  commit: string;
  dirty: boolean;
  /** ISO time of the commit (the build's time stamps are the commit's). */
  builtAt: string;
  /** The Node version the release carries. */
  node: string;
}

/** What this CLI runs from: a release tree, or a checkout of the repository (bench, development). */
export type Running =
  | { kind: 'release'; dir: string; release: ReleaseRecord }
  | { kind: 'checkout'; dir: string; version: string; commit: string | null; dirty: boolean | null; node: string };

export interface KeptRelease {
  version: string;
  /** null when its RELEASE.json is missing or unreadable. */
  release: ReleaseRecord | null;
}

/** The releases a box keeps under /opt/countyline (issue 14's layout). */
export interface KeptReleases {
  /** `${COUNTYLINE_ROOT}/opt/countyline/releases` */
  dir: string;
  /** Oldest build first; none when the folder does not exist (a checkout, a bench machine). */
  releases: KeptRelease[];
  current: string | null;
  previous: string | null;
  /** The version being tried (the upgrade-pending marker's content), or null when none is. */
  upgradePending: string | null;
}

export interface VersionInfo {
  running: Running;
  kept: KeptReleases;
}

/** The firmware package folder, from this module (`<package>/dist/cli/release-info.js`). */
export const FIRMWARE_PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What runs: in a release tree the package sits at `<tree>/app/node_modules/@countyline/firmware`
 * and `<tree>/RELEASE.json` says which release it is; anywhere else it is a checkout, and git
 * (when there is one) says which commit. `git` is how to ask it; tests pass their own.
 */
export function runningRelease(packageDir: string = FIRMWARE_PACKAGE_DIR, git: (args: string[], cwd: string) => string | null = runGit): Running {
  const pkg = realpathSync(packageDir);
  const parts = pkg.split(sep);
  const tree = resolve(pkg, '..', '..', '..', '..');
  if (parts.slice(-4).join('/') === 'app/node_modules/@countyline/firmware' && existsSync(join(tree, 'RELEASE.json'))) {
    return { kind: 'release', dir: tree, release: readRelease(join(tree, 'RELEASE.json')) ?? unreadable(join(tree, 'RELEASE.json')) };
  }
  const version = (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string }).version;
  const commit = git(['rev-parse', 'HEAD'], pkg);
  const status = commit === null ? null : git(['status', '--porcelain'], pkg);
  return { kind: 'checkout', dir: dirname(pkg), version, commit, dirty: status === null ? null : status !== '', node: process.versions.node };
}

/** The releases kept under `${COUNTYLINE_ROOT}/opt/countyline`. */
export function keptReleases(env: NodeJS.ProcessEnv = process.env): KeptReleases {
  const base = join(env.COUNTYLINE_ROOT ?? '/', 'opt', 'countyline');
  const dir = join(base, 'releases');
  const versions = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()) : [];
  const releases = versions.map((e) => ({ version: e.name, release: readRelease(join(dir, e.name, 'RELEASE.json')) }));
  releases.sort((a, b) => (a.release?.builtAt ?? '').localeCompare(b.release?.builtAt ?? '') || a.version.localeCompare(b.version));
  return { dir, releases, current: linkedVersion(join(base, 'current')), previous: linkedVersion(join(base, 'previous')), upgradePending: marker(join(base, 'upgrade-pending')) };
}

export function versionInfo(env: NodeJS.ProcessEnv = process.env): VersionInfo {
  return { running: runningRelease(), kept: keptReleases(env) };
}

/** The release a `current`/`previous` symlink points at (the last part of its target), or null if there is none. */
function linkedVersion(link: string): string | null {
  try {
    return basename(readlinkSync(link).replace(/\/+$/, ''));
  } catch {
    return null;
  }
}

function marker(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim() || '?';
  } catch {
    return null;
  }
}

function readRelease(file: string): ReleaseRecord | null {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<ReleaseRecord>;
    return typeof r.version === 'string' && typeof r.commit === 'string' ? (r as ReleaseRecord) : null;
  } catch {
    return null;
  }
}

function unreadable(file: string): ReleaseRecord {
  return { version: `? (${file} unreadable)`, commit: '?', dirty: false, builtAt: '', node: '?' };
}

function runGit(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch {
    return null;
  }
}
