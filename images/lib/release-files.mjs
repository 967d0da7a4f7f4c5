// The release tree's own files, around the runtime and the app: the commands, the udev rule,
// the default config, the systemd units and RELEASE.json.
import { chmodSync, copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The maintainer scripts the .deb runs, when images/debian/ holds them. */
export const MAINTAINER_SCRIPTS = ['postinst', 'prerm', 'postrm'];

/** What RELEASE.json says: the release's identity, read by `countyline version` and countyline-release. */
export function releaseRecord({ version, commit, dirty, commitTime, nodeVersion }) {
  // builtAt is the commit time, not the time of the build: the same commit gives the same bytes.
  return { version, commit, dirty, builtAt: new Date(commitTime * 1000).toISOString(), node: nodeVersion };
}

/**
 * Writes bin/countyline, bin/countyline-release, udev/, config/, systemd/ (the units) and
 * RELEASE.json into the tree. Returns the units' file names.
 */
export function writeReleaseFiles(imagesDir, treeDir, record) {
  const put = (file) => {
    mkdirSync(join(treeDir, file, '..'), { recursive: true });
    copyFileSync(join(imagesDir, file), join(treeDir, file));
  };
  for (const file of ['bin/countyline', 'bin/countyline-release', 'udev/60-countyline.rules', 'config/config.default.json']) put(file);
  const units = readdirSync(join(imagesDir, 'systemd')).filter((name) => name.endsWith('.service')).sort();
  for (const unit of units) put(`systemd/${unit}`);
  for (const command of ['countyline', 'countyline-release']) chmodSync(join(treeDir, 'bin', command), 0o755);
  writeFileSync(join(treeDir, 'RELEASE.json'), `${JSON.stringify(record, null, 2)}\n`);
  return units;
}

/** The maintainer scripts in images/debian/, as full paths by name. */
export function maintainerScripts(imagesDir) {
  return MAINTAINER_SCRIPTS.map((name) => ({ name, path: join(imagesDir, 'debian', name) }));
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
