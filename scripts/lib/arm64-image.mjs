// The box's arm64 release, run on this x86 machine under qemu's user-mode emulation: the
// packaged Node runs the packaged firmware, as on the gateway. Used by the emulated bench
// test and `npm run bench`.
//
// There is no binfmt_misc here (a container), so an arm64 program is started through
// `qemu-aarch64-static -L /usr/aarch64-linux-gnu`, which finds the arm64 C and C++ runtime
// libraries of Debian's cross packages under that prefix.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTool } from './bench-rig.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const QEMU = 'qemu-aarch64-static';
export const CROSS_PREFIX = '/usr/aarch64-linux-gnu';

/** Fails loudly, naming the Debian packages, when the emulator or the arm64 runtime is missing. */
export function requireEmulator() {
  requireTool(QEMU, 'running the arm64 package on this machine (Debian package qemu-user-static)');
  const needed = [
    ['lib/ld-linux-aarch64.so.1', 'libc6-arm64-cross'],
    ['lib/libstdc++.so.6', 'libstdc++6-arm64-cross'],
    ['lib/libgcc_s.so.1', 'libgcc-s1-arm64-cross'],
  ];
  const missing = needed.filter(([file]) => !existsSync(join(CROSS_PREFIX, file)));
  if (missing.length > 0) {
    throw new Error(
      `the arm64 runtime for qemu is missing (${missing.map(([f]) => join(CROSS_PREFIX, f)).join(', ')}); install: apt-get install ${missing.map(([, p]) => p).join(' ')} (or run bash scripts/setup-debian.sh)`,
    );
  }
}

/**
 * Builds the package's release tree from this checkout into `dir` (`npm run image`'s builder,
 * its tarball only: the same tree the .deb carries, without the minute of xz) and unpacks it there. Returns the release tree's folder and its RELEASE.json.
 * `onLine` sees the builder's progress lines.
 */
export async function buildArm64Tree(dir, { onLine } = {}) {
  await mkdir(dir, { recursive: true });
  const out = join(dir, 'out');
  await new Promise((resolve, reject) => {
    // Nice: the build's compression would otherwise take the CPU from the tests running beside
    // it, whose firmware keeps real-time promises (a heartbeat every second, alarm timings).
    const child = spawn('nice', ['-n', '10', process.execPath, join(root, 'images', 'build-image.mjs'), '--out', out, '--tarball-only'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = [];
    const take = (chunk) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        onLine?.(line);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`npm run image's builder failed (${code ?? signal}):\n${lines.slice(-30).join('\n')}`)),
    );
  });
  const tarball = readdirSync(out).find((f) => f.endsWith('-linux-arm64.tar.gz'));
  if (!tarball) throw new Error(`the builder wrote no tarball into ${out} (found: ${readdirSync(out).join(', ')})`);
  const untar = spawnSync('tar', ['-xzf', join(out, tarball), '-C', dir], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar -xzf ${tarball}: ${untar.stderr}`);
  const folder = readdirSync(dir).find((f) => f.startsWith('countyline-') && !f.endsWith('.tar.gz'));
  if (!folder) throw new Error(`the tarball ${tarball} holds no countyline-<version>/ folder`);
  return openArm64Tree(join(dir, folder));
}

/** A release tree already on disk (COUNTYLINE_ARM64_TREE, for a quick loop without a build). */
export function openArm64Tree(tree) {
  const node = join(tree, 'node', 'bin', 'node');
  const cli = join(tree, 'app', 'node_modules', '@countyline', 'firmware', 'bin', 'countyline.js');
  for (const file of [node, cli]) if (!existsSync(file)) throw new Error(`${file} is missing: ${tree} is not a Countyline release tree`);
  const release = existsSync(join(tree, 'RELEASE.json')) ? JSON.parse(readFileSync(join(tree, 'RELEASE.json'), 'utf8')) : null;
  return {
    tree,
    release,
    /** The packaged firmware's `countyline` command under the emulator: program and first arguments. */
    command: [QEMU, '-L', CROSS_PREFIX, node, cli],
  };
}
