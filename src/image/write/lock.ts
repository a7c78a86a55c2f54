/**
 * One writer per image at a time: the lock file `IMG.lock` beside the image
 * (locks/lock-file.ts, shared with keyrings), whose owner line also names
 * the image's inode, and which then carries the write-ahead journal of
 * journal.ts. A stale lock's journal is replayed (replay.ts) before the lock
 * is removed; a journal that does not match the image is moved aside and the
 * writer stops.
 */
import { lstat, rename } from 'node:fs/promises';
import { IoError } from '../../errors.js';
import { LockFile } from '../../locks/lock-file.js';
import { currentOwner, describeOwner } from '../../locks/owner.js';
import type { FileOps } from './file-ops.js';
import { parseLock, type ImageLockOwner, type JournalRecord } from './journal.js';
import { replayJournal } from './replay.js';

export const lockPathOf = (imagePath: string) => `${imagePath}.lock`;

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

function lockedError(imagePath: string, lockPath: string, owner: { pid: number; host: string } | undefined): IoError {
  const who = owner ? describeOwner(owner) : 'another writer';
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
  private constructor(
    private readonly file: LockFile,
    private readonly ops: FileOps,
    private end: number,
    /** The owner line, with the image inode this lock's journal applies to. */
    readonly owner: ImageLockOwner,
  ) {}

  /** Takes the lock, breaking a stale one; fails with SIF_LOCKED after `timeoutMs`. */
  static async acquire(imagePath: string, options: LockOptions): Promise<ImageLock> {
    const lockPath = lockPathOf(imagePath);
    const image = await lstat(imagePath).catch(() => undefined);
    const owner: ImageLockOwner = {
      ...currentOwner(),
      ...(image ? { dev: image.dev, ino: image.ino } : {}),
      ...(options.tmp ? { tmp: options.tmp } : {}),
    };
    const file = await LockFile.acquire(lockPath, {
      owner,
      writer: options.ops,
      timeoutMs: options.timeoutMs ?? 0,
      locked: (holder) => lockedError(imagePath, lockPath, holder),
      recover: async (text) => {
        const journal = parseLock(text);
        if (!(await replayJournal(imagePath, journal, options.ops))) throw await setAside(imagePath, lockPath, journal.owner);
      },
      missingDirectoryPath: imagePath,
    });
    return new ImageLock(file, options.ops, Buffer.byteLength(`${JSON.stringify(owner)}\n`), owner);
  }

  private async append(line: object): Promise<void> {
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
    await this.ops.writeAt(this.file.handle, bytes, this.end);
    await this.ops.sync(this.file.handle);
    this.end += bytes.length;
  }

  /** Makes a journal record durable before the image changes it describes. */
  record(r: JournalRecord): Promise<void> {
    return this.append(r);
  }

  /** Leaves the lock file in place so the next writer replays the journal. */
  keepForRecovery(): void {
    this.file.keepForRecovery();
  }

  release(): Promise<void> {
    return this.file.release();
  }
}
