/**
 * Every write the writer makes goes through these few operations, so tests
 * can inject a full disk or a crash at any step (the "file-ops seam"). Each
 * runs to its end before a signal is handled (interrupts.ts).
 */
import type { FileHandle } from 'node:fs/promises';
import { uninterruptible } from '../../interrupts.js';

export interface FileOps {
  /** Writes all of `data` at `position`. */
  writeAt(handle: FileHandle, data: Uint8Array, position: number): Promise<void>;
  sync(handle: FileHandle): Promise<void>;
  truncate(handle: FileHandle, length: number): Promise<void>;
}

export const nodeFileOps: FileOps = {
  writeAt: (handle, data, position) =>
    uninterruptible(async () => {
      for (let done = 0; done < data.length; ) {
        const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
        done += bytesWritten;
      }
    }),
  sync: (handle) => uninterruptible(() => handle.sync()),
  truncate: (handle, length) => uninterruptible(() => handle.truncate(length)),
};
