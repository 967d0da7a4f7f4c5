// tshark, Wireshark's command line, as the oracle for protocol bytes: the tests' one way to
// run it and read its fields. It shares no code with what it checks. A missing tshark fails
// the test with an install hint; no test skips for it.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';

export const TSHARK = process.env.TSHARK ?? 'tshark';
const INSTALL_HINT = 'install it (Debian/Ubuntu: apt-get install -y tshark) or point TSHARK at the binary; this test does not skip';

/** Wireshark's expert severities: 0x600000 (warning) and above are faults. */
export const PI_WARN = 0x600000;

/** One frame as tshark shows it: field name to its value(s), several joined by ';'. */
export type TsharkRow = Record<string, string>;

/**
 * A temp dir for a test's captures, removed at its end, and an environment whose HOME is that
 * dir: the user's own Wireshark preferences must not change what the test reads.
 */
export async function tsharkDir(t: Test, prefix: string): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const dir = await mkdtemp(join(tmpdir(), `countyline-${prefix}-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return { dir, env: tsharkEnv(dir) };
}

/** The environment tshark runs in: HOME (and the XDG config) in `home`, so no user preferences. */
export function tsharkEnv(home: string): NodeJS.ProcessEnv {
  return { ...process.env, HOME: home, XDG_CONFIG_HOME: home };
}

/**
 * `fields` of every frame of `file`, one row per frame. `prefs` are tshark `-o` settings
 * ("mtp3.standard:itu"). Fails with tshark's own words when it cannot read the file.
 */
export function tsharkFields(file: string, fields: readonly string[], prefs: readonly string[], env: NodeJS.ProcessEnv): Promise<TsharkRow[]> {
  const args = ['-r', file, ...prefs.flatMap((p) => ['-o', p]), '-T', 'fields', '-E', 'separator=|', '-E', 'aggregator=;', ...fields.flatMap((f) => ['-e', f])];
  return new Promise((resolve, reject) => {
    execFile(TSHARK, args, { timeout: 60_000, env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') reject(new Error(`${TSHARK} not found: ${INSTALL_HINT}`));
      else if (err) reject(new Error(`${TSHARK} failed: ${err.message}\n${stderr}`));
      else {
        const lines = stdout.trimEnd() === '' ? [] : stdout.trimEnd().split('\n');
        resolve(lines.map((line) => Object.fromEntries(line.split('|').map((v, i) => [fields[i]!, v]))));
      }
    });
  });
}

/** The worst expert severity tshark gave a frame (0 when none). */
export function worstSeverity(row: TsharkRow): number {
  return Math.max(0, ...(row['_ws.expert.severity'] ?? '').split(';').filter(Boolean).map(Number));
}
