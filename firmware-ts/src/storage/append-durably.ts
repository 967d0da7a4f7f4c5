import type { FileHandle } from 'node:fs/promises';

/**
 * Appends `bytes` to an open file and waits until they are on disk (fdatasync). A write may
 * take only part of the buffer (a nearly full disk): it goes on until all is in, and fails
 * when the disk takes nothing more. On failure the caller cannot know how much reached the
 * disk: it must cut the file back to its known end (and, after a failed fsync, trust the
 * file's end no more: Linux may have dropped the pages).
 */
export async function appendDurably(handle: FileHandle, bytes: Buffer, file: string): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
    if (bytesWritten <= 0) throw new Error(`the disk took no more of ${file}`);
    done += bytesWritten;
  }
  await handle.datasync();
}
