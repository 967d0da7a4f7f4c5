// Archives whose bytes depend only on their content and the commit: GNU tar with sorted
// names, the commit time on every entry, root as owner, no atime/ctime in the pax headers
// (and PaxHeaders names without the process id), then xz or gzip without a name or time.
import { readFileSync, writeFileSync } from 'node:fs';
import { run } from './run.mjs';

/** Writes `<tarFile>` of `names` (relative to `dir`), every entry dated `mtime` (seconds). */
export async function reproducibleTar(dir, names, tarFile, mtime) {
  await run('tar', [
    '--create',
    `--file=${tarFile}`,
    '--format=posix',
    '--sort=name',
    `--mtime=@${mtime}`,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    '--no-acls',
    '--no-xattrs',
    '--no-selinux',
    `--directory=${dir}`,
    '--',
    ...names,
  ]);
}

/**
 * xz: -T0 makes xz 5.4+ use its multi-threaded encoder whatever the number of cores, whose
 * output does not depend on how many threads ran (a single-threaded encoder's would differ).
 */
export async function xz(file, out) {
  await run('xz', ['-6', '-T0', '--stdout', file], { stdoutFile: out });
}

/** gzip -n: no file name and no time stamp in the header. */
export async function gzip(file, out) {
  await run('gzip', ['-n', '-6', '--stdout', file], { stdoutFile: out });
}

/**
 * An ar archive (the container of a .deb: deb(5)): the "!<arch>\n" magic, then per member a
 * 60-byte header (name 16, mtime 12, uid 6, gid 6, octal mode 8, size 10, "`\n") and the
 * data, padded to an even length with "\n". Names are written without GNU ar's "/" end, as
 * dpkg-deb writes them.
 */
export function writeAr(out, members, mtime) {
  const parts = [Buffer.from('!<arch>\n')];
  for (const { name, file } of members) {
    const data = readFileSync(file);
    const field = (value, width) => String(value).padEnd(width, ' ');
    parts.push(Buffer.from(`${field(name, 16)}${field(mtime, 12)}${field(0, 6)}${field(0, 6)}${field(100644, 8)}${field(data.length, 10)}\`\n`, 'latin1'));
    parts.push(data);
    if (data.length % 2 === 1) parts.push(Buffer.from('\n'));
  }
  writeFileSync(out, Buffer.concat(parts));
}
