// The release tree's own files, around the runtime and the app: the command, the udev rule,
// the default config, RELEASE.json, and what the systemd side of issue 14 adds when present.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The maintainer scripts the .deb runs, when images/debian/ holds them. */
export const MAINTAINER_SCRIPTS = ['postinst', 'prerm', 'postrm'];

/** What RELEASE.json says: the release's identity, read by `countyline version` and countyline-release. */
export function releaseRecord({ version, commit, dirty, commitTime, nodeVersion }) {
  // builtAt is the commit time, not the time of the build: the same commit gives the same bytes.
  return { version, commit, dirty, builtAt: new Date(commitTime * 1000).toISOString(), node: nodeVersion };
}

/**
 * Writes bin/countyline, udev/, config/ and RELEASE.json into the tree, and copies in
 * systemd/* and bin/countyline-release from `imagesDir` if they are there (the build works
 * without them). Returns the optional files it found, relative to the tree.
 */
export function writeReleaseFiles(imagesDir, treeDir, record) {
  const found = [];
  const put = (from, to) => {
    mkdirSync(join(treeDir, to, '..'), { recursive: true });
    copyFileSync(join(imagesDir, from), join(treeDir, to));
  };
  put('bin/countyline', 'bin/countyline');
  put('udev/60-countyline.rules', 'udev/60-countyline.rules');
  put('config/config.default.json', 'config/config.default.json');
  if (existsSync(join(imagesDir, 'bin', 'countyline-release'))) {
    put('bin/countyline-release', 'bin/countyline-release');
    chmodSync(join(treeDir, 'bin', 'countyline-release'), 0o755);
    found.push('bin/countyline-release');
  }
  const systemd = join(imagesDir, 'systemd');
  for (const name of existsSync(systemd) ? readdirSync(systemd).sort() : []) {
    if (!statSync(join(systemd, name)).isFile()) continue;
    put(`systemd/${name}`, `systemd/${name}`);
    found.push(`systemd/${name}`);
  }
  chmodSync(join(treeDir, 'bin', 'countyline'), 0o755);
  writeFileSync(join(treeDir, 'RELEASE.json'), `${JSON.stringify(record, null, 2)}\n`);
  return found;
}

/** The maintainer scripts present in images/debian/, as full paths by name. */
export function maintainerScripts(imagesDir) {
  return MAINTAINER_SCRIPTS.map((name) => ({ name, path: join(imagesDir, 'debian', name) })).filter((s) => existsSync(s.path));
}

/**
 * Fixed modes: 0755 for folders and for files someone may run (any x bit in the checkout),
 * 0644 for the rest. What npm or the umask of the build machine left must not reach the
 * archives.
 */
export function normaliseModes(dir) {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if (entry.isDirectory()) chmodSync(path, 0o755);
    else if (entry.isFile()) chmodSync(path, statSync(path).mode & 0o111 ? 0o755 : 0o644);
  }
}
