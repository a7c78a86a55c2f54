/**
 * The lock that serializes `sif key` writers of one keyring directory, so two
 * concurrent imports cannot both read the old keyring and each write back
 * only their own key: the lock file of images (locks/lock-file.ts), with the
 * same owner line and the same rule for a dead holder.
 */
import { IoError } from '../errors.js';
import { nodeFileOps } from '../image/write/file-ops.js';
import { LockFile } from '../locks/lock-file.js';
import { currentOwner, describeOwner } from '../locks/owner.js';

export interface LockOptions {
  /** How long to wait for another writer, in ms. Default 10000. */
  timeoutMs?: number;
  /** Delay between attempts, in ms. Default 50. */
  pollMs?: number;
}

/** Runs `fn` while holding the lock file at `lockPath`. */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = await LockFile.acquire(lockPath, {
    owner: currentOwner(),
    writer: nodeFileOps,
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    locked: (holder) =>
      new IoError(
        'SIF_LOCKED',
        `keyring is locked by ${holder ? describeOwner(holder) : 'another process'} (lock file ${lockPath}); try again, or remove the lock file if that process is gone`,
      ),
  });
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
