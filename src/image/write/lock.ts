/**
 * One writer per image at a time. The lock is a file `IMG.lock` beside the
 * image, created with O_EXCL (atomic on local file systems and NFSv3+). It
 * names its owner (host, PID, process start time) and carries the write-ahead
 * journal of journal.ts. A lock whose owner is dead on this host is stale: the
 * next writer replays its journal, removes it and goes on. Breaking a stale
 * lock is serialized by a second O_EXCL file, `IMG.lock.recover`, so two
 * writers never both break it and one of them never removes the other's fresh lock.
 */
import { randomUUID } from 'node:crypto';
import { constants as fsConstants, readFileSync } from 'node:fs';
import { lstat, open, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { fromSystemError, IoError } from '../../errors.js';
import type { FileOps } from './file-ops.js';
import { parseLock, replayJournal, type JournalRecord, type LockOwner } from './journal.js';

/** A lock file that has no owner line after this long was left by a writer killed while creating it. */
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

function isAlive(owner: LockOwner): boolean {
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

export interface LockOptions {
  /** Milliseconds to wait for another writer; default 0. */
  timeoutMs?: number;
  ops: FileOps;
  /** The temporary file `createImage` writes, removed if this writer dies. */
  tmp?: string;
}

/** An exclusive, journaled lock on one image path. */
export class ImageLock {
  private end = 0;
  /** Set when a change could not finish: the journal must outlive this writer. */
  private keepJournal = false;

  private constructor(
    readonly lockPath: string,
    private readonly handle: FileHandle,
    private readonly ops: FileOps,
  ) {}

  /** Takes the lock, breaking a stale one; fails with SIF_LOCKED after `timeoutMs`. */
  static async acquire(imagePath: string, options: LockOptions): Promise<ImageLock> {
    const lockPath = lockPathOf(imagePath);
    const deadline = Date.now() + (options.timeoutMs ?? 0);
    for (;;) {
      try {
        const handle = await open(lockPath, CREATE_EXCL, 0o644);
        return await ImageLock.initialize(imagePath, lockPath, handle, options);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // A missing directory is reported against the image, the path the user gave.
        if (code !== 'EEXIST') throw fromSystemError(e, code === 'ENOENT' ? imagePath : lockPath);
      }
      const holder = await inspect(lockPath);
      if (holder.state === 'gone') continue;
      if (holder.state === 'stale' && (await breakStale(imagePath, lockPath, holder.text, options.ops))) continue;
      if (Date.now() >= deadline) throw lockedError(imagePath, lockPath, holder.owner);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  private static async initialize(imagePath: string, lockPath: string, handle: FileHandle, options: LockOptions) {
    const lock = new ImageLock(lockPath, handle, options.ops);
    try {
      const image = await lstat(imagePath).catch(() => undefined);
      const owner: LockOwner = {
        ...ownerLine(),
        ...(image ? { dev: image.dev, ino: image.ino } : {}),
        ...(options.tmp ? { tmp: options.tmp } : {}),
      };
      await lock.append(owner);
      return lock;
    } catch (e) {
      await lock.release();
      throw fromSystemError(e, lockPath);
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
