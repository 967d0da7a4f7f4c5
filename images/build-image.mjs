#!/usr/bin/env node
// `npm run image`: the box's package for linux-arm64, built from this checkout.
//
//   node images/build-image.mjs [--out <dir>]      (after `npm run build`; npm run image does both)
//   node images/build-image.mjs --tarball-only     the release tree's tarball, no .deb (the
//                                                  emulated bench test and benchmark: xz over
//                                                  90 MiB is most of a build's time)
//
// Writes <out>/countyline_<version>_arm64.deb and <out>/countyline-<version>-linux-arm64.tar.gz
// (default out: images/out/). Both hold the same release tree (layout: the release tree
// section of the issue 14 notes, and RELEASE.json in it); the .deb puts it in
// /usr/lib/countyline/ with the udev rule and the systemd units in their system places.
// The same commit gives the same bytes: every time stamp is the commit's, files are in
// sorted order, owned by root, with fixed modes, and no path of the build machine is in them.
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzip, reproducibleTar } from './lib/archive.mjs';
import { buildDeb, controlText, installedSizeKiB, layoutDebRoot } from './lib/deb.mjs';
import { dependencyClosure } from './lib/dependency-closure.mjs';
import { gitState, releaseVersion } from './lib/git-version.mjs';
import { fetchNodePackage, installNode } from './lib/node-runtime.mjs';
import { copyPackage } from './lib/package-files.mjs';
import { createProgress, formatSize } from './lib/progress.mjs';
import { maintainerScripts, normaliseModes, releaseRecord, writeReleaseFiles } from './lib/release-files.mjs';
import { BuildError, requireTool, run } from './lib/run.mjs';
import { checkTree, describeProblems } from './lib/tree-check.mjs';
import { copyCardPackage, copyFirmware } from './lib/workspace-files.mjs';

const imagesDir = dirname(fileURLToPath(import.meta.url));
const root = join(imagesDir, '..');

/**
 * Dependencies the box must not get although package.json lists them.
 * unix-dgram: @countyline/e1-gateway needs it only for the card simulator's MTP2 peer socket
 * (src/sim). It is a native addon that npm compiled on the build machine (x86-64), it has no
 * prebuilds for arm64, and the box never runs the simulator: the card package goes in
 * without the simulator and without this dependency (see copyCardPackage).
 */
const LEAVE_OUT = new Map([['unix-dgram', 'the card simulator only (its MTP2 peer socket); a native addon built for the build machine']]);

