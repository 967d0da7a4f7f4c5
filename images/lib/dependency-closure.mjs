// The packages a workspace package needs at run time, as npm installed them in the
// checkout, and where each goes in the release's app/node_modules.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { BuildError } from './run.mjs';

/**
 * Walks `dependencies`, `optionalDependencies` (when installed) and required
 * `peerDependencies` from `start` (a package name installed in `root`), resolving each name
 * the way Node does from the requiring package's real folder: its own node_modules, then each
 * parent's. The release keeps the same nesting (a package found in
 * node_modules/a/node_modules/b goes to app/node_modules/a/node_modules/b; the root's
 * node_modules becomes app/node_modules), so Node resolves the same copies on the box.
 *
 * `leaveOut`: name -> why, packages that are dependencies on paper but must not go on the
 * box; they and whatever only they need are skipped, and reported in `leftOut`.
 *
 * Returns `{ packages, leftOut }`: packages is a list of `{ name, version, dir, target }`
 * (dir: the real folder in the checkout; target: the path under app/), sorted by target.
 */
export function dependencyClosure(root, start, leaveOut = new Map()) {
  const byTarget = new Map();
  const leftOut = [];
  const realRoot = realpathSync(root);
  const first = locate(realRoot, realRoot, start, byTarget, 'the build');
  const queue = [first];
  byTarget.set(first.target, first);
  while (queue.length > 0) {
    const pkg = queue.shift();
    const manifest = readManifest(pkg.dir);
    const optional = new Set(Object.keys(manifest.optionalDependencies ?? {}));
    const peerOptional = new Set(Object.entries(manifest.peerDependenciesMeta ?? {}).filter(([, m]) => m?.optional).map(([n]) => n));
    const wanted = [
      ...Object.keys(manifest.dependencies ?? {}).map((name) => ({ name, required: !optional.has(name) })),
      ...[...optional].map((name) => ({ name, required: false })),
      ...Object.keys(manifest.peerDependencies ?? {})
        .filter((name) => !peerOptional.has(name))
        .map((name) => ({ name, required: true })),
    ];
    for (const { name, required } of wanted) {
      if (leaveOut.has(name)) {
        leftOut.push({ name, by: pkg.name, why: leaveOut.get(name) });
        continue;
      }
      // Type declarations only: nothing loads them at run time.
      if (name.startsWith('@types/')) continue;
      let dep;
      try {
        dep = locate(pkg.dir, realRoot, name, byTarget, pkg.name);
      } catch (err) {
        if (!required) continue;
        throw err;
      }
      const seen = byTarget.get(dep.target);
      if (seen) {
        if (seen.dir !== dep.dir) throw new BuildError(`${dep.target} would hold both ${seen.dir} and ${dep.dir}`);
        continue;
      }
      byTarget.set(dep.target, dep);
      queue.push(dep);
    }
  }
  const packages = [...byTarget.values()].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  return { packages, leftOut };
}

/** Finds `name` as Node would from `fromDir`, and where it goes in the release. */
function locate(fromDir, realRoot, name, byTarget, neededBy) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) {
      const real = realpathSync(candidate);
      const target = join(targetOf(dir, realRoot, byTarget, candidate), 'node_modules', name);
      return { name, version: readManifest(real).version, dir: real, target };
    }
    if (dir === realRoot || dir === dirname(dir)) break;
  }
  throw new BuildError(`${name} (needed by ${neededBy}) is not installed; run npm ci at the top of the repository`);
}

/** Where the folder that holds a node_modules goes in the release: the root is app/ itself; a package is where it was put. */
function targetOf(dir, realRoot, byTarget, candidate) {
  if (dir === realRoot) return '';
  for (const pkg of byTarget.values()) if (pkg.dir === dir) return pkg.target;
  throw new BuildError(`${relative(realRoot, candidate)} is installed in a folder that is not a package (${relative(realRoot, dir)}); the release could not resolve it the same way`);
}

function readManifest(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}
