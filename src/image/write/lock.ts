/**
 * One writer per image at a time. The lock is a file `IMG.lock` beside the
 * image. It appears atomically with its owner line (host, PID, process start
 * time): written to a temporary file, then hard-linked into place, which fails
 * with EEXIST while another writer holds it (atomic on local file systems and
 * NFS). It then carries the write-ahead journal of journal.ts. A lock whose
 * owner is dead on this host is stale: the next writer replays its journal,
 * removes it and goes on. Breaking a stale lock is serialized by a second
 * exclusive file, `IMG.lock.recover`, so two writers never both break it and
 * one never removes the other's fresh lock.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { constants as fsConstants, readFileSync } from 'node:fs';
import { link, lstat, open, readdir, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fromSystemError, IoError } from '../../errors.js';
import type { FileOps } from './file-ops.js';
import { parseLock, replayJournal, type JournalRecord, type LockOwner } from './journal.js';

/**
 * A lock without an owner line (only possible where hard links are missing)
 * is taken for one being written until it is this old.
 */
const UNWRITTEN_LOCK_MS = 10_000;
const POLL_MS = 50;

const CREATE_EXCL = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW;

export const lockPathOf = (imagePath: string) => `${imagePath}.lock`;

/** Start time of a process (field 22 of /proc/PID/stat), or undefined off Linux. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isAlive(owner: Pick<LockOwner, 'pid' | 'start'>): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStart(owner.pid);
  return owner.start === undefined || start === undefined || start === owner.start;
}

type Holder = { state: 'gone' } | { state: 'live' | 'stale'; text: string; owner: LockOwner | undefined };

async function inspect(lockPath: string): Promise<Holder> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'gone' };
    throw fromSystemError(e, lockPath);
  }
  const { owner } = parseLock(text);
  if (!owner) {
    const age = await stat(lockPath).then((s) => Date.now() - s.mtimeMs, () => 0);
    return { state: age > UNWRITTEN_LOCK_MS ? 'stale' : 'live', text, owner };
  }
  const stale = owner.host === hostname() && !isAlive(owner);
  return { state: stale ? 'stale' : 'live', text, owner };
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
  try {
    await handle.writeFile(`${JSON.stringify(ownerLine())}\n`);
    const now = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (now !== seen) return now === undefined;
    await replayJournal(imagePath, parseLock(seen), ops);
    await unlink(lockPath);
    return true;
  } finally {
    await handle.close();
    await unlink(marker).catch(() => undefined);
  }
}

function ownerLine(): LockOwner {
  const start = processStart(process.pid);
  return { pid: process.pid, ...(start ? { start } : {}), host: hostname(), token: randomUUID() };
}

function lockedError(imagePath: string, lockPath: string, owner: LockOwner | undefined): IoError {
  const who = owner ? `process ${owner.pid} on ${owner.host}` : 'another writer';
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
    const pid = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length))?.[1] : undefined;
    if (pid && Number(pid) !== process.pid && !isAlive({ pid: Number(pid) })) {
      await unlink(join(dirname(lockPath), name)).catch(() => undefined);
    }
  }
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

  private constructor(
    readonly lockPath: string,
    private readonly handle: FileHandle,
    private readonly ops: FileOps,
    private end: number,
    /** The owner line, with the image inode this lock's journal applies to. */
    readonly owner: LockOwner,
  ) {}

  /** Takes the lock, breaking a stale one; fails with SIF_LOCKED after `timeoutMs`. */
  static async acquire(imagePath: string, options: LockOptions): Promise<ImageLock> {
    const lockPath = lockPathOf(imagePath);
    const deadline = Date.now() + (options.timeoutMs ?? 0);
    const image = await lstat(imagePath).catch(() => undefined);
    const owner: LockOwner = {
      ...ownerLine(),
      ...(image ? { dev: image.dev, ino: image.ino } : {}),
      ...(options.tmp ? { tmp: options.tmp } : {}),
    };
    const content = Buffer.from(`${JSON.stringify(owner)}\n`);
    for (;;) {
      let handle: FileHandle | undefined;
      try {
        handle = await createLockFile(lockPath, content, options.ops);
      } catch (e) {
        // A missing directory is reported against the image, the path the user gave.
        throw fromSystemError(e, (e as NodeJS.ErrnoException).code === 'ENOENT' ? imagePath : lockPath);
      }
      if (handle) {
        await removeLitter(lockPath);
        return new ImageLock(lockPath, handle, options.ops, content.length, owner);
      }
      const holder = await inspect(lockPath);
      if (holder.state === 'gone') continue;
      if (holder.state === 'stale' && (await breakStale(imagePath, lockPath, holder.text, options.ops))) continue;
      if (Date.now() >= deadline) throw lockedError(imagePath, lockPath, holder.owner);
      await new Promise((r) => setTimeout(r, POLL_MS));
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
  }
}
