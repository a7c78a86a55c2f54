/**
 * One writer per image at a time. The lock is a file `IMG.lock` beside the
 * image. It appears atomically with its owner line (locks/owner.ts, plus the
 * image's inode): written to a temporary file, then hard-linked into place,
 * which fails with EEXIST while another writer holds it (atomic on local file
 * systems and NFS). It then carries the write-ahead journal of journal.ts. A
 * lock whose owner is proven dead is stale: the next writer replays its
 * journal (replay.ts), removes it and goes on; a journal that does not match
 * the image is moved aside and the writer stops. Breaking a stale lock is
 * serialized by a second exclusive file, `IMG.lock.recover`, so two writers
 * never both break it and one never removes the other's fresh lock.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, readFileSync, unlinkSync } from 'node:fs';
import { link, lstat, open, readdir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fromSystemError, IoError } from '../../errors.js';
import { onInterrupt, uninterruptible } from '../../interrupts.js';
import { currentOwner, describeOwner, ownerIsDead, parseOwner } from '../../locks/owner.js';
import type { FileOps } from './file-ops.js';
import { parseLock, type ImageLockOwner, type JournalRecord } from './journal.js';
import { replayJournal } from './replay.js';

/**
 * A lock without an owner line (only possible where hard links are missing)
 * is taken for one being written until it is this old.
 */
const UNWRITTEN_LOCK_MS = 10_000;
const POLL_MS = 50;

const CREATE_EXCL = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW;

export const lockPathOf = (imagePath: string) => `${imagePath}.lock`;

type Holder = { state: 'gone' } | { state: 'live' | 'stale'; text: string; owner: ImageLockOwner | undefined };

/** Whether a lock-like file's owner line proves it abandoned; without one, whether it is old. */
async function abandoned(path: string, text: string): Promise<boolean> {
  const owner = parseLock(text).owner;
  if (owner) return ownerIsDead(owner);
  return stat(path).then((s) => Date.now() - s.mtimeMs > UNWRITTEN_LOCK_MS, () => false);
}

async function inspect(lockPath: string): Promise<Holder> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'gone' };
    throw fromSystemError(e, lockPath);
  }
  return { state: (await abandoned(lockPath, text)) ? 'stale' : 'live', text, owner: parseLock(text).owner };
}

