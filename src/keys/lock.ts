/**
 * A lock file that serializes `sif key` writers of one keyring directory, so
 * two concurrent imports cannot both read the old keyring and each write back
 * only their own key. The lock file holds the owner line of an image lock
 * (locks/owner.ts), and the same rule decides: a lock whose owner is proven
 * dead is broken, anything else (including the "PID HOST" line of older
 * versions) is waited for. A signal removes the lock of the process it stops.
 */
import { constants, readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { fromSystemError, IoError } from '../errors.js';
import { onInterrupt, uninterruptible } from '../interrupts.js';
import { currentOwner, describeOwner, ownerIsDead, parseOwner } from '../locks/owner.js';

export interface LockOptions {
  /** How long to wait for another writer, in ms. Default 10000. */
  timeoutMs?: number;
  /** Delay between attempts, in ms. Default 50. */
  pollMs?: number;
}

/** A lock file whose writer died before writing its PID is stale after this long. */
const EMPTY_LOCK_GRACE_MS = 2000;

/** Runs `fn` while holding the lock file at `lockPath`. */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const token = `${JSON.stringify(currentOwner())}\n`;
  const forget = onInterrupt(() => readFileSync(lockPath, 'utf8') === token && unlinkSync(lockPath));
  try {
    await acquire(lockPath, token, options.timeoutMs ?? 10_000, options.pollMs ?? 50);
    try {
      return await fn();
    } finally {
      await release(lockPath, token);
    }
  } finally {
    forget();
  }
}

async function acquire(lockPath: string, token: string, timeoutMs: number, pollMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await uninterruptible(() => tryCreate(lockPath, token))) return;
    const holder = await readHolder(lockPath);
    if (holder !== undefined && (await isStale(lockPath, holder))) {
      // Re-read just before breaking so a lock taken meanwhile by a live writer survives.
      if ((await readHolder(lockPath)) === holder) await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) {
      const owner = parseOwner(holder?.split('\n')[0] ?? '');
      const who = owner ? describeOwner(owner) : holder?.trim() ? `process ${holder.trim().replace(' ', ' on host ')}` : 'another process';
      throw new IoError('SIF_LOCKED', `keyring is locked by ${who} (lock file ${lockPath}); try again, or remove the lock file if that process is gone`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

async function tryCreate(lockPath: string, token: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    let written = false;
    try {
      await handle.writeFile(token);
      written = true;
    } finally {
      await handle.close();
      // A full disk can refuse the PID after the file was created: leave no empty lock behind.
      if (!written) await unlink(lockPath).catch(() => undefined);
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw fromSystemError(e, lockPath);
  }
}

/** The lock's content; undefined when it vanished in between. */
async function readHolder(lockPath: string): Promise<string | undefined> {
  try {
    return await readFile(lockPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fromSystemError(e, lockPath);
  }
}

async function isStale(lockPath: string, holder: string): Promise<boolean> {
  if (!holder.trim()) return Date.now() - (await stat(lockPath).catch(() => ({ mtimeMs: 0 }))).mtimeMs > EMPTY_LOCK_GRACE_MS;
  const owner = parseOwner(holder.split('\n')[0]!);
  return owner !== undefined && ownerIsDead(owner);
}

async function release(lockPath: string, token: string): Promise<void> {
  if ((await readHolder(lockPath).catch(() => undefined)) === token) await unlink(lockPath).catch(() => undefined);
}
