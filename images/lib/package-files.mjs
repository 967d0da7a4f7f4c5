// Copying an installed npm package into the release, leaving out what never runs on the box.
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BuildError } from './run.mjs';
import { readElfHeader, EM_AARCH64 } from './elf.mjs';

/** Folders of tests, examples and repository chores that some packages publish. */
const DROPPED_DIRS = new Set(['test', 'tests', '__tests__', '.github', 'example', 'examples']);

/**
 * Whether a file of a third-party package goes on the box: no TypeScript (sources or
 * declarations), no source maps, no tests, no docs but the licence texts.
 */
export function keepPackageFile(name) {
  if (/\.[cm]?ts$/.test(name) || /\.map$/.test(name) || /\.tsbuildinfo$/.test(name)) return false;
  if (/\.(test|spec)\.[cm]?[jt]s$/.test(name)) return false;
  if (/\.(md|markdown)$/i.test(name)) return /^(licen[cs]e|copying|notice)/i.test(name);
  return true;
}

/**
 * Copies the package at `pkg.dir` to `<appDir>/<pkg.target>`, without its own node_modules
 * (what it needs from there is in the closure and copied to its own place).
 */
export function copyPackage(pkg, appDir) {
  const to = join(appDir, pkg.target);
  const nested = join(pkg.dir, 'node_modules');
  cpSync(pkg.dir, to, {
    recursive: true,
    dereference: true,
    filter: (src) => {
      if (src === nested) return false;
      const name = basename(src);
      if (src !== pkg.dir && DROPPED_DIRS.has(name) && isDir(src)) return false;
      return isDir(src) || keepPackageFile(name);
    },
  });
  keepArm64Addons(pkg, to);
  return to;
}

/**
 * Native addons: a package with a binding.gyp was compiled on the build machine by its
 * install script, into build/ (x86-64 objects, of no use on the box); node-gyp-build falls
 * back to prebuilds/<platform>-<arch>/ when build/ is not there. Of the prebuilds, only
 * linux-arm64 for glibc (Debian) stays: not musl (Alpine), and no other platform. A package
 * that then has no aarch64 addon left cannot run on the box, and fails the build.
 */
function keepArm64Addons(pkg, to) {
  const gyp = existsSync(join(to, 'binding.gyp'));
  if (gyp) rmSync(join(to, 'build'), { recursive: true, force: true });
  const prebuilds = join(to, 'prebuilds');
  if (existsSync(prebuilds)) {
    for (const platform of readdirSync(prebuilds)) {
      const dir = join(prebuilds, platform);
      if (platform !== 'linux-arm64') {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      for (const file of readdirSync(dir)) if (/\.musl\./.test(file)) rmSync(join(dir, file));
    }
  }
  if (!gyp) return;
  const addons = readdirSync(to, { recursive: true }).filter((f) => String(f).endsWith('.node'));
  if (!addons.some((f) => readElfHeader(join(to, String(f)))?.machine === EM_AARCH64)) {
    throw new BuildError(`${pkg.name}@${pkg.version} is a native addon with no linux-arm64 (glibc) build in the package; the box could not load it. Pick a version that ships prebuilds/linux-arm64, or leave the package out of the image`);
  }
}

function isDir(path) {
  return statSync(path).isDirectory();
}