/** Moves a journal that does not match the image aside (never deletes it) and says so. */
async function setAside(imagePath: string, lockPath: string, owner: ImageLockOwner | undefined): Promise<IoError> {
  const aside = `${lockPath}.stale-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(lockPath, aside);
  const who = owner ? ` (${describeOwner(owner)})` : '';
  return new IoError(
    'SIF_STALE_JOURNAL',
    `${imagePath}: the unfinished change of a killed writer${who} does not match the image, which changed since; the image was left as it is and the journal moved to ${aside}`,
  );
}

/**
 * Replays and removes a stale lock, unless another writer is already doing so
 * or the lock changed since it was inspected. True when the lock is gone.
 */
async function breakStale(imagePath: string, lockPath: string, seen: string, ops: FileOps): Promise<boolean> {
  const marker = `${lockPath}.recover`;
  let handle: FileHandle;
  try {
    handle = await open(marker, CREATE_EXCL, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fromSystemError(e, marker);
    // A recoverer that died leaves its marker behind; it is replaced like a stale lock.
    if ((await inspect(marker)).state === 'stale') await unlink(marker).catch(() => undefined);
    return false;
  }
  const forget = onInterrupt(() => unlinkSync(marker));
  try {
    await handle.writeFile(`${JSON.stringify(currentOwner())}\n`);
    const now = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (now !== seen) return now === undefined;
    const journal = parseLock(seen);
    if (!(await replayJournal(imagePath, journal, ops))) throw await setAside(imagePath, lockPath, journal.owner);
    await unlink(lockPath);
    return true;
  } finally {
    forget();
    await handle.close();
    await unlink(marker).catch(() => undefined);
  }
}

function lockedError(imagePath: string, lockPath: string, owner: ImageLockOwner | undefined): IoError {
  const who = owner ? describeOwner(owner) : 'another writer';
  return new IoError(
    'SIF_LOCKED',
    `${imagePath}: image is locked by ${who}; retry when it is done, or remove ${lockPath} if no writer is running`,
  );
}

/** File systems without hard links; the lock is then created in place. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Creates `lockPath` holding `content` atomically, so a lock file always names
 * its owner: the line is written to a temporary file that is then hard-linked
 * into place (link fails with EEXIST when the lock is held). Undefined when held.
 */
async function createLockFile(lockPath: string, content: Buffer, ops: FileOps): Promise<FileHandle | undefined> {
  const tmp = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let handle = await open(tmp, CREATE_EXCL, 0o644);
  try {
    await ops.writeAt(handle, content, 0);
    await ops.sync(handle);
    await link(tmp, lockPath).catch(async (e: NodeJS.ErrnoException) => {
      if (!NO_LINKS.has(e.code ?? '')) throw e;
      await handle.close();
      handle = await open(lockPath, CREATE_EXCL, 0o644);
      await ops.writeAt(handle, content, 0);
      await ops.sync(handle);
    });
    return handle; // the same inode as the lock: the journal is appended through it
  } catch (e) {
    await handle.close();
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Removes temporary lock files of writers killed before they could (`IMG.lock.PID.XXXXXXXX.tmp`). */
async function removeLitter(lockPath: string): Promise<void> {
  const prefix = `${basename(lockPath)}.`;
  for (const name of await readdir(dirname(lockPath)).catch(() => [] as string[])) {
    if (!name.startsWith(prefix) || !/^\d+\.[0-9a-f]{8}\.tmp$/.test(name.slice(prefix.length))) continue;
    const path = join(dirname(lockPath), name);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text !== undefined && (await abandoned(path, text))) await unlink(path).catch(() => undefined);
  }
}

/** On a signal: removes this writer's lock file, unless it holds a journal the next writer needs. */
function removeOwnLock(lockPath: string, token: string, keep: () => boolean): void {
  if (keep()) return;
  const owner = parseOwner(readFileSync(lockPath, 'utf8').split('\n')[0]!);
  if (owner?.token === token) unlinkSync(lockPath);
}

export interface LockOptions {
  /** Milliseconds to wait for another writer; default 0. */
  timeoutMs?: number;
  ops: FileOps;
  /** The temporary file `createImage` writes, removed if this writer dies. */
  tmp?: string;
}

/** An exclusive, journaled lock on one image path. */
export class ImageLock {
  /** Set when a change could not finish: the journal must outlive this writer. */
  private keepJournal = false;
  private forget: () => void = () => undefined;

  private constructor(
    readonly lockPath: string,
    private readonly handle: FileHandle,
    private readonly ops: FileOps,
    private end: number,
    /** The owner line, with the image inode this lock's journal applies to. */
    readonly owner: ImageLockOwner,
  ) {}

  /** Takes the lock, breaking a stale one; fails with SIF_LOCKED after `timeoutMs`. */
  static async acquire(imagePath: string, options: LockOptions): Promise<ImageLock> {
    const lockPath = lockPathOf(imagePath);
    const deadline = Date.now() + (options.timeoutMs ?? 0);
    const image = await lstat(imagePath).catch(() => undefined);
    const owner: ImageLockOwner = {
      ...currentOwner(),
      ...(image ? { dev: image.dev, ino: image.ino } : {}),
      ...(options.tmp ? { tmp: options.tmp } : {}),
    };
    const content = Buffer.from(`${JSON.stringify(owner)}\n`);
    let lock: ImageLock | undefined;
    // From the first attempt on, a signal removes this writer's lock, should it exist by then.
    const forget = onInterrupt(() => removeOwnLock(lockPath, owner.token, () => lock?.keepJournal ?? false));
    try {
      for (;;) {
        let handle: FileHandle | undefined;
        try {
          handle = await uninterruptible(() => createLockFile(lockPath, content, options.ops));
        } catch (e) {
          // A missing directory is reported against the image, the path the user gave.
          throw fromSystemError(e, (e as NodeJS.ErrnoException).code === 'ENOENT' ? imagePath : lockPath);
        }
        if (handle) {
          await removeLitter(lockPath);
          lock = new ImageLock(lockPath, handle, options.ops, content.length, owner);
          lock.forget = forget;
          return lock;
        }
        const holder = await inspect(lockPath);
        if (holder.state === 'gone') continue;
        if (holder.state === 'stale' && (await breakStale(imagePath, lockPath, holder.text, options.ops))) continue;
        if (Date.now() >= deadline) throw lockedError(imagePath, lockPath, holder.owner);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    } catch (e) {
      forget();
      throw e;
    }
  }

  private async append(line: object): Promise<void> {
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
    await this.ops.writeAt(this.handle, bytes, this.end);
    await this.ops.sync(this.handle);
    this.end += bytes.length;
  }

  /** Makes a journal record durable before the image changes it describes. */
  record(r: JournalRecord): Promise<void> {
    return this.append(r);
  }

  /** Leaves the lock file in place so the next writer replays the journal. */
  keepForRecovery(): void {
    this.keepJournal = true;
  }

  async release(): Promise<void> {
    await this.handle.close();
    if (!this.keepJournal) await unlink(this.lockPath).catch(() => undefined);
    this.forget();
  }
}
