/**
 * The lock file doubles as a write-ahead journal. Line 1 names the owner; each
 * change then appends a `begin` record (the file size before any data is
 * appended) and, once the data is on disk, a `commit` record holding the exact
 * metadata bytes about to be written. A writer that finds a dead owner's lock
 * replays it: after `begin` it cuts the appended data off again (rollback);
 * after `commit` it writes the recorded bytes again (redo). Either way the
 * image holds exactly the old state or the complete new one.
 */
import { constants as fsConstants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import type { FileOps } from './file-ops.js';

/** Who holds a lock, and which image inode it protects. */
export interface LockOwner {
  pid: number;
  /** Process start time from /proc, so a reused PID is not taken for the owner. */
  start?: string;
  host: string;
  token: string;
  /** Device and inode of the image when locked; recovery never touches another file. */
  dev?: number;
  ino?: number;
  /** Temporary file of `createImage`, removed when its owner died. */
  tmp?: string;
}

/** The metadata bytes of one change, with what follows them. */
export interface CommitRecord {
  /** [file position, base64 bytes], written in this order. */
  writes: [number, string][];
  /** Zero [offset, length] after the metadata (deleted data). */
  zero?: [number, number];
  /** Truncate to this size after the metadata (compaction). */
  truncate?: number;
}

export type JournalRecord = { begin: number } | { commit: CommitRecord };

export interface ParsedLock {
  owner: LockOwner | undefined;
  /** The last complete record; earlier changes were already on disk when it was written. */
  last: JournalRecord | undefined;
}

/** Parses a lock file; a torn last line (owner killed mid-append) is ignored. */
export function parseLock(text: string): ParsedLock {
  const lines = text.split('\n');
  lines.pop(); // the text after the last newline is an incomplete record
  const parsed = lines.map((l) => {
    try {
      return JSON.parse(l) as unknown;
    } catch {
      return undefined;
    }
  });
  const owner = parsed[0] as LockOwner | undefined;
  const records = parsed.slice(1).filter((r): r is JournalRecord => typeof r === 'object' && r !== null);
  return { owner: typeof owner?.pid === 'number' ? owner : undefined, last: records.at(-1) };
}

const ZERO_CHUNK = Buffer.alloc(1 << 20);

/** Overwrites [offset, offset + length) with zeros in bounded chunks. */
export async function zeroRange(handle: FileHandle, ops: FileOps, offset: number, length: number) {
  for (let done = 0; done < length; done += ZERO_CHUNK.length) {
    await ops.writeAt(handle, ZERO_CHUNK.subarray(0, Math.min(ZERO_CHUNK.length, length - done)), offset + done);
  }
}

/** Writes a commit record's bytes; used both by a live writer and by recovery. */
export async function applyCommit(handle: FileHandle, ops: FileOps, c: CommitRecord) {
  for (const [position, bytes] of c.writes) await ops.writeAt(handle, Buffer.from(bytes, 'base64'), position);
  if (c.zero) await zeroRange(handle, ops, c.zero[0], c.zero[1]);
  if (c.truncate !== undefined) await ops.truncate(handle, c.truncate);
  await ops.sync(handle);
}

/**
 * Replays a dead owner's journal on the image (see the module comment). Does
 * nothing when the image is gone or is no longer the inode that was locked.
 */
export async function replayJournal(imagePath: string, lock: ParsedLock, ops: FileOps): Promise<void> {
  if (lock.owner?.tmp) await unlink(lock.owner.tmp).catch(() => undefined);
  const last = lock.last;
  if (!last || lock.owner?.ino === undefined) return;
  let handle;
  try {
    handle = await open(imagePath, fsConstants.O_RDWR | fsConstants.O_NOFOLLOW);
  } catch {
    return; // nothing left to repair
  }
  try {
    const stat = await handle.stat();
    if (stat.ino !== lock.owner.ino || stat.dev !== lock.owner.dev) return;
    if ('commit' in last) await applyCommit(handle, ops, last.commit);
    else if (stat.size > last.begin) {
      await ops.truncate(handle, last.begin);
      await ops.sync(handle);
    }
  } finally {
    await handle.close();
  }
}
