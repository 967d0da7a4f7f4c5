// What the build is made of: the commit, whether the checkout differs from it, and the
// version and timestamps that follow from them.
import { BuildError, run } from './run.mjs';

/**
 * The checkout's commit and state. "Dirty" means `git status --porcelain` lists anything:
 * a changed or staged tracked file, or an untracked file that .gitignore does not cover (an
 * untracked source would be compiled into dist/). Ignored files (node_modules, dist, the
 * spoken prompts, images/out, images/.cache) do not count.
 */
export async function gitState(root) {
  let commit;
  try {
    commit = (await run('git', ['rev-parse', '--verify', 'HEAD'], { cwd: root })).toString().trim();
  } catch (err) {
    throw new BuildError(`${root} is not a git checkout with a commit: the package's version and timestamps come from the commit (${err.message.split('\n')[0]})`);
  }
  const status = (await run('git', ['status', '--porcelain', '--untracked-files=normal'], { cwd: root })).toString();
  const commitTime = Number((await run('git', ['log', '-1', '--format=%ct', commit], { cwd: root })).toString().trim());
  return { commit, dirty: status.trim() !== '', commitTime };
}

/**
 * `0.1.0+g<12 hex digits>[.dirty]`: the package.json version, then the commit. A fixed
 * number of digits, not `git rev-parse --short` (whose length grows with the repository and
 * follows core.abbrev), so the same commit gives the same name everywhere. Valid as a Debian
 * version: "+" sorts after the bare version, "." and letters are allowed.
 */
export function releaseVersion(baseVersion, { commit, dirty }) {
  return `${baseVersion}+g${commit.slice(0, 12)}${dirty ? '.dirty' : ''}`;
}