async function main() {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'tarball-only': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write('usage: node images/build-image.mjs [--out <dir>] [--tarball-only]   (default out: images/out/)\n');
    return;
  }
  const withDeb = !values['tarball-only'];
  const outDir = resolve(values.out ?? join(imagesDir, 'out'));
  const image = JSON.parse(readFileSync(join(imagesDir, 'image.json'), 'utf8'));
  const progress = createProgress(withDeb ? 9 : 7);

  progress.step('checking the build tools');
  const strip = requireTool('aarch64-linux-gnu-strip', 'binutils-aarch64-linux-gnu', "to strip the arm64 node binary's symbols");
  requireTool('tar', 'tar', 'to write the archives');
  requireTool('xz', 'xz-utils', "to compress the .deb's contents");
  requireTool('gzip', 'gzip', 'to compress the tarball');
  requireTool('dpkg-deb', 'dpkg', 'to check the .deb it writes');
  requireTool('git', 'git', "to read the commit the release is built from");
  await checkGnuTar();

  const state = await gitState(root);
  const baseVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const version = releaseVersion(baseVersion, state);
  progress.note(`version ${version}${state.dirty ? ' (the checkout has changes that are not committed)' : ''}; time stamps ${new Date(state.commitTime * 1000).toISOString()} (the commit's)`);

  const scratch = mkdtempSync(join(tmpdir(), 'countyline-image-'));
  try {
    const treeName = `countyline-${version}`;
    const treeDir = join(scratch, 'tarball', treeName);
    mkdirSync(treeDir, { recursive: true });

    progress.step('speaking the prompt set (espeak-ng, sox; only what changed)');
    await run(process.execPath, [join(root, 'scripts', 'build-prompts.mjs')], { cwd: root });

    progress.step(`Node ${image.node.version} for linux-arm64 (${image.node.package})`);
    const tarball = await fetchNodePackage(image.node, join(imagesDir, '.cache'), progress.note);
    await installNode(tarball, treeDir, scratch, strip);
    const nodeSize = statSync(join(treeDir, 'node', 'bin', 'node')).size;
    progress.note(`node/bin/node stripped: ${formatSize(nodeSize)}`);

    progress.step('the firmware and its production dependencies');
    const appDir = join(treeDir, 'app');
    const { packages, leftOut } = dependencyClosure(root, '@countyline/firmware', LEAVE_OUT);
    for (const pkg of packages) {
      const to = join(appDir, pkg.target);
      if (pkg.name === '@countyline/firmware') {
        const { skipped, promptFiles } = copyFirmware(pkg.dir, to);
        progress.note(`@countyline/firmware: dist, bin, ${promptFiles} prompt files`);
        for (const file of skipped) progress.note(`left out firmware-ts/${file}: its source is gone from src/ (stale output)`);
      } else if (pkg.name === '@countyline/e1-gateway') {
        const { modules } = copyCardPackage(pkg.dir, to, LEAVE_OUT);
        progress.note(`@countyline/e1-gateway: ${modules} modules of the protocol and codecs, no simulator`);
      } else {
        copyPackage(pkg, appDir);
      }
    }
    progress.note(`${packages.length - 2} third-party packages`);
    for (const l of leftOut) progress.note(`left out ${l.name} (a dependency of ${l.by}): ${l.why}`);

    progress.step('the command, udev rule, default config and RELEASE.json');
    const record = releaseRecord({ version, commit: state.commit, dirty: state.dirty, commitTime: state.commitTime, nodeVersion: image.node.version });
    const units = writeReleaseFiles(imagesDir, treeDir, record);
    const scripts = maintainerScripts(imagesDir);
    progress.note(`units: ${units.join(', ')}`);
    normaliseModes(treeDir);

    progress.step('checking the tree (no TypeScript, tests, source maps; every ELF file aarch64)');
    const problems = checkTree(treeDir);
    if (problems.length > 0) throw new BuildError(describeProblems(problems, treeName));
    const treeSize = folderSize(treeDir);
    progress.note(`clean: ${countFiles(treeDir)} files, ${formatSize(treeSize)}`);

    mkdirSync(outDir, { recursive: true });
    const tgz = join(outDir, `${treeName}-linux-arm64.tar.gz`);
    const deb = join(outDir, `${image.deb.package}_${version}_${image.arch}.deb`);

    progress.step(`the tarball ${tgz}`);
    await reproducibleTar(join(scratch, 'tarball'), [treeName], join(scratch, 'tree.tar'), state.commitTime);
    await gzip(join(scratch, 'tree.tar'), tgz);

    if (withDeb) {
      progress.step(`the Debian package ${deb}`);
      const debRoot = join(scratch, 'deb-root');
      layoutDebRoot(treeDir, debRoot, units);
      normaliseModes(debRoot);
      const control = controlText(image.deb, { version, arch: image.arch, installedSize: installedSizeKiB(debRoot) });
      await buildDeb({ root: debRoot, scratch: join(scratch, 'deb'), control, scripts, mtime: state.commitTime, out: deb });
      progress.note(`units in /lib/systemd/system; maintainer scripts: ${scripts.map((s) => s.name).join(', ')}`);

      progress.step('reading the .deb back with dpkg-deb');
      const info = (await run('dpkg-deb', ['--info', deb])).toString();
      if (!/^ Architecture: arm64$/m.test(info) || !info.includes(` Version: ${version}\n`)) throw new BuildError(`dpkg-deb --info ${deb} does not show Version ${version} and Architecture arm64:\n${info}`);
      await run('dpkg-deb', ['--contents', deb]);
    }
    progress.done([
      ...(withDeb ? [`  ${deb}: ${formatSize(statSync(deb).size)}`] : []),
      `  ${tgz}: ${formatSize(statSync(tgz).size)}`,
      `  release tree: ${formatSize(treeSize)} unpacked, of which node/bin/node ${formatSize(nodeSize)}`,
    ]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** --sort=name and the pax options are GNU tar's; BSD tar would take other flags or none. */
async function checkGnuTar() {
  const version = (await run('tar', ['--version'])).toString();
  if (!version.includes('GNU tar')) throw new BuildError(`tar is not GNU tar (${version.split('\n')[0]}); install the Debian package tar`);
}

function folderSize(dir) {
  let bytes = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) bytes += statSync(join(e.parentPath ?? e.path, e.name)).size;
  return bytes;
}

function countFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
}

try {
  await main();
} catch (err) {
  if (!(err instanceof BuildError)) throw err;
  process.stderr.write(`countyline image: ${err.message}\n`);
  process.exitCode = 1;
}
