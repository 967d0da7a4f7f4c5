// `npm run image` end to end: the real build, twice, into two folders. The same commit must
// give the same bytes; dpkg-deb must read the .deb as an arm64 package; the tree in the
// tarball must pass the tree check; and the packaged arm64 Node must run the packaged
// firmware under qemu (user mode, no binfmt_misc: qemu-aarch64-static -L <arm64 sysroot>).
// A missing tool fails the test with the Debian package to install; it never skips.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { checkTree } from '../../images/lib/tree-check.mjs';
import { CROSS_PREFIX, QEMU, requireEmulator } from '../../scripts/lib/arm64-image.mjs';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

/** The tools the build and this test use, and the Debian packages that bring them. */
const TOOLS: [string, string][] = [
  ['dpkg-deb', 'dpkg'],
  ['xz', 'xz-utils'],
  ['aarch64-linux-gnu-strip', 'binutils-aarch64-linux-gnu'],
];

async function has(tool: string): Promise<boolean> {
  try {
    await exec('sh', ['-c', `command -v ${tool}`]);
    return true;
  } catch {
    return false;
  }
}

async function git(...args: string[]): Promise<string> {
  return (await exec('git', args, { cwd: root })).stdout.trim();
}

async function build(out: string): Promise<string> {
  // Nice: two builds' xz would otherwise take the CPU from the bench tests running beside this
  // file, whose firmware keeps real-time promises (a heartbeat a second, alarm timings).
  const { stdout } = await exec('nice', ['-n', '10', process.execPath, join(root, 'images', 'build-image.mjs'), '--out', out], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

t.test('the image build: reproducible, readable by dpkg, clean, and its arm64 Node runs the firmware', async (t) => {
  const missing = [];
  for (const [tool, pkg] of TOOLS) if (!(await has(tool))) missing.push(`${tool} (Debian package ${pkg})`);
  if (missing.length > 0) throw new Error(`the image test needs: ${missing.join('; ')}. Install them with: bash scripts/setup-debian.sh`);
  requireEmulator();

  // The version the build must name, from the same git state it reads.
  const commit = await git('rev-parse', 'HEAD');
  const dirty = (await git('status', '--porcelain', '--untracked-files=normal')) !== '';
  const base = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const version = `${base}+g${commit.slice(0, 12)}${dirty ? '.dirty' : ''}`;
  const debName = `countyline_${version}_arm64.deb`;
  const tgzName = `countyline-${version}-linux-arm64.tar.gz`;

  const work = mkdtempSync(join(tmpdir(), 'countyline-image-test-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const [a, b] = [join(work, 'a'), join(work, 'b')];
  const log = await build(a);
  t.match(log, /countyline image \[1\/9\] /, 'progress lines per step');
  t.match(log, /node\/bin\/node \d+\.\d MiB/, 'the sizes are reported');
  await build(b);

  t.same(readdirSync(a).sort(), [tgzName, debName].sort(), 'the .deb and the tarball, named by the version');
  for (const name of [debName, tgzName]) t.ok(readFileSync(join(a, name)).equals(readFileSync(join(b, name))), `${name}: the same bytes from two builds`);

  const info = (await exec('dpkg-deb', ['--info', join(a, debName)])).stdout;
  t.match(info, /^ Package: countyline$/m);
  t.match(info, /^ Architecture: arm64$/m);
  t.match(info, new RegExp(`^ Version: ${version.replace(/[.+]/g, '\\$&')}$`, 'm'));
  t.match(info, /^ Depends: .*\bsocat\b/m);
  const contents = (await exec('dpkg-deb', ['--contents', join(a, debName)], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  for (const path of ['./usr/lib/countyline/bin/countyline', './usr/lib/countyline/node/bin/node', './usr/lib/countyline/RELEASE.json', './lib/udev/rules.d/60-countyline.rules']) {
    t.match(contents, new RegExp(` ${path.replace(/[.]/g, '\\.')}\\b`), `the .deb installs ${path}`);
  }
  for (const path of ['./lib/systemd/system/countyline.service', './lib/systemd/system/countyline-rollback.service', './usr/lib/countyline/bin/countyline-release']) {
    t.match(contents, new RegExp(` ${path.replace(/[.]/g, '\\.')}\\b`), `the .deb installs ${path}`);
  }
  t.match(contents, / \.\/usr\/bin\/countyline -> \/opt\/countyline\/current\/bin\/countyline$/m, 'countyline on PATH follows the current release');
  t.match(contents, / \.\/usr\/sbin\/countyline-release -> \/usr\/lib\/countyline\/bin\/countyline-release$/m, 'countyline-release on root\'s PATH');
  t.match(info, /^ Depends: .*\bsystemd\b/m);
  t.match(info, /^ +\d+ bytes, +\d+ lines +\* +postinst /m, 'with the maintainer scripts');
  t.notMatch(contents, /unix-dgram|\/sim\/|countyline-sim/, 'no card simulator and no unix-dgram');
  t.match(contents, /^-rw-r--r-- 0\/0 /m, 'owned by root');

  const unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  await exec('tar', ['-xzf', join(a, tgzName), '-C', unpacked]);
  const tree = join(unpacked, `countyline-${version}`);
  t.same(checkTree(tree), [], 'the tree check passes on the shipped tree');
  const release = JSON.parse(readFileSync(join(tree, 'RELEASE.json'), 'utf8')) as Record<string, unknown>;
  t.match(release, { version, commit, dirty, node: '20.20.2' });
  const prebuilds = join(tree, 'app', 'node_modules', '@serialport', 'bindings-cpp', 'prebuilds');
  t.same(readdirSync(prebuilds), ['linux-arm64'], 'serialport prebuilds: linux-arm64 only');
  t.same(readdirSync(join(prebuilds, 'linux-arm64')), ['@serialport+bindings-cpp.armv8.glibc.node'], 'glibc, not musl');

  // The packaged Node under qemu, as bin/countyline would run it (the wrapper itself would
  // need binfmt_misc to start an arm64 program).
  const node = join(tree, 'node', 'bin', 'node');
  const arm64 = (args: string[], env: NodeJS.ProcessEnv = {}) => exec(QEMU, ['-L', CROSS_PREFIX, node, ...args], { env: { ...process.env, ...env }, timeout: 120_000 });
  const boxRoot = join(work, 'box');
  const { stdout } = await arm64([join(tree, 'app', 'node_modules', '@countyline', 'firmware', 'bin', 'countyline.js'), 'version', '--json'], { COUNTYLINE_ROOT: boxRoot });
  const shown = JSON.parse(stdout) as { running: { kind: string; dir: string; release: { version: string } }; kept: { releases: unknown[] } };
  t.equal(shown.running.kind, 'release');
  t.equal(shown.running.release.version, version, 'countyline version names the built version');
  t.equal(shown.running.dir, tree);
  t.same(shown.kept.releases, [], 'nothing kept under an empty COUNTYLINE_ROOT');
  const wrapper = readFileSync(join(tree, 'bin', 'countyline'), 'utf8');
  t.match(wrapper, /exec "\$here\/\.\.\/node\/bin\/node" "\$here\/\.\.\/app\/node_modules\/@countyline\/firmware\/bin\/countyline\.js" "\$@"/, 'the wrapper runs the same two files');

  // The serial port's native addon loads in the arm64 Node (glibc, with the cross libstdc++).
  const loaded = await arm64(['-e', `const b = require(${JSON.stringify(join(tree, 'app', 'node_modules', 'node-gyp-build'))})(${JSON.stringify(join(tree, 'app', 'node_modules', '@serialport', 'bindings-cpp'))}); console.log(typeof b.open)`]);
  t.equal(loaded.stdout.trim(), 'function', 'the arm64 serialport addon loads');
});
