import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Renames a bad file to `<path>.corrupt-<now>` so that nothing is lost; returns the new name. */
export async function moveAside(path: string, now: number): Promise<string> {
  const aside = `${path}.corrupt-${now}`;
  await rename(path, aside);
  return aside;
}

/**
 * Replaces `path` with `text` (UTF-8, or bytes as they are) so that a power cut leaves either the old or the new file,
 * never a torn one: write `<path>.tmp`, fsync it, rename over `path`, fsync the folder.
 * Creates the folder if missing.
 */
export async function writeFileAtomic(path: string, text: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w', 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await syncFolder(dir);
}

/** A rename, or a new file, is durable only once the folder entry is on disk. */
export async function syncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a folder (EINVAL, EISDIR); the file itself is synced.
  } finally {
    await handle?.close();
  }
}
