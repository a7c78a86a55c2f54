/**
 * The one lock-file implementation, for an image's `IMG.lock`
 * (image/write/lock.ts) and a keyring's lock (keys/lock.ts).
 *
 * - A lock appears atomically with its owner line (owner.ts): written to a
 *   temporary file, then hard-linked into place, which fails with EEXIST
 *   while another writer holds it (atomic on local file systems and NFS).
 *   Where hard links are missing it is created in place with O_EXCL.
 * - Who holds it is decided by one rule: an owner line is stale only when its
 *   owner is proven dead (owner.ts); the "PID HOST" line of an older sif's
 *   keyring lock is such a line, never proven dead; a lock with no complete
 *   owner line (a writer killed while creating it in place) is stale once
 *   older than any writer takes to write one line.
 * - Breaking a stale lock is serialized by a second exclusive file,
 *   `LOCK.recover`, so two writers never both break it and one never removes
 *   the other's fresh lock; the lock's own recovery (an image's journal
 *   replay) runs under it.
 * - A signal removes the lock of the process it stops, unless the holder
 *   keeps it for the next writer (a journal that must be replayed).
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, readFileSync, unlinkSync } from 'node:fs';
import { link, open, readdir, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fromSystemError } from '../errors.js';
import { onInterrupt, uninterruptible } from '../interrupts.js';
import { currentOwner, ownerIsDead, parseOwner, type LockOwner } from './owner.js';

/** A lock with no complete owner line is taken for one being written until it is this old. */
const UNWRITTEN_LOCK_MS = 10_000;

const CREATE_EXCL = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW;

/** File systems without hard links; the lock is then created in place. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** The writes a lock file needs; the image writer passes its fault-injectable file ops. */
export interface LockWriter {
  writeAt(handle: FileHandle, data: Uint8Array, position: number): Promise<void>;
  sync(handle: FileHandle): Promise<void>;
}

/** Who holds a lock file now. */
export type LockHolder = { state: 'gone' } | { state: 'live' | 'stale'; text: string; owner: LockOwner | undefined };

/** The owner named by a lock file's first line: ours, or an older sif's "PID HOST". */
function ownerOf(text: string): LockOwner | undefined {
  const line = text.split('\n')[0]!;
  const legacy = /^(\d+) (\S+)$/.exec(line.trim());
  return parseOwner(line) ?? (legacy ? { pid: Number(legacy[1]), host: legacy[2]!, token: '' } : undefined);
}

/** Whether a lock-like file is abandoned: its owner proven dead, or, without one, old. */
async function abandoned(path: string, text: string): Promise<boolean> {
  const owner = ownerOf(text);
  if (owner) return ownerIsDead(owner);
  return stat(path).then((s) => Date.now() - s.mtimeMs > UNWRITTEN_LOCK_MS, () => false);
}

/** Reads a lock file and judges its holder. */
export async function inspectLock(lockPath: string): Promise<LockHolder> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'gone' };
    throw fromSystemError(e, lockPath);
  }
  return { state: (await abandoned(lockPath, text)) ? 'stale' : 'live', text, owner: ownerOf(text) };
}

/**
 * Recovers and removes a stale lock, unless another writer is already doing
 * so or the lock changed since it was inspected. True when the lock is gone.
 */
