import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';

/** The file operations the adapter uses; tests replace one to make it fail. */
export interface FileOps {
  open(path: string, flags: string, mode?: number): Promise<FileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

const nodeOps: FileOps = { open, rename, unlink };

let written = 0;

/**
 * A lowdb adapter for a JSON file that survives a power cut. lowdb's own writer renames a
 * temp file over the target without fsync, so after a crash the file can be empty or gone
 * (the rename reached the disk before the data). Here the temp file is written and fsynced,
 * then renamed over the target (rename(2) replaces atomically), then the folder is fsynced so
 * the rename itself is on disk. A failure at any step leaves the old file as it was and
 * removes the temp file.
 *
 * The file gets `mode` (default 0600: the box config holds the box's MQTT password).
 */
export class FsyncJsonFile<T> implements Adapter<T> {
  private readonly ops: FileOps;
  private readonly mode: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    options: { mode?: number; ops?: Partial<FileOps> } = {},
  ) {
    this.ops = { ...nodeOps, ...options.ops };
    this.mode = options.mode ?? 0o600;
  }

  /** The parsed file; null when there is none. A file that is not JSON throws (SyntaxError). */
  async read(): Promise<T | null> {
    let handle: FileHandle;
    try {
      handle = await this.ops.open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      return JSON.parse(await handle.readFile('utf8')) as T;
    } finally {
      await handle.close();
    }
  }

  /** Writes are queued: two at once end as the later one, never as a mix. */
  write(data: T): Promise<void> {
    const next = this.queue.then(() => this.replace(`${JSON.stringify(data, null, 2)}\n`));
    this.queue = next.catch(() => {});
    return next;
  }

  private async replace(text: string): Promise<void> {
    const folder = dirname(this.path);
    const temp = join(folder, `.${basename(this.path)}.${process.pid}.${++written}.tmp`);
    try {
      const handle = await this.ops.open(temp, 'wx', this.mode);
      try {
        await handle.writeFile(text, 'utf8');
        // open's mode passes through the umask; the config must be exactly `mode`.
        await handle.chmod(this.mode);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.ops.rename(temp, this.path);
    } catch (err) {
      await this.ops.unlink(temp).catch(() => {});
      throw err;
    }
    const dir = await this.ops.open(folder, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
