// The Debian package: control, md5sums and maintainer scripts in control.tar.xz; the files
// in data.tar.xz; both with debian-binary in an ar archive (deb(5)).
import { createHash } from 'node:crypto';
import { copyFileSync, chmodSync, cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reproducibleTar, writeAr, xz } from './archive.mjs';

/**
 * Lays out what the package installs under `root`:
 *   /usr/lib/countyline/             the release tree (what countyline-release copies into
 *                                    /opt/countyline/releases/<version>/)
 *   /lib/udev/rules.d/60-countyline.rules
 *   /lib/systemd/system/<units>      the tree's systemd/ units
 *   /usr/bin/countyline              -> /opt/countyline/current/bin/countyline (dangling until
 *                                    the postinst installs the release; dpkg owns it, so
 *                                    removing the package removes it)
 *   /usr/sbin/countyline-release     -> /usr/lib/countyline/bin/countyline-release (upgrades
 *                                    and rollbacks by hand; the package's own copy, as the
 *                                    units call it, not the one in a release being tried)
 */
export function layoutDebRoot(treeDir, root, units) {
  cpSync(treeDir, join(root, 'usr', 'lib', 'countyline'), { recursive: true });
  mkdirSync(join(root, 'lib', 'udev', 'rules.d'), { recursive: true });
  copyFileSync(join(treeDir, 'udev', '60-countyline.rules'), join(root, 'lib', 'udev', 'rules.d', '60-countyline.rules'));
  mkdirSync(join(root, 'lib', 'systemd', 'system'), { recursive: true });
  for (const unit of units) copyFileSync(join(treeDir, 'systemd', unit), join(root, 'lib', 'systemd', 'system', unit));
  mkdirSync(join(root, 'usr', 'bin'), { recursive: true });
  symlinkSync('/opt/countyline/current/bin/countyline', join(root, 'usr', 'bin', 'countyline'));
  mkdirSync(join(root, 'usr', 'sbin'), { recursive: true });
  symlinkSync('/usr/lib/countyline/bin/countyline-release', join(root, 'usr', 'sbin', 'countyline-release'));
}

/** Installed-Size in KiB, as dpkg-gencontrol counts it: each file rounded up to 1 KiB, 1 per folder and symlink. */
export function installedSizeKiB(root) {
  let kib = 0;
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    kib += entry.isFile() ? Math.ceil(statSync(join(entry.parentPath ?? entry.path, entry.name)).size / 1024) : 1;
  }
  return kib;
}

/** The control file (deb-control(5)). The Maintainer in image.json is a placeholder (.invalid is reserved, RFC 2606). */
export function controlText(deb, { version, arch, installedSize }) {
  const description = deb.description.map((line) => ` ${line}`).join('\n');
  return [
    `Package: ${deb.package}`,
    `Version: ${version}`,
    `Architecture: ${arch}`,
    `Maintainer: ${deb.maintainer}`,
    `Installed-Size: ${installedSize}`,
    `Depends: ${deb.depends.join(', ')}`,
    `Section: ${deb.section}`,
    `Priority: ${deb.priority}`,
    `Description: ${deb.summary}`,
    description,
    '',
  ].join('\n');
}

/** md5sums: one line per regular file, "<md5>  <path without the leading />", sorted by path. */
export function md5sums(root) {
  return listFiles(root)
    .filter((f) => lstatSync(join(root, f)).isFile())
    .map((f) => `${createHash('md5').update(readFileSync(join(root, f))).digest('hex')}  ${f}\n`)
    .join('');
}

/** Builds `<out>` from the laid-out `root`, the control text and the maintainer scripts. */
export async function buildDeb({ root, scratch, control, scripts, mtime, out }) {
  const controlDir = join(scratch, 'control');
  mkdirSync(controlDir, { recursive: true });
  writeFileSync(join(controlDir, 'control'), control);
  writeFileSync(join(controlDir, 'md5sums'), md5sums(root));
  for (const { name, path } of scripts) {
    copyFileSync(path, join(controlDir, name));
    chmodSync(join(controlDir, name), 0o755);
  }
  chmodSync(join(controlDir, 'control'), 0o644);
  chmodSync(join(controlDir, 'md5sums'), 0o644);
  chmodSync(controlDir, 0o755);
  await reproducibleTar(controlDir, ['.'], join(scratch, 'control.tar'), mtime);
  await xz(join(scratch, 'control.tar'), join(scratch, 'control.tar.xz'));
  await reproducibleTar(root, ['.'], join(scratch, 'data.tar'), mtime);
  await xz(join(scratch, 'data.tar'), join(scratch, 'data.tar.xz'));
  writeFileSync(join(scratch, 'debian-binary'), '2.0\n');
  writeAr(
    out,
    ['debian-binary', 'control.tar.xz', 'data.tar.xz'].map((name) => ({ name, file: join(scratch, name) })),
    mtime,
  );
}

/** Files and symlinks under `dir`, relative, sorted; none if it does not exist. */
function listFiles(dir) {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => !e.isDirectory())
      .map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1))
      .sort();
  } catch {
    return [];
  }
}
