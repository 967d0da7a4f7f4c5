// What must never be in a release tree, checked on the tree itself after it is assembled,
// so that a mistake in any copy or prune rule fails the build instead of reaching a box.
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { EM_AARCH64, readElfHeader } from './elf.mjs';

/** Folders that hold tests, wherever they are. */
const TEST_DIRS = new Set(['test', 'tests', '__tests__', 'test-support']);

/**
 * Every problem in the tree at `dir`, as `<relative path>: <what is wrong>`, sorted:
 * - TypeScript of any kind (.ts, .mts, .cts, declarations included): the box runs the
 *   compiled JavaScript, and the build leaves declarations out everywhere;
 * - source maps (.map) and TypeScript build info (.tsbuildinfo);
 * - tests: *.test.* / *.spec.* files and test folders;
 * - ELF files (programs, shared objects, native addons) for anything but aarch64: the box
 *   cannot load them, and an x86 addon means a dependency was compiled on the build machine.
 */
export function checkTree(dir) {
  const problems = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath ?? entry.path, entry.name);
    const rel = path.slice(dir.length + 1);
    if (entry.isDirectory()) {
      if (TEST_DIRS.has(entry.name)) problems.push(`${rel}: a test folder`);
      continue;
    }
    if (!entry.isFile()) continue;
    if (/\.[cm]?ts$/.test(entry.name)) problems.push(`${rel}: TypeScript (the box runs the compiled JavaScript)`);
    else if (/\.map$/.test(entry.name)) problems.push(`${rel}: a source map`);
    else if (/\.tsbuildinfo$/.test(entry.name)) problems.push(`${rel}: TypeScript build info`);
    if (/\.(test|spec)\.[cm]?[jt]s$/.test(entry.name)) problems.push(`${rel}: a test`);
    const elf = readElfHeader(path);
    if (elf && elf.machine !== EM_AARCH64) problems.push(`${rel}: an ELF file for ${elf.machineName}, not aarch64`);
  }
  return problems.sort();
}

/** How a failed check reads: the first problems, and how many more. */
export function describeProblems(problems, dir, shown = 20) {
  const more = problems.length > shown ? `\n  ... and ${problems.length - shown} more` : '';
  return `the release tree ${dir}${sep} holds what must not go on a box:\n  ${problems.slice(0, shown).join('\n  ')}${more}`;
}
