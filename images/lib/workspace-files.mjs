// The repository's own packages in the release: the firmware, and the part of the card
// package (@countyline/e1-gateway) that the firmware loads.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { BuildError } from './run.mjs';

/**
 * The firmware: package.json (the firmware reads its version from it), bin/, the compiled
 * dist/ and the spoken prompt set. Of dist/, only JavaScript compiled from a source that is
 * still in src/ and is not a test: tsc -b never deletes the output of a removed source, and a
 * stale module must not ride along. The prompts are what scripts/build-prompts.mjs speaks
 * into firmware-ts/prompts/<lang>/<name>.alaw; the firmware plays them from there
 * (BUILT_PROMPTS_DIR in src/prompts/prompt-library.ts is `<package>/prompts/`).
 */
export function copyFirmware(srcDir, to) {
  const skipped = [];
  mkdirSync(to, { recursive: true });
  copyFileSync(join(srcDir, 'package.json'), join(to, 'package.json'));
  cpSync(join(srcDir, 'bin'), join(to, 'bin'), { recursive: true });
  const dist = join(srcDir, 'dist');
  for (const rel of compiledModules(dist)) {
    const source = join(srcDir, 'src', rel.replace(/\.js$/, '.ts'));
    if (!existsSync(source)) {
      skipped.push(`dist/${rel}`);
      continue;
    }
    mkdirSync(dirname(join(to, 'dist', rel)), { recursive: true });
    copyFileSync(join(dist, rel), join(to, 'dist', rel));
  }
  const prompts = join(srcDir, 'prompts');
  let promptFiles = 0;
  for (const lang of existsSync(prompts) ? readdirSync(prompts, { withFileTypes: true }) : []) {
    if (!lang.isDirectory()) continue;
    for (const file of readdirSync(join(prompts, lang.name)).filter((f) => f.endsWith('.alaw'))) {
      mkdirSync(join(to, 'prompts', lang.name), { recursive: true });
      copyFileSync(join(prompts, lang.name, file), join(to, 'prompts', lang.name, file));
      promptFiles++;
    }
  }
  if (promptFiles === 0) throw new BuildError(`no spoken prompts in ${prompts}; run npm run prompts (needs espeak-ng and sox)`);
  return { skipped, promptFiles };
}

/** dist/'s JavaScript modules that are not tests, relative to dist/, sorted. */
function compiledModules(dist) {
  if (!existsSync(dist)) throw new BuildError(`${dist} is missing; run npm run build first (npm run image does)`);
  return readdirSync(dist, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.js') && !/\.test\.js$/.test(f))
    .sort();
}

/**
 * The card package: only the modules reachable from the entry points the firmware imports
 * ("." and "./protocol"), found by following their relative imports. The simulator
 * (./sim, bin/countyline-sim) is for the bench and never runs on a box, so neither it nor
 * what only it needs goes in: its package.json is rewritten without the sim export, the bin
 * and the unix-dgram dependency (see build-image.mjs for why that one must stay out).
 */
export function copyCardPackage(srcDir, to, leaveOutDeps) {
  const manifest = JSON.parse(readFileSync(join(srcDir, 'package.json'), 'utf8'));
  const exportsKept = Object.fromEntries(Object.entries(manifest.exports ?? {}).filter(([key]) => key === '.' || key === './protocol'));
  const modules = reachableModules(srcDir, Object.values(exportsKept));
  for (const rel of modules) {
    mkdirSync(dirname(join(to, rel)), { recursive: true });
    copyFileSync(join(srcDir, rel), join(to, rel));
  }
  const dependencies = Object.fromEntries(Object.entries(manifest.dependencies ?? {}).filter(([name]) => !leaveOutDeps.has(name)));
  const trimmed = { name: manifest.name, version: manifest.version, private: manifest.private, description: manifest.description, type: manifest.type, main: manifest.main, exports: exportsKept, dependencies };
  writeFileSync(join(to, 'package.json'), `${JSON.stringify(trimmed, null, 2)}\n`);
  return { modules: modules.length };
}

const RELATIVE_IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*(['"])(\.{1,2}\/[^'"]+)\1/g;

/** Files (relative to the package) reachable from the entry files by relative imports, sorted. */
export function reachableModules(packageDir, entries) {
  const seen = new Set();
  const todo = entries.map((e) => join(packageDir, e));
  while (todo.length > 0) {
    const file = todo.pop();
    const rel = relative(packageDir, file);
    if (seen.has(rel)) continue;
    if (!existsSync(file)) throw new BuildError(`${rel} is imported but missing; run npm run build first`);
    seen.add(rel);
    for (const m of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) todo.push(join(dirname(file), m[2]));
  }
  return [...seen].sort();
}