async function breakStale(lockPath: string, seen: string, recover: (text: string) => Promise<void>): Promise<boolean> {
  const marker = `${lockPath}.recover`;
  let handle: FileHandle;
  try {
    handle = await open(marker, CREATE_EXCL, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fromSystemError(e, marker);
    // A recoverer that died leaves its marker behind; it is replaced like a stale lock.
    if ((await inspectLock(marker)).state === 'stale') await unlink(marker).catch(() => undefined);
    return false;
  }
  const forget = onInterrupt(() => unlinkSync(marker));
  try {
    await handle.writeFile(`${JSON.stringify(currentOwner())}\n`);
    const now = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (now !== seen) return now === undefined;
    await recover(seen);
    await unlink(lockPath).catch(() => undefined);
    return true;
  } finally {
    forget();
    await handle.close();
    await unlink(marker).catch(() => undefined);
  }
}

/** Creates `lockPath` holding `content` atomically. Undefined when another writer holds it. */
async function createLockFile(lockPath: string, content: Buffer, writer: LockWriter): Promise<FileHandle | undefined> {
  const tmp = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let handle = await open(tmp, CREATE_EXCL, 0o644);
  try {
    await writer.writeAt(handle, content, 0);
    await writer.sync(handle);
    await link(tmp, lockPath).catch(async (e: NodeJS.ErrnoException) => {
      if (!NO_LINKS.has(e.code ?? '')) throw e;
      await handle.close();
      handle = await open(lockPath, CREATE_EXCL, 0o644);
      await writer.writeAt(handle, content, 0);
      await writer.sync(handle);
    });
    return handle; // the same inode as the lock: an image's journal is appended through it
  } catch (e) {
    await handle.close();
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Removes temporary lock files of writers killed before they could (`LOCK.PID.XXXXXXXX.tmp`). */
async function removeLitter(lockPath: string): Promise<void> {
  const prefix = `${basename(lockPath)}.`;
  for (const name of await readdir(dirname(lockPath)).catch(() => [] as string[])) {
    if (!name.startsWith(prefix) || !/^\d+\.[0-9a-f]{8}\.tmp$/.test(name.slice(prefix.length))) continue;
    const path = join(dirname(lockPath), name);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text !== undefined && (await abandoned(path, text))) await unlink(path).catch(() => undefined);
  }
}

export interface AcquireOptions {
  /** The owner line written into the lock; extra fields (an image's inode) are kept. */
  readonly owner: LockOwner;
  readonly writer: LockWriter;
  /** Milliseconds to wait for a live holder. */
  readonly timeoutMs: number;
  readonly pollMs?: number;
  /** The error when a live holder keeps the lock past the timeout. */
  locked(owner: LockOwner | undefined): Error;
  /** Runs under the recovery marker before a stale lock is removed; throwing keeps the lock. */
  recover?(text: string): Promise<void>;
  /** The path named when the lock's directory is missing (the file the user named). */
  readonly missingDirectoryPath?: string;
}

/** A lock file this process holds, open for appending (an image's journal). */
export class LockFile {
  private keep = false;
  private forget: () => void = () => undefined;

  private constructor(
    readonly path: string,
    readonly handle: FileHandle,
    private readonly token: string,
  ) {}

  /** Takes the lock, breaking a stale one; fails with `options.locked` after the timeout. */
  static async acquire(lockPath: string, options: AcquireOptions): Promise<LockFile> {
    const deadline = Date.now() + options.timeoutMs;
    const content = Buffer.from(`${JSON.stringify(options.owner)}\n`);
    let lock: LockFile | undefined;
    // From the first attempt on, a signal removes this writer's lock, should it exist by then.
    const forget = onInterrupt(() => removeOwnLock(lockPath, options.owner.token, () => lock?.keep ?? false));
    try {
      for (;;) {
        let handle: FileHandle | undefined;
        try {
          handle = await uninterruptible(() => createLockFile(lockPath, content, options.writer));
        } catch (e) {
          const missing = (e as NodeJS.ErrnoException).code === 'ENOENT' && options.missingDirectoryPath;
          throw fromSystemError(e, missing || lockPath);
        }
        if (handle) {
          await removeLitter(lockPath);
          lock = new LockFile(lockPath, handle, options.owner.token);
          lock.forget = forget;
          return lock;
        }
        const holder = await inspectLock(lockPath);
        if (holder.state === 'gone') continue;
        if (holder.state === 'stale' && (await breakStale(lockPath, holder.text, options.recover ?? (async () => undefined)))) continue;
        if (Date.now() >= deadline) throw options.locked(holder.owner);
        await new Promise((r) => setTimeout(r, options.pollMs ?? 50));
      }
    } catch (e) {
      forget();
      throw e;
    }
  }

  /** Leaves the lock file in place at release, so the next writer recovers from it. */
  keepForRecovery(): void {
    this.keep = true;
  }

  async release(): Promise<void> {
    await this.handle.close();
    try {
      removeOwnLock(this.path, this.token, () => this.keep);
    } catch {
      // Already gone: nothing of ours to remove.
    }
    this.forget();
  }
}

/** Removes this writer's lock file (never another's), unless it must outlive the writer; also run on a signal. */
function removeOwnLock(lockPath: string, token: string, keep: () => boolean): void {
  if (keep()) return;
  if (parseOwner(readFileSync(lockPath, 'utf8').split('\n')[0]!)?.token === token) unlinkSync(lockPath);
}
