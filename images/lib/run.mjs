// Running the outside programs the build needs (git, tar, xz, gzip, strip, dpkg-deb, npm),
// with errors that say which program failed, how, and which Debian package brings it.
import { spawn } from 'node:child_process';
import { accessSync, constants, openSync, closeSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A failure the build explains to its user; build-image.mjs prints the message without a stack. */
export class BuildError extends Error {
  name = 'BuildError';
}

/** The program's full path on PATH, or null. */
export function findOnPath(program, env = process.env) {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return null;
}

/** Fails unless `program` is installed; `why` says what the build needs it for. */
export function requireTool(program, debianPackage, why) {
  const path = findOnPath(program);
  if (path === null) throw new BuildError(`${program} is not installed (it is needed ${why}); install the Debian package ${debianPackage}: apt-get install ${debianPackage}`);
  return path;
}

/**
 * Runs a program to its end. Resolves with its stdout (a Buffer), or with nothing when
 * `stdoutFile` takes the output; rejects with a BuildError carrying the tail of its stderr.
 * The environment is pinned to the C locale so that sorting and messages do not depend on
 * the build machine.
 */
export function run(program, args, { cwd, stdoutFile, env } = {}) {
  return new Promise((resolve, reject) => {
    const out = stdoutFile === undefined ? 'pipe' : openSync(stdoutFile, 'w');
    const child = spawn(program, args, { cwd, env: { ...process.env, LC_ALL: 'C', ...env }, stdio: ['ignore', out, 'pipe'] });
    const stdout = [];
    let stderr = '';
    child.stdout?.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    child.on('error', (err) => {
      if (typeof out === 'number') closeSync(out);
      reject(new BuildError(`cannot run ${program}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      if (typeof out === 'number') closeSync(out);
      if (code === 0) return resolve(stdoutFile === undefined ? Buffer.concat(stdout) : undefined);
      const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
      reject(new BuildError(`${program} ${args.join(' ')} ${how}${stderr.trim() ? `:\n${stderr.trim()}` : ''}`));
    });
  });
}
